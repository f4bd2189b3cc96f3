import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXECUTE, INSTALL, listAndPublish } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The execution path's statement budget (README, "Statement budget"): what executePlugin and
 * createClip cost in statements and transactions, whatever the number of hooks, on the database
 * the suite runs on (SQLite, or PostgreSQL with DATABASE_URL).
 */
let server: TestServer;
let log: string[] | null = null;
let publisher: string;

const example = async (name: string) => ({
  manifest: JSON.parse(await readFile(`plugins-wasm/${name}/plugin.json`, 'utf8')) as Record<string, unknown> & {
    slug: string;
  },
  wasm: new Uint8Array(await readFile(`plugins-wasm/${name}/build/plugin.wasm`)),
});

/** Statements and transactions (begin or savepoint) that one request ran. */
async function count(run: () => Promise<unknown>): Promise<{ statements: number; transactions: number }> {
  log = [];
  await run();
  const seen = log;
  log = null;
  return {
    statements: seen.filter((sql) => /\b(select|insert|update|delete)\b/i.test(sql)).length,
    transactions: seen.filter((sql) => /\]\s*(begin|savepoint)/i.test(sql)).length,
  };
}

beforeAll(async () => {
  // Counting servers keep tokens cached for the whole file (test/support/server.ts), so a slow
  // warm-up on a busy machine cannot put the viewer's lookup into a measured request.
  server = await startTestServer({ onQuery: (sql) => log?.push(sql) });
  publisher = await server.user('budget-labs', 'PUBLISHER');
  const tagger = await example('clip-tagger');
  // The same hook module listed six times: six installations for one owner.
  for (let i = 1; i <= 6; i++)
    await listAndPublish(server, publisher, { ...tagger.manifest, slug: `budget-tagger-${i}` }, tagger.wasm);
  const normalizer = await example('data-normalizer');
  await listAndPublish(server, publisher, normalizer.manifest, normalizer.wasm);
}, 120_000);
afterAll(() => server.stop());

const install = async (token: string, slug: string, grantPermissions: string[]) =>
  (await server.ok(INSTALL, { input: { slug, grantPermissions } }, token)).installPlugin.id;

const CREATE_CLIP = 'mutation ($input: CreateClipInput!) { createClip(input: $input) { id tags } }';
const clipInput = (title: string) => ({
  input: {
    title,
    mediaUrl: '/media/budget.mp4',
    durationMs: 30_000,
    game: 'valorant',
    fps: 60,
    width: 1920,
    height: 1080,
  },
});

describe('statement budget', () => {
  it('executePlugin: 5 statements and 1 transaction, failed or not', async () => {
    const user = await server.user('budget-caller');
    const id = await install(user, 'data-normalizer', ['config']);
    const statuses: string[] = [];
    const run = (input: string) => async () => {
      const { executePlugin } = await server.ok(
        EXECUTE,
        { input: { installationId: id, function: 'normalize', input } },
        user,
      );
      statuses.push(executePlugin.status);
    };
    await run('{"values":[1,2,3]}')(); // warms the token cache and the compiled module
    // Installation and version (one select), the RUNNING row (one insert, no transaction), then
    // one transaction: the completed row, the breaker (one conditional update) and the usage
    // rollup (one upsert, shared by every call in the same group-commit batch).
    expect(await count(run('{"values":[2,4,4,4,5,5,7,9]}'))).toEqual({ statements: 5, transactions: 1 });
    expect(await count(run('not json'))).toEqual({ statements: 5, transactions: 1 });
    expect(statuses).toEqual(['SUCCEEDED', 'SUCCEEDED', 'FAILED']);
    const { installation } = await server.ok<{ installation: { consecutiveFailures: number } }, { id: string }>(
      'query ($id: ID!) { installation(id: $id) { consecutiveFailures } }',
      { id },
      user,
    );
    expect(installation.consecutiveFailures).toBe(1);
  });

  it('createClip with N clip.captured hooks: the same statements and transactions for N = 1, 3 and 6', async () => {
    const budgets: Record<number, { statements: number; transactions: number }> = {};
    for (const n of [0, 1, 3, 6]) {
      const user = await server.user(`budget-owner-${n}`);
      for (let i = 1; i <= n; i++) await install(user, `budget-tagger-${i}`, ['config', 'clips:read', 'clips:write']);
      await server.ok(CREATE_CLIP, clipInput('warm-up'), user);
      let tags: string[] = [];
      budgets[n] = await count(async () => {
        tags = (
          await server.ok<{ createClip: { tags: string[] } }, ReturnType<typeof clipInput>>(
            CREATE_CLIP,
            clipInput(`clip with ${n} hooks`),
            user,
          )
        ).createClip.tags;
      });
      // The hooks did run: their tags are on the clip the mutation answers.
      if (n > 0) expect(tags).toContain('valorant');
      const { executions } = await server.ok<
        { executions: { edges: { node: { status: string } }[] } },
        Record<string, never>
      >('{ executions(first: 100) { edges { node { status hook } } } }', {}, user);
      expect(executions.edges).toHaveLength(2 * n);
      expect(executions.edges.every((e) => e.node.status === 'SUCCEEDED')).toBe(true);
    }
    // N = 0: insert the clip, list the owner's hook installations, one transaction that publishes it.
    expect(budgets[0]).toEqual({ statements: 3, transactions: 1 });
    // N ≥ 1: + one multi-row insert of the RUNNING rows; the transaction also completes them
    // (one multi-row upsert), closes their breakers (one update) and adds them to the usage
    // rollup (one multi-row upsert).
    for (const n of [1, 3, 6]) expect({ n, ...budgets[n] }).toEqual({ n, statements: 7, transactions: 1 });
  });

  it('binds the values of the execution path: none is written into a statement, which would then be new every time', async () => {
    // MikroORM's `execute` writes parameters into the SQL text before knex sends it; the call
    // path goes through `runSql` so that its texts repeat and SQLite reuses their prepared
    // statements. What knex sends is seen here, as the database gets it.
    const user = await server.user('budget-binder');
    const normalizer = await install(user, 'data-normalizer', ['config']);
    await install(user, 'budget-tagger-1', ['config', 'clips:read', 'clips:write']);
    const marker = 'bound-value-7f3a9c';
    const sent: { sql: string; bindings: unknown[] }[] = [];
    const knex = server.app.platform.db.fork().getKnex();
    const listener = (query: { sql: string; bindings?: unknown[] }) =>
      sent.push({ sql: query.sql, bindings: query.bindings ?? [] });
    knex.on('query', listener);
    try {
      const { executePlugin } = await server.ok(
        EXECUTE,
        { input: { installationId: normalizer, function: 'normalize', input: `{"values":[1,2],"note":"${marker}"}` } },
        user,
      );
      expect(executePlugin.status).toBe('SUCCEEDED');
      await server.ok(CREATE_CLIP, clipInput(`${marker} clip`), user);
    } finally {
      knex.off('query', listener);
    }
    const carrying = sent.filter((q) => q.bindings.some((b) => typeof b === 'string' && b.includes(marker)));
    // The RUNNING rows of the call and of the hook, the clip, and the completions that repeat the input.
    expect(carrying.length).toBeGreaterThanOrEqual(3);
    expect(sent.filter((q) => q.sql.includes(marker)).map((q) => q.sql.slice(0, 80))).toEqual([]);
  });
});
