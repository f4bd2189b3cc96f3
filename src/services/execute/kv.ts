import type { SqlEntityManager } from '@mikro-orm/knex';
import { Installation, KvEntry, type Execution } from '../../entities/index.ts';
import { failedResult, type CallResult } from '../../runtime/index.ts';
import { publishInstallationEvent } from '../installations.ts';
import type { Platform } from '../platform/index.ts';
import { complete } from './record.ts';
import { KV_ATTEMPTS, UninstalledDuringCallError } from './types.ts';

export async function readKvRevision(em: SqlEntityManager, installationId: number): Promise<number> {
  const [row] = await em.execute<{ kv_revision: number }[]>(
    em.getKnex()('installations').select('kv_revision').where('id', installationId),
  );
  if (!row) throw new UninstalledDuringCallError();
  return Number(row.kv_revision);
}

/** Read straight from the table, never from the identity map, so a retried attempt sees new state. */
export async function readKv(em: SqlEntityManager, installationId: number): Promise<Map<string, Uint8Array>> {
  const rows = await em.execute<{ key: string; value: Buffer }[]>(
    em.getKnex()('kv_entries').select('key', 'value').where('installation_id', installationId),
  );
  return new Map(rows.map((row) => [row.key, new Uint8Array(row.value)]));
}

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
