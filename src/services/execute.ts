import { LockMode } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import {
  Clip,
  Execution,
  Installation,
  KvEntry,
  PluginVersion,
  type ExecutionStatus,
  type ExecutionTrigger,
} from '../entities/index.ts';
import type { ExecutionKvRead } from '../entities/execution.ts';
import {
  admit,
  failedResult,
  normalizeLimits,
  recordOutcome,
  type CallResult,
  type CircuitSnapshot,
  type Permission,
} from '../runtime/index.ts';
import { getBlob } from './platform/index.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import { isPostgres } from './read/index.ts';
import type { ExecutionEventType } from './events.ts';
import { publishInstallationEvent } from './installations.ts';
import type { Platform } from './platform/index.ts';

/** Inputs are kept up to this size on the Execution row, so a call can be replayed. */
export const STORED_INPUT_BYTES = 64 * 1024;

export interface CallSpec {
  installationId: number;
  function: string;
  input: string;
  trigger: ExecutionTrigger;
  hook?: string | null;
  /** The clip the call is about, as plugins see it through `clip_get`. */
  clip?: Record<string, unknown> | null;
}

export interface CallOutcome {
  executionId: number;
  status: ExecutionStatus;
  errorCode: string | null;
  errorMessage: string | null;
  result: CallResult | null;
}

/** The installation was removed while one of its calls ran; the call's Execution went with it. */
export class UninstalledDuringCallError extends ConflictError {
  constructor() {
    super('The installation was uninstalled while the call ran; its execution record went with it');
  }
}

/** Runs of one call before a KV conflict with another process fails it (`PLUGIN_KV_CONFLICT`; SQLite only). */
export const KV_ATTEMPTS = 5;

const FAILURES = new Set<ExecutionStatus>(['FAILED', 'TIMED_OUT', 'FUEL_EXHAUSTED', 'MEMORY_EXCEEDED']);

function snapshotOf(i: Installation): CircuitSnapshot {
  return {
    state: i.circuitState,
    consecutiveFailures: i.consecutiveFailures,
    openedAt: i.circuitOpenedAt?.getTime() ?? null,
  };
}

/**
 * Runs one plugin call end to end: the breaker decides, an Execution row is written before the
 * call (RUNNING) and completed after it, KV writes of a successful call are applied with that
 * completion in one transaction, and every step is announced on `executionEvents`.
 */
