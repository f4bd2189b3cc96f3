import type { SqlEntityManager } from '@mikro-orm/knex';
import semver from 'semver';
import { Installation, PluginVersion, User } from '../entities/index.ts';
import { BadInputError, NotFoundError } from './errors.ts';
import { publishInstallationEvent } from './installations.ts';
import { ownedPlugin } from './plugins.ts';
import type { Platform } from './platform/index.ts';
import type { UserRecord } from './read/index.ts';
import { audit, auditVersionRevoked, type AuditSubject } from './audit.ts';
import type { Viewer } from './users.ts';
import { Validator } from './validation/validator.ts';

/** Marks the highest stable version neither yanked nor revoked as `latest` (none when there is no such version). */
export async function recomputeLatest(tx: SqlEntityManager, pluginId: number): Promise<void> {
  const versions = await tx.find(PluginVersion, { plugin: pluginId });
  const candidates = versions.filter((v) => !v.yanked && !v.revokedAt && !v.prerelease).map((v) => v.version);
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

/** Longest revocation reason, in characters (the column's size on both backends). */
export const REVOKE_REASON_MAX = 500;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkReason(reason: string): string {
  const trimmed = reason.trim();
  const v = new Validator();
  v.string('reason', trimmed, {
    min: 1,
    max: REVOKE_REASON_MAX,
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    pattern: /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/,
    patternHint: 'must not contain control characters (line breaks and tabs are fine)',
  });
  if (LONE_SURROGATE.test(trimmed)) v.add('reason', 'must be valid Unicode (it has a lone surrogate)', 'INVALID');
  v.check();
  return trimmed;
}

/**
 * The kill switch, for a version found to be malicious: installed copies stop running (calls and
 * hooks are REJECTED with PLUGIN_REVOKED and the reason) before this returns on this instance, and
 * on every other within REVOCATION_RECHECK_MS (at once when the announcement arrives); calls
 * already running finish. The version is never installed, upgraded to or rolled back to again,
 * and the owner of every installation on it gets a REVOKED installation event. Permanent.
 * Revoking a revoked version changes nothing (the first reason is kept) and succeeds, so a
 * retried request is safe.
 */
export async function revokePluginVersion(
  { db, events, revocations }: Pick<Platform, 'db' | 'events' | 'revocations'>,
  viewer: Viewer,
  slug: string,
  version: string,
  reason: string,
): Promise<number> {
  const why = checkReason(reason);
  const { id, revokedReason, affected } = await db.fork().transactional(async (tx) => {
    const found = await ownedVersion(tx as SqlEntityManager, viewer, slug, version);
    if (found.revokedAt) return { id: found.id, revokedReason: found.revokedReason ?? '', affected: null };
    found.revokedAt = new Date();
    found.revokedReason = why;
    found.revokedBy = tx.getReference(User, viewer.id) as never;
    await tx.flush();
    await recomputeLatest(tx as SqlEntityManager, found.plugin.id);
    auditVersionRevoked(tx, viewer, { id: found.id, slug, version: found.version }, why);
    const installed = await tx.find(Installation, { version: found.id }, { fields: ['id', 'owner'] });
    return { id: found.id, revokedReason: why, affected: installed.map((i) => ({ id: i.id, ownerId: i.owner.id })) };
  });
  // This instance stops running the version before the mutation answers; the others on the announcement.
  revocations.add(id, revokedReason);
  events.publish('version-revoked', { versionId: id, reason: revokedReason });
  for (const installation of affected ?? []) publishInstallationEvent(events, 'REVOKED', installation);
  return id;
}
