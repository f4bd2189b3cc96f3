import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createLocalRunner,
  DEFAULT_MEMORY_PAGES,
  INSTRUMENTATION_VERSION,
  MAX_MEMORY_PAGES,
  normalizeLimits,
  prepareModule,
  sha256Hex,
  type CallLimits,
  type CallResult,
  type LocalCallRequest,
} from '../../src/runtime/index.ts';
import type { PluginJson } from '../../src/contracts/index.ts';

const PAGES_PER_MIB = 16;

/** The linear-memory cap the platform gives a plugin: its manifest's `limits.memoryMiB`, clamped. */
export function memoryPagesFor(manifest: Pick<PluginJson, 'limits'>): number {
  const mib = manifest.limits?.memoryMiB;
  if (typeof mib !== 'number' || !(mib > 0)) return DEFAULT_MEMORY_PAGES;
  return Math.min(MAX_MEMORY_PAGES, Math.max(1, Math.floor(mib * PAGES_PER_MIB)));
}

/** Call limits from the manifest (`timeoutMs`, `fuel`) and overrides, clamped to the platform caps. */
export function manifestLimits(manifest: Pick<PluginJson, 'limits'>, overrides: Partial<CallLimits> = {}): CallLimits {
  const { timeoutMs, fuel } = manifest.limits ?? {};
  return normalizeLimits({
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(fuel !== undefined && { fuel }),
    ...overrides,
  });
}

export type HarnessCall = Omit<LocalCallRequest, 'module'>;

export interface PreparedExecutor {
  call(request: HarnessCall): Promise<CallResult>;
  close(): Promise<void>;
}

/**
 * `prepareModule` with an on-disk cache: preparation is deterministic for (module, runtime
 * instrumentation version, memory cap), and its first use in a process costs seconds (binaryen),
 * which every test file would otherwise pay again.
 */
export async function prepareCached(wasm: Uint8Array, memoryMaxPages: number, cacheDir?: string): Promise<Uint8Array> {
  if (!cacheDir) return (await prepareModule(wasm, { memoryMaxPages })).bytes;
  const file = path.join(cacheDir, `${sha256Hex(wasm).slice(0, 32)}-${INSTRUMENTATION_VERSION}-${memoryMaxPages}.wasm`);
  const cached = await readFile(file).catch(() => null);
  if (cached) return new Uint8Array(cached);
  const { bytes } = await prepareModule(wasm, { memoryMaxPages });
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
  return bytes;
}

/**
 * Runs calls through the runtime's own pipeline: the fuel instrumentation and memory cap applied
 * at publish (`prepareModule`) and its local runner, which applies the production module checks,
 * permission linking, host functions and limits in this thread. The one difference from the
 * server: the wall-clock deadline is not enforced locally; fuel still stops runaway loops.
 */
export async function createExecutor(
  wasm: Uint8Array,
  memoryMaxPages: number,
  cacheDir?: string,
  network?: { allowedInternalHosts?: string[] },
): Promise<PreparedExecutor> {
  const prepared = await prepareCached(wasm, memoryMaxPages, cacheDir);
  const module = { sha256: sha256Hex(prepared), load: async () => prepared };
  const runner = createLocalRunner({ allowedInternalHosts: network?.allowedInternalHosts ?? [] });
  return {
    call: (request) => runner.run({ ...request, module }),
    close: async () => runner.close(),
  };
}
