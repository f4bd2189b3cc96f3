#!/usr/bin/env node
// `npm run build`: compiles src/ (and the SDK's Node-side harness and compiler) to dist/ with
// tsc, then stamps dist/ with the hash of the sources it was built from; then builds the web app
// (bin/build-web.js). `--if-stale` (what `npm start` runs first) skips each of the two whose
// stamp matches its sources.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compiledIsCurrent, distDir, root, sourceHash, stampFile } from './build-stamp.js';
import { buildWeb } from './build-web.js';

const ifStale = process.argv.includes('--if-stale');
if (!(ifStale && compiledIsCurrent())) compile();
try {
  await buildWeb({ ifStale });
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

function compile() {
  // Hashed before compiling: a source edited during the build leaves the build stale, not stamped.
  const sources = sourceHash();
  // The stamp goes first, so an interrupted build is never taken for a complete one.
  rmSync(distDir, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const started = Date.now();
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`plugboard: the build failed (tsc exited with ${result.status ?? result.signal})`);
    process.exit(1);
  }
  writeFileSync(
    stampFile,
    `${JSON.stringify({ sources, builtAt: new Date().toISOString(), node: process.version }, null, 2)}\n`,
  );
  console.error(`plugboard: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
