import { afterAll, beforeAll, expect, it } from 'vitest';
import { MarketplacePageDocument } from '../generated/graphql.ts';
import { createPlugin } from '../../src/services/plugins.ts';
import { createReview } from '../../src/services/reviews.ts';
import { createUser } from '../../src/services/users.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let statements: string[] = [];
let counting = false;

beforeAll(async () => {
  server = await startTestServer({ onQuery: (sql) => counting && statements.push(sql) });
  const publishers = await Promise.all(
    ['p1', 'p2', 'p3'].map(
      async (handle) => (await createUser(server.app.platform, { handle, role: 'PUBLISHER' })).user,
    ),
  );
  const reviewers = await Promise.all(
    ['r1', 'r2', 'r3', 'r4'].map(async (handle) => (await createUser(server.app.platform, { handle })).user),
  );
  for (let i = 0; i < 50; i++) {
    const slug = `plugin-${String(i).padStart(2, '0')}`;
    await createPlugin(server.app.platform, publishers[i % 3], {
      slug,
      name: slug,
      summary: 'x',
      category: 'utilities',
    });
    for (const reviewer of reviewers.slice(0, 1 + (i % 4)))
      await createReview(server.app.platform, reviewer, slug, { rating: 1 + (i % 5), title: 'ok' });
  }
}, 120_000);
afterAll(() => server.stop());

async function statementsFor(first: number): Promise<number> {
  statements = [];
  counting = true;
  const { plugins } = await server.ok(MarketplacePageDocument, { first });
  counting = false;
  expect(plugins.edges).toHaveLength(first);
  expect(plugins.edges.every((e) => e.node.publisher.handle.startsWith('p'))).toBe(true);
  expect(plugins.edges.some((e) => e.node.reviews.edges.length === 3)).toBe(true);
  return statements.filter((s) => /\b(select|insert|update|delete)\b/i.test(s)).length;
}

it('reads a page of plugins with publisher, latest version and three reviews each in a constant number of statements', async () => {
  const five = await statementsFor(5);
  const fifty = await statementsFor(50);
  expect(five).toBe(fifty);
  // plugins, their publishers, their latest versions, their newest reviews
  expect(fifty).toBe(4);
});

it('adds active installs and, for an admin, usage stats to each plugin of a page in a constant number of statements', async () => {
  const admin = await server.user('n1-admin', 'ADMIN');
  const query = `query ($first: Int) { plugins(first: $first) { edges { node {
    slug downloadCount activeInstalls stats { calls durationMs { p95 } functions { name calls } }
  } } } }`;
  const count = async (first: number) => {
    await server.ok(query, { first }, admin); // the token is cached from here on
    statements = [];
    counting = true;
    const { plugins } = await server.ok<
      { plugins: { edges: { node: { activeInstalls: number; stats: { calls: number } | null } }[] } },
      { first: number }
    >(query, { first }, admin);
    counting = false;
    expect(plugins.edges).toHaveLength(first);
    expect(plugins.edges.every((e) => e.node.activeInstalls === 0 && e.node.stats?.calls === 0)).toBe(true);
    return statements.filter((s) => /\b(select|insert|update|delete)\b/i.test(s)).length;
  };
  const five = await count(5);
  expect(await count(50)).toBe(five);
  // plugins, their active installs, their usage rollups
  expect(five).toBe(3);
});
