import { Worker } from 'node:worker_threads';
import { RuntimeClosedError } from '../errors.ts';
import { settleLostTasks, type PoolTask } from './recovery.ts';
import { failedResult } from '../results.ts';
import {
  CLAIM_PENDING,
  CLAIM_STOLEN,
  decodeResult,
  type FromWorker,
  type ToWorker,
  type WireModule,
  type WorkerData,
} from './wire.ts';

export type { PoolTask };

interface Slot {
  worker: Worker;
  state: Float64Array;
  ready: boolean;
  dead: boolean;
  /** Tasks sent and not yet answered, in the order the worker runs them. */
  inFlight: Map<number, PoolTask>;
  modules: Set<string>;
  timer: NodeJS.Timeout | null;
  /** When `timer` fires (performance.now() ms). */
  timerAt: number;
  /** Shared ring the worker claims tasks in before running them, so queued ones can be stolen back. */
  claims: Int32Array;
  nextClaim: number;
  /** Its current task has run past STEAL_AFTER_MS: send it nothing until it answers. */
  stalled: boolean;
}

/** A task running this long has the tasks queued behind it taken back for other workers. */
const STEAL_AFTER_MS = 20;

export interface PoolOptions {
  size: number;
  /** Tasks sent to one worker before its earlier ones answer (several per message). */
  maxInFlight: number;
  maxBatch: number;
  maxInstancesPerWorker: number;
  /** Keep one extra worker warm to replace a killed one. */
  spare: boolean;
}

// A plain-JS entry that registers tsx, then loads worker.ts (see the comment in it).
const WORKER_URL = new URL('../worker-entry.js', import.meta.url);

