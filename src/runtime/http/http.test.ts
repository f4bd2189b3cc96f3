import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalRunner,
  createRuntime,
  hostGranted,
  hostPatternProblem,
  inspectModule,
  isRefusedAddress,
  MAX_HTTP_REQUESTS_PER_CALL,
  type PluginRuntime,
  type PreparedModule,
} from '../index.ts';
import { buildFixture, preparedFixture } from '../testing/fixtures.ts';
import { request, text } from '../testing/requests.ts';

let server: Server;
let base: string;
let open: PluginRuntime;
let strict: PluginRuntime;
let client: PreparedModule;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/echo') {
        res.setHeader('x-method', req.method ?? '');
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end(Buffer.concat(chunks));
      } else if (url.pathname === '/redirect') {
        res.statusCode = 302;
        res.setHeader('location', url.searchParams.get('to') ?? '/echo');
        res.end();
      } else if (url.pathname === '/big') {
        res.end(Buffer.alloc(2 * 1024 * 1024, 97));
      } else if (url.pathname === '/hang') {
        // Never answers: the call's deadline must end it.
      } else {
        res.statusCode = 404;
        res.end('nope');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = await preparedFixture('http-client');
  open = createRuntime({ workers: 1, spareWorker: false, allowedInternalHosts: ['127.0.0.1'] });
  strict = createRuntime({ workers: 1, spareWorker: false });
});
afterAll(async () => {
  await Promise.all([open?.close(), strict?.close()]);
  server?.closeAllConnections();
  server?.close();
});

const req = (url: string, extra: Record<string, unknown> = {}) => JSON.stringify({ url, ...extra });
const grants = (...hosts: string[]) => ['log', ...hosts.map((h) => `http:${h}`)];

function parse(out: Uint8Array | null) {
  const [status, headers, ...body] = text(out)!.split('\n');
  return { status: Number(status), headers: headers ? JSON.parse(headers) : null, body: body.join('\n') };
}

