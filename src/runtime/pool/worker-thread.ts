import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { Permission } from '../abi.ts';
import { Executor, type CompiledModule } from '../executor/executor.ts';
import type { HostState } from '../types.ts';
import {
  CLAIM_PENDING,
  CLAIM_STARTED,
  encodeResult,
  grantsFromMask,
  limitsFromTuple,
  resultOutput,
  STATE_INSTANCE_BYTES,
  STATE_INSTANCES,
  STATE_RUNNING_SEQ,
  STATE_STARTED_AT,
  type FromWorker,
  type ToWorker,
  type WireResult,
  type WireTask,
  type WorkerData,
} from './wire.ts';

/**
 * Worker thread body: runs the tasks the pool sends, in order, on an in-thread Executor.
 * Before each task it publishes (seq, start time) in shared memory, so the pool can time the
 * deadline from the task's real start and knows which tasks had run when it kills this thread.
 */
const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const { state: sab, claims: claimsSab, instances: budget, http } = workerData as WorkerData;
const state = new Float64Array(sab);
const claims = new Int32Array(claimsSab);
const executor = new Executor(budget, { http });
const modules = new Map<string, CompiledModule>();
const grantSets = new Map<number, Permission[]>();
const EMPTY_HOST: HostState = Object.freeze({ config: Object.freeze({}), kv: new Map(), clip: null });
const queue: WireTask[] = [];
let draining = false;

/**
 * Results leave in batches (one message each), but early enough that the pool can refill this
 * worker before it runs dry: after this many results, or this long, whichever comes first.
 */
const FLUSH_AFTER_RESULTS = 16;
const FLUSH_AFTER_MS = 0.5;

function accept(msg: ToWorker): void {
  if (msg.type !== 'run') return;
  for (const m of msg.modules) modules.set(m.sha256, m);
  for (const t of msg.tasks) queue.push(t);
}

port.on('message', (msg: ToWorker) => {
  accept(msg);
  if (!draining) void drain();
});

/** Pulls messages that arrived while tasks ran, so a busy worker keeps batching. */
function pullPending(): void {
  for (let m = receiveMessageOnPort(port!); m; m = receiveMessageOnPort(port!)) accept(m.message as ToWorker);
}

function grants(mask: number): Permission[] {
  let g = grantSets.get(mask);
  if (!g) {
    g = grantsFromMask(mask);
    grantSets.set(mask, g);
  }
  return g;
}

async function drain(): Promise<void> {
  draining = true;
  let pending: WireResult[] = [];
  let firstPendingAt = 0;
  let head = 0;
  for (;;) {
    if (head === queue.length) {
      queue.length = head = 0;
      pullPending();
      if (queue.length === 0) break;
    }
    const [seq, sha256, instanceKey, fn, input, grantMask, limits, host, live, claim, httpGrants] = queue[head++];
    // The pool takes back tasks queued behind a long-running one; a stolen task is skipped.
    if (Atomics.compareExchange(claims, claim, CLAIM_PENDING, CLAIM_STARTED) !== CLAIM_PENDING) continue;
    const module = modules.get(sha256);
    state[STATE_STARTED_AT] = performance.timeOrigin + performance.now();
    state[STATE_RUNNING_SEQ] = seq;
    const result = module
      ? await executor.run({
          module,
          instanceKey,
          function: fn,
          input,
          grants: httpGrants ? [...grants(grantMask), ...httpGrants] : grants(grantMask),
          limits: limitsFromTuple(limits),
          host: host ?? EMPTY_HOST,
          onLog: live ? (line) => port!.postMessage({ type: 'log', seq, line } satisfies FromWorker) : undefined,
          onHttp: httpGrants
            ? (exchange) => port!.postMessage({ type: 'http', seq, exchange } satisfies FromWorker)
            : undefined,
        })
      : null;
    state[STATE_RUNNING_SEQ] = -1;
    publishInstanceStats();
    if (pending.length === 0) firstPendingAt = performance.now();
    pending.push(encodeResult(seq, result));
    if (head === queue.length) {
      queue.length = head = 0;
      pullPending();
    }
    if (
      head === queue.length ||
      pending.length >= FLUSH_AFTER_RESULTS ||
      performance.now() - firstPendingAt >= FLUSH_AFTER_MS
    ) {
      flush(pending);
      pending = [];
    }
  }
  if (pending.length > 0) flush(pending);
  draining = false;
}

function flush(results: WireResult[]): void {
  // Outputs are Extism blocks owned by nothing else after reset(): move them, don't copy.
  const transfer: ArrayBuffer[] = [];
  for (const r of results) {
    const out = resultOutput(r);
    if (out && !transfer.includes(out.buffer as ArrayBuffer)) transfer.push(out.buffer as ArrayBuffer);
  }
  port!.postMessage({ type: 'results', results } satisfies FromWorker, transfer);
}

/** What the kept instances hold, for the pool's `stats()` (read from shared memory, no message). */
function publishInstanceStats(): void {
  const { instances, bytes } = executor.stats();
  state[STATE_INSTANCES] = instances;
  state[STATE_INSTANCE_BYTES] = bytes;
}

// Idle instances go even when no call comes; the one in use was just marked used, so it stays.
setInterval(
  () => {
    if (executor.evictIdle() > 0) publishInstanceStats();
  },
  Math.max(10, Math.min(budget.idleMs / 4, 10_000)),
).unref();

state[STATE_RUNNING_SEQ] = -1;
port.postMessage({ type: 'ready' } satisfies FromWorker);
