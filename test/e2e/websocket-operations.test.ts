import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PluginSlugsDocument } from '../generated/graphql.ts';
import { collect, expectCode, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let publisher: string;

beforeAll(async () => {
  server = await startTestServer();
  publisher = await server.user('ws-publisher', 'PUBLISHER');
});
afterAll(() => server.stop());

/** One query or mutation over graphql-ws: its single result. */
async function once(client: Client, query: string, variables?: Record<string, unknown>) {
  const results = [];
  try {
    for await (const result of client.iterate({ query, variables })) results.push(result);
  } catch (errors) {
    // graphql-ws answers an operation refused before it runs with an error message.
    results.push({ errors });
  }
  expect(results).toHaveLength(1);
  return results[0] as {
    data?: { plugins: { edges: unknown[] }; viewer: unknown } | null;
    errors?: { extensions?: { code?: string } }[];
  };
}

const createClip = (title: string) =>
  `mutation { createClip(input: { title: "${title}", mediaUrl: "/m.mp4", durationMs: 5 }) { id title } }`;

it('runs queries and mutations over graphql-ws beside live subscriptions, signed in or not', async () => {
  for (const token of [publisher, undefined]) {
    const client = server.ws(token);
    const anonymous = !token;
    const listener = anonymous
      ? null
      : collect<{ clipEvents: { type: string } }>(client, 'subscription { clipEvents { type } }', 7);
    await listener?.ready;
    const operations = [
      () => once(client, '{ __typename }'),
      () => once(client, '{ plugins(first: 5) { edges { node { slug } } } }'),
      () =>
        once(client, 'query ($n: Int) { categories { name } plugins(first: $n) { pageInfo { hasNextPage } } }', {
          n: 2,
        }),
      () => once(client, '{ viewer { handle } }'),
      () => once(client, createClip(`ws ${Math.random()}`)),
      () =>
        once(
          client,
          'mutation { createReview(input: { pluginSlug: "nope", rating: 5, title: "t", body: "b" }) { id } }',
        ),
      () => once(client, '{ nope }'),
    ];
    // Many at once and in turn, every shape twice over: none may close the connection.
    const results = await Promise.all([...operations, ...operations].map((run) => run()));
    for (const run of operations) results.push(await run());
    expect(results[0].data).toEqual({ __typename: 'Query' });
    expect(results[1].data?.plugins.edges).toEqual([]);
    expect(results[3].data?.viewer).toEqual(anonymous ? null : { handle: 'ws-publisher' });
    expect(results[4].errors?.[0].extensions?.code ?? 'ok').toBe(anonymous ? 'UNAUTHENTICATED' : 'ok');
    expectCode(results[6], 'GRAPHQL_VALIDATION_FAILED');
    if (listener) {
      // Three clips were created over the same socket; four more after all that still arrive.
      for (let i = 0; i < 4; i++) await server.ok(createClip(`http ${i}`), {}, token);
      expect(await listener.events).toHaveLength(7);
    }
  }
});

it('lets a mutation over graphql-ws drop the anonymous reads cached over HTTP', async () => {
  const list = async () => (await server.ok(PluginSlugsDocument, { first: 10 })).plugins.edges.map((e) => e.node.slug);
  const before = await list();
  await list(); // cached now
  const created = await once(
    server.ws(publisher),
    'mutation { createPlugin(input: { slug: "over-ws", name: "Over WS", summary: "x", category: "utilities" }) { slug } }',
  );
  expect(created.errors).toBeUndefined();
  expect(await list()).toEqual([...before, 'over-ws'].sort());
});
