import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { buildCPlugin, isCPlugin } from '../../sdk-c/compiler/build.ts';
import { compileAssemblyScript } from './asc.ts';
import { pluginAsconfig, sdkAssemblyDir } from './paths.ts';
import { listFiles } from './files.ts';

export interface BuildResult {
  wasmPath: string;
  bytes: Uint8Array;
  /** True when the sources were unchanged and the previous build was reused. */
  cached: boolean;
  /** Milliseconds spent (near zero when cached). */
  ms: number;
  /** The compiler's warnings, when it printed any (clang; asc reports errors only). */
  warnings?: string;
}

// The compiler's version is part of the build hash; read from its package.json, which is cheap.
const ascVersion = (createRequire(import.meta.url)('assemblyscript/package.json') as { version: string }).version;

/** Platform settings every build gets, whatever the plugin's own asconfig says. */
const ENFORCED_ARGS = ['--runtime', 'incremental', '--use', 'abort=~lib/@plugboard/sdk/fail/pluginAbort'];

/** Hash of everything that decides the output: plugin sources, SDK sources, config, compiler. */
async function sourceHash(dir: string): Promise<string> {
  const hash = createHash('sha256').update(`asc ${ascVersion}\n${ENFORCED_ARGS.join(' ')}\n`);
  const files = [
    ...(await listFiles(path.join(dir, 'assembly'))),
    path.join(dir, 'asconfig.json'),
    ...(await listFiles(sdkAssemblyDir)),
    pluginAsconfig,
  ];
  for (const file of files) {
    const content = await readFile(file).catch(() => Buffer.alloc(0));
    hash.update(`${path.relative(dir, file)}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

export class BuildError extends Error {
  readonly code = 'BUILD_FAILED';
}

/**
 * The plugin's asconfig.json, or the SDK's when it has none. asc silently ignores an `extends`
 * it cannot read, which would drop the shared settings; that is reported instead.
 */
async function configFor(dir: string): Promise<string> {
  const own = path.join(dir, 'asconfig.json');
  const text = await readFile(own, 'utf8').catch(() => null);
  if (text === null) return pluginAsconfig;
  let parsed: { extends?: unknown };
  try {
    parsed = JSON.parse(text) as { extends?: unknown };
  } catch (err) {
    throw new BuildError(`${own}: ${(err as Error).message}`);
  }
  if (typeof parsed.extends === 'string') {
    const target = path.resolve(dir, parsed.extends);
    if (
      !(await readFile(target).then(
        () => true,
        () => false,
      ))
    ) {
      throw new BuildError(
        `${own} extends ${parsed.extends}, which does not exist; point it at ${path.relative(dir, pluginAsconfig)}`,
      );
    }
  }
  return own;
}

/**
 * The abort handler lives in the SDK, so a module that never imports it cannot link `abort`;
 * asc would report a confusing "Element ... not found" before the real errors.
 */
async function requireSdkImport(dir: string): Promise<void> {
  for (const file of await listFiles(path.join(dir, 'assembly'))) {
    if (/from\s+["']@plugboard\/sdk["']/.test(await readFile(file, 'utf8'))) return;
  }
  throw new BuildError(
    `no file under ${path.join(dir, 'assembly')} imports "@plugboard/sdk"; every plugin needs it (input, output, the abort handler)`,
  );
}

/**
 * Compiles `<dir>/assembly/index.ts` into `<dir>/build/plugin.wasm`, reusing the previous build
 * when no input changed. Output is written to a temporary file and renamed, so a concurrent
 * reader (another test worker) never sees a half-written module. A C or C++ plugin (sources
 * under `src/`, no `assembly/`) is built by the C SDK's clang toolchain instead.
 */
export async function buildPlugin(dir: string, { force = false } = {}): Promise<BuildResult> {
  if (await isCPlugin(dir)) return buildCPlugin(dir, { force });
  const started = performance.now();
  const buildDir = path.join(dir, 'build');
  const wasmPath = path.join(buildDir, 'plugin.wasm');
  const hashPath = path.join(buildDir, 'source.sha256');
  const hash = await sourceHash(dir);
  if (!force) {
    const previous = await readFile(hashPath, 'utf8').catch(() => '');
    if (previous === hash) {
      const bytes = await readFile(wasmPath).catch(() => null);
      if (bytes) return { wasmPath, bytes: new Uint8Array(bytes), cached: true, ms: performance.now() - started };
    }
  }
  await mkdir(buildDir, { recursive: true });
  const config = await configFor(dir);
  await requireSdkImport(dir);
  const tmp = `${wasmPath}.${process.pid}.tmp`;
  const bytes = await compileAssemblyScript({
    entry: path.join(dir, 'assembly', 'index.ts'),
    outFile: tmp,
    config,
    args: ['--baseDir', dir, ...ENFORCED_ARGS],
  });
  await rename(tmp, wasmPath);
  await writeFile(hashPath, hash);
  return { wasmPath, bytes, cached: false, ms: performance.now() - started };
}
