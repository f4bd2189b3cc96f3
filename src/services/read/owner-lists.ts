import type { SqlEntityManager } from '@mikro-orm/knex';
import { Execution, Installation, type ExecutionStatus, type ExecutionTrigger } from '../../entities/index.ts';
import { applyKeyset, pageRequest, toPage, type Page, type PageArgs } from './pagination.ts';
import { selectRows } from './select.ts';
import type { ExecutionRecord, InstallationRecord } from './records.ts';

/** The owner's installations, highest priority first. */
export async function listInstallations(
  em: SqlEntityManager,
  ownerId: number,
  page: PageArgs,
): Promise<Page<InstallationRecord>> {
  const request = pageRequest(page);
  const rows = await selectRows<InstallationRecord>(em, Installation, (qb) => {
    qb.where('installations.owner_id', ownerId);
    applyKeyset(
      qb,
      [
        { sql: 'installations.priority', direction: 'desc', type: 'number' },
        { sql: 'installations.id', direction: 'asc', type: 'number' },
      ],
      request,
    );
    return qb;
  });
  return toPage(rows, request, (i) => [i.priority, i.id]);
}

export interface ExecutionFilter {
  installationId?: number | null;
  status?: ExecutionStatus | null;
  trigger?: ExecutionTrigger | null;
  clipId?: number | null;
  scheduleId?: number | null;
}

/** The owner's executions, newest first. */
export async function listExecutions(
  em: SqlEntityManager,
  ownerId: number,
  filter: ExecutionFilter,
  page: PageArgs,
): Promise<Page<ExecutionRecord>> {
  const request = pageRequest(page);
  const rows = await selectRows<ExecutionRecord>(em, Execution, (qb) => {
    qb.where('executions.owner_id', ownerId);
    if (filter.installationId) qb.andWhere('executions.installation_id', filter.installationId);
    if (filter.status) qb.andWhere('executions.status', filter.status);
    if (filter.trigger) qb.andWhere('executions.trigger', filter.trigger);
    if (filter.clipId) qb.andWhere('executions.clip_id', filter.clipId);
    if (filter.scheduleId) qb.andWhere('executions.schedule_id', filter.scheduleId);
    applyKeyset(qb, [{ sql: 'executions.id', direction: 'desc', type: 'number' }], request);
    return qb;
  });
  return toPage(rows, request, (e) => [null, e.id]);
}

/** One of an owner's installations as dependency checks read it: the slug, version and dependencies it runs. */
export interface OwnedVersion {
  slug: string;
  version: string;
  dependencies: Record<string, string>;
}

/** The installations of each owner given, in one statement. */
export async function ownedVersionsOf(
  em: SqlEntityManager,
  ownerIds: readonly number[],
): Promise<Map<number, OwnedVersion[]>> {
  const rows = await em.execute<
    { owner_id: number | string; slug: string; version: string; dependencies: string | Record<string, string> }[]
  >(
    em
      .getKnex()('installations as i')
      .join('plugins as p', 'p.id', 'i.plugin_id')
      .join('plugin_versions as v', 'v.id', 'i.version_id')
      .select('i.owner_id', 'p.slug', 'v.version', 'v.dependencies')
      .whereIn('i.owner_id', [...ownerIds]),
  );
  const owned = new Map<number, OwnedVersion[]>(ownerIds.map((id) => [id, []]));
  for (const row of rows)
    owned.get(Number(row.owner_id))?.push({
      slug: row.slug,
      version: row.version,
      dependencies:
        typeof row.dependencies === 'string'
          ? (JSON.parse(row.dependencies) as Record<string, string>)
          : row.dependencies,
    });
  return owned;
}
