#!/usr/bin/env node
// `npm run build:web`: builds the web app (web/) with Vite to web/dist, which the server serves at
// `/`, and stamps it with the hash of its sources. `--if-stale` (what `npm start` and `npm test`
// run) does nothing when the stamp matches. Vite is a devDependency: a production install that
// has web/dist already needs no build, and one without Vite and without web/dist says so.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './build-stamp.js';

export const webDir = path.join(root, 'web');
export const webDist = path.join(webDir, 'dist');
const stampFile = path.join(webDist, 'build-stamp.json');

/** sha256 over web/'s sources and configs, and the lockfile (a new Vite or React rebuilds). */
export function webSourceHash() {
  const files = ['web/index.html', 'web/vite.config.ts', 'web/tsconfig.json', 'package-lock.json'];
  for (const dir of ['web/src', 'web/public']) {
    if (!existsSync(path.join(root, dir))) continue;
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true }))
      if (e.isFile()) files.push(path.relative(root, path.join(e.parentPath, e.name)));
  }
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    if (!existsSync(path.join(root, file))) continue;
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(root, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

/** Whether web/dist is a complete build of web/'s current sources (or all there is, without them). */
export function webIsCurrent() {
  if (!existsSync(path.join(webDist, 'index.html')) || !existsSync(stampFile)) return false;
  if (!existsSync(path.join(webDir, 'src'))) return true;
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8')).sources === webSourceHash();
  } catch {
    return false;
  }
}

export async function buildWeb({ ifStale = false } = {}) {
  if (ifStale && webIsCurrent()) return;
  if (!existsSync(path.join(webDir, 'src'))) return;
  let vite;
  try {
    vite = await import('vite');
  } catch {
    if (existsSync(path.join(webDist, 'index.html'))) return;
    throw new Error('plugboard: cannot build the web app: Vite is not installed (npm install without --omit=dev)');
  }
  const sources = webSourceHash();
  const started = Date.now();
  // Built beside web/dist and swapped in whole: a server never serves half a build, and two builds
  // at once (two test files finding it stale) each finish with a complete one in place.
  const staging = path.join(webDir, `.dist-${process.pid}`);
  try {
    await vite.build({
      configFile: path.join(webDir, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: staging, emptyOutDir: true },
    });
    writeFileSync(
      path.join(staging, 'build-stamp.json'),
      `${JSON.stringify({ sources, builtAt: new Date().toISOString(), node: process.version }, null, 2)}\n`,
    );
    rmSync(webDist, { recursive: true, force: true });
    try {
      renameSync(staging, webDist);
    } catch (err) {
      // Another build put its own in place between the two lines above: keep that one.
      if (!webIsCurrent()) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  console.error(`plugboard: built web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildWeb({ ifStale: process.argv.includes('--if-stale') }).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
