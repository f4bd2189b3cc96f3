// What decides whether dist/ is the build of the sources beside it. Plain JavaScript, shared by
// bin/plugboard.js (which runs dist/ only when it is) and bin/build.js (which writes the stamp).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = path.join(root, 'dist');
export const stampFile = path.join(distDir, 'build-stamp.json');
export const compiledCli = path.join(distDir, 'src', 'cli', 'index.js');

/** The folders tsconfig.build.json compiles, and the configs that shape the output. */
const SOURCE_DIRS = ['src', 'sdk-assemblyscript/harness', 'sdk-assemblyscript/compiler', 'sdk-c/compiler'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'];

/**
 * sha256 over the path and content of every compiled source (tests excluded: editing one does
 * not change dist/) and of the TypeScript configs. Content, not mtimes: a checkout, a copy or
 * a clock change cannot make a stale build look fresh. About 250 files: a few milliseconds.
 */
export function sourceHash() {
  const files = [...CONFIGS];
  for (const dir of SOURCE_DIRS) {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })) {
      if (!e.isFile() || !/\.(ts|js)$/.test(e.name) || e.name.endsWith('.test.ts')) continue;
      files.push(path.relative(root, path.join(e.parentPath, e.name)));
    }
  }
  const hash = createHash('sha256');
  for (const file of files.sort())
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(root, file)))
      .update('\0');
  return hash.digest('hex');
}

/**
 * Whether dist/ holds a complete build of the current sources. Without sources beside it (a
 * production image ships dist/ alone) a complete build is all there is, so it is used.
 */
export function compiledIsCurrent() {
  if (!existsSync(compiledCli) || !existsSync(stampFile)) return false;
  if (!existsSync(path.join(root, 'src'))) return true;
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8')).sources === sourceHash();
  } catch {
    return false;
  }
}
