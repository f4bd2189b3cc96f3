import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../../db/orm.ts';
import {
  createRuntime,
  DEFAULT_BREAKER,
  type BreakerPolicy,
  type PluginRuntime,
  type RuntimeStats,
} from '../../runtime/index.ts';
import type { Events } from '../events.ts';
import { dropLease, INSTANCE_RENEW_MS, renewLease, sweepLostInstances } from './instances.ts';
import { KeyedLimiter } from './keyed-limiter.ts';
import { Revocations, watchRevocations } from './revocations.ts';

/**
 * The one dependency object of every use case: storage, events, logger, the worker-pool runtime
 * and the breaker policy. GraphQL, the CLI, the seed and tests pass the same object.
 */
export interface Platform {
  /** This process, as recorded on the executions it runs (see `start`). */
  readonly instanceId: string;
  db: Database;
  events: Events;
  /** Started on first use: a server that never runs a plugin spawns no worker threads. */
  readonly runtime: PluginRuntime;
  breaker: BreakerPolicy;
  logger: Logger;
  /** Serialises this process's calls of one installation that may write KV (see `runCall`). */
  kvLock: KeyedLimiter;
  /**
   * Plugin calls one user may have running in this process; the rest wait their turn, so one
   * user's slow or hostile plugins never hold every worker and others' calls still run.
   */
  perUser: KeyedLimiter;
  /** Versions revoked with the kill switch, kept current by `start` (see `Revocations`). */
  readonly revocations: Revocations;
  /** Only signed versions whose key is not revoked may be published, installed or moved to. */
  requireSignatures: boolean;
  /** Told about every call once its outcome is known (the server logs it and counts it in /metrics). */
  onExecution: ((report: ExecutionReport) => void) | null;
  /** The runtime's instance counts and memory; null while no plugin has run (no worker exists). */
  runtimeStats(): RuntimeStats | null;
  /**
   * Loads the revoked versions and keeps them current, takes this instance's lease, completes the calls of instances that are gone, and keeps
   * doing both every INSTANCE_RENEW_MS until `close`.
   */
  start(): Promise<void>;
  /** Stops the runtime's workers if they were started, and gives up the lease. */
  close(): Promise<void>;
}

/** One finished plugin call, as logs and metrics see it (no input, output or secrets). */
export interface ExecutionReport {
  executionId: number;
  plugin: string;
  version: string;
  function: string;
  hook: string | null;
  trigger: string;
  status: string;
  errorCode: string | null;
  durationMs: number | null;
  fuelUsed: number | null;
  peakMemoryBytes: number | null;
}

export interface PlatformOptions {
  db: Database;
  events: Events;
  logger: Logger;
  workers: number;
  /** See `RuntimeOptions.maxInstanceBytesPerWorker`; the runtime's default when absent. */
  instanceMemoryMiB?: number;
  circuitCooldownMs: number;
  /** See `Platform.perUser`. */
  callsPerUser: number;
  /** See `Platform.requireSignatures`. */
  requireSignatures?: boolean;
  /** See `Platform.onExecution`. */
  onExecution?: (report: ExecutionReport) => void;
  /** See `RuntimeOptions.allowedInternalHosts`. @default [] */
  httpAllowedInternalHosts?: readonly string[];
}

export function createPlatform({
  db,
  events,
  logger,
  workers,
  instanceMemoryMiB,
  circuitCooldownMs,
  callsPerUser,
  requireSignatures = false,
  onExecution,
  httpAllowedInternalHosts = [],
}: PlatformOptions): Platform {
  let runtime: PluginRuntime | null = null;
  let timer: NodeJS.Timeout | null = null;
  let revocationWatch: { close(): void } | null = null;
  const revocations = new Revocations();
  const instanceId = randomUUID();
  const tick = async () => {
    await renewLease(db, instanceId);
    const lost = await sweepLostInstances(db);
    if (lost > 0) logger.warn({ executions: lost }, 'completed the calls of a server instance that is gone');
  };
  return {
    instanceId,
    db,
    events,
    logger,
    breaker: { ...DEFAULT_BREAKER, cooldownMs: circuitCooldownMs },
    kvLock: new KeyedLimiter(1),
    perUser: new KeyedLimiter(callsPerUser),
    revocations,
    requireSignatures,
    onExecution: onExecution ?? null,
    runtimeStats: () => runtime?.stats() ?? null,
    get runtime() {
      const maxInstanceBytesPerWorker = instanceMemoryMiB === undefined ? undefined : instanceMemoryMiB * 1024 * 1024;
      runtime ??= createRuntime({ workers, maxInstanceBytesPerWorker, allowedInternalHosts: httpAllowedInternalHosts });
      return runtime;
    },
    start: async () => {
      revocationWatch ??= await watchRevocations({ db, events, logger, revocations });
      await tick();
      timer ??= setInterval(() => {
        tick().catch((err: unknown) => logger.error({ err }, 'could not renew the instance lease'));
      }, INSTANCE_RENEW_MS);
      timer.unref();
    },
    close: async () => {
      if (timer) clearInterval(timer);
      revocationWatch?.close();
      revocationWatch = null;
      await runtime?.close();
      if (timer) await dropLease(db, instanceId).catch(() => undefined);
      timer = null;
    },
  };
}
