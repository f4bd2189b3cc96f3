import { getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collect, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let statements = 0;

beforeAll(async () => {
  server = await startTestServer({ onQuery: () => statements++ });
});
afterAll(() => server.stop());

const pages = (levels: number, inner = 'id') => {
  let query = inner;
  for (let i = 0; i < levels; i++) query = `reviews(first: 100) { edges { node { plugin { ${query} } } } }`;
  return query;
};

it('refuses nested pages that would multiply into millions of rows, before any SQL', async () => {
  const query = `{ plugins(first: 100) { edges { node { ${pages(2)} } } } }`;
  statements = 0;
  const response = await server.gql(query);
  expect(response.data ?? null).toBeNull();
  expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', maxCost: 100_000 } });
  expect(response.errors?.[0].message).toMatch(/estimated cost \d+ is over the limit of 100000/);
  expect(statements).toBe(0);
  // One level of nested pages is a normal query.
  expect((await server.gql(`{ plugins(first: 100) { edges { node { ${pages(1)} } } } }`)).errors).toBeUndefined();
});

it('refuses fragments that fan out exponentially by their expanded cost, anonymously', async () => {
  for (const width of [2, 3]) {
    for (const levels of [25, 40]) {
      const fragments = Array.from(
        { length: levels },
        (_, i) => `fragment F${i} on Query { ${`...F${i + 1} `.repeat(width)}}`,
      ).join(' ');
      const query = `query Q { ...F0 } ${fragments} fragment F${levels} on Query { __typename }`;
      const response = await server.gql(query);
      expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX' } });
    }
  }
  // The same shape, small, runs.
  const small = 'query Q { ...F0 } fragment F0 on Query { ...F1 ...F1 } fragment F1 on Query { __typename }';
  expect(await server.ok(small)).toEqual({ __typename: 'Query' });
});

it('costs introspection by what it returns: many aliases are refused, GraphiQL’s own query runs', async () => {
  const shapes = [
    (i: number) => `s${i}: __schema { types { name fields { name args { name } } } }`,
    (i: number) => `t${i}: __type(name: "Query") { fields { type { ofType { ofType { fields { name } } } } } }`,
    (i: number) => `s${i}: __schema { types { interfaces { fields { name } } possibleTypes { fields { name } } } }`,
  ];
  for (const shape of shapes) {
    const response = await server.gql(`{ ${Array.from({ length: 350 }, (_, i) => shape(i)).join(' ')} }`);
    expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX' } });
  }
  const introspection = await server.gql<IntrospectionQuery, Record<string, never>>(
    getIntrospectionQuery({ descriptions: true }),
  );
  expect(introspection.errors).toBeUndefined();
  expect(introspection.data?.__schema.types.length).toBeGreaterThan(20);
});

it('refuses chains nested too deep and documents too long', async () => {
  let chain = 'id';
  for (let i = 0; i < 12; i++) chain = `latestVersion { plugin { ${chain} } }`;
  const deep = await server.gql(`{ plugin(slug: "x") { ${chain} } }`);
  expect(deep.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', maxDepth: 20 } });

  const long = await server.gql(`{ ${Array.from({ length: 6000 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`);
  expect(long.errors?.[0].message).toMatch(/Document contains more th.. 10000 tokens/);
});

it('applies to subscriptions over graphql-ws too', async () => {
  const token = await server.user('deep-listener');
  const nested = collect(
    server.ws(token),
    `subscription { executionEvents { execution { installation { plugin { ${pages(3)} } } } } }`,
    1,
    5_000,
  );
  await expect(nested.events).rejects.toThrow(/QUERY_TOO_COMPLEX/);
});

it('refuses JSON inputs nested deeper than 64 levels as bad input, signed in or not', async () => {
  const token = await server.user('nester');
  const create =
    'mutation ($m: JSONObject) { createClip(input: { title: "t", mediaUrl: "/m.mp4", durationMs: 5, metadata: $m }) { id } }';
  // Serialised by hand: JSON.stringify itself overflows the stack at this depth.
  const body = `{"query":${JSON.stringify(create)},"variables":{"m":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}`;
  for (const headers of [{ authorization: `Bearer ${token}` }, {}] as Record<string, string>[]) {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const { errors } = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(errors[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringContaining('at most 64 levels deep'),
    });
  }
  let shallow: unknown = 1;
  for (let i = 0; i < 60; i++) shallow = { a: shallow };
  expect((await server.gql(create, { m: shallow }, token)).errors).toBeUndefined();
});

it('answers a syntax error over graphql-ws on its own operation, leaving the connection up', async () => {
  const token = await server.user('typo-listener');
  const client = server.ws(token);
  const clips = collect<{ clipEvents: { type: string } }>(client, 'subscription { clipEvents { type } }', 1);
  await clips.ready;
  const broken = collect(client, 'subscription { clipEvents {', 1);
  // graphql-ws delivers an operation's own errors as its error message: the iterator throws them.
  expect(JSON.stringify(await broken.events.catch((errors: unknown) => errors))).toMatch(/Syntax Error/);
  await server.ok(
    'mutation { createClip(input: { title: "still here", mediaUrl: "/m.mp4", durationMs: 5 }) { id } }',
    {},
    token,
  );
  expect(await clips.events).toEqual([{ clipEvents: { type: 'CREATED' } }]);
});

it('caps the operations one graphql-ws connection may run at once', async () => {
  const token = await server.user('hoarder');
  const client = server.ws(token);
  // Subscribe messages are handled in the order they are sent, and each is counted on arrival:
  // these hundred are accepted, the next one is not.
  const open = Array.from({ length: 100 }, () => client.iterate({ query: 'subscription { clipEvents { type } }' }));
  const extra = collect(client, 'subscription { clipEvents { type } }', 1);
  expect(JSON.stringify(await extra.events.catch((errors: unknown) => errors))).toContain('TOO_MANY_OPERATIONS');
  await Promise.all(open.map((it) => it.return?.()));
});

it('answers an unknown token over graphql-ws with UNAUTHENTICATED on the operation', async () => {
  const result = collect(server.ws('pb_not-a-real-token'), 'subscription { clipEvents { type } }', 1);
  expect(JSON.stringify(await result.events.catch((errors: unknown) => errors))).toContain('UNAUTHENTICATED');
});

it('closes a graphql-ws connection that sends a message over 8 MiB', async () => {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve) => socket.on('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(9 * 1024 * 1024) } }));
  expect(await closed).toBe(1009); // "message too big"
});
