import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, revokeToken } from '../../src/services/users.ts';
import { createTestStorage, scaleOutServices } from '../support/database.ts';
import { sseSubscriber, wsSubscriber } from '../support/raw-subscribers.ts';
import { collect, startTestServer, type TestServer } from '../support/server.ts';

const SUBSCRIPTIONS = [
  'subscription { clipEvents { type } }',
  'subscription { executionEvents { type } }',
  'subscription { installationEvents { type } }',
];

let server: TestServer;
beforeAll(async () => {
  // A short re-check so that a row deleted behind the API's back is noticed within the test.
  server = await startTestServer({ env: { PLUGBOARD_TOKEN_RECHECK_MS: '200' } });
});
afterAll(() => server.stop());

/** Opens every subscription over both transports with `token`; resolves with how each ended. */
async function openAll(token: string) {
  const ends: Promise<string>[] = [];
  for (const query of SUBSCRIPTIONS) {
    const ws = collect(server.ws(token), query, 1_000, 20_000);
    await ws.ready;
    ends.push(
      ws.events.then(
        () => 'completed',
        (error: Error) => error.message,
      ),
    );
    const [sseId, rawId] = [randomUUID(), randomUUID()];
    const sseLive = server.listening(sseId);
    const sse = await sseSubscriber(server.url, token, query, { id: sseId });
    ends.push(sse.resumeToEnd().then(({ text }) => text));
    await sseLive;
    const rawLive = server.listening(rawId);
    const raw = await wsSubscriber(server.url, token, query, { id: rawId });
    ends.push(raw.nextEvent());
    await rawLive;
  }
  return ends;
}

const revokers: Record<string, (token: string) => Promise<unknown>> = {
  'revokeToken (announced on the bus)': (token) => revokeToken(server.app.platform, token),
  'a row deleted by SQL (found by the re-check)': (token) =>
    server.app.platform.db
      .fork()
      .getConnection()
      .execute(`delete from api_tokens where token_hash = '${hashToken(token)}'`),
};

for (const [how, revoke] of Object.entries(revokers)) {
  it(`ends every subscription opened with a token once it is revoked by ${how}, and only those`, async () => {
    const handle = `revoked-${how.length}`;
    const token = await server.user(handle);
    const other = await server.user(`${handle}-other`);
    const survivor = collect<{ clipEvents: { type: string } }>(server.ws(other), SUBSCRIPTIONS[0], 1);
    await survivor.ready;
    const ends = await openAll(token);
    await revoke(token);
    for (const end of await Promise.all(ends)) expect(end).toContain('UNAUTHENTICATED');
    // The token is refused from now on; the other user's subscription is still live.
    expect(await server.code('{ viewer { id } }', {}, token)).toBe('UNAUTHENTICATED');
    await server.ok(
      'mutation { createClip(input: { title: "t", mediaUrl: "/m.mp4", durationMs: 5 }) { id } }',
      {},
      other,
    );
    expect(await survivor.events).toEqual([{ clipEvents: { type: 'CREATED' } }]);
  }, 60_000);
}

const services = await scaleOutServices();

describe.skipIf(!services)('across instances sharing PostgreSQL and Redis', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const storage = await createTestStorage({ databaseUrl: services!.databaseUrl });
    const shared = { ...storage, redisUrl: services!.redisUrl, drop: async () => {} };
    // No periodic re-check: only the announcement can reach the other instance.
    a = await startTestServer({ storage: shared, env: { PLUGBOARD_TOKEN_RECHECK_MS: '0' } });
    b = await startTestServer({ storage: { ...shared, drop: storage.drop }, env: { PLUGBOARD_TOKEN_RECHECK_MS: '0' } });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('ends a subscription on one instance, and its cached token, when the token is revoked through the other', async () => {
    const token = await a.user('roaming-token');
    // Known to the other instance's token cache, which would trust it for its TTL without the announcement.
    await b.ok('{ viewer { id } }', {}, token);
    const events = collect(b.ws(token), SUBSCRIPTIONS[0], 1, 20_000);
    const ended = events.events.catch((error: Error) => error.message);
    await events.ready;
    expect(await revokeToken(a.app.platform, token)).toBe(true);
    expect(await ended).toContain('UNAUTHENTICATED');
    expect(await b.code('{ viewer { id } }', {}, token)).toBe('UNAUTHENTICATED');
  }, 30_000);
});
