// Plain JavaScript on purpose: a worker thread inherits neither vitest's transform nor the tsx
// loader that `bin/plugboard.js` installs with `register()` (and `--import tsx` in a worker's
// execArgv does not apply to its entry on Node 20), so from source the worker registers tsx
// itself. Compiled (`npm run build` copies this file into dist/ beside the emitted .js), there is
// no .ts next to it: the worker loads the .js and tsx is never loaded.
import { existsSync } from 'node:fs';

// @extism/extism imports node:wasi at load, which prints an ExperimentalWarning in every
// worker. Plugins never get WASI (the runtime refuses it), so that warning is noise here.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (typeof text === 'string' && text.includes('WASI is an experimental feature')) return;
  emitWarning(warning, ...rest);
};

// The pool's plugin workers, the instrumentation worker and the HTTP helpers share this entry.
const ENTRIES = {
  plugins: './pool/worker-thread.ts',
  prepare: './prepare/prepare-worker.ts',
  http: './http/fetch-worker.ts',
};
const { workerData } = await import('node:worker_threads');
const entry = ENTRIES[workerData?.entry ?? 'plugins'];
if (!entry) throw new Error(`unknown worker entry ${workerData?.entry}`);

const source = new URL(entry, import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(source.href.replace(/\.ts$/, '.js'));
}
