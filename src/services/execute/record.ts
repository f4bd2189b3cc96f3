import type { SqlEntityManager } from '@mikro-orm/knex';
import type { ExecutionStatus } from '../../entities/index.ts';
import type { ExecutionHttpRequest, ExecutionKvRead } from '../../entities/execution.ts';
import type { CallResult } from '../../runtime/index.ts';
import type { Platform } from '../platform/index.ts';
import { atBatchEnd } from '../platform/group-commit.ts';
import { dialectOf, quoted, runSql, sqlText, valueRows } from '../platform/sql-text.ts';
import { isPostgres, type ExecutionRecord, type InstallationRecord } from '../read/index.ts';
import { writeRollup, type FinishedCall } from '../stats/index.ts';
import { FAILURES } from './breaker.ts';
import { STORED_INPUT_BYTES } from './types.ts';

/** An Execution row whose outcome is known, waiting to be written with others. */
export interface Completion {
  record: ExecutionRecord;
  installation: InstallationRecord;
  /** The call decided a half-open circuit. */
  trial: boolean;
  /** It ran (a REJECTED or abandoned call leaves the breaker alone). */
  ran: boolean;
}

/** Fills `record` in memory with the call's result. */
export function applyResult(record: ExecutionRecord, result: CallResult): void {
  Object.assign(record, {
    status: result.status as ExecutionStatus,
    durationMs: result.durationMs,
    fuelUsed: result.fuelUsed,
    peakMemoryBytes: result.peakMemoryBytes,
    outputSize: result.output?.byteLength ?? null,
    // Bytes as returned: plugin output may be anything, which no text column carries on both backends.
    output: result.output ? Buffer.from(result.output) : null,
    errorCode: result.error?.code ?? null,
    errorMessage: result.error ? storableText(result.error.message) : null,
    logs: result.logs.map((line) => ({
      ...line,
      level: storableText(line.level),
      message: storableText(line.message),
    })),
    logsTruncated: result.logsTruncated,
    ...recordedKvReads(result),
    httpRequests: recordedHttp(result),
    finishedAt: new Date(),
  });
}

/** An Execution record as a row of `executions`, bound as both backends store it. */
export function executionRow(tx: SqlEntityManager, r: ExecutionRecord, withId: boolean): ExecutionRow {
  const date = (d: Date | null) => (d === null ? null : tx.getPlatform().processDateProperty(d));
  return {
    ...(withId ? { id: r.id } : {}),
    installation_id: r.installationId,
    owner_id: r.ownerId,
    version_id: r.versionId,
    clip_id: r.clipId,
    schedule_id: r.scheduleId,
    trigger: r.trigger,
    hook: r.hook,
    function: r.function,
    status: r.status,
    duration_ms: r.durationMs,
    fuel_used: r.fuelUsed,
    peak_memory_bytes: r.peakMemoryBytes,
    input_size: r.inputSize,
    input: r.input,
    input_truncated: r.inputTruncated,
    output_size: r.outputSize,
    output: r.output === null ? null : Buffer.from(r.output),
    error_code: r.errorCode,
    error_message: r.errorMessage,
    logs: JSON.stringify(r.logs),
    logs_truncated: r.logsTruncated,
    kv_reads: r.kvReads === null ? null : JSON.stringify(r.kvReads),
    kv_reads_truncated: r.kvReadsTruncated,
    http_requests: r.httpRequests === null ? null : JSON.stringify(r.httpRequests),
    instance_id: r.instanceId,
    created_at: date(r.createdAt),
    finished_at: date(r.finishedAt),
  };
}

/** The columns fixed when the RUNNING row is written. */
const WRITTEN_AT_START = [
  'installation_id',
  'owner_id',
  'version_id',
  'clip_id',
  'schedule_id',
  'trigger',
  'hook',
  'function',
  'instance_id',
  'created_at',
] as const;

/** The columns a completion writes: all the others. */
const COMPLETED = [
  'status',
  'duration_ms',
  'fuel_used',
  'peak_memory_bytes',
  'input_size',
  'input',
  'input_truncated',
  'output_size',
  'output',
  'error_code',
  'error_message',
  'logs',
  'logs_truncated',
  'kv_reads',
  'kv_reads_truncated',
  'http_requests',
  'finished_at',
] as const;

/**
 * The columns of `executionRow` without the id, in the order the call path binds them. The row's
 * type is derived from this list, so a column added to the row and to neither list does not compile.
 */
const ROW_COLUMNS = [...WRITTEN_AT_START, ...COMPLETED] as const;

type ExecutionRow = { [column in (typeof ROW_COLUMNS)[number]]: unknown } & { id?: number };

