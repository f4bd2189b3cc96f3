import { afterAll, expect, it } from 'vitest';
import { createTestStorage, scaleOutServices } from '../../test/support/database.ts';
import { startRedisProxy } from '../../test/support/redis-proxy.ts';
import { deploymentId, migrate, openDatabase } from '../db/orm.ts';
import type { ClipEventPayload } from '../services/events.ts';
import { createEventBus, MAX_PENDING_EVENTS, type EventBus } from './create-event-bus.ts';

const services = await scaleOutServices();
const buses: EventBus[] = [];
afterAll(() => Promise.all(buses.map((b) => b.close())));

/** A bus's `onListening`, recorded, and a wait for `count` subscriptions to listen at once. */
function listeners() {
  const changes: [string, number][] = [];
  const waiting: { count: number; resolve: () => void }[] = [];
  const open = () => changes.reduce((sum, [, change]) => sum + change, 0);
  return {
    changes,
    onListening(topic: string, change: 1 | -1) {
      changes.push([topic, change]);
      for (const w of waiting) if (open() >= w.count) w.resolve();
    },
    listening: (count: number) =>
      new Promise<void>((resolve) => (open() >= count ? resolve() : waiting.push({ count, resolve }))),
  };
}

it('gives a database one deployment id, whoever asks first', async () => {
  const storage = await createTestStorage();
  const [first, second] = [await openDatabase(storage), await openDatabase(storage)];
  try {
    await migrate(first);
    const ids = await Promise.all([deploymentId(first), deploymentId(second)]);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toBe(ids[0]);
  } finally {
    await Promise.all([first.close(), second.close()]);
    await storage.drop();
  }
});

it.skipIf(!services)('keeps deployments that share a Redis apart', async () => {
  const subscribers = listeners();
  const bus = async (deployment: string) => {
    const created = await createEventBus(services!.redisUrl, deployment, subscribers);
    buses.push(created);
    return created.events;
  };
  const [publisher, sameDeployment, otherDeployment] = [await bus('one'), await bus('one'), await bus('two')];
  const heard = { same: [] as number[], other: [] as number[] };
  const listen = async (events: typeof publisher, into: number[]) => {
    for await (const event of events.subscribe('clip-events', 1)) into.push(event.clipId);
  };
  void listen(sameDeployment, heard.same);
  void listen(otherDeployment, heard.other);
  await subscribers.listening(2);
  const event: ClipEventPayload = { type: 'CREATED', clipId: 7, clip: {} };
  publisher.publish('clip-events', 1, event);
  for (let i = 0; i < 50 && heard.same.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(heard.same).toEqual([7]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(heard.other).toEqual([]);
});

it('ends a subscriber that stops taking events, never the process, in-process and on Redis', async () => {
  for (const redisUrl of [null, services?.redisUrl ?? null].filter((u, i) => i === 0 || u)) {
    const subscribers = listeners();
    const created = await createEventBus(redisUrl, `overflow-${Math.random()}`, subscribers);
    buses.push(created);
    const stalled = created.events.subscribe('clip-events', 9);
    const healthy = created.events.subscribe('clip-events', 9);
    const taken: number[] = [];
    let caughtUp = { count: 0, resolve: () => {} };
    const keepingUp = (async () => {
      for await (const event of healthy) {
        if (taken.push(event.clipId) >= caughtUp.count) caughtUp.resolve();
        if (taken.length === 3 * MAX_PENDING_EVENTS) break;
      }
    })();
    const first = stalled.next(); // subscribed, then never read again
    await subscribers.listening(2);
    for (let i = 1; i <= 3 * MAX_PENDING_EVENTS; i++) {
      created.events.publish('clip-events', 9, { type: 'CREATED', clipId: i, clip: {} });
      // Published in bursts the healthy subscriber takes before the next: over Redis, one read of
      // the socket could otherwise bring it more than MAX_PENDING_EVENTS at once.
      if (i % 50 === 0) await new Promise<void>((resolve) => (caughtUp = { count: i, resolve }));
    }
    await keepingUp;
    expect(taken).toHaveLength(3 * MAX_PENDING_EVENTS);
    await first;
    let delivered = 1;
    const ended = await (async () => {
      try {
        for await (const _ of stalled) delivered++;
      } catch (error) {
        return (error as { extensions?: { code?: string } }).extensions?.code;
      }
    })();
    expect(ended).toBe('SLOW_SUBSCRIBER');
    expect(delivered).toBeLessThanOrEqual(MAX_PENDING_EVENTS + 1);
  }
});

it('says a subscription listens once its listener is attached, and on Redis only once Redis acknowledged it', async () => {
  const proxy = services ? await startRedisProxy(services.redisUrl) : null;
  try {
    for (const redisUrl of [null, proxy?.url ?? null].filter((u, i) => i === 0 || u)) {
      const deployment = `listening-${Math.random()}`;
      const { changes, onListening, listening } = listeners();
      const created = await createEventBus(redisUrl, deployment, { onListening });
      // Published from another bus: over Redis, nothing reaches the subscriber but what Redis delivers.
      const publisher = redisUrl ? await createEventBus(services!.redisUrl, deployment) : created;
      buses.push(created, publisher);
      const held = redisUrl ? proxy?.holdSubscribe('clip-events') : undefined;
      const subscription = created.events.subscribe('clip-events', 3);
      const first = subscription.next();
      if (held) {
        const release = await held;
        // The SUBSCRIBE is held on its way to Redis: not listening yet.
        expect(changes).toEqual([]);
        release();
        await listening(1);
      }
      expect(changes).toEqual([['clip-events', 1]]);
      publisher.events.publish('clip-events', 3, { type: 'CREATED', clipId: 11, clip: {} });
      expect((await first).value).toMatchObject({ clipId: 11 });
      await subscription.return();
      expect(changes).toEqual([
        ['clip-events', 1],
        ['clip-events', -1],
      ]);
      await created.close(); // before the proxy it may be connected through
    }
  } finally {
    await proxy?.close();
  }
});

it.skipIf(!services)('passes over a message on its channel that is not its JSON, and delivers the next', async () => {
  const subscribers = listeners();
  const created = await createEventBus(services!.redisUrl, 'foreign', subscribers);
  buses.push(created);
  const heard: number[] = [];
  void (async () => {
    for await (const event of created.events.subscribe('clip-events', 1)) heard.push(event.clipId);
  })();
  await subscribers.listening(1);
  const { Redis } = await import('ioredis');
  const raw = new Redis(services!.redisUrl);
  try {
    // Anything else sharing the Redis may publish on the deployment's channels.
    for (const garbage of ['not json', '{"unterminated', '\u0000'])
      await raw.publish('plugboard:foreign:clip-events:1', garbage);
    const event: ClipEventPayload = { type: 'CREATED', clipId: 8, clip: {} };
    created.events.publish('clip-events', 1, event);
    await expect.poll(() => heard).toEqual([8]);
  } finally {
    raw.disconnect();
  }
});
