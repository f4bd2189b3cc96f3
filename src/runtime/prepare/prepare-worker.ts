import { parentPort } from 'node:worker_threads';
import { instrumentModule } from './instrument.ts';
import { capMemory } from '../wasm/memory-cap.ts';

/**
 * Instrumentation worker body. binaryen runs here, not on the API's event loop: loading it takes
 * ~0.5 s, instrumenting a large hostile module can take far longer, and a binaryen abort leaves
 * its instance unusable, which only costs this thread.
 */
export interface PrepareRequest {
  id: number;
  bytes: Uint8Array;
  memoryMaxPages: number;
  startFuel: bigint;
}

export type PrepareReply = { id: number; bytes: Uint8Array } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('prepare-worker.ts must run in a worker thread');

port.on('message', async ({ id, bytes, memoryMaxPages, startFuel }: PrepareRequest) => {
  try {
    // Instrument first: binaryen re-emits the memory section, so the cap is written last.
    const capped = capMemory(await instrumentModule(bytes, { startFuel }), memoryMaxPages);
    port.postMessage({ id, bytes: capped } satisfies PrepareReply, [capped.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies PrepareReply);
  }
});
