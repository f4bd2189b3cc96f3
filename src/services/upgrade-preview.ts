import semver from 'semver';
import { dependencyProblems, dependentsBrokenBy } from './dependencies.ts';
import { BadInputError, type Problem } from './errors.ts';
import type { InstallationRecord, Loaders, OwnedVersion, PluginVersionRecord } from './read/index.ts';
import { validateConfig } from './validation/config.ts';
import { chooseVersion, highest, runsHere, versionsInRange } from './version-choice.ts';

/** What moving an installation to another version reads of the version. */
export interface MoveTarget {
  id: number;
  version: string;
  permissions: string[];
  dependencies: Record<string, string>;
  configSchema?: Record<string, unknown> | null;
  hostApi: string;
  hooks: string[];
}

/** What moving an installation to another version reads of the installation. */
export interface MoveSubject {
  slug: string;
  config: Record<string, unknown>;
  grantedPermissions: string[];
  /** The dependencies of the version it runs now. */
  dependencies: Record<string, string>;
  enabled: boolean;
}

export interface DependencyChange {
  slug: string;
  /** The range the current version asks for; null when it does not depend on the plugin. */
  from: string | null;
  /** The range the target version asks for; null when it no longer depends on the plugin. */
  to: string | null;
  /** The owner's installed version of the plugin, if any. */
  installedVersion: string | null;
  /** Whether what is installed satisfies `to` (true when `to` is null). */
  satisfied: boolean;
}

/**
 * Everything a move (upgrade or rollback) to `target` depends on besides consent: upgrades,
 * rollbacks and the upgrade preview all read it here, so the preview says what the move does.
 */
export interface MoveAssessment {
  /** The current config with the target's defaults applied. */
  config: Record<string, unknown>;
  configProblems: Problem[];
  /**
   * The target's `plugin.upgraded` hook runs on the move (it declares one and the installation
   * is enabled): it may migrate the config, so `configProblems` stop the move only if what the
   * hook returns fails too.
   */
  upgradedHookRuns: boolean;
  hostApiCompatible: boolean;
  /** Asked for by the target and not granted now: the move needs them granted. */
  permissionsAdded: string[];
  /** Granted now and not asked for by the target: the move drops them. */
  permissionsRemoved: string[];
  dependencyChanges: DependencyChange[];
  dependencyProblems: Problem[];
  /** The owner's installations the move would break, each described in a line. */
  brokenDependents: string[];
}

/** `owned`: the owner's installations as they are now. */
export function assessMove(owned: OwnedVersion[], subject: MoveSubject, target: MoveTarget): MoveAssessment {
  const { config, problems: configProblems } = validateConfig(target.configSchema ?? null, subject.config);
  const installed = new Map(owned.map((o) => [o.slug, o.version]));
  const dependencyChanges: DependencyChange[] = [];
  for (const slug of new Set([...Object.keys(subject.dependencies), ...Object.keys(target.dependencies)])) {
    const from = subject.dependencies[slug] ?? null;
    const to = target.dependencies[slug] ?? null;
    if (from === to) continue;
    const installedVersion = installed.get(slug) ?? null;
    const satisfied =
      to === null || (installedVersion !== null && semver.satisfies(installedVersion, to, { includePrerelease: true }));
    dependencyChanges.push({ slug, from, to, installedVersion, satisfied });
  }
  return {
    config,
    configProblems,
    upgradedHookRuns: target.hooks.includes('plugin.upgraded') && subject.enabled,
    hostApiCompatible: runsHere(target),
    permissionsAdded: target.permissions.filter((p) => !subject.grantedPermissions.includes(p)),
    permissionsRemoved: subject.grantedPermissions.filter((p) => !target.permissions.includes(p)),
    dependencyChanges,
    dependencyProblems: dependencyProblems(owned, {
      slug: subject.slug,
      version: target.version,
      dependencies: target.dependencies,
    }),
    brokenDependents: dependentsBrokenBy(owned, subject.slug, target.version),
  };
}

export interface UpgradePreview extends Omit<MoveAssessment, 'config'> {
  from: PluginVersionRecord;
  to: PluginVersionRecord;
  /** Whether `upgradeInstallation` with `grantPermissions: permissionsAdded` would succeed now. */
  ready: boolean;
}

/**
 * What `upgradeInstallation(versionRange)` would do, chosen as it chooses. Null when it would not
 * move (already on the highest match, or nothing matches); when every match needs another host
 * API, the highest of them with `hostApiCompatible: false`.
 */
export async function previewUpgrade(
  loaders: Loaders,
  installation: InstallationRecord,
  versionRange: string | null | undefined,
): Promise<UpgradePreview | null> {
  if (versionRange !== undefined && versionRange !== null && !semver.validRange(versionRange))
    throw new BadInputError([{ field: 'versionRange', code: 'SEMVER_RANGE', message: 'is not a semver range' }]);
  const range = versionRange ?? installation.versionRange;
  const [listing, versions, owned] = await Promise.all([
    loaders.plugin.load(installation.pluginId),
    loaders.versionsOfPlugin.load(installation.pluginId),
    loaders.ownedVersions.load(installation.ownerId),
  ]);
  const slug = listing!.slug;
  const from = versions.find((v) => v.id === installation.versionId);
  const chosen = chooseVersion(versions, range, slug);
  const to = chosen.version ?? (chosen.problem.code === 'HOST_API' ? highest(versionsInRange(versions, range)) : null);
  if (!from || !to || to.id === from.id) return null;
  const { config: _, ...assessment } = assessMove(
    owned,
    {
      slug,
      config: installation.config,
      grantedPermissions: installation.grantedPermissions,
      dependencies: from.dependencies,
      enabled: installation.enabled,
    },
    to,
  );
  const ready =
    assessment.hostApiCompatible &&
    (!assessment.configProblems.length || assessment.upgradedHookRuns) &&
    !assessment.dependencyProblems.length &&
    !assessment.brokenDependents.length;
  return { ...assessment, from, to, ready };
}
