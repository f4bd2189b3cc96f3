import { afterAll, expect, it } from 'vitest';
import { createTestStorage, scaleOutServices } from '../../test/support/database.ts';
import { deploymentId, migrate, openDatabase } from '../db/orm.ts';
import type { ClipEventPayload } from '../services/events.ts';
import { createEventBus, MAX_PENDING_EVENTS, type EventBus } from './create-event-bus.ts';

const services = await scaleOutServices();
const buses: EventBus[] = [];
afterAll(() => Promise.all(buses.map((b) => b.close())));

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
  const bus = async (deployment: string) => {
    const created = await createEventBus(services!.redisUrl, deployment);
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
  await new Promise((resolve) => setTimeout(resolve, 100)); // subscriptions reach Redis
  const event: ClipEventPayload = { type: 'CREATED', clipId: 7, clip: {} };
  publisher.publish('clip-events', 1, event);
  for (let i = 0; i < 50 && heard.same.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(heard.same).toEqual([7]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(heard.other).toEqual([]);
});

it('ends a subscriber that stops taking events, never the process, in-process and on Redis', async () => {
  for (const redisUrl of [null, services?.redisUrl ?? null].filter((u, i) => i === 0 || u)) {
    const created = await createEventBus(redisUrl, `overflow-${Math.random()}`);
    buses.push(created);
    const stalled = created.events.subscribe('clip-events', 9);
    const healthy = created.events.subscribe('clip-events', 9);
    const taken: number[] = [];
    const keepingUp = (async () => {
      for await (const event of healthy) if (taken.push(event.clipId) === 3 * MAX_PENDING_EVENTS) break;
    })();
    const first = stalled.next(); // subscribed, then never read again
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 3 * MAX_PENDING_EVENTS; i++) {
      created.events.publish('clip-events', 9, { type: 'CREATED', clipId: i, clip: {} });
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
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
