import type { SqlEntityManager } from '@mikro-orm/knex';
import semver from 'semver';
import { CRITICALITIES, Installation, Plugin, PluginVersion, User, type Criticality } from '../entities/index.ts';
import type { VersionChange } from '../entities/installation.ts';
import { brokenDependents, lockOwner, ownedVersions } from './dependencies.ts';
import { BadInputError, ConflictError, NotFoundError, VersionRevokedError } from './errors.ts';
import { publishInstallationEvent } from './events.ts';

export { publishInstallationEvent } from './events.ts';
import { chooseInstalls, type InstallInput } from './install-creations.ts';
import { admit, type BreakerPolicy, type CircuitState } from '../runtime/index.ts';
import { validateConfig } from './validation/config.ts';
import type { InstallationRecord } from './read/index.ts';
import type { Platform } from './platform/index.ts';
import { assessMove } from './upgrade-preview.ts';
import { Validator } from './validation/validator.ts';
import { audit, changedKeys, type AuditSubject } from './audit.ts';
import type { Viewer } from './users.ts';
import { checkGrants, hostApiProblems, pickVersion } from './version-choice.ts';
import { trustedVersionIds, untrustedProblem } from './signatures.ts';
import { CLOSED, intentOf, type Lifecycle, migratedConfig, withLifecycle } from './lifecycle/index.ts';
import { installSchedule } from './schedules/defaults.ts';

export type { InstallInput } from './install-creations.ts';

/** What installation use cases need of the platform (lifecycle hooks run plugins): the platform itself. */
export type InstallationDeps = Platform;

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

/** How the audit trail names an installation: its plugin and version as they are now. */
const subjectOf = (installation: Installation): AuditSubject => ({
  type: 'INSTALLATION',
  id: installation.id,
  name: `${installation.plugin.getEntity().slug}@${installation.version.getEntity().version}`,
});

/**
 * Installs a plugin at the highest version in range that runs here, and with
 * `installDependencies` its missing dependencies too: everything in one transaction, one
 * INSTALLED event per installation created. Returns the id of the plugin's own installation.
 */
export async function installPlugin(platform: InstallationDeps, viewer: Viewer, input: InstallInput): Promise<number> {
  const { events, requireSignatures } = platform;
  validate(input);
  const own = {
    range: input.versionRange ?? '*',
    grants: [...new Set(input.grantPermissions ?? [])],
    priority: input.priority ?? 0,
    criticality: input.criticality ?? 'OPTIONAL',
  };
  const ids = await withLifecycle(platform, async (tx, lifecycle) => {
    const sqlTx = tx;
    await lockOwner(sqlTx, viewer.id);
    const plugin = await tx.findOne(Plugin, { slug: input.slug });
    if (!plugin) throw new NotFoundError('Plugin', input.slug);
    if (await tx.count(Installation, { owner: viewer.id, plugin }))
      throw new ConflictError(`You have already installed "${input.slug}": update or upgrade that installation`);
    const creations = await chooseInstalls(sqlTx, viewer, plugin, input, own, requireSignatures);
    const others = creations.map((c) => c.pluginId).filter((id) => id !== plugin.id);
    const plugins = new Map(
      [plugin, ...(others.length ? await tx.find(Plugin, { id: { $in: others } }) : [])].map((p) => [p.id, p]),
    );
    const at = new Date().toISOString();
    const created = creations.map((c) =>
      tx.create(Installation, {
        ...(lifecycle.idFor(c.pluginId) === undefined ? {} : { id: lifecycle.idFor(c.pluginId) }),
        owner: tx.getReference(User, viewer.id),
        plugin: plugins.get(c.pluginId)!,
        version: tx.getReference(PluginVersion, c.versionId),
        versionRange: c.range,
        config: c.config,
        grantedPermissions: c.grants,
        priority: c.priority,
        criticality: c.criticality,
        history: [{ from: null, to: c.version, at, reason: 'INSTALL' }],
      }),
    );
    for (const p of plugins.values()) p.downloadCount += 1;
    await tx.flush();
    creations.forEach((c, i) => {
      const subject: AuditSubject = {
        type: 'INSTALLATION',
        id: created[i].id,
        name: `${plugins.get(c.pluginId)!.slug}@${c.version}`,
      };
      audit(tx, viewer, 'INSTALL', subject, { versionRange: c.range, configKeys: Object.keys(c.config).sort() });
      if (c.grants.length) audit(tx, viewer, 'PERMISSIONS_GRANT', subject, { permissions: [...c.grants].sort() });
    });
    const version = await tx.findOneOrFail(PluginVersion, creations.at(-1)!.versionId);
    await installSchedule(sqlTx, viewer, created.at(-1)!, version, input.schedule);
    // Dependencies first (they come first), so a plugin's hook finds them installed.
    for (const [n, c] of creations.entries()) {
      if (!c.hooks.includes('plugin.installed')) continue;
      const installation = created[n];
      await lifecycle.hook(tx, {
        hook: 'plugin.installed',
        plugin: plugins.get(c.pluginId)!,
        installationId: installation.id,
        ownerId: viewer.id,
        version: await tx.findOneOrFail(PluginVersion, c.versionId),
        config: c.config,
        grants: c.grants,
        enabled: true,
        circuit: CLOSED,
        creates: true,
        kvRevision: 0,
        details: {},
      });
    }
    return created.map((i) => i.id);
  });
  for (const id of ids) publishInstallationEvent(events, 'INSTALLED', { id, ownerId: viewer.id });
  return ids.at(-1)!;
}

