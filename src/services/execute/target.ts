import type { SqlEntityManager } from '@mikro-orm/knex';
import { Installation } from '../../entities/index.ts';
import type { VersionLimits } from '../../entities/plugin-version.ts';
import { dialectOf, runSql, sqlText } from '../platform/sql-text.ts';
import type { InstallationRecord, PluginVersionRecord } from '../read/index.ts';
import { rowMapper } from '../read/rows.ts';

/** What a call needs of the version it runs (all of it fixed once the version is published). */
export type CallVersion = Pick<
  PluginVersionRecord,
  'id' | 'version' | 'functions' | 'hooks' | 'limits' | 'preparedSha256'
>;

/** An installation loaded for a call, with the version it runs and its plugin's slug. */
export interface CallTarget {
  em: SqlEntityManager;
  installation: InstallationRecord;
  version: CallVersion;
  ownerId: number;
  slug: string;
}

/**
 * The installation, its version and its plugin's slug in one statement, mapped from the row
 * without entity hydration (the ORM's `findOne` with populate was the largest ORM cost of a
 * call); its SQL text is built once per dialect and filter.
 */
const targetSql = (em: SqlEntityManager, where: 'id' | 'owner') =>
  sqlText(
    `call-target:${dialectOf(em)}:${where}`,
    () =>
      'select "i".*, "v"."version" as "v_version", "v"."functions" as "v_functions", "v"."hooks" as "v_hooks", ' +
      '"v"."limits" as "v_limits", "v"."prepared_sha256" as "v_prepared_sha256", "p"."slug" as "p_slug" ' +
      'from "installations" as "i" join "plugin_versions" as "v" on "v"."id" = "i"."version_id" ' +
      'join "plugins" as "p" on "p"."id" = "i"."plugin_id" ' +
      (where === 'id' ? 'where "i"."id" = ?' : 'where "i"."owner_id" = ? order by "i"."priority" desc, "i"."id" asc'),
  );

const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

function targetOf(em: SqlEntityManager, row: Record<string, unknown>): CallTarget {
  const installation = rowMapper<InstallationRecord>(em.getMetadata(), Installation)(row);
  return {
    em,
    installation,
    version: {
      id: installation.versionId,
      version: String(row.v_version),
      functions: json<string[]>(row.v_functions),
      hooks: json<string[]>(row.v_hooks),
      limits: json<VersionLimits>(row.v_limits),
      preparedSha256: String(row.v_prepared_sha256),
    },
    ownerId: installation.ownerId,
    slug: String(row.p_slug),
  };
}

/** The installation `installationId` ready for a call, on an EntityManager of its own; null when there is none. */
export async function loadCallTarget(em: SqlEntityManager, installationId: number): Promise<CallTarget | null> {
  const [row] = await runSql(em, targetSql(em, 'id'), [installationId]);
  return row ? targetOf(em, row) : null;
}

/** Every installation of `ownerId`, highest priority first (then oldest), ready for a call. */
export async function loadOwnerTargets(em: SqlEntityManager, ownerId: number): Promise<CallTarget[]> {
  const rows = await runSql(em, targetSql(em, 'owner'), [ownerId]);
  return rows.map((row) => targetOf(em, row));
}
