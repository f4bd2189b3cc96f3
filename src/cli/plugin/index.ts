import type { Command } from 'commander';
import { registerBuild } from './build.ts';
import { registerNew } from './new.ts';
import { registerPublish } from './publish.ts';
import { registerReplay } from './replay.ts';
import { registerTest } from './test.ts';

/** `plugboard plugin new | build | test | publish | replay`: the plugin author's toolchain. */
export function registerPluginCommands(program: Command): void {
  const plugin = program
    .command('plugin')
    .description('Write, build, test, publish and replay AssemblyScript and C plugins');
  registerNew(plugin);
  registerBuild(plugin);
  registerTest(plugin);
  registerPublish(plugin);
  registerReplay(plugin);
}
