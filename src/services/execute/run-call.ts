import type { SqlEntityManager } from '@mikro-orm/knex';
import { Execution } from '../../entities/index.ts';
import { failedResult, normalizeLimits, type CallResult, type PackedKv, type Permission } from '../../runtime/index.ts';
import { NotFoundError } from '../errors.ts';
import type { ExecutionEventType } from '../events.ts';
import { getBlob, type Platform } from '../platform/index.ts';
import { groupCommitOf } from '../platform/commits.ts';
import { isPostgres, type ExecutionRecord } from '../read/index.ts';
import type { CallBatch } from './batch.ts';
import { passBreaker } from './breaker.ts';
import { loadKv } from './kv-store.ts';
import { finish, NO_KV, readKvRevision, type Finished } from './kv.ts';
import {
  insertExecutions,
  recordUsage,
  storableText,
  truncateUtf8,
  writeCompletions,
  type Completion,
} from './record.ts';
import { type CallTarget, type CallVersion, loadCallTarget } from './target.ts';
import {
  KV_ATTEMPTS,
  PLUGIN_REVOKED,
  RevokedBeforeRunError,
  revokedMessage,
  STORED_INPUT_BYTES,
  UninstalledDuringCallError,
  type CallOutcome,
  type CallSpec,
} from './types.ts';

type Announce = (
  type: ExecutionEventType,
  log?: { level: string; message: string; at: number },
  emitted?: { type: string; data: unknown },
) => void;

/**
 * Runs one plugin call end to end: the breaker decides, an Execution row is written before the
 * call (RUNNING) and completed after it, KV writes of a successful call are applied with that
 * completion in one transaction, and every step is announced on `executionEvents`.
 */
export async function runCall(platform: Platform, spec: CallSpec): Promise<CallOutcome> {
  const target = await loadCallTarget(platform.db.fork(), spec.installationId);
  if (!target) throw new NotFoundError('Installation', spec.installationId);
  return runLoadedCall(platform, target, spec);
}

/**
 * The RUNNING row of a call, in memory. A batch inserts the rows of all its calls before the
 * first runs, so the input is set again when the call starts (see `runLoadedCall`).
 */
export function newRecord(platform: Platform, target: CallTarget, spec: CallSpec): ExecutionRecord {
  return {
    id: 0,
    installationId: target.installation.id,
    ownerId: target.ownerId,
    versionId: target.version.id,
    clipId: typeof spec.clip?.id === 'number' ? spec.clip.id : null,
    scheduleId: spec.scheduleId ?? null,
    trigger: spec.trigger,
    hook: spec.hook ?? null,
    function: spec.function,
    status: 'RUNNING',
    durationMs: null,
    fuelUsed: null,
    peakMemoryBytes: null,
    ...storedInput(spec.input),
    outputSize: null,
    output: null,
    errorCode: null,
    errorMessage: null,
    logs: [],
    logsTruncated: false,
    kvReads: null,
    kvReadsTruncated: false,
    httpRequests: null,
    instanceId: platform.instanceId,
    createdAt: new Date(),
    finishedAt: null,
  };
}

function storedInput(input: string): Pick<ExecutionRecord, 'input' | 'inputSize' | 'inputTruncated'> {
  const inputSize = Buffer.byteLength(input);
  return {
    inputSize,
    input: storableText(truncateUtf8(input, STORED_INPUT_BYTES)),
    inputTruncated: inputSize > STORED_INPUT_BYTES,
  };
}

/**
 * Runs a call of an installation the caller has loaded. Alone, it inserts its own row (one
 * statement) and completes it through the group commit; in a `batch`, `started` is its row,
 * inserted with the batch's, and the completion and terminal events wait for the batch's write
 * (unless KV writes must be applied, which commit at once).
 */
