import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { memoryPagesFor, prepareCached } from '../../sdk-assemblyscript/harness/executor.ts';
import { buildPlugin, type BuildResult } from '../../sdk-assemblyscript/compiler/build.ts';
import { CLANG_INSTALL_HINT, detectClang } from '../../sdk-c/compiler/clang.ts';
import { isCPlugin } from '../../sdk-c/compiler/build.ts';
import { readPluginJson } from '../contracts/index.ts';
import { examplesDir } from './paths.ts';

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/**
 * Why the example in `dir` cannot be built on this machine, or null: a C example needs clang and
 * lld, which `npm start` and `npm test` do not require.
 */
export async function exampleSkipReason(dir: string): Promise<string | null> {
  if ((await isCPlugin(dir)) && !(await detectClang())) {
    return `skipping ${path.relative(path.dirname(examplesDir), dir)}: ${CLANG_INSTALL_HINT}`;
  }
  return null;
}

/**
 * Folders under `plugins-wasm/` that hold a plugin (a `plugin.json`); with `buildable`, only
 * those this machine can build (the ones the seed publishes).
 */
export async function listExamples(root = examplesDir, { buildable = false } = {}): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const dirs: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = path.join(root, e.name);
    if (!(await exists(path.join(dir, 'plugin.json')))) continue;
    if (buildable && (await exampleSkipReason(dir))) continue;
    dirs.push(dir);
  }
  return dirs.sort();
}

export interface ExampleBuild extends BuildResult {
  name: string;
}

export interface BuildExamplesOptions {
  force?: boolean;
  root?: string;
  /** Told, in one line each, about examples this machine cannot build. @default console.warn */
  onSkip?: (line: string) => void;
}

/**
 * Builds every example one after another (the compilers are CPU-bound, parallel builds only
 * contend) and prepares each as the harness will, so test files find the instrumented module
 * cached instead of each paying binaryen's start-up in its own process. Examples this machine
 * cannot build (C without clang) are reported through `onSkip` and left out.
 */
export async function buildExamples({
  force = false,
  root = examplesDir,
  onSkip = (line) => console.warn(line),
}: BuildExamplesOptions = {}): Promise<ExampleBuild[]> {
  const results: ExampleBuild[] = [];
  for (const dir of await listExamples(root)) {
    const skip = await exampleSkipReason(dir);
    if (skip) {
      onSkip(skip);
      continue;
    }
    const build = await buildPlugin(dir, { force });
    await prepareCached(build.bytes, memoryPagesFor(await readPluginJson(dir)), path.join(dir, 'build', 'prepared'));
    results.push({ name: path.basename(dir), ...build });
  }
  return results;
}
