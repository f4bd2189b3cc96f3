import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectModule } from '../runtime/index.ts';
import { buildPlugin } from '../../sdk-assemblyscript/compiler/build.ts';
import { readPluginJson } from '../contracts/index.ts';
import { scaffoldPlugin } from './scaffold.ts';

let dir: string;

beforeAll(async () => {
  dir = path.join(await mkdtemp(path.join(tmpdir(), 'plugboard-build-')), 'cache-check');
  await scaffoldPlugin(dir, 'cache-check');
});
afterAll(() => rm(path.dirname(dir), { recursive: true, force: true }));

// Compiling and the first fuel instrumentation (binaryen) take tens of seconds on a busy 2-core box.
describe('buildPlugin', { timeout: 120_000 }, () => {
  it('compiles with the platform settings: abort wired to the SDK, a memory maximum, only Extism imports', async () => {
    const first = await buildPlugin(dir);
    expect(first.cached).toBe(false);
    const module = new WebAssembly.Module(first.bytes as BufferSource);
    const imports = WebAssembly.Module.imports(module);
    expect(imports.every((i) => i.module === 'extism:host/env' || i.module === 'extism:host/user')).toBe(true);
    const report = inspectModule(first.bytes, await readPluginJson(dir));
    expect(report.problems).toEqual([]);
    expect(report.memory).toEqual({ minPages: expect.any(Number), maxPages: 1024 });
  });

  it('reuses an unchanged build and rebuilds when a source changes', async () => {
    const again = await buildPlugin(dir);
    expect(again.cached).toBe(true);
    const source = path.join(dir, 'assembly', 'index.ts');
    await writeFile(source, (await readFile(source, 'utf8')).replace('addTag("greeted")', 'addTag("welcomed")'));
    const rebuilt = await buildPlugin(dir);
    expect(rebuilt.cached).toBe(false);
    // AssemblyScript keeps string literals as UTF-16 in the data segment.
    expect(Buffer.from(rebuilt.bytes).includes(Buffer.from('welcomed', 'utf16le'))).toBe(true);
  });

  it('reports an asconfig that extends a missing file instead of silently dropping the shared settings', async () => {
    await writeFile(path.join(dir, 'asconfig.json'), JSON.stringify({ extends: '../nowhere/plugin.asconfig.json' }));
    await expect(buildPlugin(dir)).rejects.toThrow(
      /extends \.\.\/nowhere\/plugin\.asconfig\.json, which does not exist/,
    );
  });
});
