import type { Logger } from 'pino';
import type { Database } from '../db/orm.ts';
import { createRuntime, DEFAULT_BREAKER, type BreakerPolicy, type PluginRuntime } from '../runtime/index.ts';
import type { Events } from './events.ts';
import { KeyedLock } from './keyed-lock.ts';

/** What running plugins needs: storage, events, the worker-pool runtime and the breaker policy. */
export interface Platform {
  db: Database;
  events: Events;
  /** Started on first use: a server that never runs a plugin spawns no worker threads. */
  readonly runtime: PluginRuntime;
  breaker: BreakerPolicy;
  logger: Logger;
  /** Serialises this process's calls of one installation that may write KV (see `runCall`). */
  kvLock: KeyedLock;
  /** Stops the runtime's workers if they were started. */
  close(): Promise<void>;
}

export interface PlatformOptions {
  db: Database;
  events: Events;
  logger: Logger;
  workers: number;
  circuitCooldownMs: number;
}

export function createPlatform({ db, events, logger, workers, circuitCooldownMs }: PlatformOptions): Platform {
  let runtime: PluginRuntime | null = null;
  return {
    db,
    events,
    logger,
    breaker: { ...DEFAULT_BREAKER, cooldownMs: circuitCooldownMs },
    kvLock: new KeyedLock(),
    get runtime() {
      return (runtime ??= createRuntime({ workers }));
    },
    close: async () => {
      await runtime?.close();
    },
  };
}
