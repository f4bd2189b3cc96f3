import { availableParallelism } from 'node:os';
import { RuntimeClosedError } from '../errors.ts';
import { normalizeLimits } from '../limits.ts';
import { loadFailure, ModuleCache, preflight, type LoadedModule } from './module-cache.ts';
import { grantsMask, isEmptyHost, limitsTuple } from '../pool/wire.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import type { CallRequest, CallResult } from '../types.ts';

export interface RuntimeOptions {
  /** Worker threads running plugins. @default min(4, available cores) */
  workers?: number;
  /** Tasks queued per worker ahead of its answers; more raises throughput, and head-of-line wait. @default 64 */
  maxInFlightPerWorker?: number;
  /** Most tasks sent to a worker in one message. @default 32 */
  maxBatch?: number;
  /** Plugin instances kept per worker (one per instanceKey), least recently used dropped. @default 256 */
  maxInstancesPerWorker?: number;
  /** Compiled modules kept in memory. @default 128 */
  maxModules?: number;
  /** Keep one extra worker started and idle, to replace a worker killed for a deadline at once. @default true */
  spareWorker?: boolean;
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
  /** Stops the workers; calls still pending reject with `RuntimeClosedError`. */
  close(): Promise<void>;
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
    workers = Math.max(1, Math.min(4, availableParallelism())),
    maxInFlightPerWorker = 64,
    maxBatch = 32,
    maxInstancesPerWorker = 256,
    maxModules = 128,
    spareWorker = true,
  } = options;
  const modules = new ModuleCache(maxModules);
  const pool = new WorkerPool({
    size: workers,
    maxInFlight: maxInFlightPerWorker,
    maxBatch,
    maxInstancesPerWorker,
    spare: spareWorker,
  });
  let closed = false;

  function run(req: CallRequest, loaded: LoadedModule): Promise<CallResult> {
    const limits = normalizeLimits(req.limits);
    const refused = preflight(req, limits, loaded);
    if (refused) return Promise.resolve(refused);
    return new Promise<CallResult>((resolve, reject) => {
      pool.submit({
        module: loaded.wire,
        timeoutMs: limits.timeoutMs,
        onLog: req.onLog,
        resolve,
        reject,
        retried: false,
        wire: [
          pool.nextSeq(),
          loaded.sha256,
          req.instanceKey,
          req.function,
          // Never ship a view's whole backing buffer (a pooled Buffer holds other data) to a worker.
          req.input.byteOffset === 0 && req.input.byteLength === req.input.buffer.byteLength
            ? req.input
            : req.input.slice(),
          grantsMask(req.grants),
          limitsTuple(limits),
          isEmptyHost(req.host) ? null : req.host,
          req.onLog !== undefined,
          0,
        ],
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
    async close() {
      closed = true;
      await pool.close();
    },
  };
}
