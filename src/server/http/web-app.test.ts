import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebApp } from './web-app.ts';

// A built app in a temporary folder, served by a real HTTP server on loopback; what the web app
// does not claim falls through to a stand-in for yoga that answers 299.
const dir = mkdtempSync(path.join(tmpdir(), 'plugboard-web-'));
const missing = path.join(dir, 'not-built');
const built = path.join(dir, 'dist');
const bundle = `export const words = ${JSON.stringify(Array.from({ length: 2000 }, (_, i) => `word${i}`))};`;
let servers: Server[] = [];
let url = '';
let unbuiltUrl = '';

/** A GET without fetch's automatic decompression, to see the bytes as sent. */
function raw(route: string, headers: Record<string, string>) {
  return new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    get(`${url}${route}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

async function serve(webDir: string): Promise<string> {
  const app = createWebApp({ dir: webDir });
  const server = createServer((req, res) => {
    if (!app.handle(req, res, () => {})) res.writeHead(299).end('yoga');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  mkdirSync(path.join(built, 'assets'), { recursive: true });
  writeFileSync(path.join(built, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(path.join(built, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(path.join(built, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(path.join(built, 'favicon.svg'), '<svg/>');
  writeFileSync(path.join(built, 'assets', 'vendor-def456.js'), bundle);
  writeFileSync(path.join(built, 'build-stamp.json'), '{}');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside');
  url = await serve(built);
  unbuiltUrl = await serve(missing);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  servers = [];
  rmSync(dir, { recursive: true, force: true });
});

describe('the web app at /', () => {
  it('serves files with their content type; hashed assets cached for a year, the rest revalidated', async () => {
    for (const [file, type, cache] of [
      ['/assets/index-abc123.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['/assets/index-abc123.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['/favicon.svg', 'image/svg+xml', 'no-cache'],
      ['/', 'text/html; charset=utf-8', 'no-cache'],
      ['/index.html', 'text/html; charset=utf-8', 'no-cache'],
    ]) {
      const response = await fetch(`${url}${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get('content-type'), file).toBe(type);
      expect(response.headers.get('cache-control'), file).toBe(cache);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers every client route with index.html, query strings and encoded names included', async () => {
    for (const route of [
      '/plugins/data-normalizer',
      '/plugins/data-normalizer/install',
      '/installations/abc',
      '/executions?x=1',
      '/publisher',
      '/sign-in',
      '/plugins/caf%C3%A9',
      '/unknown/deep/route',
    ]) {
      const response = await fetch(`${url}${route}`);
      expect(response.status, route).toBe(200);
      expect(await response.text(), route).toContain('<title>app</title>');
    }
  });

  it('leaves the server its own paths, and other methods', async () => {
    for (const route of ['/graphql', '/graphql?query={__typename}', '/metrics', '/wasm/00', '/health', '/ready']) {
      expect((await fetch(`${url}${route}`)).status, route).toBe(299);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS'])
      expect((await fetch(`${url}/`, { method })).status, method).toBe(299);
  });

  it('answers HEAD with headers and no body', async () => {
    const response = await fetch(`${url}/assets/index-abc123.js`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('14');
    expect(await response.text()).toBe('');
  });

  it('404s missing files instead of answering them with index.html, and never leaves its folder', async () => {
    for (const route of [
      '/assets/index-gone.js',
      '/missing.png',
      '/build-stamp.json',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/a%00.js',
    ]) {
      const response = await fetch(`${url}${route}`);
      expect([400, 404], route).toContain(response.status);
      expect(await response.text(), route).not.toContain('outside');
    }
    expect((await fetch(`${url}/%E0%A4%A`)).status).toBe(400);
  });

  it('gzips text worth compressing for clients that accept it, and sends it plain to others', async () => {
    for (const encoding of ['gzip', 'gzip, deflate, br', 'br;q=1, gzip;q=0.5', '', 'identity', 'deflate']) {
      const response = await raw('/assets/vendor-def456.js', { 'accept-encoding': encoding });
      const gzipped = /\bgzip\b/.test(encoding);
      expect(response.headers['content-encoding'], encoding).toBe(gzipped ? 'gzip' : undefined);
      expect(response.headers.vary).toBe('accept-encoding');
      expect(Number(response.headers['content-length'])).toBe(response.body.length);
      expect((gzipped ? gunzipSync(response.body) : response.body).toString(), encoding).toBe(bundle);
      if (gzipped) expect(response.body.length).toBeLessThan(bundle.length / 2);
    }
  });

  it('answers a matching If-None-Match with 304, and serves a file changed on disk anew', async () => {
    for (const route of ['/', '/plugins/x', '/favicon.svg', '/assets/index-abc123.js']) {
      const first = await fetch(`${url}${route}`);
      const etag = first.headers.get('etag');
      expect(etag, route).toMatch(/^"[\w-]+"$/);
      expect((await fetch(`${url}${route}`, { headers: { 'if-none-match': etag! } })).status, route).toBe(304);
      expect((await fetch(`${url}${route}`, { headers: { 'if-none-match': '"other"' } })).status, route).toBe(200);
    }
    const before = await fetch(`${url}/`);
    writeFileSync(path.join(built, 'index.html'), '<!doctype html><title>app v2</title>');
    utimesSync(path.join(built, 'index.html'), new Date(), new Date(Date.now() + 5_000));
    const after = await fetch(`${url}/`, { headers: { 'if-none-match': before.headers.get('etag')! } });
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('app v2');
    writeFileSync(path.join(built, 'index.html'), '<!doctype html><title>app</title>');
    utimesSync(path.join(built, 'index.html'), new Date(), new Date(Date.now() + 10_000));
  });

  it('sends a CSP that allows this origin only, WebSockets to this host included', async () => {
    const csp = (await fetch(`${url}/`)).headers.get('content-security-policy') ?? '';
    const host = new URL(url).host;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe|https?:|\*/);
  });

  it('says how to build the web app when it is not built', async () => {
    const response = await fetch(`${unbuiltUrl}/plugins/x`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:web');
    expect((await fetch(`${unbuiltUrl}/graphql`)).status).toBe(299);
  });
});
