import path from 'node:path';
import type { Command } from 'commander';
import { PLUGIN_LANGUAGES, scaffoldPlugin } from '../../toolchain/scaffold.ts';
import { action } from '../action.ts';

export function registerNew(plugin: Command): void {
  plugin
    .command('new')
    .description(
      'Scaffold a plugin folder (manifest, AssemblyScript or C source, tests) that builds and passes its tests',
    )
    .argument('<name>', 'plugin slug, kebab-case (e.g. my-plugin)')
    .option('-d, --dir <dir>', 'folder to create (default: ./<name>)')
    .option(
      '-l, --lang <language>',
      `source language: ${PLUGIN_LANGUAGES.join(' or ')} (C needs clang and lld)`,
      'assemblyscript',
    )
    .action(
      action(async (name: string, opts: { dir?: string; lang: string }) => {
        const target = path.resolve(opts.dir ?? name);
        const files = await scaffoldPlugin(target, name, { lang: opts.lang });
        const shown = path.relative(process.cwd(), target) || '.';
        console.log(`Created ${shown}/`);
        for (const f of files) console.log(`  ${path.relative(target, f)}`);
        console.log(`\nNext:\n  npx plugboard plugin build ${shown}\n  npx plugboard plugin test ${shown}`);
      }),
    );
}
