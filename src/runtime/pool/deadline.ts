import { type PoolWorker, runningFor, runningSeq } from './pool-worker.ts';
import { STEAL_AFTER_MS } from './steal.ts';

/** What a deadline check found on a worker. */
export type DeadlineVerdict =
  /** The running task passed its deadline: the worker must be killed. */
  | { expired: number; elapsed: number }
  /** `steal`: take back what waits behind the running task; `nextCheckMs`: when to look again. */
  | { expired: null; running: number; steal: boolean; nextCheckMs: number };

/**
 * Looks at the task the worker runs (published in shared memory, timed from its real start) and
 * decides: kill for its deadline, steal what waits behind a long task, and when to check next:
 * at the running task's deadline, or sooner if a task not started yet (which may start any
 * moment) has a shorter timeout.
 */
export function checkDeadline(worker: PoolWorker): DeadlineVerdict {
  const seq = runningSeq(worker);
  const running = seq >= 0 ? worker.inFlight.get(seq) : undefined;
  let next = Infinity;
  let steal = false;
  if (running) {
    const elapsed = runningFor(worker);
    if (elapsed >= running.timeoutMs) return { expired: seq, elapsed };
    if (elapsed >= STEAL_AFTER_MS) steal = true;
    else if (worker.inFlight.size > 1) next = STEAL_AFTER_MS - elapsed;
    next = Math.min(next, running.timeoutMs - elapsed);
  } else if (worker.inFlight.size > 1 && !worker.stalled) {
    // Between tasks: the next one may start now with others queued behind it.
    next = STEAL_AFTER_MS;
  }
  for (const [s, task] of worker.inFlight) if (s !== seq) next = Math.min(next, task.timeoutMs);
  return { expired: null, running: seq, steal, nextCheckMs: next };
}

/** Delay before the first check after sending `tasks` (none of them can pass its deadline sooner). */
export function firstCheckAfter(worker: PoolWorker, tasks: { timeoutMs: number }[]): number {
  // A check already due sooner (for the task running now) stays as it is.
  if (!worker.timer) return 0;
  let soonest = Infinity;
  for (const t of tasks) soonest = Math.min(soonest, t.timeoutMs);
  const queuedBehind = worker.inFlight.size > tasks.length ? STEAL_AFTER_MS : Infinity;
  return Math.min(soonest, queuedBehind);
}

/** Schedules the worker's next deadline check, unless one is already due sooner. */
export function armCheck(worker: PoolWorker, delayMs: number, check: (w: PoolWorker) => void): void {
  if (worker.dead) return;
  const at = performance.now() + delayMs;
  if (worker.timer) {
    if (worker.timerAt <= at) return;
    clearTimeout(worker.timer);
  }
  worker.timerAt = at;
  worker.timer = setTimeout(() => {
    worker.timer = null;
    check(worker);
  }, delayMs);
  worker.timer.unref();
}

export function disarm(worker: PoolWorker): void {
  if (worker.timer) clearTimeout(worker.timer);
  worker.timer = null;
}
