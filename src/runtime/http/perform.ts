import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { HttpErrorCode, HttpInbound, HttpOutbound } from '../types.ts';
import { isRefusedAddress } from './address-policy.ts';
import { hostGranted } from './host-pattern.ts';
import { MAX_HTTP_REDIRECTS } from './limits.ts';

export interface PerformOptions {
  patterns: readonly string[];
  timeoutMs: number;
  maxResponseBytes: number;
  /** Host names (lower case) whose addresses are not checked: the deployment's named internal hosts. */
  allowedInternalHosts: ReadonlySet<string>;
}

class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const failed = (code: HttpErrorCode, message: string, redirects = 0): HttpInbound => ({
  status: 0,
  headers: {},
  body: new Uint8Array(0),
  redirects,
  error: { code, message },
});

/**
 * Performs one outbound request for a plugin: resolves the host, refuses internal addresses,
 * connects to the address it checked (no second resolution, so no DNS rebinding), and follows
 * redirects itself, checking the grant and the address again at every hop. Never throws.
 */
export async function performRequest(req: HttpOutbound, options: PerformOptions): Promise<HttpInbound> {
  const deadline = performance.now() + options.timeoutMs;
  let url = new URL(req.url);
  let { method, body } = req;
  const headers = { ...req.headers };
  for (let redirects = 0; ; redirects++) {
    try {
      if (!hostGranted(url.hostname, options.patterns)) {
        const what = redirects === 0 ? 'the request' : `redirect ${redirects} (to ${url.origin})`;
        throw new HttpError(
          'HTTP_HOST_NOT_GRANTED',
          `${what}: no granted http: permission matches host "${url.hostname}"`,
        );
      }
      const target = await withDeadline(resolveChecked(url.hostname, options.allowedInternalHosts), deadline);
      const res = await send(url, method, headers, body, target, deadline, options.maxResponseBytes);
      const location = res.headers.location;
      if (res.status >= 300 && res.status < 400 && res.status !== 304 && location) {
        if (redirects >= MAX_HTTP_REDIRECTS)
          throw new HttpError('HTTP_TOO_MANY_REDIRECTS', `more than ${MAX_HTTP_REDIRECTS} redirects`);
        const next = new URL(location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:')
          throw new HttpError('HTTP_INVALID_REQUEST', `redirect to a ${next.protocol} URL`);
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = null;
          for (const h of Object.keys(headers)) if (/^content-(type|length|encoding)$/i.test(h)) delete headers[h];
        }
        // Credentials meant for one origin never follow a redirect to another.
        if (next.origin !== url.origin)
          for (const h of Object.keys(headers)) if (/^(authorization|cookie)$/i.test(h)) delete headers[h];
        url = next;
        continue;
      }
      return { ...res, redirects, error: null };
    } catch (err) {
      if (err instanceof HttpError) return failed(err.code, err.message, redirects);
      return failed('HTTP_FAILED', `${url.origin}: ${(err as Error).message}`, redirects);
    }
  }
}

interface Address {
  address: string;
  family: 4 | 6;
}
/** The checked addresses of a host, in resolver order: the only ones a connection may use. */
type Target = Address[];

async function resolveChecked(hostname: string, allowed: ReadonlySet<string>): Promise<Target> {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const internalOk = allowed.has(host.replace(/\.$/, ''));
  const literal = isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal }]
    : await lookup(host, { all: true, verbatim: true }).catch((err: Error) => {
        throw new HttpError('HTTP_FAILED', `cannot resolve "${host}": ${err.message}`);
      });
  if (addresses.length === 0) throw new HttpError('HTTP_FAILED', `"${host}" has no address`);
  if (!internalOk) {
    // Every address is checked, not just the one used: a name that resolves inward at all is refused.
    const refused = addresses.find((a) => isRefusedAddress(a.address));
    if (refused)
      throw new HttpError(
        'HTTP_ADDRESS_REFUSED',
        `"${host}" resolves to ${refused.address}, an internal address plugins may not reach`,
      );
  }
  return addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  const left = deadline - performance.now();
  if (left <= 0) return Promise.reject(new HttpError('HTTP_TIMEOUT', "the call's deadline passed"));
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HttpError('HTTP_TIMEOUT', "the call's deadline passed")), left);
    }),
  ]).finally(() => clearTimeout(timer));
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array | null,
  target: Target,
  deadline: number,
  maxBytes: number,
): Promise<{ status: number; headers: Record<string, string>; body: Uint8Array }> {
  // The connection goes to the checked addresses whatever the name resolves to by now (with
  // `all`, Node tries each in turn: a name on 127.0.0.1 and ::1 reaches whichever listens).
  const pinned: LookupFunction = (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) (cb as (e: null, a: Address[]) => void)(null, target);
    else cb(null, target[0]!.address, target[0]!.family);
  };
  const left = deadline - performance.now();
  if (left <= 0) return Promise.reject(new HttpError('HTTP_TIMEOUT', "the call's deadline passed"));
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const request = lib.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method,
        headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        lookup: pinned,
        agent: false,
      },
      (res) => {
        const declared = Number(res.headers['content-length']);
        if (declared > maxBytes) {
          res.destroy();
          reject(tooLarge(maxBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            res.destroy();
            reject(tooLarge(maxBytes));
          } else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers: out, body: new Uint8Array(Buffer.concat(chunks)) });
        });
      },
    );
    const timer = setTimeout(() => request.destroy(new HttpError('HTTP_TIMEOUT', "the call's deadline passed")), left);
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    request.end(body ?? undefined);
  });
}

const tooLarge = (max: number) => new HttpError('HTTP_RESPONSE_TOO_LARGE', `the response body passed ${max} bytes`);
