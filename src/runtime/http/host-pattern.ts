import { HTTP_PERMISSION_KIND, HTTP_PERMISSION_PREFIX, PERMISSIONS } from '../abi.ts';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Why a host pattern is not valid, or null when it is. A pattern is a lower-case DNS name
 * (`api.example.com`, `localhost`), an IPv4 address, or `*.` followed by a name of at least two
 * labels (`*.example.com`: any name under example.com, not example.com itself). No ports, schemes,
 * paths, IPv6 literals or other wildcards.
 */
export function hostPatternProblem(pattern: string): string | null {
  if (pattern.length === 0 || pattern.length > 253) return 'must be a host name of 1 to 253 characters';
  if (IPV4.test(pattern)) return null;
  const wildcard = pattern.startsWith('*.');
  const name = wildcard ? pattern.slice(2) : pattern;
  const labels = name.split('.');
  if (!labels.every((l) => LABEL.test(l)))
    return 'must be lower-case DNS labels (a-z, 0-9, inner hyphens) separated by dots, with a wildcard only as a leading "*."';
  if (/^\d+$/.test(labels[labels.length - 1]!))
    return 'must end in a name, not a number (IPv4 addresses are written in full)';
  if (wildcard && labels.length < 2) return 'a wildcard must stand before at least two labels ("*.example.com")';
  return null;
}

/** Whether `p` is an `http:<host pattern>` permission with a valid pattern. */
export function isHttpPermission(p: string): boolean {
  return p.startsWith(HTTP_PERMISSION_PREFIX) && hostPatternProblem(p.slice(HTTP_PERMISSION_PREFIX.length)) === null;
}

/** Whether `p` is a permission a manifest may declare: one of `PERMISSIONS` or `http:<host pattern>`. */
export function isPermission(p: string): boolean {
  return (PERMISSIONS as readonly string[]).includes(p) || isHttpPermission(p);
}

/** The host patterns among granted permissions. */
export function httpPatterns(grants: readonly string[]): string[] {
  return grants.filter(isHttpPermission).map((p) => p.slice(HTTP_PERMISSION_PREFIX.length));
}

/** Whether a URL's host name (as `URL.hostname` gives it) matches one of the patterns. */
export function hostGranted(hostname: string, patterns: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  for (const p of patterns) {
    if (p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p) return true;
  }
  return false;
}

/**
 * Whether granted permissions cover one an import needs: `HTTP_PERMISSION_KIND` is covered by
 * any `http:` grant, every other permission by itself.
 */
export function grantsCover(grants: readonly string[], permission: string): boolean {
  return permission === HTTP_PERMISSION_KIND ? grants.some(isHttpPermission) : grants.includes(permission);
}
