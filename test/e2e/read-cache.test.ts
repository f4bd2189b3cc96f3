import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreatePluginDocument, PluginsDocument } from '../generated/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let statements = 0;
let publisher: string;

beforeAll(async () => {
  server = await startTestServer({ onQuery: () => statements++ });
  publisher = await server.user('cacher', 'PUBLISHER');
  await server.ok(
    CreatePluginDocument,
    { input: { slug: 'first', name: 'First', summary: 'x', category: 'utilities' } },
    publisher,
  );
});
afterAll(() => server.stop());

const slugs = async (token?: string) =>
  (await server.ok(PluginsDocument, { first: 10 }, token)).plugins.edges.map((e) => e.node.slug);

it('answers a repeated anonymous read from the cache, without SQL', async () => {
  expect(await slugs()).toEqual(['first']);
  statements = 0;
  expect(await slugs()).toEqual(['first']);
  expect(statements).toBe(0);
});

it('never caches a signed-in read', async () => {
  await slugs(publisher);
  statements = 0;
  await slugs(publisher);
  expect(statements).toBeGreaterThan(0);
});

it('drops cached reads on any write', async () => {
  await slugs();
  await server.ok(
    CreatePluginDocument,
    { input: { slug: 'second', name: 'Second', summary: 'x', category: 'utilities' } },
    publisher,
  );
  expect((await slugs()).sort()).toEqual(['first', 'second']);
});
