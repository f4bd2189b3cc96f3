import { createPubSub, createSchema, createYoga } from 'graphql-yoga';
import { expect, it } from 'vitest';
import type { EventMap } from '../../services/events.ts';
import { useAnonymousReadCache } from './use-anonymous-read-cache.ts';

/** An event bus that delivers every event `ms` late, as Redis does under load. */
class LateEventTarget extends EventTarget {
  constructor(private readonly ms: number) {
    super();
  }
  override dispatchEvent(event: Event): boolean {
    setTimeout(() => super.dispatchEvent(event), this.ms);
    return true;
  }
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function instance(events: ReturnType<typeof createPubSub<EventMap>>) {
  let reads = 0;
  const cache = useAnonymousReadCache(events);
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { reads: Int! } type Mutation { write: Boolean! }',
      resolvers: { Query: { reads: () => ++reads }, Mutation: { write: () => true } },
    }),
    plugins: cache.plugins,
    logging: false,
  });
  const run = async (query: string) => {
    const response = await yoga.fetch('http://plugboard.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return ((await response.json()) as { data: Record<string, unknown> }).data;
  };
  return {
    read: () => run('{ reads }'),
    write: () => run('mutation { write }'),
    reads: () => reads,
    close: cache.close,
  };
}

it('keeps a read cached after this instance’s write when the write’s own echo arrives late', async () => {
  const events = createPubSub<EventMap>({ eventTarget: new LateEventTarget(50) });
  const a = instance(events);
  await a.write();
  await a.read(); // a fresh answer: the write moved the epoch at once
  await settle(150); // the write's announcement comes back to this instance
  await a.read();
  expect(a.reads()).toBe(1);
  a.close();
});

it('drops an instance’s cached reads when another instance’s write arrives, late or not', async () => {
  const events = createPubSub<EventMap>({ eventTarget: new LateEventTarget(50) });
  const [a, b] = [instance(events), instance(events)];
  await a.read();
  await a.read();
  expect(a.reads()).toBe(1);
  await b.write();
  await settle(150);
  await a.read();
  expect(a.reads()).toBe(2);
  a.close();
  b.close();
});
