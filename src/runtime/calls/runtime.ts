import { availableParallelism } from 'node:os';
import { RuntimeClosedError } from '../errors.ts';
import { normalizeLimits } from '../limits.ts';
import { DEFAULT_INSTANCE_BUDGET } from '../executor/instance-cache.ts';
import { loadFailure, ModuleCache, preflight, type LoadedModule } from './module-cache.ts';
import { encodeTask } from '../pool/wire.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import type { CallRequest, CallResult } from '../types.ts';

/** Worker threads a runtime starts when not told otherwise: min(4, available cores). */
export const DEFAULT_WORKERS = Math.max(1, Math.min(4, availableParallelism()));

export interface RuntimeOptions {
  /** Worker threads running plugins. @default DEFAULT_WORKERS, min(4, available cores) */
  workers?: number;
  /** Tasks queued per worker ahead of its answers; more raises throughput, and head-of-line wait. @default 64 */
  maxInFlightPerWorker?: number;
  /** Most tasks sent to a worker in one message. @default 32 */
  maxBatch?: number;
  /** Plugin instances kept per worker (one per instanceKey), least recently used dropped. @default 256 */
  maxInstancesPerWorker?: number;
  /**
   * Bytes the instances kept by one worker may hold between calls (their linear memory, which
   * only goes back when an instance is dropped, plus the copy of it each call starts from);
   * least recently used dropped first, and an instance over it alone is dropped after its call.
   * @default 64 MiB
   */
  maxInstanceBytesPerWorker?: number;
  /** An instance not called for this long is dropped, with its memory. @default 60_000 */
  instanceIdleMs?: number;
  /** Compiled modules kept in memory. @default 128 */
  maxModules?: number;
  /** Keep one extra worker started and idle, to replace a worker killed for a deadline at once. @default true */
  spareWorker?: boolean;
  /**
   * Host names (exact, lower case) whose plugin HTTP requests skip the check that refuses
   * loopback, private, link-local and metadata addresses. The host must still be granted.
   * @default []
   */
  allowedInternalHosts?: readonly string[];
}

export interface PluginRuntime {
  /**
   * Runs one plugin call off the main thread. Resolves with a `CallResult` for every outcome a
   * plugin or its module can cause (including PLUGIN_INTEGRITY and PERMISSION_DENIED); rejects
   * only with `RuntimeClosedError`.
   */
  call(req: CallRequest): Promise<CallResult>;
  /**
   * Resolves once every worker has started (~0.1-0.5 s after creation, or after a worker was
   * replaced). Calls made before that simply wait; await it to warm up before taking traffic.
   */
  ready(): Promise<void>;
  /** Per worker in rotation, the plugin instances it keeps and the bytes they hold (no round trip). */
  stats(): RuntimeStats;
  /** Stops the workers; calls still pending reject with `RuntimeClosedError`. */
  close(): Promise<void>;
}

export interface RuntimeStats {
  workers: { instances: number; instanceBytes: number }[];
  /** Calls waiting for a worker (not yet sent to one). */
  queued: number;
  /** Workers with at least one call in flight. */
  busyWorkers: number;
  /** Workers lost (deadline or crash) and replaced since the runtime started. */
  restarts: number;
}

/**
 * Creates the worker-pool runtime. Construct one per process and share it; `close()` it on
 * shutdown.
 *
 * ```ts
 * const runtime = createRuntime();
 * const result = await runtime.call({
 *   instanceKey: `installation:${id}`,
 *   module: { sha256: version.preparedSha256, load: () => blobs.get(version.preparedSha256) },
 *   function: 'detect',
 *   input: new TextEncoder().encode(JSON.stringify(payload)),
 *   grants: ['log', 'kv'],
 *   limits: normalizeLimits({ fuel: 50_000_000, timeoutMs: 500 }),
 *   host: { config, kv: kvSnapshot, clip: null },
 *   onLog: (line) => stream(line),
 * });
 * if (result.status === 'SUCCEEDED') applyAtomically(result.kvWrites, result.clipPatches, result.events);
 * ```
 */
export function createRuntime(options: RuntimeOptions = {}): PluginRuntime {
  const {
    workers = DEFAULT_WORKERS,
    maxInFlightPerWorker = 64,
    maxBatch = 32,
    maxInstancesPerWorker = DEFAULT_INSTANCE_BUDGET.maxInstances,
    maxInstanceBytesPerWorker = DEFAULT_INSTANCE_BUDGET.maxBytes,
    instanceIdleMs = DEFAULT_INSTANCE_BUDGET.idleMs,
    maxModules = 128,
    spareWorker = true,
    allowedInternalHosts = [],
  } = options;
  const modules = new ModuleCache(maxModules);
  const pool = new WorkerPool({
    size: workers,
    maxInFlight: maxInFlightPerWorker,
    maxBatch,
    instances: { maxInstances: maxInstancesPerWorker, maxBytes: maxInstanceBytesPerWorker, idleMs: instanceIdleMs },
    spare: spareWorker,
    allowedInternalHosts,
  });
  let closed = false;

  function run(req: CallRequest, loaded: LoadedModule): Promise<CallResult> {
    const limits = normalizeLimits(req.limits);
    const refused = preflight(req, limits, loaded);
    if (refused) return Promise.resolve(refused);
    return new Promise<CallResult>((resolve, reject) => {
      pool.submit({
        module: loaded.compiled,
        timeoutMs: limits.timeoutMs,
        onLog: req.onLog,
        resolve,
        reject,
        retried: false,
        wire: encodeTask(pool.nextSeq(), loaded.compiled.sha256, req, limits),
      });
    });
  }

  function call(req: CallRequest): Promise<CallResult> {
    if (closed) return Promise.reject(new RuntimeClosedError());
    // Hot path: a cached module costs no promise hop before the call is queued.
    const cached = modules.peek(req.module.sha256);
    if (cached) return run(req, cached);
    return modules.get(req.module).then((loaded) => run(req, loaded), loadFailure);
  }

  return {
    call,
    ready: () => pool.ready(),
    stats: () => ({ workers: pool.stats(), ...pool.load() }),
    async close() {
      closed = true;
      await pool.close();
    },
  };
}
