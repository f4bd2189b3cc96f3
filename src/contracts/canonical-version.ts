import semver from 'semver';
import type { Problem } from './problem.ts';

/**
 * Why `version` cannot be published as written, or null. Versions are stored exactly in their
 * canonical SemVer form: no `v` or `=` prefix, no surrounding space, no build metadata (which
 * SemVer precedence ignores, so `1.0.0+a` and `1.0.0+b` are the same version as `1.0.0`).
 * Canonical strings and precedences then correspond one to one, and the unique index on
 * (plugin, version) allows one version per precedence.
 */
export function versionProblem(version: string): Omit<Problem, 'field'> | null {
  const parsed = semver.parse(version.trim(), { loose: false });
  if (!parsed) return { code: 'SEMVER', message: `"${version}" is not a semantic version (e.g. 1.2.0)` };
  if (parsed.build.length > 0)
    return {
      code: 'SEMVER_BUILD_METADATA',
      message: `build metadata (+${parsed.build.join('.')}) does not make a different version: publish "${parsed.version}"`,
    };
  if (parsed.version !== version)
    return { code: 'SEMVER_NOT_CANONICAL', message: `write "${version}" as "${parsed.version}"` };
  return null;
}
