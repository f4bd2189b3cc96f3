import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Execution, ExecutionStatus, Installation } from '../../entities/index.ts';
import type { ExecutionKvRead } from '../../entities/execution.ts';
import { recordOutcome, type CallResult } from '../../runtime/index.ts';
import type { Platform } from '../platform/index.ts';
import { isPostgres } from '../read/index.ts';
import { FAILURES, snapshotOf } from './breaker.ts';
import { STORED_INPUT_BYTES } from './types.ts';

/** Completes the Execution row with the call's result and moves the breaker, inside `tx`. */
export async function complete(
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
    finishedAt: new Date(),
  });
  // Re-read the breaker fields (locked on PostgreSQL; SQLite serialises writers) so that
  // concurrent calls of one installation count every failure.
  const knex = tx.getKnex();
  const lookup = knex('installations').select('id').where('id', installation.id);
  const [alive] = await tx.execute(isPostgres(tx) ? lookup.forUpdate() : lookup);
  if (!alive) {
    // Uninstalled while the call ran: the execution stays, as the audit trail; no breaker to move.
    await tx.flush();
    return;
  }
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
    installation.lastError = storableText(
      `${result.error?.code ?? status}: ${result.error?.message ?? ''}`.slice(0, 1000),
    );
  await tx.flush();
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