export async function runCall(platform: Platform, spec: CallSpec): Promise<CallOutcome> {
  const em = platform.db.fork();
  const installation = await em.findOne(Installation, spec.installationId, { populate: ['version', 'plugin'] });
  if (!installation) throw new NotFoundError('Installation', spec.installationId);
  const version = installation.version.getEntity();
  const ownerId = installation.owner.id;
  const inputBytes = new TextEncoder().encode(spec.input);

  const gate = await passBreaker(em, platform, installation);
  const execution = em.create(Execution, {
    installation,
    version,
    clip: typeof spec.clip?.id === 'number' ? em.getReference(Clip, spec.clip.id) : null,
    trigger: spec.trigger,
    hook: spec.hook ?? null,
    function: spec.function,
    status: gate.allowed ? 'RUNNING' : 'REJECTED',
    inputSize: inputBytes.byteLength,
    input: truncateUtf8(spec.input, STORED_INPUT_BYTES),
    inputTruncated: inputBytes.byteLength > STORED_INPUT_BYTES,
    logs: [],
    ...(gate.allowed
      ? {}
      : { errorCode: 'PLUGIN_REJECTED', errorMessage: gate.reason, finishedAt: new Date(), durationMs: 0 }),
  });
  await em.flush();
  const announce = (
    type: ExecutionEventType,
    log?: { level: string; message: string; at: number },
    emitted?: { type: string; data: unknown },
  ) =>
    platform.events.publish('execution-events', ownerId, {
      type,
      executionId: execution.id,
      installationId: installation.id,
      ownerId,
      log,
      emitted,
    });
  if (!gate.allowed) {
    announce('REJECTED');
    return {
      executionId: execution.id,
      status: 'REJECTED',
      errorCode: 'PLUGIN_REJECTED',
      errorMessage: gate.reason,
      result: null,
    };
  }
  announce('STARTED');

  // KV writes are applied only over the state the call read. Calls of one installation in this
  // process take turns, so they never collide. A call that another instance's write overtook
  // runs again: on PostgreSQL holding the installation's row lock from its read to its commit,
  // so the second run always lands; on SQLite (one process owns the file) the conflict can only
  // come from another process, and the call is tried up to KV_ATTEMPTS times.
  const usesKv = installation.grantedPermissions.includes('kv');
  /** One run of the call in `tx`; null when KV moved under it and it must run again. */
  const runOnce = async (tx: SqlEntityManager, locked: boolean, last: boolean): Promise<CallResult | null> => {
    if (locked) await tx.lock(installation, LockMode.PESSIMISTIC_WRITE);
    // The revision first, the entries after: a write landing in between moves the revision,
    // so the check in `finish` sees it and this run is retried rather than applied.
    const revision = usesKv ? await readKvRevision(tx, installation.id) : 0;
    const kv = usesKv ? await readKv(tx, installation.id) : new Map<string, Uint8Array>();
    let result: CallResult;
    try {
      result = await platform.runtime.call({
        instanceKey: `installation:${installation.id}`,
        module: { sha256: version.preparedSha256, load: () => loadModule(platform, version) },
        function: spec.function,
        input: inputBytes,
        grants: installation.grantedPermissions as Permission[],
        limits: normalizeLimits({ fuel: version.limits.fuel, timeoutMs: version.limits.timeoutMs }),
        host: { config: installation.config, kv, clip: spec.clip ?? null },
        onLog: (line) => announce('LOG', line),
      });
    } catch (err) {
      // The runtime rejects only when it is closed (shutdown); the call is still recorded.
      platform.logger.error({ err, executionId: execution.id }, 'runtime failed');
      result = failedResult(
        'FAILED',
        'PLUGIN_REJECTED',
        `the runtime could not run the call: ${(err as Error).message}`,
      );
    }
    return (await finish(tx, platform, installation, execution, result, gate.trial, { revision, last }))
      ? result
      : null;
  };
  const runUntilApplied = async (): Promise<CallResult> => {
    for (let n = 1; ; n++) {
      const last = n === KV_ATTEMPTS;
      // The user's slot is taken outside any transaction, so a call waiting for one holds no
      // database connection or row lock.
      const result = await platform.perUser.run(String(ownerId), () =>
        n > 1 && isPostgres(em)
          ? em.transactional((tx) => runOnce(tx as SqlEntityManager, true, last))
          : runOnce(em, false, last),
      );
      if (result) return result;
      platform.logger.info({ executionId: execution.id, attempt: n }, 'KV changed during the call; running it again');
    }
  };
  const result = usesKv ? await platform.kvLock.run(String(installation.id), runUntilApplied) : await runUntilApplied();
  if (execution.status === 'SUCCEEDED') for (const emitted of result.events) announce('EMITTED', undefined, emitted);
  announce(execution.status as ExecutionEventType);
  return {
    executionId: execution.id,
    status: execution.status,
    errorCode: execution.errorCode ?? null,
    errorMessage: execution.errorMessage ?? null,
    result,
  };
}

async function readKvRevision(em: SqlEntityManager, installationId: number): Promise<number> {
  const [row] = await em.execute<{ kv_revision: number }[]>(
    em.getKnex()('installations').select('kv_revision').where('id', installationId),
  );
  if (!row) throw new UninstalledDuringCallError();
  return Number(row.kv_revision);
}

/** Read straight from the table, never from the identity map, so a retried attempt sees new state. */
async function readKv(em: SqlEntityManager, installationId: number): Promise<Map<string, Uint8Array>> {
  const rows = await em.execute<{ key: string; value: Buffer }[]>(
    em.getKnex()('kv_entries').select('key', 'value').where('installation_id', installationId),
  );
  return new Map(rows.map((row) => [row.key, new Uint8Array(row.value)]));
}

async function loadModule(platform: Platform, version: PluginVersion): Promise<Uint8Array> {
  const bytes = await getBlob(platform.db.fork(), version.preparedSha256, { verify: false });
  if (!bytes) throw new Error(`module ${version.preparedSha256} is missing from the blob store`);
  return bytes;
}

