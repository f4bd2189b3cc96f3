import { Worker } from 'node:worker_threads';
import type { InstanceBudget } from '../executor/instance-cache.ts';
import type { HttpChannel } from '../http/helper-thread.ts';
import type { PoolTask } from './recovery.ts';
import {
  STATE_INSTANCE_BYTES,
  STATE_INSTANCES,
  STATE_LENGTH,
  STATE_RUNNING_SEQ,
  STATE_STARTED_AT,
  type FromWorker,
  type WorkerData,
} from './wire.ts';

/** One worker thread as the pool sees it. */
export interface PoolWorker {
  thread: Worker;
  /** Published by the thread: the running task and when it started, its instances' memory. */
  state: Float64Array;
  ready: boolean;
  dead: boolean;
  /** Tasks sent and not yet answered, in the order the worker runs them. */
  inFlight: Map<number, PoolTask>;
  /** Modules the thread has received (sent once, with the first task that needs each). */
  modules: Set<string>;
  timer: NodeJS.Timeout | null;
  /** When `timer` fires (performance.now() ms). */
  timerAt: number;
  /** Shared ring the thread claims tasks in before running them, so queued ones can be stolen back. */
  claims: Int32Array;
  nextClaim: number;
  /** Its current task has run past the steal threshold: send it nothing until it answers. */
  stalled: boolean;
}

export interface WorkerEvents {
  message(worker: PoolWorker, msg: FromWorker): void;
  /** The thread died by itself (crash, or exit). */
  lost(worker: PoolWorker, err: Error): void;
}

// A plain-JS entry that registers tsx, then loads worker-thread.ts (see the comment in it).
const WORKER_URL = new URL('../worker-entry.js', import.meta.url);

export function spawnWorker(
  maxInFlight: number,
  instances: InstanceBudget,
  http: HttpChannel,
  events: WorkerEvents,
): PoolWorker {
  const state = new SharedArrayBuffer(8 * STATE_LENGTH);
  // Four times the in-flight cap: a claim index is reused only long after its task is gone.
  const claims = new SharedArrayBuffer(4 * 4 * maxInFlight);
  const thread = new Worker(WORKER_URL, {
    workerData: { state, claims, instances, http } satisfies WorkerData,
    transferList: [http.port],
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  const worker: PoolWorker = {
    thread,
    state: new Float64Array(state),
    ready: false,
    dead: false,
    inFlight: new Map(),
    modules: new Set(),
    timer: null,
    timerAt: 0,
    claims: new Int32Array(claims),
    nextClaim: 0,
    stalled: false,
  };
  thread.on('message', (msg: FromWorker) => events.message(worker, msg));
  thread.on('error', (err) => events.lost(worker, err));
  thread.on('exit', (code) => events.lost(worker, new Error(`worker exited with code ${code}`)));
  return worker;
}

/** Seq of the task the thread is running, or -1 between tasks. */
export const runningSeq = (w: PoolWorker): number => w.state[STATE_RUNNING_SEQ];

/** How long the running task has run, in ms. */
export const runningFor = (w: PoolWorker): number =>
  performance.timeOrigin + performance.now() - w.state[STATE_STARTED_AT];

export const instanceStats = (w: PoolWorker) => ({
  instances: w.state[STATE_INSTANCES],
  instanceBytes: w.state[STATE_INSTANCE_BYTES],
});
