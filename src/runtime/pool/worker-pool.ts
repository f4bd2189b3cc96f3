import type { InstanceBudget } from '../executor/instance-cache.ts';
import { RuntimeClosedError } from '../errors.ts';
import { failedResult } from '../results.ts';
import { armCheck, checkDeadline, disarm, firstCheckAfter } from './deadline.ts';
import { nextBatch, sendBatch } from './dispatch.ts';
import { HttpHelper } from '../http/helper-thread.ts';
import { instanceStats, type PoolWorker, runningSeq, spawnWorker } from './pool-worker.ts';
import { settleLostTasks, type PoolTask } from './recovery.ts';
import { stealQueued } from './steal.ts';
import { decodeResult, type FromWorker, lacksModule, resultSeq } from './wire.ts';

export type { PoolTask };

export interface PoolOptions {
  size: number;
  /** Tasks sent to one worker before its earlier ones answer (several per message). */
  maxInFlight: number;
  maxBatch: number;
  /** What each worker's kept plugin instances may hold. */
  instances: InstanceBudget;
  /** Keep one extra worker warm to replace a killed one. */
  spare: boolean;
  /** Host names whose plugin HTTP requests skip the internal-address check. */
  allowedInternalHosts: readonly string[];
}

/**
 * A small strict-FIFO pool of worker threads hosting in-thread Extism instances. Its steps live
 * in their own files: dispatch (batches to the least loaded worker), deadline (timed from each
 * task's real start, enforced by terminating the worker), steal (tasks queued behind a long one
 * go to other workers), recovery (a lost worker's tasks are re-queued, or re-run once, then failed
 * with RUNTIME_WORKER_LOST) and respawn, below.
 */
