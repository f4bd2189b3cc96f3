/**
 * Links clients will follow (clip media, plugin homepages) must mean the same thing to every URL
 * parser. Browsers and servers disagree about backslashes, tabs and newlines inside URLs,
 * `//host` and `/\host` (protocol-relative: another site, not a path), `https:host` without
 * slashes, and userinfo (`https://trusted@evil.example`), so those are refused outright rather
 * than normalised.
 */

/** Control, format (bidi overrides, zero-width) and separator characters, and the backslash. */
const AMBIGUOUS = /[\p{Cc}\p{Cf}\p{Z}\\]/u;
const ABSOLUTE = /^https?:\/\/[^/?#@]+(?:[/?#]|$)/i;

export interface UrlProblem {
  code: string;
  message: string;
}

export function urlProblem(value: string, { allowPath = false } = {}): UrlProblem | null {
  if (value.length > 1000) return { code: 'TOO_LONG', message: 'must be at most 1000 characters' };
  if (AMBIGUOUS.test(value))
    return { code: 'URL', message: 'must not contain spaces, control characters or backslashes' };
  if (value.startsWith('/')) {
    if (!allowPath) return { code: 'URL', message: 'must be an absolute http(s) URL' };
    return pathProblem(value);
  }
  if (!ABSOLUTE.test(value))
    return {
      code: 'URL',
      message: allowPath
        ? 'must be an http(s) URL (https://host/…, no user name) or an absolute path (/…)'
        : 'must be an absolute http(s) URL (https://host/…, no user name)',
    };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { code: 'URL', message: 'must be a valid http(s) URL' };
  }
  if (url.username || url.password || !url.hostname) return { code: 'URL', message: 'must name a host and no user' };
  return null;
}

/** An absolute path on this site: one leading slash, and no `.`/`..` segment even percent-encoded. */
function pathProblem(value: string): UrlProblem | null {
  if (value.startsWith('//')) return { code: 'URL', message: 'must not start with // (that names another host)' };
  const path = value.split(/[?#]/, 1)[0];
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { code: 'URL', message: 'has a malformed percent-encoding' };
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/') || AMBIGUOUS.test(decoded))
      return { code: 'URL', message: 'must not contain . or .. segments, or encode slashes or control characters' };
  }
  return null;
}