async function ownInstallation(tx: SqlEntityManager, viewer: Viewer, id: number): Promise<Installation> {
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
  platform: InstallationDeps,
  viewer: Viewer,
  id: number,
  input: UpdateInstallationInput,
): Promise<number> {
  validate(input);
  await withLifecycle(platform, async (tx, lifecycle) => {
    const installation = await ownInstallation(tx, viewer, id);
    const version = installation.version.getEntity();
    const subject = subjectOf(installation);
    if (input.config !== undefined && input.config !== null) {
      const { config, problems } = validateConfig(version.configSchema ?? null, input.config);
      if (problems.length) throw new BadInputError(problems);
      const keys = changedKeys(installation.config, config);
      if (keys.length) audit(tx, viewer, 'CONFIG_CHANGE', subject, { keys });
      if (keys.length && version.hooks.includes('config.changed'))
        await lifecycle.hook(tx, {
          ...intentOf(installation, 'config.changed'),
          config,
          enabled: input.enabled ?? installation.enabled,
          details: { previousConfig: installation.config },
        });
      installation.config = config;
    }
    if (input.enabled !== undefined && input.enabled !== null && input.enabled !== installation.enabled) {
      audit(tx, viewer, input.enabled ? 'INSTALLATION_ENABLE' : 'INSTALLATION_DISABLE', subject);
      installation.enabled = input.enabled;
    }
    const settings: Record<string, { from: unknown; to: unknown }> = {};
    if (input.priority !== undefined && input.priority !== null && input.priority !== installation.priority) {
      settings.priority = { from: installation.priority, to: input.priority };
      installation.priority = input.priority;
    }
    if (input.criticality && input.criticality !== installation.criticality) {
      settings.criticality = { from: installation.criticality, to: input.criticality };
      installation.criticality = input.criticality;
    }
    if (Object.keys(settings).length) audit(tx, viewer, 'INSTALLATION_UPDATE', subject, settings);
    await tx.flush();
  });
  publishInstallationEvent(platform.events, 'UPDATED', { id, ownerId: viewer.id });
  return id;
}

/**
 * Moves to another version: config is re-validated against its schema, grants must cover it
 * (`grant` adds the caller's new consent, `restore` grants given for it before), its dependencies
 * must be installed, and the owner's plugins that depend on this one must accept the new version.
 * Permissions the version no longer asks for are dropped from the grants.
 */
