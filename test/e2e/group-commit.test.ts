import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXECUTE, INSTALL, listAndPublish } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The group commit through the real server: executePlugin calls in flight together complete in
 * shared transactions (on PostgreSQL, fewer transactions than calls), and every one of them is
 * still committed with its own outcome. On the database the suite runs on (SQLite, or PostgreSQL
 * with DATABASE_URL).
 */
let server: TestServer;
let log: string[] | null = null;
const callers: { token: string; installationId: string }[] = [];

beforeAll(async () => {
  server = await startTestServer({ onQuery: (sql) => log?.push(sql) });
  const publisher = await server.user('group-labs', 'PUBLISHER');
  const manifest = JSON.parse(await readFile('plugins-wasm/data-normalizer/plugin.json', 'utf8'));
  const wasm = new Uint8Array(await readFile('plugins-wasm/data-normalizer/build/plugin.wasm'));
  // Not a test of deadlines: the platform's longest, so a loaded machine cannot turn a call TIMED_OUT.
  await listAndPublish(server, publisher, { ...manifest, limits: { ...manifest.limits, timeoutMs: 10_000 } }, wasm);
  // One installation per caller, so that no two calls wait for each other's installation.
  for (let i = 0; i < 16; i++) {
    const token = await server.user(`group-caller-${i}`);
    const { installPlugin } = await server.ok(
      INSTALL,
      { input: { slug: manifest.slug, grantPermissions: ['config'] } },
      token,
    );
    callers.push({ token, installationId: installPlugin.id });
  }
}, 120_000);
afterAll(() => server.stop());

const STATUS = 'query ($id: ID!) { execution(id: $id) { status output } }';

describe('group commit', () => {
  // Batches form when outcomes arrive while a transaction waits on the database. On PostgreSQL
  // every statement is a round trip, so concurrent calls always share transactions. On SQLite
  // statements run synchronously: a transaction never waits, and on an idle machine each outcome
  // is committed before the next comes back from a worker, so calls may commit alone; they share
  // transactions under load (bench/executions.ts), which a test cannot produce on demand.
  const shares = !!process.env.DATABASE_URL;
  for (const k of [8, 16]) {
    it(`${k} concurrent executePlugin calls commit in ${shares ? `fewer than ${k}` : `at most ${k}`} transactions, each with its own outcome`, async () => {
      const group = callers.slice(0, k);
      // Warm every caller's token and the compiled module, so the measured calls only execute.
      for (const c of group)
        await server.ok(
          EXECUTE,
          { input: { installationId: c.installationId, function: 'normalize', input: '{}' } },
          c.token,
        );
      // Half of the calls fail (input that is not JSON): a failing call shares the batch too.
      const inputs = group.map((_, i) => (i % 2 === 0 ? `{"values":[${i},${i + 2}]}` : `not json ${i}`));
      log = [];
      const results = await Promise.all(
        group.map((c, i) =>
          server.ok(
            EXECUTE,
            { input: { installationId: c.installationId, function: 'normalize', input: inputs[i] } },
            c.token,
          ),
        ),
      );
      const seen = log;
      log = null;
      const begins = seen.filter((sql) => /\]\s*begin\b/i.test(sql)).length;
      const commits = seen.filter((sql) => /\]\s*commit\b/i.test(sql)).length;
      const savepoints = seen.filter((sql) => /\]\s*savepoint\b/i.test(sql)).length;
      const upserts = seen.filter((sql) => /insert into .execution_stats./i.test(sql)).length;
      console.log(`group commit: ${k} calls, ${begins} transactions`);
      expect(begins).toBeGreaterThan(0);
      expect(begins).toBeLessThanOrEqual(shares ? k - 1 : k);
      expect(commits).toBe(begins);
      expect(savepoints).toBe(0); // a failed call is an outcome, not a failing unit
      // The usage rollup is one upsert per transaction, not one per call.
      expect(upserts).toBe(begins);
      // Each call answers, and has committed, its own outcome.
      for (const [i, r] of results.entries()) {
        const expected = i % 2 === 0 ? 'SUCCEEDED' : 'FAILED';
        expect(r.executePlugin.status).toBe(expected);
        const { execution } = await server.ok<{ execution: { status: string; output: string | null } }, { id: string }>(
          STATUS,
          { id: r.executePlugin.id },
          group[i].token,
        );
        expect(execution.status).toBe(expected);
        if (expected === 'SUCCEEDED') expect(JSON.parse(execution.output!).stats.values.mean).toBe(i + 1); // of i, i + 2
      }
    });
  }
});
