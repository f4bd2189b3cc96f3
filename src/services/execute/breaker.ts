import type { SqlEntityManager } from '@mikro-orm/knex';
import { Installation, type ExecutionStatus } from '../../entities/index.ts';
import { admit, type CircuitSnapshot } from '../../runtime/index.ts';
import { publishInstallationEvent } from '../events.ts';
import type { Platform } from '../platform/index.ts';

export const FAILURES = new Set<ExecutionStatus>(['FAILED', 'TIMED_OUT', 'FUEL_EXHAUSTED', 'MEMORY_EXCEEDED']);

export interface Gate {
  allowed: boolean;
  /** This call decides a half-open circuit. */
  trial: boolean;
  reason: string;
}

export function snapshotOf(i: Installation): CircuitSnapshot {
  return {
    state: i.circuitState,
    consecutiveFailures: i.consecutiveFailures,
    openedAt: i.circuitOpenedAt?.getTime() ?? null,
  };
}

/** Decides whether the call may run; an open circuit past its cool-down admits exactly one trial. */
export async function passBreaker(em: SqlEntityManager, platform: Platform, installation: Installation): Promise<Gate> {
  if (!installation.enabled) return { allowed: false, trial: false, reason: 'The installation is disabled' };
  const decision = admit(snapshotOf(installation), Date.now(), platform.breaker);
  if (!decision.allowed) {
    return {
      allowed: false,
      trial: false,
      reason: `The circuit is ${installation.circuitState.toLowerCase().replace('_', '-')} after ${installation.consecutiveFailures} consecutive failures (last: ${installation.lastError ?? 'unknown'})`,
    };
  }
  if (!decision.trial) return { allowed: true, trial: false, reason: '' };
  // Conditional update on the state just read: of concurrent callers (on any instance) only one
  // wins the trial. For HALF_OPEN, circuitOpenedAt records when the trial started.
  const startedAt = new Date();
  const won = await em.nativeUpdate(
    Installation,
    { id: installation.id, circuitState: installation.circuitState, circuitOpenedAt: installation.circuitOpenedAt },
    { circuitState: 'HALF_OPEN', circuitOpenedAt: startedAt },
  );
  if (won !== 1)
    return { allowed: false, trial: false, reason: 'The circuit is half-open: a trial call is deciding it' };
  installation.circuitState = 'HALF_OPEN';
  installation.circuitOpenedAt = startedAt;
  publishInstallationEvent(platform.events, 'CIRCUIT_CHANGED', { id: installation.id, ownerId: installation.owner.id });
  return { allowed: true, trial: true, reason: '' };
}
