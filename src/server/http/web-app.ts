import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Paths the server answers itself: never files of the web app, never its index.html fallback. */
const RESERVED = /^\/(graphql|metrics|wasm|health|ready)(\/|$)/;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The repository root: the first folder above this module with a package.json (src/ or dist/src/). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** Where `npm run build:web` writes the app. */
export const defaultWebDir = () => path.join(packageRoot(), 'web', 'dist');

/** Only this origin: scripts, styles, images and fonts from here, and HTTP and graphql-ws to here. */
function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host && /^[a-z0-9.:[\]-]+$/i.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Plugboard</title>
<h1>The web app is not built</h1>
<p>Run <code>npm run build:web</code> (<code>npm start</code> and <code>npm test</code> build it when it is stale),
then reload. The API and GraphiQL are at <a href="/graphql">/graphql</a>.</p></html>`;

interface StaticFile {
  body: Buffer;
  /** The body gzipped, for text types worth compressing. */
  gzip: Buffer | null;
  type: string;
  etag: string;
  mtimeMs: number;
}

const COMPRESSIBLE = /^(text\/|application\/json|image\/svg)/;

/**
 * Serves the built web app (web/dist) for GET and HEAD outside the server's own paths: files as
 * they are (hashed assets cached for a year, everything else revalidated by ETag), gzipped when
 * the client accepts it, and index.html for any other path without a file extension, so client
 * routes survive a reload. Files are read and compressed once, again when they change on disk.
 * `handle` returns false for requests that are not the web app's.
 */
export function createWebApp({ dir = defaultWebDir() }: { dir?: string } = {}) {
  const root = path.resolve(dir);
  const cache = new Map<string, StaticFile>();

  async function file(relative: string): Promise<StaticFile | null> {
    const full = path.join(root, relative);
    if (full !== root && !full.startsWith(root + path.sep)) return null;
    const type = TYPES[path.extname(full).toLowerCase()];
    if (!type || path.basename(full) === 'build-stamp.json') return null;
    try {
      const info = await stat(full);
      if (!info.isFile()) return null;
      const cached = cache.get(full);
      if (cached && cached.mtimeMs === info.mtimeMs) return cached;
      const body = await readFile(full);
      const loaded: StaticFile = {
        body,
        gzip: COMPRESSIBLE.test(type) && body.length > 1024 ? gzipSync(body) : null,
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        mtimeMs: info.mtimeMs,
      };
      cache.set(full, loaded);
      return loaded;
    } catch {
      return null;
    }
  }

  function send(req: IncomingMessage, res: ServerResponse, f: StaticFile, headers: Record<string, string>) {
    const base = { ...headers, etag: f.etag, vary: 'accept-encoding' };
    if (req.headers['if-none-match'] === f.etag) {
      res.writeHead(304, base).end();
      return;
    }
    const gzip = f.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) ? f.gzip : null;
    const body = gzip ?? f.body;
    res.writeHead(200, {
      ...base,
      'content-type': f.type,
      'content-length': body.length,
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function serve(req: IncomingMessage, res: ServerResponse, pathname: string) {
    const headers = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      'content-security-policy': contentSecurityPolicy(req.headers.host),
    };
    let relative: string;
    try {
      relative = path.posix.normalize(decodeURIComponent(pathname));
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end('Bad Request');
      return;
    }
    const asFile = relative === '/' || relative.includes('\0') ? null : await file(relative.slice(1));
    if (asFile) {
      const immutable = relative.startsWith('/assets/');
      send(req, res, asFile, {
        ...headers,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      return;
    }
    if (path.posix.extname(relative)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end('Not Found');
      return;
    }
    const index = await file('index.html');
    if (index) {
      send(req, res, index, { ...headers, 'cache-control': 'no-cache' });
      return;
    }
    res.writeHead(503, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(NOT_BUILT),
      'cache-control': 'no-cache',
      ...headers,
    });
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT);
  }

  return {
    /** Whether `req` is the web app's; if so, answers it. */
    handle(req: IncomingMessage, res: ServerResponse, onError: (err: unknown) => void): boolean {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const pathname = (req.url ?? '/').split('?', 1)[0];
      if (!pathname.startsWith('/') || RESERVED.test(pathname)) return false;
      serve(req, res, pathname).catch((err: unknown) => {
        onError(err);
        if (!res.headersSent) res.writeHead(500).end();
      });
      return true;
    },
  };
}
