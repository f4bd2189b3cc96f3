import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Database } from '../../db/orm.ts';
import { writeRollup } from '../stats/rollup.ts';

/** How long an instance counts as alive after its last renewal. */
export const INSTANCE_LEASE_MS = 60_000;
/** How often a live instance renews its lease and looks for lost instances' calls. */
export const INSTANCE_RENEW_MS = 15_000;
/** A clip still pending after this long was left by a createClip that never finished. */
const PENDING_CLIP_MS = 60 * 60_000;

export const INSTANCE_LOST = 'INSTANCE_LOST';

/**
 * The lease tick's statements are left out of statement logs: they belong to no request, and the
 * tests that count a request's statements would count them at random (every INSTANCE_RENEW_MS).
 * Only the usage-rollup writes for lost calls found by a sweep (rare) are logged.
 */
const BACKGROUND = { enabled: false };

/** Takes or renews this instance's lease. */
export async function renewLease(db: Database, instanceId: string, now = new Date()): Promise<void> {
  const em = db.fork();
  const knex = em.getKnex();
  const leaseExpiresAt = new Date(now.getTime() + INSTANCE_LEASE_MS);
  await em.execute(
    knex('instances')
      .insert({ id: instanceId, started_at: now, lease_expires_at: leaseExpiresAt })
      .onConflict('id')
      .merge({ lease_expires_at: leaseExpiresAt }),
    [],
    'run',
    BACKGROUND,
  );
}

export async function dropLease(db: Database, instanceId: string): Promise<void> {
  const em = db.fork();
  await em.execute(em.getKnex()('instances').where('id', instanceId).delete());
}

/**
 * Completes, as FAILED with INSTANCE_LOST, the unfinished executions of every instance whose
 * lease expired (or that never held one), counts them in the usage rollup in the same
 * transaction, removes their leases and the clips they left pending. Returns how many
 * executions it completed.
 */
export async function sweepLostInstances(db: Database, now = new Date()): Promise<number> {
  const em = db.fork();
  const knex = em.getKnex();
  const live = knex('instances').select('id').where('lease_expires_at', '>', now);
  const completed = await em.transactional(
    async (tx) => {
      const rows = await (tx as SqlEntityManager).execute<LostRow[]>(
        knex('executions')
          .whereIn('status', ['QUEUED', 'RUNNING'])
          .andWhere((w) => w.whereNull('instance_id').orWhereNotIn('instance_id', live))
          .update({
            status: 'FAILED',
            error_code: INSTANCE_LOST,
            error_message: 'The server instance running this call stopped before the call finished',
            finished_at: now,
          })
          .returning(['installation_id', 'version_id', 'hook', 'function', 'created_at']),
        [],
        'all',
        BACKGROUND,
      );
      if (rows.length === 0) return 0;
      const versions = await (tx as SqlEntityManager).execute<{ id: number; plugin_id: number }[]>(
        knex('plugin_versions')
          .select('id', 'plugin_id')
          .whereIn('id', [...new Set(rows.map((r) => r.version_id))]),
      );
      const pluginOf = new Map(versions.map((v) => [Number(v.id), Number(v.plugin_id)]));
      await writeRollup(
        tx as SqlEntityManager,
        rows.map((r) => ({
          pluginId: pluginOf.get(Number(r.version_id))!,
          record: {
            installationId: r.installation_id === null ? null : Number(r.installation_id),
            createdAt: new Date(r.created_at),
            hook: r.hook,
            function: r.function,
            status: 'FAILED',
            durationMs: null,
            fuelUsed: null,
            peakMemoryBytes: null,
          },
        })),
      );
      return rows.length;
    },
    { loggerContext: BACKGROUND },
  );
  await em.execute(knex('instances').where('lease_expires_at', '<=', now).delete(), [], 'run', BACKGROUND);
  await em.execute(
    knex('clips')
      .where('pending', true)
      .andWhere('created_at', '<', new Date(now.getTime() - PENDING_CLIP_MS))
      .delete(),
    [],
    'run',
    BACKGROUND,
  );
  return completed;
}

interface LostRow {
  installation_id: number | null;
  version_id: number;
  hook: string | null;
  function: string;
  created_at: string | number | Date;
}
