import { createHash } from 'node:crypto';
import { InvalidModuleError } from '../errors.ts';
import { DEFAULT_MEMORY_PAGES, MAX_MEMORY_PAGES } from '../limits.ts';
import { prepareInWorker } from './prepare-client.ts';

/**
 * Version of the instrumentation. Prepared bytes depend on it, so cache them by
 * `(sha256 of the original, INSTRUMENTATION_VERSION, memoryMaxPages)` and re-prepare when it changes.
 */
export const INSTRUMENTATION_VERSION = 'plugboard-fuel-3';

export interface PrepareOptions {
  /** Cap on the plugin's linear memory, in 64 KiB pages. @default 256 (16 MiB); at most 1024 (64 MiB) */
  memoryMaxPages?: number;
  /** Fuel the module's start function (static initialisers) may burn at instantiation. @default 100_000_000 */
  startFuel?: number;
}

export interface PreparedModule {
  /** The instrumented, memory-capped module: what the runtime loads and runs. */
  bytes: Uint8Array;
  /** sha256 (hex) of `bytes`; the runtime verifies it on every load. */
  sha256: string;
  instrumentationVersion: string;
  memoryMaxPages: number;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Instruments a published module once: fuel metering and a memory maximum. The work runs in a
 * dedicated worker thread (binaryen is loaded there on first use, ~0.5 s), so the caller's event
 * loop never blocks on it. Throws `InvalidModuleError` for modules it cannot make safe.
 */
export async function prepareModule(bytes: Uint8Array, options: PrepareOptions = {}): Promise<PreparedModule> {
  const { memoryMaxPages = DEFAULT_MEMORY_PAGES, startFuel = 100_000_000 } = options;
  if (!Number.isInteger(memoryMaxPages) || memoryMaxPages < 1 || memoryMaxPages > MAX_MEMORY_PAGES) {
    throw new InvalidModuleError(`memoryMaxPages must be an integer between 1 and ${MAX_MEMORY_PAGES}`);
  }
  if (!WebAssembly.validate(bytes as BufferSource))
    throw new InvalidModuleError('the bytes are not a valid WebAssembly module');
  const capped = await prepareInWorker(bytes, memoryMaxPages, BigInt(startFuel));
  return { bytes: capped, sha256: sha256Hex(capped), instrumentationVersion: INSTRUMENTATION_VERSION, memoryMaxPages };
}
