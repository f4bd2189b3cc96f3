import semver from 'semver';
import { BadInputError, type Problem } from './errors.ts';
import type { Loaders, PluginVersionRecord, UserRecord } from './read/index.ts';
import { validateConfig } from './validation/config.ts';
import { checkGrants, chooseVersion } from './version-choice.ts';

/**
 * What installing a plugin with its missing dependencies would do: each dependency (and theirs,
 * transitively) resolves to the highest non-yanked, stable (unless the range names a prerelease)
 * version in range that runs on this host API; one the owner already has in range is reused, one
 * they have out of range is a problem (upgrading it is theirs to decide), and so is a cycle.
 * When two dependents ask for one plugin in different ranges, the choice is made again with both.
 */
export interface PlannedInstall {
  slug: string;
  pluginId: number;
  version: PluginVersionRecord;
  /** The range it is installed with: the first dependent's, or the caller's for the plugin asked for. */
  range: string;
  /** `slug@version` of the planned plugins that need it; empty for the plugin asked for. */
  requiredBy: string[];
  /** Whether an empty config fails its schema, so installing it needs a config. */
  configRequired: boolean;
}

export interface ReusedInstall {
  slug: string;
  version: string;
  requiredBy: string[];
}

export interface InstallPlan {
  /** Dependencies before their dependents, the plugin asked for last (only what resolved, when there are problems). */
  installs: PlannedInstall[];
  /** Dependencies the owner already has installed in range. */
  reused: ReusedInstall[];
  problems: Problem[];
}

/** Bounds the work one plan can cause (a marketplace graph is small; a hostile one is not). */
export const MAX_PLANNED_INSTALLS = 50;
const MAX_ATTEMPTS = 50;

/** Where a plan reads the marketplace and the owner's installations: per-request loaders, batched across plans. */
export interface PlanSource {
  versionsOf(slug: string): Promise<PluginVersionRecord[]>;
  /** The owner's installed plugins, slug -> version. */
  installed(): Promise<Map<string, string>>;
}

/** A plan source over a set of loaders (those of a transaction, for an install, see them in it). */
export function loaderSource(loaders: Loaders, ownerId: number | null): PlanSource {
  return {
    versionsOf: async (slug) => {
      const plugin = await loaders.pluginBySlug.load(slug);
      return plugin ? loaders.versionsOfPlugin.load(plugin.id) : [];
    },
    installed: async () =>
      new Map(ownerId === null ? [] : (await loaders.ownedVersions.load(ownerId)).map((o) => [o.slug, o.version])),
  };
}

const satisfies = (version: string, range: string) => semver.satisfies(version, range, { includePrerelease: true });

/** One pass over the graph; returns the range that contradicts an earlier choice, if one does. */
async function walk(
  source: PlanSource,
  installed: Map<string, string>,
  constraints: Map<string, string[]>,
  root: { slug: string; range: string },
): Promise<InstallPlan | { slug: string; range: string }> {
  const planned = new Map<string, PlannedInstall>();
  const reused = new Map<string, ReusedInstall>();
  const installs: PlannedInstall[] = [];
  const problems: Problem[] = [];

  const visit = async (
    slug: string,
    range: string,
    requiredBy: string | null,
    path: string[],
  ): Promise<{ slug: string; range: string } | null> => {
    const field = requiredBy ? `dependencies.${slug}` : 'versionRange';
    const at = path.indexOf(slug);
    if (at >= 0) {
      const cycle = [...path.slice(at), slug].join(' -> ');
      problems.push({ field, code: 'DEPENDENCY_CYCLE', message: `dependencies form a cycle: ${cycle}` });
      return null;
    }
    if (requiredBy) {
      const have = installed.get(slug);
      if (have !== undefined) {
        if (!satisfies(have, range))
          problems.push({
            field,
            code: 'DEPENDENCY_VERSION',
            message: `${requiredBy} needs "${slug}" ${range}; you have ${have}: upgrade or uninstall it first`,
          });
        else {
          const entry = reused.get(slug) ?? { slug, version: have, requiredBy: [] };
          entry.requiredBy.push(requiredBy);
          reused.set(slug, entry);
        }
        return null;
      }
      const earlier = planned.get(slug);
      if (earlier) {
        if (!satisfies(earlier.version.version, range)) return { slug, range };
        earlier.requiredBy.push(requiredBy);
        return null;
      }
    }
    const all = await source.versionsOf(slug);
    const also = constraints.get(slug) ?? [];
    const { version, problem } = chooseVersion(
      all.filter((v) => also.every((r) => satisfies(v.version, r))),
      range,
      slug,
      field,
    );
    if (problem) {
      problems.push(
        also.length && chooseVersion(all, range, slug).version
          ? {
              field,
              code: 'DEPENDENCY_CONFLICT',
              message: `no version of "${slug}" satisfies every range asked for: ${[range, ...also].map((r) => `"${r}"`).join(', ')}`,
            }
          : problem,
      );
      return null;
    }
    if (planned.size >= MAX_PLANNED_INSTALLS) {
      problems.push({ field, code: 'PLAN_TOO_LARGE', message: `installs more than ${MAX_PLANNED_INSTALLS} plugins` });
      return null;
    }
    const node: PlannedInstall = {
      slug,
      pluginId: version.pluginId,
      version,
      range,
      requiredBy: requiredBy ? [requiredBy] : [],
      configRequired: validateConfig(version.configSchema ?? null, {}).problems.length > 0,
    };
    planned.set(slug, node);
    for (const [dependency, dependencyRange] of Object.entries(version.dependencies)) {
      const conflict = await visit(dependency, dependencyRange, `${slug}@${version.version}`, [...path, slug]);
      if (conflict) return conflict;
    }
    installs.push(node);
    return null;
  };

  const conflict = await visit(root.slug, root.range, null, []);
  return conflict ?? { installs, reused: [...reused.values()], problems };
}

