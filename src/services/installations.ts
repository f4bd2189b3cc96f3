import type { SqlEntityManager } from '@mikro-orm/knex';
import semver from 'semver';
import { CRITICALITIES, Installation, Plugin, PluginVersion, User, type Criticality } from '../entities/index.ts';
import type { VersionChange } from '../entities/installation.ts';
import { brokenDependents, lockOwner, missingDependencies } from './dependencies.ts';
import { BadInputError, ConflictError, NotFoundError, type Problem } from './errors.ts';
import type { Events, InstallationEventType } from './events.ts';
import { HOST_API_VERSION } from '../contracts/index.ts';
import { admit, type BreakerPolicy, type CircuitState } from '../runtime/index.ts';
import { validateConfig } from './validation/config.ts';
import type { InstallationRecord, UserRecord } from './read/index.ts';
import type { Platform } from './platform/index.ts';
import { Validator } from './validation/validator.ts';
import { trustedVersionIds, untrustedProblem } from './signatures.ts';

export interface InstallInput {
  slug: string;
  versionRange?: string | null;
  config?: Record<string, unknown> | null;
  grantPermissions?: string[] | null;
  priority?: number | null;
  criticality?: Criticality | null;
}

/** What installation use cases need of the platform; callers pass the platform itself. */
export type InstallationDeps = Pick<Platform, 'db' | 'events' | 'requireSignatures'>;

/** Whether this server's host API is inside the range the version was built for. */
const runsHere = (version: PluginVersion): boolean => semver.satisfies(HOST_API_VERSION, version.hostApi);

/**
 * Highest stable, non-yanked version satisfying the range that runs on this server's host API
 * (prereleases only when the range names one) and, when signatures are required, is among
 * `trusted`. When none does, the problem says why.
 */
function pickVersion(
  versions: PluginVersion[],
  range: string,
  slug: string,
  trusted: Set<number> | null,
): PluginVersion {
  const usable = versions.filter(
    (v) => !v.yanked && (!v.prerelease || semver.satisfies(v.version, range, { includePrerelease: false })),
  );
  const inRange = usable.filter((v) => semver.satisfies(v.version, range));
  const runsHereInRange = inRange.filter(runsHere);
  const runnable = trusted ? runsHereInRange.filter((v) => trusted.has(v.id)) : runsHereInRange;
  const best = semver.maxSatisfying(
    runnable.map((v) => v.version),
    range,
  );
  const picked = runnable.find((v) => v.version === best);
  if (picked) return picked;
  if (runsHereInRange.length)
    throw new BadInputError([
      {
        field: 'versionRange',
        code: 'SIGNATURE_REQUIRED',
        message: `no version of "${slug}" satisfying "${range}" has a verified signature; this server installs verified versions only`,
      },
    ]);
  throw new BadInputError([
    inRange.length
      ? {
          field: 'versionRange',
          code: 'HOST_API',
          message: `every version of "${slug}" satisfying "${range}" needs a host API other than this platform's ${HOST_API_VERSION}`,
        }
      : {
          field: 'versionRange',
          code: 'NO_MATCHING_VERSION',
          message: `no published, non-yanked version of "${slug}" satisfies "${range}"`,
        },
  ]);
}

function hostApiProblems(version: PluginVersion): Problem[] {
  if (runsHere(version)) return [];
  return [
    {
      field: 'version',
      code: 'HOST_API',
      message: `${version.version} needs host API "${version.hostApi}"; this platform provides ${HOST_API_VERSION}`,
    },
  ];
}

function checkGrants(version: PluginVersion, granted: string[]): Problem[] {
  const problems: Problem[] = [];
  const unknown = granted.filter((p) => !version.permissions.includes(p));
  if (unknown.length)
    problems.push({
      field: 'grantPermissions',
      code: 'NOT_REQUESTED',
      message: `${version.version} does not ask for: ${unknown.join(', ')}`,
    });
  const missing = version.permissions.filter((p) => !granted.includes(p));
  if (missing.length)
    problems.push({
      field: 'grantPermissions',
      code: 'PERMISSIONS_REQUIRED',
      message: `${version.version} needs these permissions granted: ${missing.join(', ')}`,
    });
  return problems;
}

function validate(input: Partial<InstallInput>): void {
  const v = new Validator();
  v.int('priority', input.priority, -1000, 1000);
  if (input.criticality && !CRITICALITIES.includes(input.criticality))
    v.add('criticality', `must be one of ${CRITICALITIES.join(', ')}`, 'ENUM');
  if (input.versionRange !== undefined && input.versionRange !== null && !semver.validRange(input.versionRange))
    v.add('versionRange', 'is not a semver range', 'SEMVER_RANGE');
  v.check();
}

function installationRecord(i: Installation): InstallationRecord {
  const { owner, plugin, version, ...rest } = i;
  return { ...rest, ownerId: owner.id, pluginId: plugin.id, versionId: version.id } as unknown as InstallationRecord;
}

