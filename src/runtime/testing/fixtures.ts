import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileAssemblyScript } from '../../../sdk-assemblyscript/compiler/asc.ts';
import {
  INSTRUMENTATION_VERSION,
  prepareModule,
  sha256Hex,
  type PreparedModule,
  type PrepareOptions,
} from '../prepare/prepare.ts';

/** AssemblyScript sources of the runtime's test plugins. */
export const FIXTURE_SOURCE_DIR = fileURLToPath(new URL('../fixtures', import.meta.url));
/** Where compiled fixtures go (`build/` is gitignored; `.wasm` is never committed). */
export const FIXTURE_BUILD_DIR = fileURLToPath(new URL('../../../build/fixtures', import.meta.url));

export type FixtureName = 'echo' | 'hostile' | 'host-api' | 'wasi' | 'start-spin' | 'memory-hog' | 'http-client';

async function mtime(file: string): Promise<number> {
  return (await stat(file).catch(() => null))?.mtimeMs ?? -1;
}

/**
 * Compiles `src/runtime/fixtures/<name>.ts` to `build/fixtures/<name>.wasm` unless the build is
 * newer than the sources, and returns the raw (uninstrumented) bytes. Safe to call from
 * parallel test files: each compile writes a private file and renames it into place.
 */
export async function buildFixture(name: FixtureName): Promise<Uint8Array> {
  const entry = path.join(FIXTURE_SOURCE_DIR, `${name}.ts`);
  const outFile = path.join(FIXTURE_BUILD_DIR, `${name}.wasm`);
  const sources = [entry, path.join(FIXTURE_SOURCE_DIR, 'lib/host.ts'), path.join(FIXTURE_SOURCE_DIR, 'lib/abort.ts')];
  const newest = Math.max(...(await Promise.all(sources.map(mtime))));
  if ((await mtime(outFile)) > newest) return new Uint8Array(await readFile(outFile));
  await mkdir(FIXTURE_BUILD_DIR, { recursive: true });
  // asc resolves `--use abort=` relative to the working directory, without the `.ts` suffix.
  const abortModule = path
    .relative(process.cwd(), path.join(FIXTURE_SOURCE_DIR, 'lib/abort'))
    .split(path.sep)
    .join('/');
  const tmp = `${outFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const bytes = await compileAssemblyScript({
    entry,
    outFile: tmp,
    args: ['--runtime', 'incremental', '-O3', '--use', `abort=${abortModule}/pluginAbort`],
  });
  await rename(tmp, outFile);
  return bytes;
}

const prepared = new Map<string, Promise<PreparedModule>>();
const INSTRUMENTATION_SOURCES = [
  'prepare/instrument.ts',
  'prepare/binaryen-walk.ts',
  'wasm/instrumented.ts',
  'prepare/prepare-worker.ts',
  'wasm/memory-cap.ts',
].map((f) => fileURLToPath(new URL(`../${f}`, import.meta.url)));

/**
 * `buildFixture` followed by `prepareModule`, memoised per process and cached on disk (keyed by
 * the raw module, the options, the instrumentation version and its sources' mtimes), so test
 * runs load binaryen only when something it would produce changed.
 */
export function preparedFixture(name: FixtureName, options: PrepareOptions = {}): Promise<PreparedModule> {
  const key = `${name}:${JSON.stringify(options)}`;
  let p = prepared.get(key);
  if (!p) {
    p = prepareCached(name, options);
    prepared.set(key, p);
  }
  return p;
}

async function prepareCached(name: FixtureName, options: PrepareOptions): Promise<PreparedModule> {
  const raw = await buildFixture(name);
  const mtimes = await Promise.all(INSTRUMENTATION_SOURCES.map(mtime));
  const id = sha256Hex(
    new TextEncoder().encode(JSON.stringify([sha256Hex(raw), options, INSTRUMENTATION_VERSION, mtimes])),
  ).slice(0, 16);
  const file = path.join(FIXTURE_BUILD_DIR, `${name}.${id}.prepared.wasm`);
  const cached = await readFile(file).catch(() => null);
  if (cached) {
    const bytes = new Uint8Array(cached);
    const memoryMaxPages = options.memoryMaxPages ?? 256;
    return { bytes, sha256: sha256Hex(bytes), instrumentationVersion: INSTRUMENTATION_VERSION, memoryMaxPages };
  }
  const result = await prepareModule(raw, options);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, result.bytes);
  await rename(tmp, file);
  return result;
}