/**
 * Inserts RUNNING rows in one statement (its SQL text kept per dialect and row count) and
 * returns their ids, in the order the database numbered them.
 */
export async function insertExecutions(em: SqlEntityManager, records: ExecutionRecord[]): Promise<number[]> {
  const values: unknown[] = [];
  for (const record of records) {
    const row = executionRow(em, record, false);
    for (const c of ROW_COLUMNS) values.push(row[c]);
  }
  const sql = sqlText(
    `executions-insert:${dialectOf(em)}:${records.length}`,
    () =>
      `insert into "executions" (${ROW_COLUMNS.map(quoted).join(', ')}) values ${valueRows(ROW_COLUMNS.length, records.length)} returning "id"`,
  );
  const rows = await runSql<{ id: number }>(em, sql, values);
  return rows.map((row) => Number(row.id));
}

/** Rows per completion statement, well under both backends' bound-parameter limits. */
const ROWS_PER_STATEMENT = 500;

/** The completions as the usage rollup counts them. */
export const finishedCalls = (completions: Completion[]): FinishedCall[] =>
  completions.map((c) => ({ pluginId: c.installation.pluginId, record: c.record }));

/**
 * Adds finished calls to the usage rollup in `tx`: with the rest of its group-commit batch (one
 * upsert for the whole batch) when `tx` is a unit's, else at once.
 */
export const recordUsage = (tx: SqlEntityManager, completions: Completion[]) =>
  atBatchEnd(tx, writeRollup, finishedCalls(completions));

/**
 * Writes completed Execution rows and moves their installations' breakers, inside `tx`, in a
 * number of statements that does not depend on how many there are: one update (or, for several
 * rows, one upsert on the primary key) for the rows, one conditional update closing the breakers
 * of the calls that succeeded, one counting the failures of those that failed, and the usage
 * rollup (one upsert, shared with the rest of the group-commit batch). The breaker
 * updates compute the next state from the row as it is when they run (`consecutive_failures + 1`),
 * so concurrent calls on any instance count every failure without reading the row first.
 * Returns the installations whose circuit moved.
 */
