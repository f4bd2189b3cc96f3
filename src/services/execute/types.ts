import type { ExecutionStatus, ExecutionTrigger } from '../../entities/index.ts';
import type { CallResult } from '../../runtime/index.ts';
import type { ExecutionRecord } from '../read/index.ts';
import { ConflictError } from '../errors.ts';

/** Inputs are kept up to this size on the Execution row, so a call can be replayed. */
export const STORED_INPUT_BYTES = 64 * 1024;

/** Runs of one call before a KV conflict with another process fails it (`PLUGIN_KV_CONFLICT`; SQLite only). */
export const KV_ATTEMPTS = 5;

export interface CallSpec {
  installationId: number;
  function: string;
  input: string;
  trigger: ExecutionTrigger;
  hook?: string | null;
  /** The clip the call is about, as plugins see it through `clip_get`. */
  clip?: Record<string, unknown> | null;
  /** The schedule that started the call (trigger SCHEDULE). */
  scheduleId?: number | null;
}

export interface CallOutcome {
  executionId: number;
  status: ExecutionStatus;
  errorCode: string | null;
  errorMessage: string | null;
  /** The Execution as written. */
  record: ExecutionRecord;
  result: CallResult | null;
}

/** The installation was removed while one of its calls ran; the Execution is kept, FAILED. */
export class UninstalledDuringCallError extends ConflictError {
  constructor() {
    super('The installation was uninstalled while the call ran; its execution is recorded as FAILED (UNINSTALLED)');
  }
}

/** The error code of a call refused because its version was revoked (the kill switch). */
export const PLUGIN_REVOKED = 'PLUGIN_REVOKED';

/** Why a call of a revoked version is refused, as its Execution records it. */
export function revokedMessage(version: string, reason: string): string {
  return `Version ${version} was revoked by its publisher or an admin: ${reason}`;
}

/** The version was revoked while the call waited for its turn: it is refused, not run. */
export class RevokedBeforeRunError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}
