import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture } from '../../src/runtime/testing/fixtures.ts';
import { EXECUTE, INSTALL, listAndPublish } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { print } from 'graphql';

type Line = Record<string, unknown> & { msg: string };

let server: TestServer;
let token: string;
let echo: string;
const raw: string[] = [];
const lines = (): Line[] => raw.map((l) => JSON.parse(l) as Line);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Runs the echo plugin over HTTP with `headers`; the response's request id and body. */
async function executeOverHttp(headers: Record<string, string>, bearer = token) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, ...headers },
    body: JSON.stringify({
      query: print(EXECUTE),
      operationName: 'Execute',
      variables: { input: { installationId: echo, function: 'echo', input: '{"secret":"not-logged"}' } },
    }),
  });
  const body = (await response.json()) as { data?: { executePlugin: { executionId: string } }; errors?: unknown };
  return { requestId: response.headers.get('x-request-id'), body };
}

/** The log lines of one request id, waiting for the request's own line (written once the response ends). */
async function linesOf(requestId: string): Promise<Line[]> {
  await expect.poll(() => lines().some((l) => l.requestId === requestId && l.msg === 'request')).toBe(true);
  return lines().filter((l) => l.requestId === requestId);
}

beforeAll(async () => {
  const logger = pino({ level: 'info', base: { service: 'plugboard' } }, { write: (line: string) => raw.push(line) });
  server = await startTestServer({ logger });
  const publisher = await server.user('logs-labs', 'PUBLISHER');
  await listAndPublish(
    server,
    publisher,
    { slug: 'echo', version: '1.0.0', hostApi: '^1.0.0', functions: ['echo'], permissions: [] },
    await buildFixture('echo'),
  );
  token = await server.user('logs-user');
  echo = (await server.ok(INSTALL, { input: { slug: 'echo' } }, token)).installPlugin.id;
}, 120_000);
afterAll(() => server.stop());

describe('structured logs', () => {
  it('one line per request and per execution, sharing the request id the response returns', async () => {
    const sane = ['abc', 'a'.repeat(128), 'trace-1.2:3_X', '0af7651916cd43dd8448eb211c80319c'];
    for (const incoming of sane) {
      const { requestId } = await executeOverHttp({ 'x-request-id': incoming });
      expect(requestId).toBe(incoming);
      const own = await linesOf(incoming);
      const request = own.filter((l) => l.msg === 'request');
      const call = own.filter((l) => l.msg === 'plugin call');
      expect(request).toHaveLength(1);
      expect(call).toHaveLength(1);
      expect(request[0]).toMatchObject({
        level: 30,
        method: 'POST',
        path: '/graphql',
        status: 200,
        operationName: 'Execute',
        userId: expect.any(Number),
        outcome: 'success',
      });
      expect(request[0].durationMs).toBeGreaterThanOrEqual(0);
      expect(call[0]).toMatchObject({
        level: 30,
        plugin: 'echo',
        version: '1.0.0',
        function: 'echo',
        trigger: 'MANUAL',
        status: 'SUCCEEDED',
        executionId: expect.any(Number),
        fuelUsed: expect.any(Number),
        durationMs: expect.any(Number),
      });
    }
  });

  it('generates the request id when the incoming one is missing or not sane', async () => {
    const hostile = ['', ' ', 'a'.repeat(129), 'a b', '<script>', 'id;drop table', '../../etc', 'caf\u00e9', 'x\ty'];
    const seen = new Set<string>();
    for (const incoming of [undefined, ...hostile]) {
      const { requestId } = await executeOverHttp(incoming === undefined ? {} : { 'x-request-id': incoming });
      expect(requestId, JSON.stringify(incoming)).toMatch(UUID);
      expect(seen.has(requestId as string)).toBe(false);
      seen.add(requestId as string);
      const own = await linesOf(requestId as string);
      expect(own.map((l) => l.msg).sort()).toEqual(['plugin call', 'request']);
    }
  });

  it('carries a graphql-ws operation id, with its connection id, into the execution line', async () => {
    const client = server.ws(token);
    const result = await new Promise<unknown>((resolve, reject) => {
      client.subscribe(
        {
          query: print(EXECUTE),
          variables: { input: { installationId: echo, function: 'echo', input: '{}' } },
        },
        { next: resolve, error: reject, complete: () => undefined },
      );
    });
    expect(result).toMatchObject({ data: { executePlugin: { status: 'SUCCEEDED' } } });
    const overWs = (l: Line) =>
      l.msg === 'plugin call' && typeof l.requestId === 'string' && /^[0-9a-f-]{36}:/.test(l.requestId);
    await expect.poll(() => lines().filter(overWs).length).toBe(1);
    // `<connection id>:<operation id>`: graphql-ws clients number their operations (UUIDs here).
    expect(lines().find(overWs)?.requestId).toMatch(/^[0-9a-f-]{36}:[A-Za-z0-9._-]{1,64}$/);
    // …and the operation has its own `request` line under that id, as an HTTP request does.
    const requestId = lines().find(overWs)?.requestId;
    await expect.poll(() => lines().filter((l) => l.msg === 'request' && l.requestId === requestId).length).toBe(1);
    expect(lines().find((l) => l.msg === 'request' && l.requestId === requestId)).toMatchObject({
      transport: 'graphql-ws',
      operationName: 'Execute',
      outcome: 'success',
      userId: expect.any(Number),
      durationMs: expect.any(Number),
    });
  });

  it('writes one line per graphql-ws operation, failed ones included', async () => {
    const client = server.ws(token);
    const run = (query: string, operationName?: string) =>
      new Promise<void>((resolve) => {
        client.subscribe(
          { query, operationName },
          { next: () => undefined, error: () => resolve(), complete: resolve },
        );
      });
    const wsLines = () => lines().filter((l) => l.msg === 'request' && l.transport === 'graphql-ws');
    const before = wsLines().length;
    await run('query WsViewer { viewer { id } }', 'WsViewer');
    await run('query WsBroken { nope }', 'WsBroken');
    await run('{ syntax error');
    await expect.poll(() => wsLines().length).toBe(before + 3);
    const added = wsLines().slice(before);
    expect(added.map((l) => [l.operationName, l.outcome])).toEqual([
      ['WsViewer', 'success'],
      ['WsBroken', 'error'],
      [null, 'error'],
    ]);
  });

  it('never logs a token, an Authorization header or a query string', async () => {
    const bogus = `pb_${'z'.repeat(40)}`;
    await executeOverHttp({}, bogus);
    await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}&token=${token}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    await expect.poll(() => lines().filter((l) => l.path === '/metrics').length).toBeGreaterThan(0);
    const all = raw.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [token, bogus, 'Bearer', 'not-logged']) expect(all, secret).not.toContain(secret);
    expect(all.toLowerCase()).not.toContain('authorization');
    expect(lines().some((l) => typeof l.path === 'string' && l.path.includes('?'))).toBe(false);
  });
});
