import type { Command } from 'commander';
import { buildExamples } from '../toolchain/examples.ts';
import { action } from './action.ts';

export function registerBuildExamples(program: Command): void {
  program
    .command('build-examples')
    .description(
      'Compile every plugin in plugins-wasm/ to plugins-wasm/<name>/build/plugin.wasm (unchanged ones are skipped)',
    )
    .option('--force', 'rebuild even when the sources are unchanged')
    .action(
      action(async (opts: { force?: boolean }) => {
        const started = performance.now();
        const builds = await buildExamples({ force: opts.force === true });
        for (const b of builds) {
          const what = b.cached ? 'unchanged' : `built in ${(b.ms / 1000).toFixed(1)} s`;
          console.log(`${b.name.padEnd(22)} ${String(b.bytes.length).padStart(7)} bytes  ${what}`);
        }
        console.log(`${builds.length} plugin(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }),
    );
}
