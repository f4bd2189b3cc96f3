import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { User } from '../../src/entities/index.ts';
import { CreateClipDocument } from '../generated/graphql.ts';
import { snapshot } from '../../src/services/events.ts';
import { collect, startTestServer, type TestServer } from '../support/server.ts';
import { sseSubscriber, wsSubscriber, type RawSubscriber } from '../support/raw-subscribers.ts';

const LIMIT = 64 * 1024;
const QUERY = 'subscription { clipEvents { type clip { id title description } } }';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: { PLUGBOARD_SUBSCRIBER_BUFFER_BYTES: String(LIMIT) } });
});
afterAll(() => server.stop());

/** A real clip of this user, and a publisher of its UPDATED events (each about `bytes` long). */
async function clipEvents(token: string, handle: string, bytes: number) {
  const { createClip } = await server.ok(
    CreateClipDocument,
    { input: { title: 'big', mediaUrl: '/m.mp4', durationMs: 5 } },
    token,
  );
  const owner = await server.app.platform.db.fork().findOneOrFail(User, { handle });
  const clip = snapshot({ id: createClip.id, ownerId: owner.id, title: 'big', description: 'x'.repeat(bytes) });
  const event = {
    type: 'UPDATED' as const,
    clipId: 1,
    clip: { ...clip, createdAt: new Date(), updatedAt: new Date() },
  };
  return () => server.app.platform.events.publish('clip-events', owner.id, snapshot(event) as never);
}

const transports: Record<string, typeof wsSubscriber> = { ws: wsSubscriber, sse: sseSubscriber };
const shapes = [
  // Paced: the server keeps up with the bus, so what piles up is the connection's outbox.
  { name: 'paced small events', bytes: 2_000, perTurn: 4 },
  { name: 'paced large events', bytes: 20_000, perTurn: 1 },
  // A burst faster than any consumer: the bus's own per-subscriber bound ends it.
  { name: 'one burst', bytes: 500, perTurn: 5_000 },
];

for (const [transport, open] of Object.entries(transports)) {
  for (const shape of shapes) {
    it(`drops a paused ${transport} subscriber under ${shape.name}, with bounded buffers`, async () => {
      const handle = `slow-${transport}-${shape.bytes}-${shape.perTurn}`;
      const token = await server.user(handle);
      const publish = await clipEvents(token, handle, shape.bytes);
      const healthy =
        shape.perTurn < 100 ? collect(server.ws(token), 'subscription { clipEvents { type } }', 50) : null;
      await healthy?.ready;
      const slow: RawSubscriber = await open(server.url, token, QUERY);
      // The subscription is live once an event gets through.
      const first = slow.nextEvent();
      const warmUp = setInterval(publish, 50);
      expect(await first.finally(() => clearInterval(warmUp))).toContain('UPDATED');
      slow.pause();

      const dropped = server.subscribers.stats.dropped;
      let published = 0;
      // Far more than loopback's socket buffers hold, so the server is the one left holding bytes.
      while (server.subscribers.stats.dropped === dropped && published < 200_000_000 / shape.bytes) {
        for (let i = 0; i < shape.perTurn; i++, published++) publish();
        await yieldToLoop();
      }
      expect(server.subscribers.stats.dropped).toBe(dropped + 1);
      // What the server held for one connection never passed the limit by more than one event.
      // Past the limit by at most an event or two and the socket's own high-water mark.
      expect(server.subscribers.stats.peakWaitingBytes).toBeLessThanOrEqual(LIMIT + 2 * shape.bytes + 32 * 1024);

      const end = await slow.resumeToEnd();
      if (transport === 'ws') expect(end.closeCode).toBe(4413);
      else expect(end.text).toMatch(/SLOW_SUBSCRIBER[\s\S]*event: complete/);
      // Only the slow connection went: another subscriber of the same user kept every event.
      if (healthy) expect(await healthy.events).toHaveLength(50);
      expect(await server.ok('{ __typename }')).toEqual({ __typename: 'Query' });
    }, 60_000);
  }
}

it('drops a graphql-ws connection that sends queries but never reads their answers', async () => {
  const token = await server.user('query-hoarder');
  const slow = await wsSubscriber(server.url, token, QUERY);
  slow.pause();
  const dropped = server.subscribers.stats.dropped;
  // About a megabyte per answer, well under the cost limit.
  const big = `{ ${Array.from({ length: 30 }, (_, i) => `s${i}: __schema { types { name description fields { name description } } }`).join(' ')} }`;
  let sent = 0;
  for (; server.subscribers.stats.dropped === dropped && sent < 5_000; sent++) {
    slow.send?.(`q${sent}`, big);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(server.subscribers.stats.dropped).toBe(dropped + 1);
  expect(server.subscribers.stats.peakWaitingBytes).toBeLessThanOrEqual(LIMIT + 2_000_000);
  expect((await slow.resumeToEnd()).closeCode).toBe(4413);
}, 60_000);
