import path from 'node:path';
import type { Command } from 'commander';
import { scaffoldPlugin } from '../../toolchain/scaffold.ts';
import { action } from '../action.ts';

export function registerNew(plugin: Command): void {
  plugin
    .command('new')
    .description(
      'Scaffold a plugin folder (manifest, AssemblyScript source, asconfig, tests) that builds and passes its tests',
    )
    .argument('<name>', 'plugin slug, kebab-case (e.g. my-plugin)')
    .option('-d, --dir <dir>', 'folder to create (default: ./<name>)')
    .action(
      action(async (name: string, opts: { dir?: string }) => {
        const target = path.resolve(opts.dir ?? name);
        const files = await scaffoldPlugin(target, name);
        const shown = path.relative(process.cwd(), target) || '.';
        console.log(`Created ${shown}/`);
        for (const f of files) console.log(`  ${path.relative(target, f)}`);
        console.log(`\nNext:\n  npx plugboard plugin build ${shown}\n  npx plugboard plugin test ${shown}`);
      }),
    );
}
