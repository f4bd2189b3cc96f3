import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/services/users.ts';
import { scaleOutServices } from '../support/database.ts';
import { startRedisProxy, type RedisProxy } from '../support/redis-proxy.ts';
import { collect, startTestServer, type TestServer } from '../support/server.ts';

/**
 * `collect`'s `ready` against a server slow to set a subscription up. Tests cause events as soon
 * as `ready` resolves: were it a guess (some milliseconds after the socket connected), a loaded
 * machine would have them published before the server listens, and lost.
 */

const services = await scaleOutServices();

/** How much longer than usual the server takes to set the subscription up: past any guess. */
const SLOW_MS = 500;
const CLIP_EVENTS = 'subscription { clipEvents { type } }';

/** Straight onto the server's bus, the moment `ready` resolves: nothing gives the server time to catch up. */
function publishClipEvent(server: TestServer, ownerId: number) {
  server.app.platform.events.publish('clip-events', ownerId, { type: 'DELETED', clipId: 1, clip: {} });
}

/**
 * Holds the server's database for `ms`, and resolves once it is held: SQLite's one connection,
 * or on PostgreSQL the api_tokens table, where every subscription starts by looking its token up.
 */
async function holdDatabase(server: TestServer, ms: number): Promise<void> {
  const { db } = server.app.platform;
  await new Promise<void>((held, failed) => {
    db.fork()
      .getKnex()
      .transaction(async (trx) => {
        await trx.raw(db.dialect === 'postgresql' ? 'lock table api_tokens in access exclusive mode' : 'select 1');
        held();
        await new Promise((resolve) => setTimeout(resolve, ms)); // the slowness under test, not a wait
      })
      .catch(failed);
  });
}

describe('a subscription collected from a slow server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('is ready once the server listens, however long its database keeps it waiting', async () => {
    const { user, token } = await createUser(server.app.platform, { handle: 'slow-setup' });
    await holdDatabase(server, SLOW_MS);
    const { ready, events } = collect<{ clipEvents: { type: string } }>(server.ws(token), CLIP_EVENTS, 1, 5_000);
    await ready;
    publishClipEvent(server, user.id);
    expect(await events).toEqual([{ clipEvents: { type: 'DELETED' } }]);
  });

  it('is never ready when the server refuses it', async () => {
    await expect(collect(server.ws(), CLIP_EVENTS, 1).ready).rejects.toThrow(/UNAUTHENTICATED/);
  });
});

describe.skipIf(!services)('a subscription collected from a server whose Redis is slow to subscribe', () => {
  let proxy: RedisProxy;
  let server: TestServer;
  beforeAll(async () => {
    proxy = await startRedisProxy(services!.redisUrl);
    server = await startTestServer({ env: { REDIS_URL: proxy.url } });
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
  });

  it('is ready once Redis acknowledged the SUBSCRIBE', async () => {
    const { user, token } = await createUser(server.app.platform, { handle: 'slow-redis' });
    const held = proxy.holdSubscribe(`clip-events:${user.id}`);
    const { ready, events } = collect<{ clipEvents: { type: string } }>(server.ws(token), CLIP_EVENTS, 1, 5_000);
    // The SUBSCRIBE reaches Redis SLOW_MS late: the slowness under test, not a wait.
    void held.then((release) => setTimeout(release, SLOW_MS));
    await ready;
    publishClipEvent(server, user.id);
    expect(await events).toEqual([{ clipEvents: { type: 'DELETED' } }]);
  });
});
