import { LockMode } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { Clip, Execution, Installation, User, type PluginVersion } from '../../entities/index.ts';
import { failedResult, normalizeLimits, type CallResult, type PackedKv, type Permission } from '../../runtime/index.ts';
import { NotFoundError } from '../errors.ts';
import type { ExecutionEventType } from '../events.ts';
import { getBlob, type Platform } from '../platform/index.ts';
import { isPostgres } from '../read/index.ts';
import { passBreaker, type Gate } from './breaker.ts';
import { loadKv } from './kv-store.ts';
import { finish, NO_KV, readKvRevision } from './kv.ts';
import { storableText, truncateUtf8 } from './record.ts';
import {
  KV_ATTEMPTS,
  STORED_INPUT_BYTES,
  UninstalledDuringCallError,
  type CallOutcome,
  type CallSpec,
} from './types.ts';

/** An installation loaded for a call, with the version it runs. */
export interface CallTarget {
  em: SqlEntityManager;
  installation: Installation;
  version: PluginVersion;
  ownerId: number;
}

type Announce = (
  type: ExecutionEventType,
  log?: { level: string; message: string; at: number },
  emitted?: { type: string; data: unknown },
) => void;

export async function loadCallTarget(platform: Platform, installationId: number): Promise<CallTarget | null> {
  const em = platform.db.fork();
  const installation = await em.findOne(Installation, installationId, { populate: ['version', 'plugin'] });
  if (!installation) return null;
  return { em, installation, version: installation.version.getEntity(), ownerId: installation.owner.id };
}

/**
 * Runs one plugin call end to end: the breaker decides, an Execution row is written before the
 * call (RUNNING) and completed after it, KV writes of a successful call are applied with that
 * completion in one transaction, and every step is announced on `executionEvents`.
 */
export async function runCall(platform: Platform, spec: CallSpec): Promise<CallOutcome> {
  const target = await loadCallTarget(platform, spec.installationId);
  if (!target) throw new NotFoundError('Installation', spec.installationId);
  return runLoadedCall(platform, target, spec);
}

export async function runLoadedCall(platform: Platform, target: CallTarget, spec: CallSpec): Promise<CallOutcome> {
  const gate = await passBreaker(target.em, platform, target.installation);
  const execution = await recordStart(platform, target, spec, gate);
  const announce = announcer(platform, target, execution);
  if (!gate.allowed) {
    announce('REJECTED');
    return outcomeOf(execution, null);
  }
  announce('STARTED');
  let result: CallResult;
  try {
    result = await runToCommit(platform, target, spec, execution, gate.trial, announce);
  } catch (err) {
    await abandon(platform, execution, err);
    announce('FAILED');
    throw err;
  }
  if (execution.status === 'SUCCEEDED') for (const emitted of result.events) announce('EMITTED', undefined, emitted);
  announce(execution.status as ExecutionEventType);
  return outcomeOf(execution, result);
}

/** Writes the Execution row: RUNNING, or already complete when the breaker refused the call. */
async function recordStart(platform: Platform, target: CallTarget, spec: CallSpec, gate: Gate): Promise<Execution> {
  const { em, installation, version } = target;
  const inputSize = Buffer.byteLength(spec.input);
  const execution = em.create(Execution, {
    installation,
    owner: em.getReference(User, target.ownerId),
    instanceId: platform.instanceId,
    version,
    clip: typeof spec.clip?.id === 'number' ? em.getReference(Clip, spec.clip.id) : null,
    trigger: spec.trigger,
    hook: spec.hook ?? null,
    function: spec.function,
    status: gate.allowed ? 'RUNNING' : 'REJECTED',
    inputSize,
    input: storableText(truncateUtf8(spec.input, STORED_INPUT_BYTES)),
    inputTruncated: inputSize > STORED_INPUT_BYTES,
    logs: [],
    ...(gate.allowed
      ? {}
      : { errorCode: 'PLUGIN_REJECTED', errorMessage: gate.reason, finishedAt: new Date(), durationMs: 0 }),
  });
  await em.flush();
  return execution;
}

function announcer(platform: Platform, { installation, ownerId }: CallTarget, execution: Execution): Announce {
  return (type, log, emitted) =>
    platform.events.publish('execution-events', ownerId, {
      type,
      executionId: execution.id,
      installationId: installation.id,
      ownerId,
      log,
      emitted,
    });
}

/**
 * Runs the call until its outcome is committed. KV writes are applied only over the state the
 * call read. Calls of one installation in this process take turns, so they never collide. A
 * call that another instance's write overtook runs again: on PostgreSQL holding the
 * installation's row lock from its read to its commit, so the second run always lands; on
 * SQLite (one process owns the file) the conflict can only come from another process, and the
 * call is tried up to KV_ATTEMPTS times.
 */
