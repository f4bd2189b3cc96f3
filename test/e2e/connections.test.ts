import { generateKeyPairSync } from 'node:crypto';
import { type GraphQLField, getNamedType, isObjectType } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';
import { seedDatabase } from '../../src/seed/seed.ts';
import { buildTestPlugin, listAndPublish } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface Page {
  edges: { cursor: string }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}
type Variables = Record<string, unknown>;

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer();
  token = (await seedDatabase(server.app.platform)).demoToken;
  // Several versions of one plugin, so Plugin.versions has pages.
  const tagger = await buildTestPlugin('tagger');
  for (const version of ['1.0.0', '1.0.1', '1.0.2'])
    await listAndPublish(server, token, { ...tagger.manifest, version }, tagger.wasm);
  // A second listing of the demo user's, so User.plugins has pages.
  await listAndPublish(server, token, { ...tagger.manifest, slug: 'tagger-two' }, tagger.wasm);
  // Two signing keys, so User.signingKeys has pages.
  for (const name of ['one', 'two']) {
    const publicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await server.ok(
      'mutation ($k: String!, $n: String) { registerSigningKey(publicKey: $k, name: $n) { id } }',
      { k: publicKey, n: name },
      token,
    );
  }
  // A second API token (the demo token is the first), so Query.apiTokens has pages.
  await server.ok('mutation { createApiToken(input: { name: "second", scopes: [READ] }) { token } }', {}, token);
});
afterAll(() => server.stop());

/** Every field in the schema that returns a Relay connection, with the type it sits on. */
function connectionFields(): { parent: string; field: GraphQLField<unknown, unknown> }[] {
  const found: { parent: string; field: GraphQLField<unknown, unknown> }[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields()))
      if (getNamedType(field.type).name.endsWith('Connection')) found.push({ parent: type.name, field });
  }
  return found;
}

const PAGE = '{ edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }';
const VARS = '$first: Int, $after: String, $last: Int, $before: String';

/** A query for `field(first, after, last, before)` reached from the root, or through node(id) for a nested field. */
function pageQuery(parent: string, field: string): string {
  const args = '(first: $first, after: $after, last: $last, before: $before)';
  if (parent === 'Query') return `query (${VARS}) { page: ${field}${args} ${PAGE} }`;
  return `query ($id: ID!, ${VARS}) { node(id: $id) { ... on ${parent} { page: ${field}${args} ${PAGE} } } }`;
}

/** The id of the `parent` (reached through a root connection) whose `field` has the most entries. */
async function richestParent(parent: string, field: string): Promise<string> {
  // No list of users: the signed-in user is the one with entries.
  if (parent === 'User')
    return (await server.ok<{ viewer: { id: string } }, Variables>('{ viewer { id } }', {}, token)).viewer.id;
  const root = connectionFields().find(
    (c) => c.parent === 'Query' && getNamedType(c.field.type).name.replace(/^Query|Connection$/g, '') === `${parent}s`,
  );
  if (!root) throw new Error(`no root connection lists ${parent}`);
  const data = await server.ok<Record<string, { edges: { node: { id: string; f: Page } }[] }>, Variables>(
    `{ list: ${root.field.name}(first: 100) { edges { node { id f: ${field}(first: 100) ${PAGE} } } } }`,
    {},
    token,
  );
  const nodes = data.list.edges.map((e) => e.node);
  return nodes.sort((a, b) => b.f.edges.length - a.f.edges.length)[0].id;
}

it('honours first and after, last and before, on every connection in the schema', async () => {
  const fields = connectionFields();
  expect(fields.map((f) => `${f.parent}.${f.field.name}`)).toEqual(
    expect.arrayContaining(['Plugin.versions', 'Plugin.reviews', 'Query.plugins', 'Query.executions']),
  );
  for (const { parent, field } of fields) {
    const name = `${parent}.${field.name}`;
    const id = parent === 'Query' ? null : await richestParent(parent, field.name);
    const query = pageQuery(parent, field.name);
    const fetchPage = async (first: number | null, after: string | null, last?: number, before?: string | null) => {
      const data = await server.ok<{ page?: Page; node?: { page: Page } }, Variables>(
        query,
        { id, first, after, last, before },
        token,
      );
      return (data.page ?? data.node?.page) as Page;
    };
    const all = await fetchPage(100, null);
    expect(all.edges.length, `${name} needs at least 2 entries for this test`).toBeGreaterThanOrEqual(2);
    expect(all.pageInfo.hasNextPage, name).toBe(false);
    // Walk the whole list one edge at a time: each page holds one edge, and together they are the list.
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard <= all.edges.length; guard++) {
      const page = await fetchPage(1, after);
      expect(page.edges.length, name).toBeLessThanOrEqual(1);
      seen.push(...page.edges.map((e) => e.cursor));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen, name).toEqual(all.edges.map((e) => e.cursor));
    expect((await fetchPage(0, null)).edges, name).toEqual([]);
    // And backwards from the end, one edge at a time: the same list.
    const back: string[] = [];
    let before: string | null = null;
    for (let guard = 0; guard <= all.edges.length; guard++) {
      const page = await fetchPage(null, null, 1, before);
      expect(page.edges.length, name).toBeLessThanOrEqual(1);
      expect(page.pageInfo.hasNextPage, name).toBe(before !== null);
      back.unshift(...page.edges.map((e) => e.cursor));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(back, name).toEqual(all.edges.map((e) => e.cursor));
    const tail = await fetchPage(null, null, 2);
    expect(
      tail.edges.map((e) => e.cursor),
      name,
    ).toEqual(all.edges.slice(-2).map((e) => e.cursor));
  }
});