async function moveTo(
  tx: SqlEntityManager,
  lifecycle: Lifecycle,
  viewer: Viewer,
  installation: Installation,
  target: PluginVersion,
  reason: VersionChange['reason'],
  consent: { grant: string[]; restore: string[] },
  requireSignatures: boolean,
): Promise<void> {
  const slug = installation.plugin.getEntity().slug;
  if (target.revokedAt) throw new VersionRevokedError(slug, target.version, target.revokedReason ?? '');
  const current = installation.version.getEntity();
  const assessment = assessMove(
    await ownedVersions(tx, installation.owner.id),
    {
      slug,
      config: installation.config,
      grantedPermissions: installation.grantedPermissions,
      dependencies: current.dependencies,
      enabled: installation.enabled,
    },
    target,
  );
  const grant = [...new Set(consent.grant)];
  const pool = new Set([...installation.grantedPermissions, ...grant, ...consent.restore]);
  const missing = target.permissions.filter((p) => !pool.has(p));
  // A version with a `plugin.upgraded` hook may migrate the config: it is checked after the hook.
  const migrates = assessment.upgradedHookRuns;
  const problems = [
    ...(migrates ? [] : assessment.configProblems),
    ...hostApiProblems(target),
    ...checkGrants(target, grant).filter((p) => p.code === 'NOT_REQUESTED'),
    ...checkGrants(target, [...pool]).filter((p) => p.code === 'PERMISSIONS_REQUIRED'),
    ...assessment.dependencyProblems,
  ];
  if (requireSignatures && !(await trustedVersionIds(tx, slug, [target])).has(target.id))
    problems.push(untrustedProblem(target, 'version'));
  if (problems.length)
    throw new BadInputError(
      problems,
      `Cannot move to ${target.version}: ${problems.map((p) => p.message).join('; ')}`,
      missing.length ? { missingPermissions: missing } : {},
    );
  if (assessment.brokenDependents.length)
    throw new ConflictError(`Cannot move "${slug}" to ${target.version}: ${assessment.brokenDependents.join('; ')}`);
  const change = { from: current.version, to: target.version, at: new Date().toISOString(), reason };
  const grantedPermissions = target.permissions.filter((p) => pool.has(p));
  let config = assessment.config;
  if (migrates) {
    const run = await lifecycle.hook(tx, {
      ...intentOf(installation, 'plugin.upgraded'),
      version: target,
      // As validated for the new version, or as it was when that fails (the hook may fix it).
      config: assessment.configProblems.length ? installation.config : assessment.config,
      grants: grantedPermissions,
      // The move closes the circuit: the new version starts afresh.
      circuit: CLOSED,
      details: { previousVersion: current.version, reason: reason === 'ROLLBACK' ? 'ROLLBACK' : 'UPGRADE' },
    });
    const migrated = run && migratedConfig(run, target);
    if (migrated) config = migrated;
    else if (assessment.configProblems.length && !lifecycle.planning)
      throw new BadInputError(
        assessment.configProblems,
        `Cannot move to ${target.version}: ${assessment.configProblems.map((p) => p.message).join('; ')}`,
      );
  }
  const keys = changedKeys(installation.config, config);
  audit(
    tx,
    viewer,
    reason === 'UPGRADE' ? 'UPGRADE' : 'ROLLBACK',
    { ...subjectOf(installation), name: `${slug}@${target.version}` },
    {
      from: current.version,
      to: target.version,
      ...(keys.length ? { configKeysChanged: keys } : {}),
      grantedPermissions,
    },
  );
  const newlyGranted = grantedPermissions.filter((p) => !installation.grantedPermissions.includes(p));
  if (newlyGranted.length)
    audit(tx, viewer, 'PERMISSIONS_GRANT', subjectOf(installation), { permissions: newlyGranted.sort() });
  installation.history = [...installation.history, { ...change, grants: installation.grantedPermissions }];
  installation.version = tx.getReference(PluginVersion, target.id) as never;
  installation.grantedPermissions = grantedPermissions;
  installation.config = config;
  installation.circuitState = 'CLOSED';
  installation.consecutiveFailures = 0;
  installation.circuitOpenedAt = null;
  await tx.flush();
}

