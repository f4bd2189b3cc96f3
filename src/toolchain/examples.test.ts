import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { isCPlugin } from '../../sdk-c/compiler/build.ts';
import { listExamples } from './examples.ts';
import { examplesDir, repoRoot } from './paths.ts';

const run = promisify(execFile);

it('has a C example among the AssemblyScript ones', async () => {
  const c = [];
  for (const dir of await listExamples()) if (await isCPlugin(dir)) c.push(path.basename(dir));
  expect(c).toEqual(['word-counter']);
});

// The machine without clang, simulated by pointing PLUGBOARD_CLANG nowhere: the build still
// succeeds, and says in one line what to install.
it('skips C examples without clang and lld, with one line saying what to install', { timeout: 120_000 }, async () => {
  const { stdout, stderr } = await run(process.execPath, ['bin/plugboard.js', 'build-examples'], {
    cwd: repoRoot,
    env: { ...process.env, PLUGBOARD_CLANG: path.join(examplesDir, 'no-such-clang') },
  });
  expect(stderr.split('\n').filter((l) => l.includes('skipping'))).toEqual([
    'skipping plugins-wasm/word-counter: install clang and lld (apt-get install clang lld)',
  ]);
  expect(stdout).not.toMatch(/word-counter/);
  expect(stdout).toMatch(/^\d+ plugin\(s\) in /m);
});