export async function writeCompletions(
  tx: SqlEntityManager,
  platform: Platform,
  completions: Completion[],
): Promise<InstallationRecord[]> {
  if (completions.length === 0) return [];
  const knex = tx.getKnex();
  const dialect = dialectOf(tx);
  if (completions.length === 1) {
    const row = executionRow(tx, completions[0].record, false);
    const values: unknown[] = COMPLETED.map((c) => row[c]);
    values.push(completions[0].record.id);
    await runSql(
      tx,
      sqlText(
        'executions-complete',
        () => `update "executions" set ${COMPLETED.map((c) => `${quoted(c)} = ?`).join(', ')} where "id" = ?`,
      ),
      values,
    );
  } else {
    for (let i = 0; i < completions.length; i += ROWS_PER_STATEMENT) {
      const chunk = completions.slice(i, i + ROWS_PER_STATEMENT);
      const values: unknown[] = [];
      for (const c of chunk) {
        const row = executionRow(tx, c.record, true);
        values.push(row.id);
        for (const column of ROW_COLUMNS) values.push(row[column]);
      }
      const sql = sqlText(
        `executions-upsert:${dialect}:${chunk.length}`,
        () =>
          `insert into "executions" ("id", ${ROW_COLUMNS.map(quoted).join(', ')}) values ${valueRows(ROW_COLUMNS.length + 1, chunk.length)} on conflict ("id") do update set ${COMPLETED.map((c) => `${quoted(c)} = excluded.${quoted(c)}`).join(', ')}`,
      );
      await runSql(tx, sql, values);
    }
  }
  const ran = completions.filter((c) => c.ran);
  const moved: InstallationRecord[] = [];
  const now = new Date();
  const boundNow = tx.getPlatform().processDateProperty(now);
  const succeeded = ran.filter((c) => !FAILURES.has(c.record.status));
  if (succeeded.length > 0) {
    // Changes only rows not already closed with no failures (the usual case writes nothing).
    await runSql(
      tx,
      sqlText(
        `breaker-close:${dialect}:${succeeded.length}`,
        () =>
          `update "installations" set "circuit_state" = 'CLOSED', "consecutive_failures" = 0, "circuit_opened_at" = null, "updated_at" = ? where "id" in (${succeeded.map(() => '?').join(', ')}) and ("circuit_state" <> 'CLOSED' or "consecutive_failures" <> 0)`,
      ),
      [boundNow, ...succeeded.map((c) => c.installation.id)],
    );
    for (const { installation, trial } of succeeded) {
      if (trial || installation.circuitState !== 'CLOSED') moved.push(installation);
      Object.assign(installation, { circuitState: 'CLOSED', consecutiveFailures: 0, circuitOpenedAt: null });
    }
  }
  const failed = ran.filter((c) => FAILURES.has(c.record.status));
  if (failed.length > 0) {
    const ids = failed.map((c) => c.installation.id);
    const trials = failed.filter((c) => c.trial).map((c) => c.installation.id);
    const trialSql = trials.length > 0 ? `id in (${trials.map(() => '?').join(', ')}) or ` : '';
    // A failed trial, or a failure while another call's trial runs, re-opens at once; otherwise
    // the circuit opens on reaching the threshold (`recordOutcome` in the runtime, in SQL).
    const opens = knex.raw(`(${trialSql}circuit_state = 'HALF_OPEN' or consecutive_failures + 1 >= ?)`, [
      ...trials,
      platform.breaker.failureThreshold,
    ]);
    const lastError = knex.raw(
      `case id ${failed.map(() => 'when ? then ?').join(' ')} end`,
      failed.flatMap((c) => [
        c.installation.id,
        storableText(`${c.record.errorCode ?? c.record.status}: ${c.record.errorMessage ?? ''}`.slice(0, 1000)),
      ]),
    );
    const rows = await tx.execute<
      { id: number; circuit_state: InstallationRecord['circuitState']; consecutive_failures: number }[]
    >(
      knex('installations')
        .update({
          consecutive_failures: knex.raw('consecutive_failures + 1'),
          circuit_state: knex.raw(`case when ? then 'OPEN' else 'CLOSED' end`, [opens]),
          circuit_opened_at: knex.raw(`case when ? then ${isPostgres(tx) ? '?::timestamptz' : '?'} else null end`, [
            opens,
            boundNow,
          ]),
          last_error: lastError,
          updated_at: boundNow,
        })
        .whereIn('id', ids)
        .returning(['id', 'circuit_state', 'consecutive_failures']),
    );
    const byId = new Map(rows.map((row) => [Number(row.id), row]));
    for (const { installation, trial } of failed) {
      const row = byId.get(installation.id);
      if (!row) continue; // uninstalled while the call ran: the execution stays, as the audit trail
      if (trial || row.circuit_state !== installation.circuitState) moved.push(installation);
      Object.assign(installation, {
        circuitState: row.circuit_state,
        consecutiveFailures: Number(row.consecutive_failures),
        circuitOpenedAt: row.circuit_state === 'OPEN' ? now : null,
      });
    }
  }
  // Last, after the breakers: every writer locks installations before rollup rows.
  await recordUsage(tx, completions);
  return moved;
}

/** The call's KV reads as the Execution keeps them: whole entries, up to STORED_INPUT_BYTES in all. */
function recordedKvReads(result: CallResult): { kvReads: ExecutionKvRead[]; kvReadsTruncated: boolean } {
  const kvReads: ExecutionKvRead[] = [];
  let room = STORED_INPUT_BYTES;
  for (const read of result.kvReads) {
    const entry = {
      key: storableText(read.key),
      base64: read.value === null ? null : Buffer.from(read.value).toString('base64'),
    };
    room -= Buffer.byteLength(entry.key) + (entry.base64?.length ?? 0);
    if (room < 0) return { kvReads, kvReadsTruncated: true };
    kvReads.push(entry);
  }
  return { kvReads, kvReadsTruncated: false };
}

/** The call's outbound requests as the Execution keeps them (bodies as the runtime capped them). */
function recordedHttp(result: CallResult): ExecutionHttpRequest[] | null {
  if (result.httpRequests.length === 0) return null;
  return result.httpRequests.map((x) => ({
    method: x.method,
    url: storableText(x.url),
    status: x.status,
    requestBytes: x.requestBytes,
    responseBytes: x.responseBytes,
    durationMs: x.durationMs,
    redirects: x.redirects,
    errorCode: x.error?.code ?? null,
    errorMessage: x.error ? storableText(x.error.message) : null,
    responseHeaders: Object.fromEntries(
      Object.entries(x.responseHeaders).map(([k, v]) => [storableText(k), storableText(v)]),
    ),
    responseBase64: x.responseBody ? Buffer.from(x.responseBody).toString('base64') : null,
    responseTruncated: x.responseBodyTruncated,
  }));
}

/**
 * Text as every column we write can hold it: PostgreSQL text and jsonb refuse NUL, and jsonb
 * refuses lone surrogates, so both become U+FFFD.
 */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must be replaced
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= maxBytes) return text;
  return new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, '');
}
