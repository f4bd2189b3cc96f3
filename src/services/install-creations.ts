import type { SqlEntityManager } from '@mikro-orm/knex';
import { type Criticality, type Plugin, PluginVersion } from '../entities/index.ts';
import { missingDependencies } from './dependencies.ts';
import { BadInputError, DependencyConsentError, type Problem } from './errors.ts';
import {
  checkConsent,
  type DependencyConsent,
  describePlan,
  loaderSource,
  type PlannedInstall,
  resolveInstallPlan,
} from './install-plan.ts';
import { createLoaders, type UserRecord } from './read/index.ts';
import { validateConfig } from './validation/config.ts';
import { checkGrants, pickVersion } from './version-choice.ts';
import { trustedVersionIds, untrustedProblem } from './signatures.ts';

export interface InstallInput {
  slug: string;
  versionRange?: string | null;
  config?: Record<string, unknown> | null;
  grantPermissions?: string[] | null;
  priority?: number | null;
  criticality?: Criticality | null;
  /** Also install the missing dependencies (transitively), with the consent given in `dependencies`. */
  installDependencies?: boolean | null;
  dependencies?: DependencyConsent[] | null;
}

/** One installation an install call creates. */
export interface Creation {
  pluginId: number;
  versionId: number;
  version: string;
  range: string;
  config: Record<string, unknown>;
  grants: string[];
  priority: number;
  criticality: Criticality;
}

/** The installing caller's own choices for the plugin asked for. */
type Own = Omit<Creation, 'pluginId' | 'versionId' | 'version' | 'config'>;

/** Installs the chosen version alone: its dependencies must be installed already. */
async function installAlone(
  tx: SqlEntityManager,
  viewer: UserRecord,
  plugin: Plugin,
  input: InstallInput,
  own: Own,
  requireSignatures: boolean,
): Promise<Creation[]> {
  const versions = await tx.find(PluginVersion, { plugin });
  const trusted = requireSignatures ? await trustedVersionIds(tx, plugin.slug, versions) : null;
  const version = pickVersion(versions, own.range, input.slug, trusted);
  const { config, problems } = validateConfig(version.configSchema ?? null, input.config ?? {});
  problems.push(...checkGrants(version, own.grants));
  problems.push(
    ...(await missingDependencies(tx, viewer.id, {
      slug: plugin.slug,
      version: version.version,
      dependencies: version.dependencies,
    })),
  );
  if (input.dependencies?.length)
    problems.push({
      field: 'dependencies',
      code: 'INSTALL_DEPENDENCIES_OFF',
      message: 'consent for dependencies is only taken with installDependencies: true',
    });
  if (problems.length) throw new BadInputError(problems);
  return [{ ...own, pluginId: plugin.id, versionId: version.id, version: version.version, config }];
}

/**
 * Installs the chosen version with every missing dependency the plan resolves, each with the
 * consent given for it in `input.dependencies`. Wrong input fails with BAD_USER_INPUT; consent
 * not given yet with DEPENDENCY_CONSENT_REQUIRED; both carry the plan in `extensions.plan`.
 */
async function installWithDependencies(
  tx: SqlEntityManager,
  viewer: UserRecord,
  input: InstallInput,
  own: Own,
  requireSignatures: boolean,
): Promise<Creation[]> {
  const plan = await resolveInstallPlan(loaderSource(createLoaders(tx), viewer.id), input.slug, own.range);
  const problems = [...plan.problems];
  const root = plan.installs.find((i) => !i.requiredBy.length);
  let rootConfig: Record<string, unknown> = {};
  if (root) {
    const checked = validateConfig(root.version.configSchema ?? null, input.config ?? {});
    problems.push(...checked.problems, ...checkGrants(root.version, own.grants));
    rootConfig = checked.config;
  }
  const consent = checkConsent(plan, input.dependencies ?? []);
  problems.push(...consent.invalid);
  const described = describePlan(plan);
  if (problems.length || !root)
    throw new BadInputError([...problems, ...consent.missing], undefined, { plan: described });
  if (consent.missing.length) throw new DependencyConsentError(consent.missing, described);
  if (requireSignatures) await refuseUntrusted(tx, plan.installs, described);
  return plan.installs.map((i) => {
    const base = { pluginId: i.pluginId, versionId: i.version.id, version: i.version.version };
    if (i === root) return { ...own, ...base, config: rootConfig };
    const { grants, config } = consent.accepted.get(i.slug)!;
    return { ...base, range: i.range, config, grants, priority: 0, criticality: 'OPTIONAL' as const };
  });
}

/**
 * With signatures required, every version a plan installs must carry a verified signature: the
 * plan is not re-chosen among signed versions, it is refused naming the ones that are not.
 */
async function refuseUntrusted(tx: SqlEntityManager, installs: PlannedInstall[], plan: unknown): Promise<void> {
  const problems: Problem[] = [];
  for (const install of installs) {
    const version = await tx.findOneOrFail(PluginVersion, install.version.id);
    if ((await trustedVersionIds(tx, install.slug, [version])).has(version.id)) continue;
    const problem = untrustedProblem(version, install.requiredBy.length ? 'dependencies' : 'versionRange');
    problems.push({ ...problem, message: `${install.slug}@${version.version}: ${problem.message}` });
  }
  if (problems.length) throw new BadInputError(problems, undefined, { plan });
}

/**
 * The installations an install call creates, checked: the plugin alone (its dependencies must be
 * installed already), or with `installDependencies` the plugin and the dependencies it adds.
 */
export function chooseInstalls(
  tx: SqlEntityManager,
  viewer: UserRecord,
  plugin: Plugin,
  input: InstallInput,
  own: Own,
  requireSignatures: boolean,
): Promise<Creation[]> {
  return input.installDependencies
    ? installWithDependencies(tx, viewer, input, own, requireSignatures)
    : installAlone(tx, viewer, plugin, input, own, requireSignatures);
}