export async function runLoadedCall(
  platform: Platform,
  target: CallTarget,
  spec: CallSpec,
  inBatch?: { batch: CallBatch; started: ExecutionRecord },
): Promise<CallOutcome> {
  const batch = inBatch?.batch ?? null;
  const record = inBatch ? Object.assign(inBatch.started, storedInput(spec.input)) : newRecord(platform, target, spec);
  const completion: Completion = { record, installation: target.installation, trial: false, ran: true };
  const announce = announcer(platform, target, record);
  /** Records the call as REJECTED without running it; `inserted` when its own row is already written. */
  const reject = async (code: string, message: string, inserted: boolean) => {
    Object.assign(record, { status: 'REJECTED', errorCode: code, errorMessage: message, finishedAt: new Date() });
    record.durationMs ??= 0;
    if (batch) {
      batch.complete({ ...completion, ran: false });
      batch.announce(() => announce('REJECTED'));
    } else {
      // Already complete: the row and its count in the usage rollup go in together.
      await groupCommitOf(platform.db).submit(async (tx) => {
        if (inserted) await writeCompletions(tx, platform, [{ ...completion, ran: false }]);
        else {
          await insertRecord(tx, record);
          await recordUsage(tx, [completion]);
        }
      });
      announce('REJECTED');
    }
    report(platform, target, record);
    return outcomeOf(record, null);
  };
  // The kill switch is one map look-up per call, before the breaker (a revoked call is no trial).
  const revoked = platform.revocations.reasonFor(target.version.id);
  if (revoked !== undefined) return reject(PLUGIN_REVOKED, revokedMessage(target.version.version, revoked), false);
  const gate = await passBreaker(target.em, platform, target.installation);
  if (!gate.allowed) return reject('PLUGIN_REJECTED', gate.reason, false);
  completion.trial = gate.trial;
  if (!batch) await insertRecord(target.em, record);
  announce('STARTED');
  let done: { finished: Finished; result: CallResult };
  try {
    done = await runToCommit(platform, target, spec, completion, announce, batch);
  } catch (err) {
    if (err instanceof RevokedBeforeRunError)
      return reject(PLUGIN_REVOKED, revokedMessage(target.version.version, err.reason), true);
    if (batch) {
      abandoned(record, err);
      batch.complete({ ...completion, ran: false });
      batch.announce(() => announce('FAILED'));
    } else {
      await abandon(platform, completion, err);
      announce('FAILED');
    }
    report(platform, target, record);
    throw err;
  }
  const { result } = done;
  const status = record.status;
  const terminal = () => {
    if (status === 'SUCCEEDED') for (const emitted of result.events) announce('EMITTED', undefined, emitted);
    announce(status as ExecutionEventType);
  };
  if (done.finished === 'deferred') batch?.announce(terminal);
  else terminal();
  report(platform, target, record);
  return outcomeOf(record, result);
}

/** Tells the platform's observer (logs, metrics) how a call of `slug`'s `version` ended. */
export function reportExecution(platform: Platform, slug: string, version: string, record: ExecutionRecord): void {
  if (!platform.onExecution) return;
  try {
    platform.onExecution({
      executionId: record.id,
      plugin: slug,
      version,
      function: record.function,
      hook: record.hook,
      trigger: record.trigger,
      status: record.status,
      errorCode: record.errorCode,
      durationMs: record.durationMs,
      fuelUsed: record.fuelUsed,
      peakMemoryBytes: record.peakMemoryBytes,
    });
  } catch (err) {
    platform.logger.error({ err }, 'the execution observer failed');
  }
}

const report = (platform: Platform, { slug, version }: CallTarget, record: ExecutionRecord) =>
  reportExecution(platform, slug, version.version, record);

/** Writes a call's row in one statement, outside any transaction, and gives it its id. */
async function insertRecord(em: SqlEntityManager, record: ExecutionRecord): Promise<void> {
  [record.id] = await insertExecutions(em, [record]);
}

function announcer(platform: Platform, { installation, ownerId }: CallTarget, record: ExecutionRecord): Announce {
  return (type, log, emitted) =>
    platform.events.publish('execution-events', ownerId, {
      type,
      executionId: record.id,
      installationId: installation.id,
      ownerId,
      log,
      emitted,
    });
}

/**
 * Runs the call until its outcome is committed (or handed to its batch). KV writes are applied
 * only over the state the call read. Calls of one installation in this process take turns, so
 * they never collide. A call that another instance's write overtook runs again: on PostgreSQL
 * holding the installation's row lock from its read to its commit, so the second run always
 * lands; on SQLite (one process owns the file) the conflict can only come from another process,
 * and the call is tried up to KV_ATTEMPTS times.
 */
