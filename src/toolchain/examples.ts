import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { memoryPagesFor, prepareCached } from '../../sdk-assemblyscript/harness/executor.ts';
import { buildPlugin, type BuildResult } from '../../sdk-assemblyscript/compiler/build.ts';
import { readPluginJson } from '../contracts/index.ts';
import { examplesDir } from './paths.ts';

/** Folders under `plugins-wasm/` that hold a plugin (a `plugin.json`). */
export async function listExamples(root = examplesDir): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const dirs: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = path.join(root, e.name);
    if (
      await stat(path.join(dir, 'plugin.json')).then(
        () => true,
        () => false,
      )
    )
      dirs.push(dir);
  }
  return dirs.sort();
}

export interface ExampleBuild extends BuildResult {
  name: string;
}

/**
 * Builds every example one after another (asc is CPU-bound, parallel builds only contend) and
 * prepares each as the harness will, so test files find the instrumented module cached instead
 * of each paying binaryen's start-up in its own process.
 */
export async function buildExamples({ force = false, root = examplesDir } = {}): Promise<ExampleBuild[]> {
  const results: ExampleBuild[] = [];
  for (const dir of await listExamples(root)) {
    const build = await buildPlugin(dir, { force });
    await prepareCached(build.bytes, memoryPagesFor(await readPluginJson(dir)), path.join(dir, 'build', 'prepared'));
    results.push({ name: path.basename(dir), ...build });
  }
  return results;
}
