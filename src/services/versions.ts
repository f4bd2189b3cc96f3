import type { SqlEntityManager } from '@mikro-orm/knex';
import semver from 'semver';
import { PluginVersion } from '../entities/index.ts';
import { BadInputError, NotFoundError } from './errors.ts';
import { ownedPlugin } from './plugins.ts';
import type { Platform } from './platform/index.ts';
import type { UserRecord } from './read/index.ts';
import { audit, type AuditSubject } from './audit.ts';
import type { Viewer } from './users.ts';

/** Marks the highest stable, non-yanked version as `latest` (none when there is no such version). */
export async function recomputeLatest(tx: SqlEntityManager, pluginId: number): Promise<void> {
  const versions = await tx.find(PluginVersion, { plugin: pluginId });
  const candidates = versions.filter((v) => !v.yanked && !v.prerelease).map((v) => v.version);
  const best = semver.rsort(candidates)[0] ?? null;
  for (const v of versions) v.latest = v.version === best;
  await tx.flush();
}

async function ownedVersion(
  tx: SqlEntityManager,
  viewer: UserRecord,
  slug: string,
  version: string,
): Promise<PluginVersion> {
  const plugin = await ownedPlugin(tx, viewer, slug);
  const found = await tx.findOne(PluginVersion, { plugin, version });
  if (!found) throw new NotFoundError('PluginVersion', `${slug}@${version}`);
  return found;
}

/** Yanked versions are never picked by new installs or upgrades; existing installations keep running. */
const subjectOf = (found: PluginVersion, slug: string): AuditSubject => ({
  type: 'PLUGIN_VERSION',
  id: found.id,
  name: `${slug}@${found.version}`,
});

export async function yankPluginVersion(
  { db }: Pick<Platform, 'db'>,
  viewer: Viewer,
  slug: string,
  version: string,
  yanked: boolean,
): Promise<number> {
  return db.fork().transactional(async (tx) => {
    const found = await ownedVersion(tx as SqlEntityManager, viewer, slug, version);
    found.yanked = yanked;
    await tx.flush();
    await recomputeLatest(tx as SqlEntityManager, found.plugin.id);
    audit(tx, viewer, 'VERSION_YANK', subjectOf(found, slug), { yanked });
    return found.id;
  });
}

export async function deprecatePluginVersion(
  { db }: Pick<Platform, 'db'>,
  viewer: Viewer,
  slug: string,
  version: string,
  reason: string | null,
): Promise<number> {
  if (reason !== null && (reason.length < 1 || reason.length > 500)) {
    throw new BadInputError([
      { field: 'reason', code: 'TOO_LONG', message: 'must be 1 to 500 characters, or null to undeprecate' },
    ]);
  }
  return db.fork().transactional(async (tx) => {
    const found = await ownedVersion(tx as SqlEntityManager, viewer, slug, version);
    found.deprecationReason = reason;
    await tx.flush();
    audit(tx, viewer, 'VERSION_DEPRECATE', subjectOf(found, slug), { reason });
    return found.id;
  });
}