/**
 * A small strict-FIFO pool of worker threads hosting in-thread Extism instances. Deadlines are
 * timed from each task's start (published by the worker in shared memory) and enforced by
 * terminating the worker; its other tasks are re-queued at the front, and a task whose result
 * was lost with the worker is re-run once, then failed with RUNTIME_WORKER_LOST.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: PoolTask[] = [];
  private seq = 0;
  private pumpScheduled = false;
  private closed = false;
  /** Workers that died before becoming ready, in a row: a broken setup must not respawn forever. */
  private startupFailures = 0;
  private broken: Error | null = null;
  /** A started, idle worker kept out of rotation to replace a killed one without delay. */
  private spare: Slot | null = null;

  constructor(private readonly options: PoolOptions) {
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn());
    if (options.spare) this.spare = this.spawn(true);
  }

  private readyWaiters: (() => void)[] = [];

  /** Resolves once every worker in rotation has started (immediately if they all have). */
  ready(): Promise<void> {
    if (this.closed || this.slots.every((s) => s.ready)) return Promise.resolve();
    // Starting workers keep the process alive while someone waits for them.
    for (const s of this.slots) if (!s.ready) s.worker.ref();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private settleReady(): void {
    if (this.readyWaiters.length === 0 || (!this.closed && !this.slots.every((s) => s.ready))) return;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  /** Next task sequence number, for `WireTask[0]`. */
  nextSeq(): number {
    return ++this.seq;
  }

  submit(task: PoolTask): void {
    if (this.closed) return task.reject(new RuntimeClosedError());
    if (this.broken) return task.resolve(failedResult('FAILED', 'RUNTIME_WORKER_LOST', this.broken.message));
    this.queue.push(task);
    // Keep starting workers alive while calls wait for them.
    for (const s of this.slots) if (!s.ready) s.worker.ref();
    this.schedulePump();
  }

  /** Rejects everything pending and stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new RuntimeClosedError();
    for (const t of this.queue.splice(0)) t.reject(err);
    const all = this.spare ? [...this.slots, this.spare] : [...this.slots];
    this.spare = null;
    this.settleReady();
    await Promise.all(
      all.map(async (slot) => {
        this.retire(slot);
        for (const t of slot.inFlight.values()) t.reject(err);
        slot.inFlight.clear();
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(spare = false): Slot {
    const sab = new SharedArrayBuffer(16);
    // Four times the in-flight cap: a claim index is reused only long after its task is gone.
    const claims = new SharedArrayBuffer(4 * 4 * this.options.maxInFlight);
    const worker = new Worker(WORKER_URL, {
      workerData: { state: sab, claims, maxInstances: this.options.maxInstancesPerWorker } satisfies WorkerData,
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    const slot: Slot = {
      worker,
      state: new Float64Array(sab),
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
    worker.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.lose(slot, null, err));
    worker.on('exit', (code) => this.lose(slot, null, new Error(`worker exited with code ${code}`)));
    // Referenced only while it has work, so an idle runtime never keeps the process alive.
    if (this.queue.length === 0 || spare) worker.unref();
    return slot;
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    if (slot.dead) return;
    if (msg.type === 'ready') {
      slot.ready = true;
      this.startupFailures = 0;
      if (this.queue.length === 0 || slot === this.spare) slot.worker.unref();
      this.settleReady();
      this.schedulePump();
    } else if (msg.type === 'log') {
      try {
        slot.inFlight.get(msg.seq)?.onLog?.(msg.line);
      } catch {
        // A failing live-log listener must not take the pool (or the process) down.
      }
    } else {
      slot.stalled = false;
      for (const r of msg.results) {
        const task = slot.inFlight.get(r[0]);
        if (!task) continue;
        slot.inFlight.delete(r[0]);
        if (r[1] >= 0) {
          task.resolve(decodeResult(r));
        } else {
          // The worker lacked the module: send it again with the task.
          slot.modules.delete(task.module.sha256);
          this.queue.unshift(task);
        }
      }
      if (slot.inFlight.size === 0) {
        slot.worker.unref();
        if (slot.timer) clearTimeout(slot.timer);
        slot.timer = null;
      }
      this.schedulePump();
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    // Calls made in the same tick leave together, several per message.
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const { maxInFlight, maxBatch } = this.options;
    while (this.queue.length > 0) {
      const open = this.slots.filter((s) => s.ready && !s.dead && !s.stalled && s.inFlight.size < maxInFlight);
      if (open.length === 0) return;
      open.sort((a, b) => a.inFlight.size - b.inFlight.size);
      const slot = open[0];
      const want = Math.min(Math.ceil(this.queue.length / open.length), maxBatch);
      // A busy worker waits until a whole batch fits: fewer, fuller messages.
      if (slot.inFlight.size > 0 && maxInFlight - slot.inFlight.size < want) return;
      this.send(slot, this.queue.splice(0, want));
    }
  }

  private send(slot: Slot, tasks: PoolTask[]): void {
    const modules: WireModule[] = [];
    for (const t of tasks) {
      if (!slot.modules.has(t.module.sha256)) {
        slot.modules.add(t.module.sha256);
        modules.push(t.module);
      }
      slot.inFlight.set(t.wire[0], t);
      const claim = slot.nextClaim++ % slot.claims.length;
      Atomics.store(slot.claims, claim, CLAIM_PENDING);
      t.wire[9] = claim;
    }
    slot.worker.ref();
    slot.worker.postMessage({ type: 'run', modules, tasks: tasks.map((t) => t.wire) } satisfies ToWorker);
    // None of these can pass its deadline before its own timeout has elapsed; a check already
    // due sooner (for the task running now) stays as it is.
    let soonest = Infinity;
    for (const t of tasks) soonest = Math.min(soonest, t.timeoutMs);
    const queuedBehind = slot.inFlight.size > tasks.length ? STEAL_AFTER_MS : Infinity;
    this.armTimer(slot, slot.timer ? Math.min(soonest, queuedBehind) : 0);
  }

  /** Schedules the next deadline check, unless one is already due sooner. */
  private armTimer(slot: Slot, delayMs: number): void {
    if (slot.dead) return;
    const at = performance.now() + delayMs;
    if (slot.timer) {
      if (slot.timerAt <= at) return;
      clearTimeout(slot.timer);
    }
    slot.timerAt = at;
    slot.timer = setTimeout(() => {
      slot.timer = null;
      this.checkDeadline(slot);
    }, delayMs);
    slot.timer.unref();
  }

  /**
   * Kills the worker if its running task is past its deadline, steals back what waits behind a
   * long task, and schedules the next check: at the running task's deadline, or sooner if a
   * task not yet started (which may start any moment) has a shorter timeout.
   */
  private checkDeadline(slot: Slot): void {
    if (slot.dead || slot.inFlight.size === 0) return;
    const seq = slot.state[0];
    const running = seq >= 0 ? slot.inFlight.get(seq) : undefined;
    let next = Infinity;
    if (running) {
      const elapsed = performance.timeOrigin + performance.now() - slot.state[1];
      if (elapsed >= running.timeoutMs) return this.lose(slot, seq, null, elapsed);
      if (elapsed >= STEAL_AFTER_MS) this.stealQueued(slot, seq);
      else if (slot.inFlight.size > 1) next = STEAL_AFTER_MS - elapsed;
      next = Math.min(next, running.timeoutMs - elapsed);
    } else if (slot.inFlight.size > 1 && !slot.stalled) {
      // Between tasks: the next one may start now with others queued behind it.
      next = STEAL_AFTER_MS;
    }
    for (const [s, task] of slot.inFlight) if (s !== seq) next = Math.min(next, task.timeoutMs);
    if (next !== Infinity) this.armTimer(slot, Math.max(1, Math.ceil(next)));
  }

  /** Takes back the tasks a stalled worker has not started, for the other workers. */
  private stealQueued(slot: Slot, running: number): void {
    slot.stalled = true;
    const stolen: PoolTask[] = [];
    let behind = false;
    for (const [seq, task] of slot.inFlight) {
      if (behind && Atomics.compareExchange(slot.claims, task.wire[9], CLAIM_PENDING, CLAIM_STOLEN) === CLAIM_PENDING) {
        slot.inFlight.delete(seq);
        stolen.push(task);
      }
      if (seq === running) behind = true;
    }
    if (stolen.length === 0) return;
    this.queue.unshift(...stolen);
    this.schedulePump();
  }

  /**
   * The worker is gone: killed for `timedOut`'s deadline, or crashed (`crash`). Tasks it had
   * finished but not reported are re-run once; tasks it had not started are simply re-queued.
   */
  private lose(slot: Slot, timedOut: number | null, crash: Error | null, elapsed = 0): void {
    if (slot.dead) return;
    const running = slot.state[0];
    this.retire(slot);
    void slot.worker.terminate();
    if (slot === this.spare) this.spare = null;
    this.queue.unshift(...settleLostTasks(slot.inFlight, running, timedOut, crash, elapsed));
    if (!slot.ready && ++this.startupFailures >= 3) {
      this.broken = new Error(`plugin workers fail to start: ${crash?.message ?? 'unknown error'}`);
      for (const t of this.queue.splice(0))
        t.resolve(failedResult('FAILED', 'RUNTIME_WORKER_LOST', this.broken.message));
      return;
    }
    if (this.closed) return;
    // The warm spare takes the lost worker's place at once (a fresh one needs ~0.1-0.5 s to load).
    if (slot !== this.spare && this.spare && this.options.spare) {
      this.slots.push(this.spare);
      if (this.queue.length > 0) this.spare.worker.ref();
      this.spare = null;
    } else if (!this.options.spare || this.slots.length < this.options.size) {
      this.slots.push(this.spawn());
    }
    if (this.options.spare && !this.spare) this.spare = this.spawn(true);
    this.schedulePump();
  }

  private retire(slot: Slot): void {
    slot.dead = true;
    if (slot.timer) clearTimeout(slot.timer);
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }
}
