import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.ts';
import { createTestStorage, scaleOutServices } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** A small budget: `{ __typename }` costs 1, so a client is refused within LIMIT + 1 requests. */
const LIMIT = 40;
const LIMITED = {
  PLUGBOARD_RATE_LIMIT_USER: String(LIMIT),
  PLUGBOARD_RATE_LIMIT_ANONYMOUS: String(LIMIT),
  // Anonymous reads answered from the read cache never run, so they are not charged: charge every one here.
  PLUGBOARD_READ_CACHE_TTL_MS: '0',
};

async function post(server: TestServer, { token, forwardedFor }: { token?: string; forwardedFor?: string } = {}) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const body = (await response.json()) as { errors?: { extensions: { code: string; retryAfter: number } }[] };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

/** Sends requests until one is refused; returns that response (fails when none is within the budget). */
async function exhaust(server: TestServer, who: Parameters<typeof post>[1] = {}) {
  // Twice the budget: the bucket refills a little while a slow machine sends them.
  for (let i = 0; i < 2 * LIMIT; i++) {
    const answer = await post(server, who);
    if (answer.status !== 200) return answer;
  }
  throw new Error(`never refused within ${2 * LIMIT} requests`);
}

describe('one instance, in memory', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: LIMITED });
  });
  afterAll(() => server.stop());

  it('answers 429 with Retry-After and RATE_LIMITED over HTTP once a user spends the budget; others are unaffected', async () => {
    const [flooder, bystander] = [await server.user('flooder'), await server.user('bystander')];
    const refused = await exhaust(server, { token: flooder });
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.body.errors?.[0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: Number(refused.retryAfter),
    });
    // Another user, and an anonymous client, keep their own budgets.
    expect((await post(server, { token: bystander })).status).toBe(200);
    expect((await post(server)).status).toBe(200);
  });

  it('answers RATE_LIMITED to the operation over graphql-ws and keeps the socket open', async () => {
    const token = await server.user('ws-flooder');
    await exhaust(server, { token });
    // Not lazy: the client would otherwise close the socket itself once no operation is running.
    const client = createClient({
      url: `${server.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
    });
    let closed = false;
    client.on('closed', () => {
      closed = true;
    });
    for (let i = 0; i < 2; i++) {
      const results = [];
      for await (const result of client.iterate({ query: '{ __typename }' })) results.push(result);
      expect(results[0].errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    }
    expect(closed).toBe(false);
    await client.dispose();
  });

  it('charges by cost: one costly query spends what many cheap ones do', async () => {
    const token = await server.user('costly');
    // 20 plugins × (slug + name) and the connection fields: well over half the budget at once.
    const costly = '{ plugins(first: 20) { edges { node { slug name } } } }';
    const first = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: costly }),
    });
    expect(first.status).toBe(200);
    const second = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: costly }),
    });
    expect(second.status).toBe(429);
  });
});

describe('client addresses behind a proxy', () => {
  const variants = [
    { trust: '', distinct: false },
    { trust: 'loopback', distinct: true },
    { trust: '127.0.0.1/32', distinct: true },
    { trust: '10.0.0.0/8', distinct: false }, // the peer (127.0.0.1) is not a trusted proxy
  ];
  for (const { trust, distinct } of variants)
    it(`${distinct ? 'tells' : 'does not tell'} forwarded clients apart with PLUGBOARD_TRUSTED_PROXIES="${trust}"`, async () => {
      const server = await startTestServer({ env: { ...LIMITED, PLUGBOARD_TRUSTED_PROXIES: trust } });
      try {
        await exhaust(server, { forwardedFor: '203.0.113.7' });
        const other = await post(server, { forwardedFor: '203.0.113.8' });
        expect(other.status).toBe(distinct ? 200 : 429);
        // A client cannot escape its budget by writing addresses to the left of what the proxy appended.
        if (distinct)
          for (const spoofed of ['198.51.100.1', '10.9.9.9', 'not-an-ip'])
            expect((await post(server, { forwardedFor: `${spoofed}, 203.0.113.7` })).status).toBe(429);
      } finally {
        await server.stop();
      }
    });
});

it('refuses a malformed trusted-proxy list at startup, and takes well-formed ones', () => {
  for (const bad of ['10.0.0.0/33', 'proxy.local', '1.2.3.4/8/1', '::1/129', '10.0.0.0/x', 'loopback,*'])
    expect(() => loadConfig({ PLUGBOARD_TRUSTED_PROXIES: bad }), bad).toThrow('PLUGBOARD_TRUSTED_PROXIES');
  for (const good of ['loopback', 'private, 192.0.2.1', '10.0.0.0/8,fd00::/8', '::1', ''])
    expect(() => loadConfig({ PLUGBOARD_TRUSTED_PROXIES: good }), good).not.toThrow();
});

const services = await scaleOutServices();
describe.skipIf(!services || !process.env.REDIS_URL)('two instances sharing Redis', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const storage = await createTestStorage({ databaseUrl: services!.databaseUrl });
    const shared = { ...storage, redisUrl: services!.redisUrl, drop: async () => {} };
    a = await startTestServer({ storage: shared, env: LIMITED });
    b = await startTestServer({ storage: { ...shared, drop: storage.drop }, env: LIMITED });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('spends one budget per user across instances', async () => {
    const token = await a.user('roaming-flooder');
    expect((await exhaust(a, { token })).status).toBe(429);
    expect((await post(b, { token })).status).toBe(429);
    expect((await post(b, { token: await b.user('roaming-bystander') })).status).toBe(200);
  });
});