/** Decides whether the call may run; an open circuit past its cool-down admits exactly one trial. */
async function passBreaker(
  em: SqlEntityManager,
  platform: Platform,
  installation: Installation,
): Promise<{ allowed: boolean; trial: boolean; reason: string }> {
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

class KvConflict extends Error {}

/**
 * Completes the Execution row, applies a successful call's KV writes and moves the breaker, in
 * one transaction. Returns false, writing nothing, when KV changed since the call read it and
 * this was not the last attempt.
 */
async function finish(
  em: SqlEntityManager,
  platform: Platform,
  installation: Installation,
  execution: Execution,
  outcome: CallResult,
  trial: boolean,
  kv: { revision: number; last: boolean },
): Promise<boolean> {
  let result = outcome;
  const before = installation.circuitState;
  try {
    await em.transactional(async (tx) => {
      if (result.status === 'SUCCEEDED' && result.kvWrites.length > 0) {
        const moved = await tx.nativeUpdate(
          Installation,
          { id: installation.id, kvRevision: kv.revision },
          { kvRevision: kv.revision + 1 },
        );
        if (moved === 1) await applyKvWrites(tx as SqlEntityManager, installation, result);
        else if (!kv.last) throw new KvConflict();
        else
          result = failedResult(
            'FAILED',
            'PLUGIN_KV_CONFLICT',
            `the installation's KV store kept changing while the call ran (${KV_ATTEMPTS} attempts); its writes were discarded`,
          );
      }
      await complete(tx as SqlEntityManager, platform, installation, execution, result, trial);
    });
  } catch (err) {
    if (err instanceof KvConflict) return false;
    throw err;
  }
  if (installation.circuitState !== before || trial) {
    publishInstallationEvent(platform.events, 'CIRCUIT_CHANGED', {
      id: installation.id,
      ownerId: installation.owner.id,
    });
  }
  return true;
}

async function complete(
  tx: SqlEntityManager,
  platform: Platform,
  installation: Installation,
  execution: Execution,
  result: CallResult,
  trial: boolean,
): Promise<void> {
  const status = result.status as ExecutionStatus;
  Object.assign(execution, {
    status,
    durationMs: result.durationMs,
    fuelUsed: result.fuelUsed,
    peakMemoryBytes: result.peakMemoryBytes,
    outputSize: result.output?.byteLength ?? null,
    output: result.output ? Buffer.from(result.output).toString('utf8') : null,
    errorCode: result.error?.code ?? null,
    errorMessage: result.error?.message ?? null,
    logs: result.logs,
    logsTruncated: result.logsTruncated,
    ...recordedKvReads(result),
    finishedAt: new Date(),
  });
  // Re-read the breaker fields (locked on PostgreSQL; SQLite serialises writers) so that
  // concurrent calls of one installation count every failure.
  if (isPostgres(tx)) await tx.lock(installation, LockMode.PESSIMISTIC_WRITE);
  await tx.refresh(installation);
  const next = recordOutcome(
    { ...snapshotOf(installation), state: trial ? 'HALF_OPEN' : installation.circuitState },
    !FAILURES.has(status),
    Date.now(),
    platform.breaker,
  );
  installation.circuitState = next.state;
  installation.consecutiveFailures = next.consecutiveFailures;
  installation.circuitOpenedAt = next.openedAt === null ? null : new Date(next.openedAt);
  if (FAILURES.has(status))
    installation.lastError = `${result.error?.code ?? status}: ${result.error?.message ?? ''}`.slice(0, 1000);
  await tx.flush();
}

async function applyKvWrites(tx: SqlEntityManager, installation: Installation, result: CallResult): Promise<void> {
  for (const write of result.kvWrites) {
    const existing = await tx.findOne(KvEntry, { installation, key: write.key });
    if (write.value === null) {
      if (existing) tx.remove(existing);
    } else if (existing) {
      existing.value = Buffer.from(write.value);
      existing.sizeBytes = write.value.byteLength;
    } else {
      tx.create(KvEntry, {
        installation,
        key: write.key,
        value: Buffer.from(write.value),
        sizeBytes: write.value.byteLength,
      });
    }
  }
}

/** The call's KV reads as the Execution keeps them: whole entries, up to STORED_INPUT_BYTES in all. */
function recordedKvReads(result: CallResult): { kvReads: ExecutionKvRead[]; kvReadsTruncated: boolean } {
  const kvReads: ExecutionKvRead[] = [];
  let room = STORED_INPUT_BYTES;
  for (const read of result.kvReads) {
    const entry = { key: read.key, base64: read.value === null ? null : Buffer.from(read.value).toString('base64') };
    room -= Buffer.byteLength(entry.key) + (entry.base64?.length ?? 0);
    if (room < 0) return { kvReads, kvReadsTruncated: true };
    kvReads.push(entry);
  }
  return { kvReads, kvReadsTruncated: false };
}

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= maxBytes) return text;
  return new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, '');
}
