import { Command } from 'commander';
import { registerBuildExamples } from './build-examples.ts';
import { registerPluginCommands } from './plugin/index.ts';
import { registerSeedCommand } from './seed.ts';
import { registerServeCommands } from './serve.ts';
import { registerUserCommands } from './users.ts';

const program = new Command('plugboard')
  .description('Plugboard: a GraphQL marketplace and sandboxed runtime for WebAssembly plugins')
  .showHelpAfterError()
  .configureOutput({ outputError: (message, write) => write(message) });

registerServeCommands(program);
registerUserCommands(program);
registerSeedCommand(program);
registerBuildExamples(program);
registerPluginCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // One clear line and a non-zero exit, never a stack trace, for expected failures.
  const message = error instanceof Error ? error.message : String(error);
  console.error(`plugboard: ${message}`);
  process.exitCode = 1;
}
