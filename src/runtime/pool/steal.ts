import type { PoolWorker } from './pool-worker.ts';
import type { PoolTask } from './recovery.ts';
import { CLAIM_PENDING, CLAIM_STOLEN, taskClaim } from './wire.ts';

/** A task running this long has the tasks queued behind it taken back for other workers. */
export const STEAL_AFTER_MS = 20;

/**
 * Takes back the tasks queued behind the one `worker` is running (`running`) that it has not
 * claimed yet, and marks it stalled so it is sent nothing until it answers. The claim ring makes
 * this race-free: a task is either claimed by the worker or stolen by the pool, never both.
 */
export function stealQueued(worker: PoolWorker, running: number): PoolTask[] {
  worker.stalled = true;
  const stolen: PoolTask[] = [];
  let behind = false;
  for (const [seq, task] of worker.inFlight) {
    if (
      behind &&
      Atomics.compareExchange(worker.claims, taskClaim(task.wire), CLAIM_PENDING, CLAIM_STOLEN) === CLAIM_PENDING
    ) {
      worker.inFlight.delete(seq);
      stolen.push(task);
    }
    if (seq === running) behind = true;
  }
  return stolen;
}
