import semver from 'semver';
import { HOST_API_VERSION } from '../contracts/index.ts';
import { BadInputError, type Problem, VersionRevokedError } from './errors.ts';

/** What choosing a version reads of one: entities and read records both fit. */
export interface VersionChoice {
  version: string;
  yanked: boolean;
  prerelease: boolean;
  hostApi: string;
  /** Set once the version is revoked (the kill switch): it is never chosen again. */
  revokedAt?: Date | null;
  revokedReason?: string | null;
}

/** Whether this server's host API is inside the range the version was built for. */
export const runsHere = (version: Pick<VersionChoice, 'hostApi'>): boolean =>
  semver.satisfies(HOST_API_VERSION, version.hostApi);

/** Versions neither yanked nor revoked satisfying the range (prereleases only when the range names one). */
export function versionsInRange<V extends VersionChoice>(versions: V[], range: string): V[] {
  return versions.filter(
    (v) =>
      !v.yanked &&
      !v.revokedAt &&
      (!v.prerelease || semver.satisfies(v.version, range, { includePrerelease: false })) &&
      semver.satisfies(v.version, range),
  );
}

/** The highest of `versions` (none when empty). */
export function highest<V extends VersionChoice>(versions: V[]): V | undefined {
  return versions.reduce<V | undefined>(
    (best, v) => (!best || semver.gt(v.version, best.version) ? v : best),
    undefined,
  );
}

/**
 * Highest stable, non-yanked version satisfying the range that runs on this server's host API
 * (prereleases only when the range names one), or the problem saying why there is none.
 */
export function chooseVersion<V extends VersionChoice>(
  versions: V[],
  range: string,
  slug: string,
  field = 'versionRange',
): { version: V; problem?: never } | { version?: never; problem: Problem } {
  const inRange = versionsInRange(versions, range);
  const picked = highest(inRange.filter(runsHere));
  if (picked) return { version: picked };
  return {
    problem: inRange.length
      ? {
          field,
          code: 'HOST_API',
          message: `every version of "${slug}" satisfying "${range}" needs a host API other than this platform's ${HOST_API_VERSION}`,
        }
      : {
          field,
          code: 'NO_MATCHING_VERSION',
          message: `no published, non-yanked version of "${slug}" satisfies "${range}"`,
        },
  };
}

/**
 * `chooseVersion` that throws its problem, or PLUGIN_REVOKED when only revoked versions satisfy
 * the range; with `trusted` (signatures required) only those versions are chosen, and
 * SIGNATURE_REQUIRED says when an untrusted one would have been.
 */
export function pickVersion<V extends VersionChoice & { id: number }>(
  versions: V[],
  range: string,
  slug: string,
  trusted: Set<number> | null = null,
): V {
  const { version, problem } = chooseVersion(
    trusted ? versions.filter((v) => trusted.has(v.id)) : versions,
    range,
    slug,
  );
  if (!problem) return version;
  if (trusted && chooseVersion(versions, range, slug).version)
    throw new BadInputError([
      {
        field: 'versionRange',
        code: 'SIGNATURE_REQUIRED',
        message: `no version of "${slug}" satisfying "${range}" has a verified signature; this server installs verified versions only`,
      },
    ]);
  const revoked = versions
    .filter((v) => v.revokedAt && semver.satisfies(v.version, range))
    .sort((a, b) => semver.rcompare(a.version, b.version));
  if (problem.code === 'NO_MATCHING_VERSION' && revoked.length)
    throw new VersionRevokedError(slug, revoked[0].version, revoked[0].revokedReason ?? '');
  throw new BadInputError([problem]);
}

export function hostApiProblems(version: Pick<VersionChoice, 'version' | 'hostApi'>): Problem[] {
  if (runsHere(version)) return [];
  return [
    {
      field: 'version',
      code: 'HOST_API',
      message: `${version.version} needs host API "${version.hostApi}"; this platform provides ${HOST_API_VERSION}`,
    },
  ];
}

/**
 * Checks a set of grants against what a version asks for: granting what it does not ask for is
 * refused (NOT_REQUESTED), as is leaving out what it asks for (PERMISSIONS_REQUIRED).
 */
export function checkGrants(
  version: { version: string; permissions: string[] },
  granted: string[],
  field = 'grantPermissions',
): Problem[] {
  const problems: Problem[] = [];
  const unknown = granted.filter((p) => !version.permissions.includes(p));
  if (unknown.length)
    problems.push({
      field,
      code: 'NOT_REQUESTED',
      message: `${version.version} does not ask for: ${unknown.join(', ')}`,
    });
  const missing = version.permissions.filter((p) => !granted.includes(p));
  if (missing.length)
    problems.push({
      field,
      code: 'PERMISSIONS_REQUIRED',
      message: `${version.version} needs these permissions granted: ${missing.join(', ')}`,
    });
  return problems;
}
