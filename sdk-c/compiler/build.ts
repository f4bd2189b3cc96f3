import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readPluginJson } from '../../src/contracts/index.ts';
import { memoryPagesFor } from '../../sdk-assemblyscript/harness/executor.ts';
import { requireClang, runClang, type ClangToolchain } from './clang.ts';
import { cHeader, cHeaderDir, cSdkDir } from './paths.ts';
import { listFiles } from '../../sdk-assemblyscript/compiler/files.ts';

export interface CBuildResult {
  wasmPath: string;
  bytes: Uint8Array;
  cached: boolean;
  ms: number;
  /** clang's warnings for this build (none when reused). */
  warnings?: string;
}

export class CBuildError extends Error {
  readonly code = 'BUILD_FAILED';
}

const C_SOURCE = /\.c$/;
const CXX_SOURCE = /\.(cc|cpp|cxx)$/;
/** Stack below the data (--stack-first), so an overflow traps instead of overwriting globals. */
const STACK_BYTES = 128 * 1024;

/** Flags every translation unit gets: wasm32, no C library, bulk memory for memcpy/memset. */
const COMPILE_FLAGS = [
  '--target=wasm32-unknown-unknown',
  '-O2',
  '-ffreestanding',
  '-nostdlib',
  '-mbulk-memory',
  '-Wall',
  '-Wextra',
  // Without it a call to an undeclared function compiles into an `env` import, which publish refuses.
  '-Werror=implicit-function-declaration',
];
const C_FLAGS = ['-std=c11'];
const CXX_FLAGS = ['-std=c++17', '-fno-exceptions', '-fno-rtti', '-fno-threadsafe-statics'];

/** Link flags: exports come from PB_EXPORT's export_name, the memory maximum from the manifest. */
function linkFlags(memoryPages: number): string[] {
  return [
    '--target=wasm32-unknown-unknown',
    '-nostdlib',
    '-Wl,--no-entry',
    '-Wl,--strip-all',
    '-Wl,--stack-first',
    `-Wl,-z,stack-size=${STACK_BYTES}`,
    `-Wl,--max-memory=${memoryPages * 65536}`,
  ];
}

/** C and C++ sources under `<dir>/src`. */
export async function cSources(dir: string): Promise<string[]> {
  return (await listFiles(path.join(dir, 'src'))).filter((f) => C_SOURCE.test(f) || CXX_SOURCE.test(f));
}

/** A plugin is C/C++ when it has sources under `src/` and no AssemblyScript entry. */
export async function isCPlugin(dir: string): Promise<boolean> {
  const hasAssembly = await stat(path.join(dir, 'assembly', 'index.ts')).then(
    () => true,
    () => false,
  );
  return !hasAssembly && (await cSources(dir)).length > 0;
}

async function sourceHash(dir: string, toolchain: ClangToolchain, memoryPages: number): Promise<string> {
  const hash = createHash('sha256').update(
    [toolchain.version, ...COMPILE_FLAGS, ...C_FLAGS, ...CXX_FLAGS, ...linkFlags(memoryPages)].join('\n'),
  );
  const files = [...(await listFiles(path.join(dir, 'src'))), cHeader, ...(await listFiles(cHeaderDir))];
  for (const file of files) {
    const content = await readFile(file);
    hash.update(`${path.relative(dir, file)}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

/**
 * Compiles `<dir>/src/**\/*.{c,cc,cpp}` with clang into `<dir>/build/plugin.wasm`: each file to
 * an object, then one wasm-ld link. Reuses the previous build when nothing that decides the
 * output changed (sources, SDK headers, compiler version, the manifest's memory limit).
 */
export async function buildCPlugin(dir: string, { force = false } = {}): Promise<CBuildResult> {
  const started = performance.now();
  const toolchain = await requireClang();
  const manifest = await readPluginJson(dir);
  const memoryPages = memoryPagesFor(manifest);
  const buildDir = path.join(dir, 'build');
  const wasmPath = path.join(buildDir, 'plugin.wasm');
  const hashPath = path.join(buildDir, 'source.sha256');
  const sources = await cSources(dir);
  if (sources.length === 0) throw new CBuildError(`no C or C++ sources under ${path.join(dir, 'src')}`);
  const hash = await sourceHash(dir, toolchain, memoryPages);
  if (!force && (await readFile(hashPath, 'utf8').catch(() => '')) === hash) {
    const bytes = await readFile(wasmPath).catch(() => null);
    if (bytes) return { wasmPath, bytes: new Uint8Array(bytes), cached: true, ms: performance.now() - started };
  }
  // Per process: parallel test workers may build the same folder at once.
  const objDir = path.join(buildDir, `obj.${process.pid}`);
  await mkdir(objDir, { recursive: true });
  let warnings = '';
  try {
    const objects: string[] = [];
    for (const [i, source] of sources.entries()) {
      const object = path.join(objDir, `${i}-${path.basename(source)}.o`);
      const lang = CXX_SOURCE.test(source) ? CXX_FLAGS : C_FLAGS;
      warnings += await compile(toolchain, [
        ...COMPILE_FLAGS,
        ...lang,
        '-I',
        cSdkDir,
        '-I',
        path.join(dir, 'src'),
        '-c',
        source,
        '-o',
        object,
      ]);
      objects.push(object);
    }
    const tmp = `${wasmPath}.${process.pid}.tmp`;
    warnings += await compile(toolchain, [...linkFlags(memoryPages), ...objects, '-o', tmp]);
    await rename(tmp, wasmPath);
  } finally {
    await rm(objDir, { recursive: true, force: true });
  }
  await writeFile(hashPath, hash);
  const bytes = new Uint8Array(await readFile(wasmPath));
  return {
    wasmPath,
    bytes,
    cached: false,
    ms: performance.now() - started,
    ...(warnings.trim() && { warnings: warnings.trim() }),
  };
}

/** Runs clang; returns its warnings, throws its errors. */
async function compile(toolchain: ClangToolchain, args: string[]): Promise<string> {
  try {
    return await runClang(toolchain, args);
  } catch (err) {
    throw new CBuildError(`clang failed:\n${(err as Error).message}`);
  }
}
