import type { Logger } from 'pino';
import type { Database } from '../../db/orm.ts';
import { createRuntime, DEFAULT_BREAKER, type BreakerPolicy, type PluginRuntime } from '../../runtime/index.ts';
import type { Events } from '../events.ts';
import { KeyedLimiter } from './keyed-limiter.ts';

/** What running plugins needs: storage, events, the worker-pool runtime and the breaker policy. */
export interface Platform {
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
  /** Stops the runtime's workers if they were started. */
  close(): Promise<void>;
}

export interface PlatformOptions {
  db: Database;
  events: Events;
  logger: Logger;
  workers: number;
  circuitCooldownMs: number;
  /** See `Platform.perUser`. */
  callsPerUser: number;
}

export function createPlatform({
  db,
  events,
  logger,
  workers,
  circuitCooldownMs,
  callsPerUser,
}: PlatformOptions): Platform {
  let runtime: PluginRuntime | null = null;
  return {
    db,
    events,
    logger,
    breaker: { ...DEFAULT_BREAKER, cooldownMs: circuitCooldownMs },
    kvLock: new KeyedLimiter(1),
    perUser: new KeyedLimiter(callsPerUser),
    get runtime() {
      return (runtime ??= createRuntime({ workers }));
    },
    close: async () => {
      await runtime?.close();
    },
  };
}
