import path from 'node:path';
import { inspectModule, MAX_MEMORY_PAGES, type InspectProblem } from '../runtime/index.ts';
import { PluginHarness } from '../../sdk-assemblyscript/harness/plugin-harness.ts';
import { readTestCases, runCases, type CaseOutcome } from '../../sdk-assemblyscript/harness/cases.ts';
import { buildPlugin, type BuildResult } from '../../sdk-assemblyscript/compiler/build.ts';
import { readPluginJson, type PluginJson } from '../contracts/index.ts';

/** Publish's default cap on module size (issue 3). */
export const MODULE_SIZE_CAP = 2 * 1024 * 1024;

export interface BudgetReport {
  manifest: PluginJson;
  build: BuildResult;
  /** The checks publish runs on the module against the manifest (exports, imports, memory). */
  problems: InspectProblem[];
  memoryMaxBytes: number;
  platformMemoryMaxBytes: number;
  fuelLimit: number;
  timeoutMs: number;
  maxOutputBytes: number;
  cases: CaseOutcome[];
}

/** Builds the plugin in `dir`, checks it as publish would and runs its test inputs for usage. */
export async function budgetReport(dir: string): Promise<BudgetReport> {
  const root = path.resolve(dir);
  const manifest = await readPluginJson(root);
  const build = await buildPlugin(root);
  const report = inspectModule(build.bytes, {
    functions: manifest.functions,
    hooks: manifest.hooks,
    permissions: manifest.permissions,
  });
  const harness = await PluginHarness.fromBytes(build.bytes, manifest, {
    cacheDir: path.join(root, 'build', 'prepared'),
  });
  try {
    const cases = await runCases(harness, await readTestCases(root));
    const limits = harness.limits;
    return {
      manifest,
      build,
      problems: report.problems,
      memoryMaxBytes: harness.memoryMaxBytes,
      platformMemoryMaxBytes: MAX_MEMORY_PAGES * 65536,
      fuelLimit: limits.fuel,
      timeoutMs: limits.timeoutMs,
      maxOutputBytes: limits.maxOutputBytes,
      cases,
    };
  } finally {
    await harness.close();
  }
}