async function runToCommit(
  platform: Platform,
  target: CallTarget,
  spec: CallSpec,
  execution: Execution,
  trial: boolean,
  announce: Announce,
): Promise<CallResult> {
  const { em, installation, ownerId } = target;
  const usesKv = installation.grantedPermissions.includes('kv');
  const input = new TextEncoder().encode(spec.input);
  const attempt = { platform, target, spec, input, execution, trial, announce, usesKv };
  const runUntilApplied = async (): Promise<CallResult> => {
    for (let n = 1; ; n++) {
      const last = n === KV_ATTEMPTS;
      // The user's slot is taken outside any transaction, so a call waiting for one holds no
      // database connection or row lock.
      const result = await platform.perUser.run(String(ownerId), () =>
        n > 1 && isPostgres(em)
          ? em.transactional((tx) => runOnce(attempt, tx as SqlEntityManager, true, last))
          : runOnce(attempt, em, false, last),
      );
      if (result) return result;
      platform.logger.info({ executionId: execution.id, attempt: n }, 'KV changed during the call; running it again');
    }
  };
  return usesKv ? platform.kvLock.run(String(installation.id), runUntilApplied) : runUntilApplied();
}

interface Attempt {
  platform: Platform;
  target: CallTarget;
  spec: CallSpec;
  /** `spec.input` encoded once for every run. */
  input: Uint8Array;
  execution: Execution;
  trial: boolean;
  announce: Announce;
  usesKv: boolean;
}

/** One run of the call in `tx`; null when KV moved under it and it must run again. */
async function runOnce(attempt: Attempt, tx: SqlEntityManager, locked: boolean, last: boolean) {
  const { platform, target, execution, trial, usesKv } = attempt;
  const { installation } = target;
  if (locked) await tx.lock(installation, LockMode.PESSIMISTIC_WRITE);
  // The revision first, the entries after: a write landing in between moves the revision,
  // so the check in `finish` sees it and this run is retried rather than applied.
  const revision = usesKv ? await readKvRevision(tx, installation.id) : 0;
  const kv = usesKv ? await loadKv(platform.db, tx, installation.id, revision) : NO_KV;
  const result = await invokeRuntime(attempt, kv);
  return (await finish(tx, platform, installation, execution, result, trial, { revision, kv, last })) ? result : null;
}

async function invokeRuntime(
  { platform, target, spec, input, execution, announce }: Attempt,
  kv: PackedKv,
): Promise<CallResult> {
  const { installation, version } = target;
  try {
    return await platform.runtime.call({
      instanceKey: `installation:${installation.id}`,
      module: { sha256: version.preparedSha256, load: () => loadModule(platform, version) },
      function: spec.function,
      input,
      grants: installation.grantedPermissions as Permission[],
      limits: normalizeLimits({ fuel: version.limits.fuel, timeoutMs: version.limits.timeoutMs }),
      host: { config: installation.config, kv, clip: spec.clip ?? null },
      onLog: (line) => announce('LOG', line),
    });
  } catch (err) {
    // The runtime rejects only when it is closed (shutdown); the call is still recorded.
    platform.logger.error({ err, executionId: execution.id }, 'runtime failed');
    return failedResult('FAILED', 'PLUGIN_REJECTED', `the runtime could not run the call: ${(err as Error).message}`);
  }
}

async function loadModule(platform: Platform, version: PluginVersion): Promise<Uint8Array> {
  const bytes = await getBlob(platform.db.fork(), version.preparedSha256, { verify: false });
  if (!bytes) throw new Error(`module ${version.preparedSha256} is missing from the blob store`);
  return bytes;
}

/**
 * Completes the row of a call whose outcome could not be committed, so that no error path
 * leaves an Execution RUNNING (a crash is covered by the instance sweep instead).
 */
async function abandon(platform: Platform, execution: Execution, err: unknown): Promise<void> {
  const uninstalled = err instanceof UninstalledDuringCallError;
  if (!uninstalled) platform.logger.error({ err, executionId: execution.id }, 'could not record a call');
  try {
    await platform.db.fork().nativeUpdate(
      Execution,
      { id: execution.id, status: { $in: ['QUEUED', 'RUNNING'] } },
      {
        status: 'FAILED',
        errorCode: uninstalled ? 'UNINSTALLED' : 'RECORD_FAILED',
        errorMessage: uninstalled
          ? 'The installation was uninstalled while the call ran'
          : 'The outcome of the call could not be recorded',
        finishedAt: new Date(),
      },
    );
  } catch (again) {
    platform.logger.error({ err: again, executionId: execution.id }, 'could not complete an execution');
  }
  execution.status = 'FAILED';
}

function outcomeOf(execution: Execution, result: CallResult | null): CallOutcome {
  return {
    executionId: execution.id,
    status: execution.status,
    errorCode: execution.errorCode ?? null,
    errorMessage: execution.errorMessage ?? null,
    result,
  };
}
