/**
 * The per-installation circuit breaker as a pure state machine: the caller stores the snapshot
 * (Plugboard keeps it on the installation row) and applies these transitions.
 */
export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export interface CircuitSnapshot {
  state: CircuitState;
  consecutiveFailures: number;
  /** When the circuit last opened (ms since epoch), or null. */
  openedAt: number | null;
}

export interface BreakerPolicy {
  /** Consecutive failures that open the circuit. @default 5 */
  failureThreshold: number;
  /** How long an open circuit rejects calls before one trial call is let through. @default 30_000 */
  cooldownMs: number;
}

export const DEFAULT_BREAKER: BreakerPolicy = { failureThreshold: 5, cooldownMs: 30_000 };

/** A trial older than this never reported back (its process died): another one may start. */
export const STALE_TRIAL_MS = 60_000;

/**
 * Whether a call may run now: `trial` when it is the one call that decides an open circuit.
 * For HALF_OPEN, `openedAt` is when the trial started.
 */
export function admit(s: CircuitSnapshot, now: number, policy: BreakerPolicy): { allowed: boolean; trial: boolean } {
  if (s.state === 'CLOSED') return { allowed: true, trial: false };
  const wait = s.state === 'OPEN' ? policy.cooldownMs : STALE_TRIAL_MS;
  const due = s.openedAt === null || now - s.openedAt >= wait;
  return { allowed: due, trial: due };
}

/** The snapshot after a call that ran: success closes, failures count up and open at the threshold. */
export function recordOutcome(
  s: CircuitSnapshot,
  success: boolean,
  now: number,
  policy: BreakerPolicy,
): CircuitSnapshot {
  if (success) return { state: 'CLOSED', consecutiveFailures: 0, openedAt: null };
  const consecutiveFailures = s.consecutiveFailures + 1;
  // A failed trial re-opens at once; otherwise open on reaching the threshold.
  if (s.state === 'HALF_OPEN' || consecutiveFailures >= policy.failureThreshold)
    return { state: 'OPEN', consecutiveFailures, openedAt: now };
  return { state: 'CLOSED', consecutiveFailures, openedAt: null };
}
