import type { SqlEntityManager } from '@mikro-orm/knex';
import semver from 'semver';
import { Plugin } from '../entities/index.ts';
import type { Problem } from './errors.ts';
import { isPostgres, type OwnedVersion, ownedVersionsOf } from './read/index.ts';

/**
 * A version's `dependencies` (plugin slug -> semver range) name plugins its owner must have
 * installed, at a version in range, for as long as the dependent stays installed. Installing,
 * upgrading and rolling back check the dependent's side; upgrading, rolling back and uninstalling
 * check the side of everything that depends on the plugin being moved.
 */

/**
 * Takes the owner's row lock on PostgreSQL, so that two transactions changing one user's
 * installations see each other's result (SQLite runs one writer at a time already). NO KEY
 * UPDATE: rows that merely reference the user (a new clip) do not wait for it.
 */
export async function lockOwner(tx: SqlEntityManager, ownerId: number): Promise<void> {
  if (isPostgres(tx)) await tx.execute(tx.getKnex()('users').select('id').where('id', ownerId).forNoKeyUpdate());
}

/** The owner's installations with the slug, version and dependencies each one runs. */
export async function ownedVersions(tx: SqlEntityManager, ownerId: number): Promise<OwnedVersion[]> {
  return (await ownedVersionsOf(tx, [ownerId])).get(ownerId) ?? [];
}

/** Problems with `dependencies` of the version about to run, against the owner's other installations. */
export function dependencyProblems(
  owned: OwnedVersion[],
  dependent: { slug: string; version: string; dependencies: Record<string, string> },
): Problem[] {
  const installed = new Map(owned.map((o) => [o.slug, o.version]));
  const problems: Problem[] = [];
  for (const [slug, range] of Object.entries(dependent.dependencies)) {
    const have = installed.get(slug);
    if (have === undefined) {
      problems.push({
        field: `dependencies.${slug}`,
        code: 'DEPENDENCY_MISSING',
        message: `${dependent.slug}@${dependent.version} needs "${slug}" ${range} installed first`,
      });
    } else if (!semver.satisfies(have, range, { includePrerelease: true })) {
      problems.push({
        field: `dependencies.${slug}`,
        code: 'DEPENDENCY_VERSION',
        message: `${dependent.slug}@${dependent.version} needs "${slug}" ${range}; you have ${have}`,
      });
    }
  }
  return problems;
}

/** `dependencyProblems` against what the owner has installed now. */
export async function missingDependencies(
  tx: SqlEntityManager,
  ownerId: number,
  dependent: { slug: string; version: string; dependencies: Record<string, string> },
): Promise<Problem[]> {
  if (!Object.keys(dependent.dependencies).length) return [];
  return dependencyProblems(await ownedVersions(tx, ownerId), dependent);
}

/**
 * The owner's installations that would break if the plugin `slug` moved to `version`
 * (or, with `version` null, were uninstalled), each described in a line.
 */
export function dependentsBrokenBy(owned: OwnedVersion[], slug: string, version: string | null): string[] {
  const broken: string[] = [];
  for (const other of owned) {
    const range = other.dependencies[slug];
    if (range === undefined || other.slug === slug) continue;
    if (version === null || !semver.satisfies(version, range, { includePrerelease: true }))
      broken.push(`${other.slug}@${other.version} needs "${slug}" ${range}`);
  }
  return broken;
}

/** `dependentsBrokenBy` against what the owner has installed now. */
export async function brokenDependents(
  tx: SqlEntityManager,
  ownerId: number,
  slug: string,
  version: string | null,
): Promise<string[]> {
  return dependentsBrokenBy(await ownedVersions(tx, ownerId), slug, version);
}

/** Publish-time problems: a dependency must be another plugin listed in the marketplace. */
export async function unknownDependencies(
  em: SqlEntityManager,
  slug: string,
  dependencies: Record<string, string>,
): Promise<Problem[]> {
  const names = Object.keys(dependencies);
  if (!names.length) return [];
  const problems: Problem[] = [];
  if (names.includes(slug))
    problems.push({
      field: `manifest.dependencies.${slug}`,
      code: 'DEPENDENCY_SELF',
      message: 'a plugin cannot depend on itself',
    });
  const listed = new Set((await em.find(Plugin, { slug: { $in: names } }, { fields: ['slug'] })).map((p) => p.slug));
  for (const name of names) {
    if (name !== slug && !listed.has(name))
      problems.push({
        field: `manifest.dependencies.${name}`,
        code: 'DEPENDENCY_UNKNOWN',
        message: `no plugin "${name}" is listed in this marketplace`,
      });
  }
  return problems;
}
