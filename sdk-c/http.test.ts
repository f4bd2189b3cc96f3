import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlugin } from '../sdk-assemblyscript/compiler/build.ts';
import { createRuntime, type PluginRuntime, type PreparedModule, prepareModule } from '../src/runtime/index.ts';
import { request, text } from '../src/runtime/testing/requests.ts';
import { detectClang } from './compiler/clang.ts';

// The C SDK's pb_http_* wrapper through the real runtime (worker pool, Extism kernel HTTP) against
// a loopback server. Needs clang and lld; skipped without them, except under CI.
const haveClang = (await detectClang()) !== null;
const fixture = path.join(path.dirname(new URL(import.meta.url).pathname), 'test', 'http');
const UTF8 = 'Zoë 東京 🎮 "quoted" \\ back\tslash';

interface Described {
  status: number;
  ok: boolean;
  body: string;
  contentType: string;
  json: unknown;
  headers: Record<string, string>;
  errorCode: string;
  errorMessage: string;
}

describe.skipIf(!haveClang && process.env.CI !== 'true')('C SDK outbound HTTP', () => {
  let server: Server;
  let base: string;
  let runtime: PluginRuntime;
  let plugin: PreparedModule;
  const grants = ['http:127.0.0.1', 'http:localhost'];
  let hits = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hits++;
        const url = new URL(req.url ?? '/', 'http://x');
        if (url.pathname === '/utf8') {
          res.setHeader('content-type', 'text/plain; charset=utf-8');
          res.setHeader('x-note', 'note "q" \\ end');
          res.end(UTF8);
        } else if (url.pathname === '/echo') {
          // The request as the server saw it, as JSON.
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              method: req.method,
              contentType: req.headers['content-type'] ?? null,
              custom: req.headers['x-custom'] ?? null,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        } else if (url.pathname === '/bytes') {
          res.setHeader('content-type', 'application/octet-stream');
          res.end(Buffer.concat(chunks));
        } else {
          res.statusCode = 404;
          res.end('nope');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    plugin = await prepareModule((await buildPlugin(fixture)).bytes);
    runtime = createRuntime({ workers: 1, spareWorker: false, allowedInternalHosts: ['127.0.0.1', 'localhost'] });
  });
  afterAll(async () => {
    await runtime?.close();
    server?.closeAllConnections();
    server?.close();
  });

  const call = async (fn: string, input: string | Uint8Array, callGrants = grants) => {
    const r = await runtime.call(request(plugin, fn, input, { grants: callGrants }));
    return r;
  };
  const described = async (fn: string, input: unknown, callGrants = grants) => {
    const r = await call(fn, typeof input === 'string' ? input : JSON.stringify(input), callGrants);
    expect(r.error).toBeNull();
    return JSON.parse(text(r.output)!) as Described;
  };

  it('pb_http_get returns status, UTF-8 body and response headers', async () => {
    const r = await described('get', `${base}/utf8`);
    expect(r).toMatchObject({ status: 200, ok: true, body: UTF8, errorCode: '', errorMessage: '' });
    expect(r.contentType).toBe('text/plain; charset=utf-8');
    expect(r.headers['x-note']).toBe('note "q" \\ end');
    const missing = await described('get', `${base}/missing`);
    expect(missing).toMatchObject({ status: 404, ok: false, body: 'nope', errorCode: '' });
  });

  it('pb_http_post sends the body and content type byte for byte', async () => {
    for (const body of [
      '',
      'plain',
      UTF8,
      '{"a":[1,2]}',
      'ctl \u0001\u001f\n\r end',
      '\u2028\ud83d\ude00'.repeat(50),
    ]) {
      const r = await described('post', { url: `${base}/echo`, body, contentType: 'text/plain; charset=utf-8' });
      expect(r.status, body).toBe(200);
      expect(r.json, body).toEqual({ method: 'POST', contentType: 'text/plain; charset=utf-8', custom: null, body });
    }
    const untyped = await described('post', { url: `${base}/echo`, body: 'x' });
    expect(untyped.json).toMatchObject({ method: 'POST', body: 'x' });
  });

  it('pb_http_request escapes method, URL and header values into the request JSON', async () => {
    // Header values are ASCII on the wire (a non-Latin-1 one fails the request, status 0).
    for (const value of ['plain', 'quote " and \\ slash', `{"json":"inside"}`, 'tab\there']) {
      const r = await described('request', {
        url: `${base}/echo?q=${encodeURIComponent(value)}`,
        method: 'PUT',
        headers: { 'x-custom': value, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(r.status, value).toBe(200);
      expect(r.json, value).toEqual({ method: 'PUT', contentType: 'application/json', custom: value, body: '{}' });
    }
    const refused = await described('request', { url: `${base}/echo`, headers: { 'x-custom': '✓' } });
    expect(refused.status).toBe(0);
    expect(refused.errorCode).toMatch(/^HTTP_/);
  });

  it('moves body bytes of every length both ways unchanged', async () => {
    for (const n of [0, 1, 7, 8, 9, 255, 4096, 65_537]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) % 256);
      const input = Buffer.concat([Buffer.from(`${base}/bytes\n`), bytes]);
      const r = await call('raw', input);
      expect(r.error, `raw ${n}`).toBeNull();
      expect(Buffer.from(r.output ?? []), `raw ${n}`).toEqual(Buffer.from(bytes));
    }
  });

  it('gives a refused host its error code, without a request', async () => {
    const before = hits;
    for (const url of ['http://example.com/', 'http://127.0.0.2/', `${base.replace('127.0.0.1', 'localhost')}/utf8`]) {
      const r = await described('get', url, ['http:127.0.0.1']);
      expect(r.status, url).toBe(0);
      expect(r.ok).toBe(false);
      expect(r.errorCode, url).toBe('HTTP_HOST_NOT_GRANTED');
      expect(r.errorMessage.length).toBeGreaterThan(0);
    }
    expect(hits).toBe(before);
    const granted = await described('get', `${base.replace('127.0.0.1', 'localhost')}/utf8`);
    expect(granted).toMatchObject({ status: 200, body: UTF8 });
  });
});
