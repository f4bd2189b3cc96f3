import DataLoader from 'dataloader';
import type { Knex, SqlEntityManager } from '@mikro-orm/knex';

/**
 * The installations that count as active on a listing: enabled ones on a version that is not
 * revoked. The one place that says so, for every count of active installs.
 */
export function activeInstallsFilter(qb: Knex.QueryBuilder): Knex.QueryBuilder {
  return qb
    .where('installations.enabled', true)
    .whereNotExists((q) =>
      q
        .select(1)
        .from('plugin_versions')
        .whereRaw('plugin_versions.id = installations.version_id')
        .whereNotNull('plugin_versions.revoked_at'),
    );
}

/** Active installs of many plugins in one statement. */
export function activeInstallsLoader(em: SqlEntityManager) {
  return new DataLoader<number, number>(async (pluginIds) => {
    const knex = em.getKnex();
    const qb = activeInstallsFilter(
      knex('installations')
        .select('installations.plugin_id')
        .count({ count: '*' })
        .whereIn('installations.plugin_id', [...pluginIds])
        .groupBy('installations.plugin_id'),
    );
    const rows = await em
      .getConnection()
      .execute<{ plugin_id: number; count: number | string }[]>(qb, [], 'all', em.getTransactionContext());
    const counts = new Map(rows.map((r) => [Number(r.plugin_id), Number(r.count)]));
    return pluginIds.map((id) => counts.get(id) ?? 0);
  });
}