async function runToCommit(
  platform: Platform,
  target: CallTarget,
  spec: CallSpec,
  completion: Completion,
  announce: Announce,
  batch: CallBatch | null,
): Promise<{ finished: Finished; result: CallResult }> {
  const { em, installation, ownerId } = target;
  const usesKv = installation.grantedPermissions.includes('kv');
  const input = new TextEncoder().encode(spec.input);
  const attempt: Attempt = { platform, target, spec, input, completion, announce, usesKv, batch };
  const runUntilApplied = async () => {
    for (let n = 1; ; n++) {
      const last = n === KV_ATTEMPTS;
      // The user's slot is taken outside any transaction, so a call waiting for one holds no
      // database connection or row lock.
      const done = await platform.perUser.run(String(ownerId), () =>
        n > 1 && isPostgres(em)
          ? em.transactional((tx) => runOnce(attempt, tx as SqlEntityManager, true, last))
          : runOnce(attempt, em, false, last),
      );
      if (done.finished !== 'conflict') return done;
      platform.logger.info(
        { executionId: completion.record.id, attempt: n },
        'KV changed during the call; running it again',
      );
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
  completion: Completion;
  announce: Announce;
  usesKv: boolean;
  batch: CallBatch | null;
}

/** One run of the call (in `tx` when `locked`); 'conflict' when KV moved under it and it must run again. */
async function runOnce(attempt: Attempt, em: SqlEntityManager, locked: boolean, last: boolean) {
  const { platform, target, completion, usesKv, batch } = attempt;
  const { installation } = target;
  // Revoked while this call waited for its user's slot or its installation's KV turn: not run.
  const revoked = platform.revocations.reasonFor(target.version.id);
  if (revoked !== undefined) throw new RevokedBeforeRunError(revoked);
  if (locked) await em.execute('select "id" from "installations" where "id" = ? for update', [installation.id]);
  // The revision first, the entries after: a write landing in between moves the revision,
  // so the check in `finish` sees it and this run is retried rather than applied.
  const revision = usesKv ? await readKvRevision(em, installation.id) : 0;
  const kv = usesKv ? await loadKv(platform.db, em, installation.id, revision) : NO_KV;
  const result = await invokeRuntime(attempt, kv);
  return finish(locked ? em : null, platform, completion, result, { revision, kv, last }, batch);
}

async function invokeRuntime(
  { platform, target, spec, input, completion, announce }: Attempt,
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
    platform.logger.error({ err, executionId: completion.record.id }, 'runtime failed');
    return failedResult('FAILED', 'PLUGIN_REJECTED', `the runtime could not run the call: ${(err as Error).message}`);
  }
}

async function loadModule(platform: Platform, version: CallVersion): Promise<Uint8Array> {
  const bytes = await getBlob(platform.db.fork(), version.preparedSha256, { verify: false });
  if (!bytes) throw new Error(`module ${version.preparedSha256} is missing from the blob store`);
  return bytes;
}

/** The record of a call whose outcome could not be committed, in memory. */
function abandoned(record: ExecutionRecord, err: unknown): void {
  const uninstalled = err instanceof UninstalledDuringCallError;
  Object.assign(record, {
    status: 'FAILED',
    errorCode: uninstalled ? 'UNINSTALLED' : 'RECORD_FAILED',
    errorMessage: uninstalled
      ? 'The installation was uninstalled while the call ran'
      : 'The outcome of the call could not be recorded',
    finishedAt: new Date(),
  });
}

/**
 * Completes the row of a call whose outcome could not be committed, so that no error path
 * leaves an Execution RUNNING (a crash is covered by the instance sweep instead).
 */
async function abandon(platform: Platform, completion: Completion, err: unknown): Promise<void> {
  const { record } = completion;
  if (!(err instanceof UninstalledDuringCallError))
    platform.logger.error({ err, executionId: record.id }, 'could not record a call');
  abandoned(record, err);
  try {
    await platform.db.fork().transactional(async (tx) => {
      const completed = await tx.nativeUpdate(
        Execution,
        { id: record.id, status: { $in: ['QUEUED', 'RUNNING'] } },
        {
          status: 'FAILED',
          errorCode: record.errorCode,
          errorMessage: record.errorMessage,
          finishedAt: record.finishedAt,
        },
      );
      if (completed > 0) await recordUsage(tx as SqlEntityManager, [completion]);
    });
  } catch (again) {
    platform.logger.error({ err: again, executionId: record.id }, 'could not complete an execution');
  }
}

function outcomeOf(record: ExecutionRecord, result: CallResult | null): CallOutcome {
  return {
    executionId: record.id,
    status: record.status,
    errorCode: record.errorCode,
    errorMessage: record.errorMessage,
    record,
    result,
  };
}
