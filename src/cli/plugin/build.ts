import path from 'node:path';
import type { Command } from 'commander';
import { budgetReport, MODULE_SIZE_CAP, type BudgetReport } from '../../toolchain/budget.ts';
import { action } from '../action.ts';
import { bytes, count, ms, percent, table } from './format.ts';

export function printBudget(r: BudgetReport): void {
  const m = r.manifest;
  const built = r.build.cached ? 'unchanged, reused' : `built in ${(r.build.ms / 1000).toFixed(1)} s`;
  console.log(`${m.slug} ${m.version}: ${path.relative(process.cwd(), r.build.wasmPath)} (${built})`);
  if (r.build.warnings) console.log(`  compiler warnings:\n${r.build.warnings.replace(/^/gm, '    ')}`);
  console.log(
    table([
      [
        'module size',
        bytes(r.build.bytes.length),
        `of the ${bytes(MODULE_SIZE_CAP)} publish cap (${percent(r.build.bytes.length, MODULE_SIZE_CAP)})`,
      ],
      [
        'memory maximum',
        bytes(r.memoryMaxBytes),
        `manifest limits.memoryMiB; platform maximum ${bytes(r.platformMemoryMaxBytes)}`,
      ],
      ['per-call limits', `fuel ${count(r.fuelLimit)}`, `timeout ${r.timeoutMs} ms, output ${bytes(r.maxOutputBytes)}`],
      ['publish checks', r.problems.length === 0 ? 'ok' : `${r.problems.length} problem(s)`, ''],
    ]),
  );
  for (const p of r.problems) console.log(`    ✗ ${p.code}: ${p.message}`);
  if (r.cases.length === 0) {
    console.log('  no test-inputs.json: add cases to measure fuel and memory');
    return;
  }
  const rows = [['case', 'function', 'status', 'fuel', 'peak memory', 'time', 'output']];
  for (const { case: c, result: x, mismatch } of r.cases) {
    rows.push([
      `${mismatch ? '✗' : '✓'} ${c.name}`,
      c.function,
      x.status,
      `${count(x.usage.fuelUsed)} (${percent(x.usage.fuelUsed, r.fuelLimit)})`,
      `${bytes(x.usage.peakMemoryBytes)} (${percent(x.usage.peakMemoryBytes, r.memoryMaxBytes)})`,
      `${ms(x.usage.durationMs)} (${percent(x.usage.durationMs, r.timeoutMs)})`,
      `${bytes(x.usage.outputBytes)} (${percent(x.usage.outputBytes, r.maxOutputBytes)})`,
    ]);
  }
  console.log("\n  test-inputs.json, measured with the platform's instrumentation (time is local, not metered):");
  console.log(table(rows, '    '));
  for (const { case: c, mismatch } of r.cases) if (mismatch) console.log(`    ✗ ${c.name}: ${mismatch}`);
}

export function registerBuild(plugin: Command): void {
  plugin
    .command('build')
    .description(
      'Compile the plugin to build/plugin.wasm and print its budget: size, memory, fuel and peak memory per test input against the platform limits',
    )
    .argument('[dir]', 'plugin folder', '.')
    .action(
      action(async (dir: string) => {
        const report = await budgetReport(dir);
        printBudget(report);
        if (report.problems.length > 0)
          throw new Error(`${report.problems.length} problem(s) publish would refuse (listed above)`);
      }),
    );
}