/**
 * Upgrades to the highest version satisfying `versionRange` (or the installation's own range),
 * granting `grantPermissions` on the way: together with what is granted now they must cover
 * what the version asks for, and may name nothing it does not ask for. KV data and execution
 * history stay.
 */
export async function upgradeInstallation(
  platform: InstallationDeps,
  viewer: Viewer,
  id: number,
  versionRange?: string | null,
  grantPermissions?: string[] | null,
): Promise<number> {
  const { events, requireSignatures } = platform;
  validate({ versionRange });
  await withLifecycle(platform, async (tx, lifecycle) => {
    const installation = await ownInstallation(tx, viewer, id);
    const range = versionRange ?? installation.versionRange;
    const slug = installation.plugin.getEntity().slug;
    const versions = await tx.find(PluginVersion, { plugin: installation.plugin });
    const trusted = requireSignatures ? await trustedVersionIds(tx as SqlEntityManager, slug, versions) : null;
    const target = pickVersion(versions, range, slug, trusted);
    if (target.id === installation.version.id)
      throw new ConflictError(`Already on ${target.version}, the highest version satisfying "${range}"`);
    installation.versionRange = range;
    await moveTo(
      tx,
      lifecycle,
      viewer,
      installation,
      target,
      'UPGRADE',
      {
        grant: grantPermissions ?? [],
        restore: [],
      },
      requireSignatures,
    );
  });
  publishInstallationEvent(events, 'UPGRADED', { id, ownerId: viewer.id });
  return id;
}

/**
 * Returns to the version in use before the last upgrade or rollback, unless it was yanked or
 * revoked since, with the grants it had there (the upgrade dropped those its target did not ask for).
 */
export async function rollbackInstallation(platform: InstallationDeps, viewer: Viewer, id: number): Promise<number> {
  const { events, requireSignatures } = platform;
  await withLifecycle(platform, async (tx, lifecycle) => {
    const installation = await ownInstallation(tx, viewer, id);
    const last = installation.history.at(-1);
    const previous = last?.from;
    if (!previous) throw new ConflictError('There is no earlier version to roll back to');
    const target = await tx.findOne(PluginVersion, { plugin: installation.plugin, version: previous });
    if (!target) throw new NotFoundError('PluginVersion', previous);
    if (target.revokedAt)
      throw new VersionRevokedError(installation.plugin.getEntity().slug, previous, target.revokedReason ?? '');
    if (target.yanked)
      throw new ConflictError(
        `${installation.plugin.getEntity().slug}@${previous} was yanked by its publisher: rollback never returns to a yanked version`,
      );
    await moveTo(
      tx,
      lifecycle,
      viewer,
      installation,
      target,
      'ROLLBACK',
      {
        grant: [],
        restore: last?.grants ?? [],
      },
      requireSignatures,
    );
  });
  publishInstallationEvent(events, 'ROLLED_BACK', { id, ownerId: viewer.id });
  return id;
}

/** Removes an installation with its KV data and execution history, unless another one depends on it. */
export async function uninstallPlugin(
  platform: InstallationDeps,
  viewer: Viewer,
  id: number,
): Promise<InstallationRecord> {
  const record = await withLifecycle(platform, async (tx, lifecycle) => {
    const installation = await ownInstallation(tx, viewer, id);
    const slug = installation.plugin.getEntity().slug;
    const broken = await brokenDependents(tx, viewer.id, slug, null);
    if (broken.length)
      throw new ConflictError(`Cannot uninstall "${slug}": ${broken.join('; ')}. Uninstall those first`);
    // Its outcome is recorded but never blocks; what it writes to KV goes with the installation.
    if (installation.version.getEntity().hooks.includes('plugin.uninstalling'))
      await lifecycle.hook(tx, intentOf(installation, 'plugin.uninstalling'), { blocking: false });
    const before = installationRecord(installation);
    audit(tx, viewer, 'UNINSTALL', subjectOf(installation));
    tx.remove(installation);
    await tx.flush();
    return before;
  });
  publishInstallationEvent(platform.events, 'UNINSTALLED', { id, ownerId: viewer.id });
  return record;
}
