import type { CallLimits } from './types.ts';
import { WASM_PAGE_BYTES } from './wasm/memory-cap.ts';

const MiB = 1024 * 1024;

/** Defaults for every call; a manifest or installation may ask for less, never more than the caps. */
export const DEFAULT_LIMITS: Readonly<CallLimits> = Object.freeze({
  fuel: 100_000_000,
  timeoutMs: 1000,
  maxInputBytes: 1 * MiB,
  maxOutputBytes: 256 * 1024,
  maxLogBytes: 16 * 1024,
  maxKvBytes: 1 * MiB,
});

/** Platform caps: requested limits above these are clamped. */
export const PLATFORM_CAPS: Readonly<CallLimits> = Object.freeze({
  fuel: 10_000_000_000,
  timeoutMs: 10_000,
  maxInputBytes: 1 * MiB,
  maxOutputBytes: 256 * 1024,
  maxLogBytes: 16 * 1024,
  maxKvBytes: 1 * MiB,
});

/** Linear memory cap applied by `prepareModule`: 16 MiB by default, 64 MiB at most. */
export const DEFAULT_MEMORY_PAGES = (16 * MiB) / WASM_PAGE_BYTES;
export const MAX_MEMORY_PAGES = (64 * MiB) / WASM_PAGE_BYTES;

/**
 * Entries a module's tables may start with, in all. Tables live outside linear memory (about 28
 * bytes of engine memory per entry, so 9 million entries cost 250 MB per instance) and the memory
 * cap does not reach them; `table.grow` is refused by the instrumentation, so the initial size
 * is all a module gets. AssemblyScript plugins need a few hundred.
 */
export const MAX_TABLE_ENTRIES = 65_536;

const KEYS = Object.keys(DEFAULT_LIMITS) as (keyof CallLimits)[];
/** Lower bounds: a zero deadline would kill a worker on every call. */
const MINIMUMS: Partial<CallLimits> = { timeoutMs: 1 };

function isNormal(limits: Partial<CallLimits>): limits is CallLimits {
  for (const key of KEYS) {
    const v = limits[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < (MINIMUMS[key] ?? 0) || v > PLATFORM_CAPS[key])
      return false;
  }
  return true;
}

/**
 * Fills missing limits with defaults and clamps each to its platform cap. Limits that are
 * already complete and within the caps are returned as they are (no copy on the hot path).
 */
export function normalizeLimits(limits: Partial<CallLimits> | undefined): CallLimits {
  if (limits && isNormal(limits)) return limits;
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof CallLimits)[]) {
    const v = limits?.[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
      out[key] = Math.max(MINIMUMS[key] ?? 0, Math.min(Math.floor(v), PLATFORM_CAPS[key]));
    }
  }
  return out;
}