/**
 * The circuit state a call arriving now would meet: an OPEN circuit whose cool-down has passed
 * lets the next call through as its trial, so it reads HALF_OPEN although the row still says OPEN
 * (the row changes only when a call arrives).
 */
export function effectiveCircuitState(
  i: Pick<InstallationRecord, 'circuitState' | 'consecutiveFailures' | 'circuitOpenedAt'>,
  now: number,
  policy: BreakerPolicy,
): CircuitState {
  if (i.circuitState !== 'OPEN') return i.circuitState;
  const snapshot = {
    state: i.circuitState,
    consecutiveFailures: i.consecutiveFailures,
    openedAt: i.circuitOpenedAt?.getTime() ?? null,
  };
  return admit(snapshot, now, policy).allowed ? 'HALF_OPEN' : 'OPEN';
}

export function publishInstallationEvent(
  events: Events,
  type: InstallationEventType,
  installation: { id: number; ownerId: number },
): void {
  events.publish('installation-events', installation.ownerId, {
    type,
    installationId: installation.id,
    ownerId: installation.ownerId,
  });
}

/** The versions a signature requirement lets through (null: no requirement). */
async function trustFilter(
  tx: SqlEntityManager,
  requireSignatures: boolean,
  slug: string,
  versions: PluginVersion[],
): Promise<Set<number> | null> {
  return requireSignatures ? trustedVersionIds(tx, slug, versions) : null;
}

export async function installPlugin(
  { db, events, requireSignatures }: InstallationDeps,
  viewer: UserRecord,
  input: InstallInput,
): Promise<number> {
  validate(input);
  const range = input.versionRange ?? '*';
  const id = await db.fork().transactional(async (tx) => {
    await lockOwner(tx as SqlEntityManager, viewer.id);
    const plugin = await tx.findOne(Plugin, { slug: input.slug });
    if (!plugin) throw new NotFoundError('Plugin', input.slug);
    if (await tx.count(Installation, { owner: viewer.id, plugin }))
      throw new ConflictError(`You have already installed "${input.slug}": update or upgrade that installation`);
    const versions = await tx.find(PluginVersion, { plugin });
    const trusted = await trustFilter(tx as SqlEntityManager, requireSignatures, input.slug, versions);
    const version = pickVersion(versions, range, input.slug, trusted);
    const granted = [...new Set(input.grantPermissions ?? [])];
    const { config, problems } = validateConfig(`v${version.id}`, version.configSchema ?? null, input.config ?? {});
    problems.push(...checkGrants(version, granted));
    problems.push(
      ...(await missingDependencies(tx as SqlEntityManager, viewer.id, {
        slug: plugin.slug,
        version: version.version,
        dependencies: version.dependencies,
      })),
    );
    if (problems.length) throw new BadInputError(problems);
    const installation = tx.create(Installation, {
      owner: tx.getReference(User, viewer.id),
      plugin,
      version,
      versionRange: range,
      config,
      grantedPermissions: granted,
      priority: input.priority ?? 0,
      criticality: input.criticality ?? 'OPTIONAL',
      history: [{ from: null, to: version.version, at: new Date().toISOString(), reason: 'INSTALL' }],
    });
    plugin.downloadCount += 1;
    await tx.flush();
    return installation.id;
  });
  publishInstallationEvent(events, 'INSTALLED', { id, ownerId: viewer.id });
  return id;
}

async function ownInstallation(tx: SqlEntityManager, viewer: UserRecord, id: number): Promise<Installation> {
  await lockOwner(tx, viewer.id);
  const installation = await tx.findOne(Installation, id, { populate: ['version', 'plugin'] });
  if (!installation || installation.owner.id !== viewer.id) throw new NotFoundError('Installation', id);
  return installation;
}

export interface UpdateInstallationInput {
  config?: Record<string, unknown> | null;
  enabled?: boolean | null;
  priority?: number | null;
  criticality?: Criticality | null;
}

export async function updateInstallation(
  { db, events }: InstallationDeps,
  viewer: UserRecord,
  id: number,
  input: UpdateInstallationInput,
): Promise<number> {
  validate(input);
  await db.fork().transactional(async (tx) => {
    const installation = await ownInstallation(tx as SqlEntityManager, viewer, id);
    const version = installation.version.getEntity();
    if (input.config !== undefined && input.config !== null) {
      const { config, problems } = validateConfig(`v${version.id}`, version.configSchema ?? null, input.config);
      if (problems.length) throw new BadInputError(problems);
      installation.config = config;
    }
    if (input.enabled !== undefined && input.enabled !== null) installation.enabled = input.enabled;
    if (input.priority !== undefined && input.priority !== null) installation.priority = input.priority;
    if (input.criticality) installation.criticality = input.criticality;
    await tx.flush();
  });
  publishInstallationEvent(events, 'UPDATED', { id, ownerId: viewer.id });
  return id;
}

