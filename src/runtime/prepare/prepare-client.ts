import { Worker } from 'node:worker_threads';
import { InvalidModuleError } from '../errors.ts';
import type { PrepareReply, PrepareRequest } from './prepare-worker.ts';

const ENTRY = new URL('../worker-entry.js', import.meta.url);
/** A prepare taking longer than this is abandoned and its worker replaced. */
const PREPARE_TIMEOUT_MS = 60_000;
/** binaryen holds ~100-190 MiB: an idle instrumentation worker is stopped after this long. */
const IDLE_STOP_MS = 30_000;

let worker: Worker | null = null;
let idleTimer: NodeJS.Timeout | null = null;
let nextId = 0;
const pending = new Map<
  number,
  { resolve: (b: Uint8Array) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
>();

function fail(w: Worker, err: Error): void {
  if (worker !== w) return;
  worker = null;
  void w.terminate();
  for (const [id, p] of pending) {
    clearTimeout(p.timer);
    pending.delete(id);
    p.reject(err);
  }
}

function start(): Worker {
  const w = new Worker(ENTRY, { workerData: { entry: 'prepare' } });
  w.on('message', (reply: PrepareReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    clearTimeout(p.timer);
    if ('error' in reply) {
      p.reject(new InvalidModuleError(reply.error));
      // binaryen can be left unusable after an internal abort: start clean next time.
      fail(w, new InvalidModuleError(`instrumentation restarted after an error: ${reply.error}`));
      return;
    }
    p.resolve(reply.bytes);
    if (pending.size === 0) {
      w.unref();
      idleTimer = setTimeout(() => {
        if (worker === w && pending.size === 0) {
          worker = null;
          void w.terminate();
        }
      }, IDLE_STOP_MS);
      idleTimer.unref();
    }
  });
  w.on('error', (err) => fail(w, new InvalidModuleError(`instrumentation failed: ${err.message}`)));
  w.on('exit', (code) => fail(w, new InvalidModuleError(`instrumentation worker exited with code ${code}`)));
  w.unref();
  return w;
}

/** Runs instrumentation and the memory cap in the (lazily started, shared) instrumentation worker. */
export function prepareInWorker(bytes: Uint8Array, memoryMaxPages: number, startFuel: bigint): Promise<Uint8Array> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  worker ??= start();
  const w = worker;
  w.ref();
  const id = ++nextId;
  return new Promise<Uint8Array>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(w, new InvalidModuleError(`instrumentation took longer than ${PREPARE_TIMEOUT_MS} ms`)),
      PREPARE_TIMEOUT_MS,
    );
    timer.unref();
    pending.set(id, { resolve, reject, timer });
    w.postMessage({ id, bytes, memoryMaxPages, startFuel } satisfies PrepareRequest);
  });
}
