import { Command } from 'commander';
import { registerBuildExamples } from './build-examples.ts';
import { registerKeyCommands } from './keys.ts';
import { registerPluginCommands } from './plugin/index.ts';
import { registerSeedCommand } from './seed.ts';
import { registerServeCommands } from './serve.ts';
import { registerTokenCommands } from './tokens.ts';
import { registerUserCommands } from './users.ts';

const program = new Command('plugboard')
  .description('Plugboard: a GraphQL marketplace and sandboxed runtime for WebAssembly plugins')
  .showHelpAfterError()
  .configureOutput({ outputError: (message, write) => write(message) });

registerServeCommands(program);
registerUserCommands(program);
registerTokenCommands(program);
registerSeedCommand(program);
registerBuildExamples(program);
registerPluginCommands(program);
registerKeyCommands(program);

// Every command's action is wrapped by `action()`: a failure is one `plugboard: ...` line and a
// non-zero exit. Commander itself reports (and exits on) unknown commands and options.
await program.parseAsync(process.argv);
