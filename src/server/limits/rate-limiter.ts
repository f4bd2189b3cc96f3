import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** One minute: limits are cost per minute, and a subject may spend a whole minute's budget at once. */
const WINDOW_MS = 60_000;

export interface RateDecision {
  allowed: boolean;
  /** When refused: milliseconds until this cost would be let through. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /**
   * Charges `cost` to `key` against `perMinute` (GCRA: the budget refills evenly over a minute
   * and holds at most one minute's worth). A cost over the budget is charged as the whole budget.
   */
  take(key: string, cost: number, perMinute: number): Promise<RateDecision> | RateDecision;
  close(): Promise<void>;
}

/** This instance's own buckets: one number per subject, swept when the map grows large. */
export function createMemoryRateLimiter({ maxKeys = 100_000 }: { maxKeys?: number } = {}): RateLimiter {
  // key → theoretical arrival time (ms): when the bucket would be full again.
  const tats = new Map<string, number>();
  const sweep = (now: number) => {
    for (const [key, tat] of tats) if (tat <= now) tats.delete(key);
    // Still too many subjects mid-burst: forget the least recently charged (they get a full budget).
    for (const key of tats.keys()) {
      if (tats.size <= maxKeys / 2) break;
      tats.delete(key);
    }
  };
  return {
    take(key, cost, perMinute) {
      const now = Date.now();
      const emission = WINDOW_MS / perMinute;
      const tat = Math.max(tats.get(key) ?? now, now);
      const next = tat + Math.min(cost, perMinute) * emission;
      if (next - now > WINDOW_MS) return { allowed: false, retryAfterMs: next - WINDOW_MS - now };
      tats.delete(key); // re-inserted last: the map's order is least recently charged first
      tats.set(key, next);
      if (tats.size > maxKeys) sweep(now);
      return { allowed: true, retryAfterMs: 0 };
    },
    async close() {},
  };
}

/**
 * The same GCRA in one Lua script, so every instance shares a subject's budget: one key per
 * subject holding its theoretical arrival time, with Redis's clock (instances' clocks may differ).
 * Returns 0 when allowed, else the milliseconds to wait.
 */
const GCRA_LUA = `
local emission = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local nextTat = tat + cost * emission
if nextTat - now > window then return math.ceil(nextTat - window - now) end
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.ceil(nextTat - now) + 1)
return 0
`;

type WithGcra = Redis & {
  plugboardGcra(key: string, emission: number, window: number, cost: number): Promise<number>;
};

/**
 * Buckets shared through Redis: one round trip (EVALSHA) per operation. When Redis fails or is
 * slow, the operation is let through (fail open) and a warning is logged at most every 30 s: a
 * Redis outage must not take the API down with it.
 */
export function createRedisRateLimiter({
  redisUrl,
  prefix,
  logger,
  timeoutMs = 500,
}: {
  redisUrl: string;
  prefix: string;
  logger: Logger;
  timeoutMs?: number;
}): RateLimiter {
  const redis = new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
  }) as WithGcra;
  redis.defineCommand('plugboardGcra', { numberOfKeys: 1, lua: GCRA_LUA });
  let warnedAt = Number.NEGATIVE_INFINITY;
  redis.on('error', () => {}); // reported per failed command, throttled
  return {
    async take(key, cost, perMinute) {
      try {
        const wait = await redis.plugboardGcra(
          `${prefix}${key}`,
          WINDOW_MS / perMinute,
          WINDOW_MS,
          Math.min(cost, perMinute),
        );
        return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true, retryAfterMs: 0 };
      } catch (err) {
        if (performance.now() - warnedAt > 30_000) {
          warnedAt = performance.now();
          logger.warn({ err }, 'rate limiter cannot reach Redis: letting operations through unlimited');
        }
        return { allowed: true, retryAfterMs: 0 };
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
