import { describe, expect, it } from 'vitest';
import { admit, DEFAULT_BREAKER, recordOutcome, STALE_TRIAL_MS, type CircuitSnapshot } from './circuit-breaker.ts';

const closed: CircuitSnapshot = { state: 'CLOSED', consecutiveFailures: 0, openedAt: null };
const policy = { ...DEFAULT_BREAKER, cooldownMs: 1000 };

describe('circuit breaker', () => {
  it('opens after five consecutive failures, and a success in between resets the count', () => {
    let s = closed;
    for (let i = 0; i < 4; i++) s = recordOutcome(s, false, 0, policy);
    expect(s).toEqual({ state: 'CLOSED', consecutiveFailures: 4, openedAt: null });
    expect(recordOutcome(s, true, 0, policy)).toEqual(closed);
    s = recordOutcome(s, false, 500, policy);
    expect(s).toEqual({ state: 'OPEN', consecutiveFailures: 5, openedAt: 500 });
  });

  it('rejects while open, then lets one trial through after the cool-down', () => {
    const open: CircuitSnapshot = { state: 'OPEN', consecutiveFailures: 5, openedAt: 1000 };
    expect(admit(open, 1999, policy)).toEqual({ allowed: false, trial: false });
    expect(admit(open, 2000, policy)).toEqual({ allowed: true, trial: true });
    expect(admit({ ...open, state: 'HALF_OPEN' }, 5000, policy)).toEqual({ allowed: false, trial: false });
    // A trial whose process died does not hold the circuit forever.
    expect(admit({ ...open, state: 'HALF_OPEN' }, 1000 + STALE_TRIAL_MS, policy)).toEqual({
      allowed: true,
      trial: true,
    });
  });

  it('closes on a successful trial and re-opens on a failed one', () => {
    const trial: CircuitSnapshot = { state: 'HALF_OPEN', consecutiveFailures: 5, openedAt: 1000 };
    expect(recordOutcome(trial, true, 3000, policy)).toEqual(closed);
    expect(recordOutcome(trial, false, 3000, policy)).toEqual({
      state: 'OPEN',
      consecutiveFailures: 6,
      openedAt: 3000,
    });
  });
});
