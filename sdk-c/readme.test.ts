import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';

const sdk = path.dirname(new URL(import.meta.url).pathname);

it('README documents every public function of the header', async () => {
  const readme = await readFile(path.join(sdk, 'README.md'), 'utf8');
  const dir = path.join(sdk, 'plugboard');
  const names: string[] = [];
  for (const file of await readdir(dir)) {
    const source = await readFile(path.join(dir, file), 'utf8');
    // Names ending in `_` are private helpers.
    for (const m of source.matchAll(/^static inline [^(]*?\b(pb_\w*[a-z0-9])\(/gm)) names.push(m[1]!);
  }
  expect(names.length).toBeGreaterThan(60);
  expect(names.filter((n) => !new RegExp(`\\b${n}\\b`).test(readme))).toEqual([]);
});