/**
 * Moves to another version: config is re-validated against its schema, grants must still cover
 * it, its dependencies must be installed, and the owner's plugins that depend on this one must
 * accept the new version.
 */
async function moveTo(
  tx: SqlEntityManager,
  installation: Installation,
  target: PluginVersion,
  reason: VersionChange['reason'],
  requireSignatures: boolean,
): Promise<void> {
  const slug = installation.plugin.getEntity().slug;
  const { config, problems } = validateConfig(`v${target.id}`, target.configSchema ?? null, installation.config);
  problems.push(...hostApiProblems(target));
  if (requireSignatures && !(await trustedVersionIds(tx, slug, [target])).has(target.id))
    problems.push(untrustedProblem(target, 'version'));
  problems.push(
    ...checkGrants(target, installation.grantedPermissions).filter((p) => p.code === 'PERMISSIONS_REQUIRED'),
  );
  problems.push(
    ...(await missingDependencies(tx, installation.owner.id, {
      slug,
      version: target.version,
      dependencies: target.dependencies,
    })),
  );
  if (problems.length)
    throw new BadInputError(problems, `Cannot move to ${target.version}: ${problems.map((p) => p.message).join('; ')}`);
  const broken = await brokenDependents(tx, installation.owner.id, slug, target.version);
  if (broken.length) throw new ConflictError(`Cannot move "${slug}" to ${target.version}: ${broken.join('; ')}`);
  const from = installation.version.getEntity().version;
  installation.history = [...installation.history, { from, to: target.version, at: new Date().toISOString(), reason }];
  installation.version = tx.getReference(PluginVersion, target.id) as never;
  installation.config = config;
  installation.circuitState = 'CLOSED';
  installation.consecutiveFailures = 0;
  installation.circuitOpenedAt = null;
  await tx.flush();
}

/** Upgrades to the highest version satisfying `versionRange` (or the installation's own range). */
export async function upgradeInstallation(
  { db, events, requireSignatures }: InstallationDeps,
  viewer: UserRecord,
  id: number,
  versionRange?: string | null,
): Promise<number> {
  validate({ versionRange });
  await db.fork().transactional(async (tx) => {
    const installation = await ownInstallation(tx as SqlEntityManager, viewer, id);
    const range = versionRange ?? installation.versionRange;
    const slug = installation.plugin.getEntity().slug;
    const versions = await tx.find(PluginVersion, { plugin: installation.plugin });
    const trusted = await trustFilter(tx as SqlEntityManager, requireSignatures, slug, versions);
    const target = pickVersion(versions, range, slug, trusted);
    if (target.id === installation.version.id)
      throw new ConflictError(`Already on ${target.version}, the highest version satisfying "${range}"`);
    installation.versionRange = range;
    await moveTo(tx as SqlEntityManager, installation, target, 'UPGRADE', requireSignatures);
  });
  publishInstallationEvent(events, 'UPGRADED', { id, ownerId: viewer.id });
  return id;
}

/** Returns to the version in use before the last upgrade or rollback, unless it was yanked since. */
export async function rollbackInstallation(
  { db, events, requireSignatures }: InstallationDeps,
  viewer: UserRecord,
  id: number,
): Promise<number> {
  await db.fork().transactional(async (tx) => {
    const installation = await ownInstallation(tx as SqlEntityManager, viewer, id);
    const previous = installation.history.at(-1)?.from;
    if (!previous) throw new ConflictError('There is no earlier version to roll back to');
    const target = await tx.findOne(PluginVersion, { plugin: installation.plugin, version: previous });
    if (!target) throw new NotFoundError('PluginVersion', previous);
    if (target.yanked)
      throw new ConflictError(
        `${installation.plugin.getEntity().slug}@${previous} was yanked by its publisher: rollback never returns to a yanked version`,
      );
    await moveTo(tx as SqlEntityManager, installation, target, 'ROLLBACK', requireSignatures);
  });
  publishInstallationEvent(events, 'ROLLED_BACK', { id, ownerId: viewer.id });
  return id;
}

/** Removes an installation with its KV data and execution history, unless another one depends on it. */
export async function uninstallPlugin(
  { db, events }: InstallationDeps,
  viewer: UserRecord,
  id: number,
): Promise<InstallationRecord> {
  const record = await db.fork().transactional(async (tx) => {
    const installation = await ownInstallation(tx as SqlEntityManager, viewer, id);
    const slug = installation.plugin.getEntity().slug;
    const broken = await brokenDependents(tx as SqlEntityManager, viewer.id, slug, null);
    if (broken.length)
      throw new ConflictError(`Cannot uninstall "${slug}": ${broken.join('; ')}. Uninstall those first`);
    const before = installationRecord(installation);
    tx.remove(installation);
    await tx.flush();
    return before;
  });
  publishInstallationEvent(events, 'UNINSTALLED', { id, ownerId: viewer.id });
  return record;
}
