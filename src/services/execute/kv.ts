import type { SqlEntityManager } from '@mikro-orm/knex';
import { Installation } from '../../entities/index.ts';
import { failedResult, packKv, type CallResult, type PackedKv } from '../../runtime/index.ts';
import { groupCommitOf } from '../platform/commits.ts';
import { runSql } from '../platform/sql-text.ts';
import { publishInstallationEvent } from '../events.ts';
import type { Platform } from '../platform/index.ts';
import type { InstallationRecord } from '../read/index.ts';
import type { CallBatch } from './batch.ts';
import { commitKv, rememberCommit } from './kv-store.ts';
import { applyResult, writeCompletions, type Completion } from './record.ts';
import { KV_ATTEMPTS, UninstalledDuringCallError } from './types.ts';

export async function readKvRevision(em: SqlEntityManager, installationId: number): Promise<number> {
  const [row] = await runSql<{ kv_revision: number }>(em, 'select "kv_revision" from "installations" where "id" = ?', [
    installationId,
  ]);
  if (!row) throw new UninstalledDuringCallError();
  return Number(row.kv_revision);
}

/** What a call without the `kv` grant sees. */
export const NO_KV = packKv([]);

class KvConflict extends Error {}

/** How a call's outcome was stored: now, with its batch later, or not at all (KV moved under it). */
export type Finished = 'committed' | 'deferred' | 'conflict';

/**
 * Completes the Execution row, applies a successful call's KV writes and moves the breaker, in
 * one transaction: `tx` when the call holds one (a locked retry), else the group commit shared
 * with concurrent calls. A call of a batch that has no KV writes to apply joins the batch's
 * write instead. Returns 'conflict', writing nothing, when KV changed since the call read it and
 * this was not the last attempt.
 */
export async function finish(
  tx: SqlEntityManager | null,
  platform: Platform,
  completion: Completion,
  outcome: CallResult,
  kv: { revision: number; kv: PackedKv; last: boolean },
  batch: CallBatch | null,
): Promise<{ finished: Finished; result: CallResult }> {
  const { installation } = completion;
  const writesKv = outcome.status === 'SUCCEEDED' && outcome.kvWrites.length > 0;
  if (batch && !writesKv) {
    applyResult(completion.record, outcome);
    batch.complete(completion);
    return { finished: 'deferred', result: outcome };
  }
  let result = outcome;
  let committed = false;
  const unit = async (em: SqlEntityManager) => {
    result = outcome;
    committed = false;
    if (writesKv) {
      const moved = await em.nativeUpdate(
        Installation,
        { id: installation.id, kvRevision: kv.revision },
        { kvRevision: kv.revision + 1 },
      );
      if (moved === 1) {
        await commitKv(em, installation.id, outcome.kvWrites);
        committed = true;
      } else if (!kv.last) throw new KvConflict();
      else
        result = failedResult(
          'FAILED',
          'PLUGIN_KV_CONFLICT',
          `the installation's KV store kept changing while the call ran (${KV_ATTEMPTS} attempts); its writes were discarded`,
        );
    }
    applyResult(completion.record, result);
    return writeCompletions(em, platform, [completion]);
  };
  let moved: InstallationRecord[];
  try {
    moved = tx ? await unit(tx) : await groupCommitOf(platform.db).submit(unit);
  } catch (err) {
    if (err instanceof KvConflict) return { finished: 'conflict', result };
    throw err;
  }
  batch?.committed(completion.record);
  if (committed) rememberCommit(platform.db, installation.id, kv, outcome.kvWrites);
  for (const i of moved) publishInstallationEvent(platform.events, 'CIRCUIT_CHANGED', { id: i.id, ownerId: i.ownerId });
  return { finished: 'committed', result };
}
