import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, normalizeLimits, PLATFORM_CAPS } from './index.ts';

describe('normalizeLimits', () => {
  it('fills defaults, clamps to the platform caps and rejects nonsense', () => {
    expect(normalizeLimits(undefined)).toEqual(DEFAULT_LIMITS);
    expect(normalizeLimits({ timeoutMs: 60_000, fuel: 5.7, maxOutputBytes: -1 })).toEqual({
      ...DEFAULT_LIMITS,
      timeoutMs: PLATFORM_CAPS.timeoutMs,
      fuel: 5,
    });
    expect(normalizeLimits({ timeoutMs: 0 }).timeoutMs).toBe(1);
  });

  it('returns complete, valid limits unchanged (no copy per call)', () => {
    const limits = { ...DEFAULT_LIMITS, fuel: 42 };
    expect(normalizeLimits(limits)).toBe(limits);
  });
});
