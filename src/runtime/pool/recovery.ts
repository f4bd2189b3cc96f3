import { failedResult } from '../results.ts';
import type { CallResult, HttpExchange, LogLine } from '../types.ts';
import type { WireModule, WireTask } from './wire.ts';

export interface PoolTask {
  wire: WireTask;
  module: WireModule;
  timeoutMs: number;
  onLog?: (line: LogLine) => void;
  resolve: (r: CallResult) => void;
  reject: (e: Error) => void;
  /** Already re-run once after its worker died with its result unsent. */
  retried: boolean;
  /** Outbound requests the running call completed, streamed by the worker (kept if the call is stopped). */
  http?: HttpExchange[];
}

/**
 * Settles the tasks of a worker that is gone, in the order it ran them. `running` is the task it
 * was running (from shared memory), `timedOut` the one whose deadline killed it, `crash` the
 * error when it died by itself. Tasks before the running one had finished with their results
 * unsent: they are re-run once (a second loss fails them with RUNTIME_WORKER_LOST). Tasks after
 * it had not started: they go back to the queue as they are. Returns the tasks to re-queue.
 */
export function settleLostTasks(
  inFlight: Map<number, PoolTask>,
  running: number,
  timedOut: number | null,
  crash: Error | null,
  elapsed: number,
): PoolTask[] {
  const requeue: PoolTask[] = [];
  let started = true;
  for (const [seq, task] of inFlight) {
    if (seq === timedOut) {
      // The fuel counter died with the worker: unknown, not zero.
      task.resolve({
        ...failedResult(
          'TIMED_OUT',
          'PLUGIN_TIMEOUT',
          `the call passed its deadline of ${task.timeoutMs} ms and was stopped`,
          elapsed,
        ),
        fuelUsed: null,
        httpRequests: task.http ?? [],
      });
      started = false;
    } else if (seq === running && crash) {
      const oom = (crash as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      task.resolve({
        ...(oom
          ? failedResult('MEMORY_EXCEEDED', 'PLUGIN_MEMORY_EXCEEDED', `the worker ran out of memory: ${crash.message}`)
          : failedResult('FAILED', 'RUNTIME_WORKER_LOST', `the worker running the call crashed: ${crash.message}`)),
        fuelUsed: null,
      });
      started = false;
    } else if (started && running !== seq) {
      if (task.retried)
        task.resolve(failedResult('FAILED', 'RUNTIME_WORKER_LOST', 'the call was lost with two workers in a row'));
      else requeue.push({ ...task, retried: true });
    } else {
      requeue.push(task);
      started = false;
    }
  }
  inFlight.clear();
  return requeue;
}
