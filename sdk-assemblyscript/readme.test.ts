import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const sdk = path.dirname(new URL(import.meta.url).pathname);
const assembly = path.join(sdk, 'assembly');

/** `ns.fn` for every `export function` inside `export namespace ns { ... }` blocks. */
function namespaceFunctions(source: string): string[] {
  const out: string[] = [];
  for (const block of source.matchAll(/export namespace (\w+) \{([\s\S]*?)\n\}/g)) {
    for (const fn of block[2]!.matchAll(/^ {2}export function (\w+)\(/gm)) out.push(`${block[1]}.${fn[1]}`);
  }
  return out;
}

/** Public methods of an exported class (not private, not the constructor, not static). */
function classMethods(source: string, className: string): string[] {
  const body = source.match(new RegExp(`export class ${className} \\{([\\s\\S]*?)\\n\\}`))?.[1] ?? '';
  return [...body.matchAll(/^ {2}(\w+)\([^)]*\)\s*:/gm)].map((m) => m[1]!).filter((m) => m !== 'constructor');
}

describe('README host API reference', () => {
  it('documents every public function and method of the SDK', async () => {
    const readme = await readFile(path.join(sdk, 'README.md'), 'utf8');
    const files = (await readdir(assembly)).filter((f) => f.endsWith('.ts'));
    const documented: string[] = [];
    for (const file of files) {
      const source = await readFile(path.join(assembly, file), 'utf8');
      for (const name of namespaceFunctions(source)) documented.push(`\`${name}(`);
    }
    const json = await readFile(path.join(assembly, 'json.ts'), 'utf8');
    for (const m of json.matchAll(/^export function (\w+)\(/gm)) documented.push(`json.${m[1]}(`);
    const values = await readFile(path.join(assembly, 'json-value.ts'), 'utf8');
    for (const m of values.matchAll(/^export function (\w+)\(/gm)) documented.push(`json.${m[1]}(`);
    for (const m of classMethods(values, 'Value')) documented.push(`\`${m}(`);
    const clipTypes = await readFile(path.join(assembly, 'clip-types.ts'), 'utf8');
    for (const m of classMethods(clipTypes, 'ClipPatch')) documented.push(`${m}(`);
    documented.push('`fail(message: string): i32`');

    // Guards the parsers: each namespace and class must have been found.
    expect(documented.filter((d) => d.startsWith('`kv.'))).toHaveLength(7);
    expect(documented).toContain('`isObject(');
    expect(documented).toContain('setMetadata(');
    const missing = documented.filter((d) => !readme.includes(d));
    expect(missing).toEqual([]);
  });
});
