#!/usr/bin/env node
// Entry point for `npx plugboard`. Runs the compiled CLI in dist/ when it is the build of the
// sources beside it (`npm run build`; `npm start` builds first when needed), else the TypeScript
// sources through tsx's loader, so a checkout works before and between builds.
import { pathToFileURL } from 'node:url';
import { compiledCli, compiledIsCurrent } from './build-stamp.js';

// The Extism SDK imports node:wasi, which prints an ExperimentalWarning; plugins never get WASI.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  if (String(warning).includes('WASI')) return;
  emitWarning(warning, ...rest);
};

if (compiledIsCurrent()) {
  await import(pathToFileURL(compiledCli).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/index.ts');
}
