import type { SqlEntityManager } from '@mikro-orm/knex';
import { Installation, type Execution } from '../../entities/index.ts';
import { failedResult, packKv, type CallResult, type PackedKv } from '../../runtime/index.ts';
import { publishInstallationEvent } from '../installations.ts';
import type { Platform } from '../platform/index.ts';
import { commitKv, rememberCommit } from './kv-store.ts';
import { complete } from './record.ts';
import { KV_ATTEMPTS, UninstalledDuringCallError } from './types.ts';

export async function readKvRevision(em: SqlEntityManager, installationId: number): Promise<number> {
  const [row] = await em.execute<{ kv_revision: number }[]>(
    em.getKnex()('installations').select('kv_revision').where('id', installationId),
  );
  if (!row) throw new UninstalledDuringCallError();
  return Number(row.kv_revision);
}

/** What a call without the `kv` grant sees. */
export const NO_KV = packKv([]);

class KvConflict extends Error {}

/**
 * Completes the Execution row, applies a successful call's KV writes and moves the breaker, in
 * one transaction. Returns false, writing nothing, when KV changed since the call read it and
 * this was not the last attempt.
 */
export async function finish(
  em: SqlEntityManager,
  platform: Platform,
  installation: Installation,
  execution: Execution,
  outcome: CallResult,
  trial: boolean,
  kv: { revision: number; kv: PackedKv; last: boolean },
): Promise<boolean> {
  let result = outcome;
  let committed = false;
  const before = installation.circuitState;
  try {
    await em.transactional(async (tx) => {
      if (result.status === 'SUCCEEDED' && result.kvWrites.length > 0) {
        const moved = await tx.nativeUpdate(
          Installation,
          { id: installation.id, kvRevision: kv.revision },
          { kvRevision: kv.revision + 1 },
        );
        if (moved === 1) {
          await commitKv(tx as SqlEntityManager, installation.id, result.kvWrites);
          committed = true;
        } else if (!kv.last) throw new KvConflict();
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
  if (committed) rememberCommit(platform.db, installation.id, kv, result.kvWrites);
  if (installation.circuitState !== before || trial) {
    publishInstallationEvent(platform.events, 'CIRCUIT_CHANGED', {
      id: installation.id,
      ownerId: installation.owner.id,
    });
  }
  return true;
}
