import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Installation } from '../../entities/index.ts';
import { publishInstallationEvent } from '../events.ts';
import type { Platform } from '../platform/index.ts';
import type { ExecutionRecord } from '../read/index.ts';
import { executionRow, writeCompletions, type Completion } from './record.ts';

/**
 * The calls of one operation (a clip's hooks) recorded together at a constant cost: their
 * RUNNING rows go in with one multi-row insert (`start`), and their completions, breaker moves
 * and the operation's own write in one transaction (`write`), after which `publish` sends the
 * calls' terminal events. Rows started for calls that never ran (after a CRITICAL failure) are
 * deleted by `write`: a call not made has no Execution.
 */
export class CallBatch {
  private readonly started = new Map<number, ExecutionRecord>();
  private readonly completions: Completion[] = [];
  private readonly announcements: (() => void)[] = [];
  private moved: Installation[] = [];

  constructor(private readonly platform: Platform) {}

  /** Inserts the RUNNING rows of `records` in one statement and gives them their ids. */
  async start(em: SqlEntityManager, records: ExecutionRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = await em.execute<{ id: number }[]>(
      em
        .getKnex()('executions')
        .insert(records.map((r) => executionRow(em, r, false)))
        .returning('id'),
    );
    if (rows.length !== records.length) throw new Error(`inserted ${rows.length} of ${records.length} executions`);
    // Both backends number the rows of one insert in order.
    const ids = rows.map((row) => Number(row.id)).sort((a, b) => a - b);
    for (const [i, record] of records.entries()) {
      record.id = ids[i];
      this.started.set(record.id, record);
    }
  }

  /** The call of a started row has its outcome: it is written by `write`. */
  complete(completion: Completion): void {
    this.started.delete(completion.record.id);
    this.completions.push(completion);
  }

  /** The call of a started row committed its own outcome (it had KV writes to apply). */
  committed(record: ExecutionRecord): void {
    this.started.delete(record.id);
  }

  /** Runs after `write` commits, in the order given. */
  announce(send: () => void): void {
    this.announcements.push(send);
  }

  /** Writes every completion and drops the rows of calls that never ran, inside `tx`. */
  async write(tx: SqlEntityManager): Promise<void> {
    this.moved = await writeCompletions(tx, this.platform, this.completions);
    if (this.started.size > 0)
      await tx.execute(
        tx
          .getKnex()('executions')
          .whereIn('id', [...this.started.keys()])
          .delete(),
      );
  }

  /** After `write` committed: circuit changes, then each call's terminal events in order. */
  publish(): void {
    for (const i of this.moved)
      publishInstallationEvent(this.platform.events, 'CIRCUIT_CHANGED', { id: i.id, ownerId: i.owner.id });
    for (const send of this.announcements.splice(0)) send();
  }
}