/** Resolves what installing `slug` in `range` would install for the owner `source` reads. */
export async function resolveInstallPlan(source: PlanSource, slug: string, range: string): Promise<InstallPlan> {
  const installed = new Map([...(await source.installed())].filter(([owned]) => owned !== slug));
  const constraints = new Map<string, string[]>();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const result = await walk(source, installed, constraints, { slug, range });
    if ('installs' in result) return result;
    constraints.set(result.slug, [...(constraints.get(result.slug) ?? []), result.range]);
  }
  const message = `the dependency ranges could not be reconciled in ${MAX_ATTEMPTS} attempts`;
  return { installs: [], reused: [], problems: [{ field: 'versionRange', code: 'DEPENDENCY_CONFLICT', message }] };
}

/** The read behind `Plugin.installPlan`: the plan for the viewer (signed out: as if nothing were installed). */
export function planInstall(
  loaders: Loaders,
  viewer: UserRecord | null,
  slug: string,
  versionRange: string | null | undefined,
): Promise<InstallPlan> {
  if (versionRange !== undefined && versionRange !== null && !semver.validRange(versionRange))
    throw new BadInputError([{ field: 'versionRange', code: 'SEMVER_RANGE', message: 'is not a semver range' }]);
  return resolveInstallPlan(loaderSource(loaders, viewer?.id ?? null), slug, versionRange ?? '*');
}

/** Consent for one dependency an install would add, given in the same call. */
export interface DependencyConsent {
  slug: string;
  grantPermissions: string[];
  config?: Record<string, unknown> | null;
}

export interface ConsentCheck {
  /** Grants and validated config per dependency slug. */
  accepted: Map<string, { grants: string[]; config: Record<string, unknown> }>;
  /** Wrong input: consent for what the plan does not install, permissions not asked for, a config that fails. */
  invalid: Problem[];
  /** Consent not given yet: permissions not granted, a config not given that the schema needs. */
  missing: Problem[];
}

/**
 * Matches the caller's consents to the dependencies the plan installs. A dependency that asks for
 * no permissions and takes an empty config needs no entry.
 */
export function checkConsent(plan: InstallPlan, consents: DependencyConsent[]): ConsentCheck {
  const result: ConsentCheck = { accepted: new Map(), invalid: [], missing: [] };
  const dependencies = plan.installs.filter((i) => i.requiredBy.length);
  const given = new Map<string, DependencyConsent>();
  for (const consent of consents) {
    const field = `dependencies.${consent.slug}`;
    if (given.has(consent.slug)) result.invalid.push({ field, code: 'DUPLICATE', message: 'is given more than once' });
    else if (!dependencies.some((d) => d.slug === consent.slug))
      result.invalid.push({ field, code: 'NOT_IN_PLAN', message: 'is not a dependency this install adds' });
    given.set(consent.slug, consent);
  }
  for (const { slug, version } of dependencies) {
    const consent = given.get(slug);
    const grants = [...new Set(consent?.grantPermissions ?? [])];
    for (const problem of checkGrants(version, grants, `dependencies.${slug}.grantPermissions`)) {
      const message = `${slug}@${problem.message}`;
      (problem.code === 'PERMISSIONS_REQUIRED' ? result.missing : result.invalid).push({ ...problem, message });
    }
    const { config, problems } = validateConfig(version.configSchema ?? null, consent?.config ?? {});
    const located = problems.map((p) => ({ ...p, field: `dependencies.${slug}.${p.field ?? 'config'}` }));
    (consent?.config ? result.invalid : result.missing).push(...located);
    result.accepted.set(slug, { grants, config });
  }
  return result;
}

/** The plan as clients get it in `extensions.plan`: enough to show it and resubmit with consent. */
export function describePlan(plan: InstallPlan) {
  return {
    install: plan.installs.map((i) => ({
      slug: i.slug,
      version: i.version.version,
      dependency: i.requiredBy.length > 0,
      permissions: i.version.permissions,
      configRequired: i.configRequired,
      requiredBy: i.requiredBy,
    })),
    reuse: plan.reused,
  };
}