export class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: PoolTask[] = [];
  private seq = 0;
  private pumpScheduled = false;
  private closed = false;
  /** Workers that died before becoming ready, in a row: a broken setup must not respawn forever. */
  private startupFailures = 0;
  private broken: Error | null = null;
  /** A started, idle worker kept out of rotation to replace a killed one without delay. */
  private spare: PoolWorker | null = null;
  private readyWaiters: (() => void)[] = [];
  /** Workers lost (deadline, crash) and replaced since the pool started. */
  private restarts = 0;

  /** Performs the plugins' outbound HTTP for every worker. */
  private readonly http: HttpHelper;

  constructor(private readonly options: PoolOptions) {
    this.http = new HttpHelper(options.allowedInternalHosts);
    for (let i = 0; i < options.size; i++) this.workers.push(this.spawn());
    if (options.spare) this.spare = this.spawn(true);
  }

  /** Resolves once every worker in rotation has started (immediately if they all have). */
  ready(): Promise<void> {
    if (this.closed || this.workers.every((w) => w.ready)) return Promise.resolve();
    this.holdStarting();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Next task sequence number, for a task's wire form. */
  nextSeq(): number {
    return ++this.seq;
  }

  submit(task: PoolTask): void {
    if (this.closed) {
      task.reject(new RuntimeClosedError());
      return;
    }
    if (this.broken) {
      task.resolve(failedResult('FAILED', 'RUNTIME_WORKER_LOST', this.broken.message));
      return;
    }
    this.queue.push(task);
    this.holdStarting();
    this.schedulePump();
  }

  /** Per worker in rotation: the plugin instances it keeps and the bytes they hold. */
  stats(): { instances: number; instanceBytes: number }[] {
    return this.workers.map(instanceStats);
  }

  /** Calls waiting for a worker, workers with calls in flight, and workers replaced so far. */
  load(): { queued: number; busyWorkers: number; restarts: number } {
    let busyWorkers = 0;
    for (const w of this.workers) if (w.inFlight.size > 0) busyWorkers++;
    return { queued: this.queue.length, busyWorkers, restarts: this.restarts };
  }

  /** Rejects everything pending and stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new RuntimeClosedError();
    for (const t of this.queue.splice(0)) t.reject(err);
    const all = this.spare ? [...this.workers, this.spare] : [...this.workers];
    this.spare = null;
    this.settleReady();
    void this.http.close();
    await Promise.all(
      all.map(async (worker) => {
        this.retire(worker);
        for (const t of worker.inFlight.values()) t.reject(err);
        worker.inFlight.clear();
        await worker.thread.terminate();
      }),
    );
  }

  /** Starting workers keep the process alive while calls or `ready()` wait for them. */
  private holdStarting(): void {
    for (const w of this.workers) if (!w.ready) w.thread.ref();
  }

  private settleReady(): void {
    if (this.readyWaiters.length === 0 || (!this.closed && !this.workers.every((w) => w.ready))) return;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  private spawn(spare = false): PoolWorker {
    const worker = spawnWorker(this.options.maxInFlight, this.options.instances, this.http.connect(), {
      message: (w, msg) => this.onMessage(w, msg),
      lost: (w, err) => this.lose(w, null, err),
    });
    // Referenced only while it has work, so an idle runtime never keeps the process alive.
    if (this.queue.length === 0 || spare) worker.thread.unref();
    return worker;
  }

  private onMessage(worker: PoolWorker, msg: FromWorker): void {
    if (worker.dead) return;
    if (msg.type === 'ready') {
      worker.ready = true;
      this.startupFailures = 0;
      if (this.queue.length === 0 || worker === this.spare) worker.thread.unref();
      this.settleReady();
      this.schedulePump();
    } else if (msg.type === 'http') {
      const task = worker.inFlight.get(msg.seq);
      if (task) {
        task.http ??= [];
        task.http.push(msg.exchange);
      }
    } else if (msg.type === 'log') {
      try {
        worker.inFlight.get(msg.seq)?.onLog?.(msg.line);
      } catch {
        // A failing live-log listener must not take the pool (or the process) down.
      }
    } else {
      worker.stalled = false;
      for (const r of msg.results) {
        const task = worker.inFlight.get(resultSeq(r));
        if (!task) continue;
        worker.inFlight.delete(resultSeq(r));
        if (!lacksModule(r)) {
          task.resolve(decodeResult(r));
        } else {
          // The worker lacked the module: send it again with the task.
          worker.modules.delete(task.module.sha256);
          this.queue.unshift(task);
        }
      }
      if (worker.inFlight.size === 0) {
        worker.thread.unref();
        disarm(worker);
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

  /** Dispatch: sends batches until the queue is empty or no worker should take more now. */
  private pump(): void {
    for (let batch = nextBatch(this.workers, this.queue.length, this.options); batch; ) {
      const tasks = this.queue.splice(0, batch.count);
      sendBatch(batch.worker, tasks);
      armCheck(batch.worker, firstCheckAfter(batch.worker, tasks), (w) => this.onDeadlineCheck(w));
      batch = nextBatch(this.workers, this.queue.length, this.options);
    }
  }

  /** Deadline and steal: kill a worker past its task's deadline, take back what waits behind a long task. */
  private onDeadlineCheck(worker: PoolWorker): void {
    if (worker.dead || worker.inFlight.size === 0) return;
    const verdict = checkDeadline(worker);
    if (verdict.expired !== null) {
      this.lose(worker, verdict.expired, null, verdict.elapsed);
      return;
    }
    if (verdict.steal) {
      const stolen = stealQueued(worker, verdict.running);
      if (stolen.length > 0) {
        this.queue.unshift(...stolen);
        this.schedulePump();
      }
    }
    if (verdict.nextCheckMs !== Infinity) {
      armCheck(worker, Math.max(1, Math.ceil(verdict.nextCheckMs)), (w) => this.onDeadlineCheck(w));
    }
  }

  /**
   * Recovery: the worker is gone, killed for `timedOut`'s deadline or crashed (`crash`). Its
   * tasks are settled or re-queued, and a replacement takes its place.
   */
  private lose(worker: PoolWorker, timedOut: number | null, crash: Error | null, elapsed = 0): void {
    if (worker.dead) return;
    const running = runningSeq(worker);
    this.retire(worker);
    void worker.thread.terminate();
    if (worker === this.spare) this.spare = null;
    this.queue.unshift(...settleLostTasks(worker.inFlight, running, timedOut, crash, elapsed));
    if (!worker.ready && ++this.startupFailures >= 3) {
      this.broken = new Error(`plugin workers fail to start: ${crash?.message ?? 'unknown error'}`);
      for (const t of this.queue.splice(0))
        t.resolve(failedResult('FAILED', 'RUNTIME_WORKER_LOST', this.broken.message));
      return;
    }
    if (this.closed) return;
    this.restarts++;
    this.respawn(worker);
    this.schedulePump();
  }

  /** Respawn: the warm spare takes the lost worker's place at once (a fresh one needs ~0.1-0.5 s). */
  private respawn(lost: PoolWorker): void {
    if (lost !== this.spare && this.spare && this.options.spare) {
      this.workers.push(this.spare);
      if (this.queue.length > 0) this.spare.thread.ref();
      this.spare = null;
    } else if (!this.options.spare || this.workers.length < this.options.size) {
      this.workers.push(this.spawn());
    }
    if (this.options.spare && !this.spare) this.spare = this.spawn(true);
  }

  private retire(worker: PoolWorker): void {
    worker.dead = true;
    disarm(worker);
    const i = this.workers.indexOf(worker);
    if (i >= 0) this.workers.splice(i, 1);
  }
}
