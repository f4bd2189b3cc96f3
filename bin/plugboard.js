#!/usr/bin/env node
// Entry point for `npx plugboard`: the CLI is TypeScript, run through tsx's loader.
import { register } from 'tsx/esm/api';

// The Extism SDK imports node:wasi, which prints an ExperimentalWarning; plugins never get WASI.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  if (String(warning).includes('WASI')) return;
  emitWarning(warning, ...rest);
};

register();
await import('../src/cli/index.ts');
