import type { PoolWorker } from './pool-worker.ts';
import type { PoolTask } from './recovery.ts';
import { CLAIM_PENDING, setTaskClaim, taskSeq, type ToWorker, type WireModule } from './wire.ts';

export interface DispatchLimits {
  /** Tasks sent to one worker before its earlier ones answer. */
  maxInFlight: number;
  /** Most tasks in one message. */
  maxBatch: number;
}

/**
 * The next batch to send: to the least loaded open worker, an even share of the queue (at most
 * `maxBatch`). A busy worker waits until a whole batch fits: fewer, fuller messages. Null when no
 * worker should take anything now.
 */
export function nextBatch(
  workers: readonly PoolWorker[],
  queued: number,
  { maxInFlight, maxBatch }: DispatchLimits,
): { worker: PoolWorker; count: number } | null {
  if (queued === 0) return null;
  let open = 0;
  let worker: PoolWorker | null = null;
  for (const w of workers) {
    if (!w.ready || w.dead || w.stalled || w.inFlight.size >= maxInFlight) continue;
    open++;
    if (!worker || w.inFlight.size < worker.inFlight.size) worker = w;
  }
  if (!worker) return null;
  const count = Math.min(Math.ceil(queued / open), maxBatch);
  if (worker.inFlight.size > 0 && maxInFlight - worker.inFlight.size < count) return null;
  return { worker, count };
}

/** Sends `tasks` in one message, with the modules the worker has not had yet, each with a fresh claim. */
export function sendBatch(worker: PoolWorker, tasks: PoolTask[]): void {
  const modules: WireModule[] = [];
  for (const t of tasks) {
    if (!worker.modules.has(t.module.sha256)) {
      worker.modules.add(t.module.sha256);
      modules.push(t.module);
    }
    worker.inFlight.set(taskSeq(t.wire), t);
    const claim = worker.nextClaim++ % worker.claims.length;
    Atomics.store(worker.claims, claim, CLAIM_PENDING);
    setTaskClaim(t.wire, claim);
  }
  worker.thread.ref();
  worker.thread.postMessage({ type: 'run', modules, tasks: tasks.map((t) => t.wire) } satisfies ToWorker);
}