describe('outbound HTTP through the Extism kernel ABI', () => {
  it('performs a GET from the plugin thread and records it', async () => {
    const r = await open.call(request(client, 'fetch', req(`${base}/echo`), { grants: grants('127.0.0.1') }));
    expect(r.status).toBe('SUCCEEDED');
    const res = parse(r.output);
    expect(res.status).toBe(200);
    expect(res.headers['x-method']).toBe('GET');
    expect(r.httpRequests).toHaveLength(1);
    expect(r.httpRequests[0]).toMatchObject({ method: 'GET', url: `${base}/echo`, status: 200, error: null });
  });

  it('sends method, headers and a UTF-8 body byte for byte', async () => {
    const r = await open.call(
      request(client, 'post', req(`${base}/echo`, { method: 'put', headers: { 'x-a': 'b' } }), {
        grants: grants('127.0.0.1'),
      }),
    );
    const res = parse(r.output);
    expect(res).toMatchObject({ status: 200, body: 'héllo ✓ wörld' });
    expect(res.headers['x-method']).toBe('PUT');
    expect(r.httpRequests[0]!.requestBytes).toBe(Buffer.byteLength('héllo ✓ wörld'));
  });

  it('refuses a host no granted pattern matches, before any network', async () => {
    for (const url of ['http://example.com/', 'http://127.0.0.2/', `${base.replace('127.0.0.1', 'localhost')}/echo`]) {
      const r = await open.call(request(client, 'fetch', req(url), { grants: grants('127.0.0.1', '*.example.org') }));
      const res = parse(r.output);
      expect(res.status, url).toBe(0);
      expect(JSON.parse(res.body).error.code).toBe('HTTP_HOST_NOT_GRANTED');
      expect(r.httpRequests[0]!.error?.code).toBe('HTTP_HOST_NOT_GRANTED');
    }
  });

  it('refuses names and literals that reach internal addresses unless the deployment allows the host', async () => {
    for (const [host, url] of [
      ['127.0.0.1', `${base}/echo`],
      ['localhost', `${base.replace('127.0.0.1', 'localhost')}/echo`],
      ['169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
      ['10.1.2.3', 'http://10.1.2.3/'],
      ['0.0.0.0', 'http://0.0.0.0/'],
    ]) {
      const r = await strict.call(request(client, 'fetch', req(url!), { grants: grants(host!) }));
      expect(JSON.parse(parse(r.output).body).error.code, url).toBe('HTTP_ADDRESS_REFUSED');
    }
  });

  it('checks the grant and the address again on every redirect hop', async () => {
    const other = base.replace('127.0.0.1', 'localhost');
    const ok = await open.call(
      request(client, 'fetch', req(`${base}/redirect?to=/echo`), { grants: grants('127.0.0.1') }),
    );
    expect(parse(ok.output).status).toBe(200);
    expect(ok.httpRequests[0]!.redirects).toBe(1);
    const notGranted = await open.call(
      request(client, 'fetch', req(`${base}/redirect?to=${other}/echo`), { grants: grants('127.0.0.1') }),
    );
    expect(JSON.parse(parse(notGranted.output).body).error.code).toBe('HTTP_HOST_NOT_GRANTED');
    // Granted, but localhost is not a named internal host of this deployment: refused at the hop.
    const inward = await open.call(
      request(client, 'fetch', req(`${base}/redirect?to=${other}/echo`), { grants: grants('127.0.0.1', 'localhost') }),
    );
    expect(JSON.parse(parse(inward.output).body).error.code).toBe('HTTP_ADDRESS_REFUSED');
  });

  it('caps requests per call and response size', async () => {
    const r = await open.call(request(client, 'many', req(`${base}/echo`), { grants: grants('127.0.0.1') }));
    const statuses = text(r.output)!.split(',').map(Number);
    expect(statuses.filter((s) => s === 200)).toHaveLength(MAX_HTTP_REQUESTS_PER_CALL);
    expect(r.httpRequests.at(-1)!.error?.code).toBe('HTTP_TOO_MANY_REQUESTS');
    const big = await open.call(request(client, 'fetch', req(`${base}/big`), { grants: grants('127.0.0.1') }));
    expect(JSON.parse(parse(big.output).body).error.code).toBe('HTTP_RESPONSE_TOO_LARGE');
  });

  it('counts the wait against the call deadline: a hanging server ends the call TIMED_OUT', async () => {
    const r = await open.call(
      request(client, 'fetch', req(`${base}/hang`), { grants: grants('127.0.0.1'), limits: { timeoutMs: 300 } }),
    );
    expect(r.status).toBe('TIMED_OUT');
    // The requests the call completed before it was stopped are still on its result.
    const partly = await open.call(
      request(client, 'then_hang', base, { grants: grants('127.0.0.1'), limits: { timeoutMs: 300 } }),
    );
    expect(partly.status).toBe('TIMED_OUT');
    expect(partly.httpRequests.map((x) => [x.url, x.status])).toEqual([[`${base}/echo`, 200]]);
  });

  it('rejects invalid requests with HTTP_INVALID_REQUEST', async () => {
    for (const bad of ['not json', '{"url":"ftp://127.0.0.1/"}', req(`${base}/`, { method: 'TRACE' }), '{}']) {
      const r = await open.call(request(client, 'fetch', bad, { grants: grants('127.0.0.1') }));
      expect(JSON.parse(parse(r.output).body).error.code, bad).toBe('HTTP_INVALID_REQUEST');
    }
  });

  it('links HTTP only with an http: grant, and inspect asks the manifest for one', async () => {
    const denied = await open.call(request(client, 'fetch', req(`${base}/echo`), { grants: ['log'] }));
    expect(denied.error?.code).toBe('PERMISSION_DENIED');
    const raw = await buildFixture('http-client');
    const without = inspectModule(raw, { functions: ['fetch'], hooks: [], permissions: [] });
    expect(without.problems.map((p) => p.code)).toContain('IMPORT_NOT_DECLARED');
    const withGrant = inspectModule(raw, { functions: ['fetch'], hooks: [], permissions: ['http:api.example.com'] });
    expect(withGrant.ok).toBe(true);
    expect(withGrant.requiredPermissions).toEqual(['http:*']);
  });

  it('answers from a responder the caller gives (the harness and replay), still checking the grant', async () => {
    const runner = createLocalRunner();
    try {
      const seen: string[] = [];
      const http = (r: { url: string }) => {
        seen.push(r.url);
        return {
          status: 201,
          headers: { a: 'b' },
          body: new TextEncoder().encode('mocked'),
          redirects: 0,
          error: null,
        };
      };
      const r = await runner.run({
        ...request(client, 'fetch', req('https://api.example.com/x'), { grants: grants('api.example.com') }),
        http,
      });
      expect(parse(r.output)).toEqual({ status: 201, headers: { a: 'b' }, body: 'mocked' });
      const refused = await runner.run({
        ...request(client, 'fetch', req('https://evil.test/'), { grants: grants('api.example.com') }),
        http,
      });
      expect(parse(refused.output).status).toBe(0);
      expect(seen).toEqual(['https://api.example.com/x']);
    } finally {
      runner.close();
    }
  });
});

describe('host patterns and address policy', () => {
  it('accepts names, IPv4 and leading wildcards only', () => {
    for (const ok of ['api.example.com', 'localhost', '*.example.com', '127.0.0.1', 'a-b.c0.io'])
      expect(hostPatternProblem(ok), ok).toBeNull();
    for (const bad of [
      '',
      '*',
      '*.com',
      'a.*.com',
      'API.example.com',
      'api.example.com:443',
      'http://a.com',
      '[::1]',
      'a..b',
      '-a.com',
      'a_b.com',
      '1.2.3',
      '300.1.1.1',
      'x'.repeat(254),
      'a.com/',
      ' a.com',
    ])
      expect(hostPatternProblem(bad), bad).not.toBeNull();
  });

  it('matches a wildcard below its name, never the name itself or a lookalike', () => {
    expect(hostGranted('a.example.com', ['*.example.com'])).toBe(true);
    expect(hostGranted('a.b.example.com', ['*.example.com'])).toBe(true);
    expect(hostGranted('example.com', ['*.example.com'])).toBe(false);
    expect(hostGranted('badexample.com', ['*.example.com'])).toBe(false);
    expect(hostGranted('API.Example.com.', ['api.example.com'])).toBe(true);
  });

  it('refuses every internal form of an address and lets public ones through', () => {
    const refused = [
      '127.0.0.1',
      '127.255.0.9',
      '0.0.0.0',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '64:ff9b::a00:1',
      '2002:7f00:1::',
      'ff02::1',
      'not-an-ip',
    ];
    for (const a of refused) expect(isRefusedAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect(isRefusedAddress(a), a).toBe(false);
  });
});
