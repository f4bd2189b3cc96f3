/**
 * Usage numbers at a million executions: how `Installation.stats` and `Plugin.stats` scale with
 * the number of executions behind them. Each row is the median of serial GraphQL requests over
 * HTTP as a ratio to `{ __typename }` measured alternately on the same server, at 10k, 100k and
 * 1M executions spread over 30 days, 20 installations of one plugin, a function and a hook.
 *
 * Executions are inserted with batched raw inserts; the rollup is written by the product's own
 * code (`writeRollup`, as each completion's transaction does), batch by batch. For contrast the
 * bench also times the exact plugin-wide p95 straight from `executions` (the scan the rollup
 * avoids; never run by the product).
 *
 * SQLite by default; with DATABASE_URL set, a fresh PostgreSQL database next to the one it names.
 *
 *   npx tsx bench/stats.ts [largest scale, default 1000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { loadConfig } from '../src/config.ts';
import { buildFixture } from '../src/runtime/testing/fixtures.ts';
import { startServer } from '../src/server/start-server.ts';
import { installPlugin } from '../src/services/installations.ts';
import { createPlugin } from '../src/services/plugins.ts';
import { publishPluginVersion } from '../src/services/publish.ts';
import { writeRollup, type FinishedCall } from '../src/services/stats/index.ts';
import { createUser } from '../src/services/users.ts';
import { benchDatabase, median, serialLatencies } from './support.ts';

const largest = Number(process.argv[2] ?? 1_000_000);
const SCALES = [10_000, 100_000, 1_000_000].filter((n) => n <= largest);
const INSTALLATIONS = 20;
const DAYS = 30;
const BATCH = 20_000;

const dataDir = mkdtempSync(path.join(tmpdir(), 'plugboard-bench-stats-'));
const { databaseUrl, drop: dropDatabase } = await benchDatabase();

const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  PLUGBOARD_WORKERS: '1',
  PLUGBOARD_DATA_DIR: dataDir,
  PLUGBOARD_TOKEN_CACHE_TTL_MS: '3600000',
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
});
const server = await startServer({ config });
const { platform } = server.app;

try {
  const { user: publisher, token: publisherToken } = await createUser(platform, {
    handle: 'bench-pub',
    role: 'PUBLISHER',
  });
  await createPlugin(platform, publisher, { slug: 'echo', name: 'echo', summary: 'echo', category: 'utilities' });
  const versionId = await publishPluginVersion(platform, publisher, {
    slug: 'echo',
    manifest: { slug: 'echo', version: '1.0.0', hostApi: '^1.0.0', functions: ['echo'], permissions: [] },
    wasm: await buildFixture('echo'),
  });
  const installs: { id: number; ownerId: number; token: string }[] = [];
  for (let i = 0; i < INSTALLATIONS; i++) {
    const { user, token } = await createUser(platform, { handle: `bench-user-${i}` });
    installs.push({ id: await installPlugin(platform, user, { slug: 'echo' }), ownerId: user.id, token });
  }
  const pluginId = (await server.app.platform.db.fork().getConnection().execute('select id from plugins'))[0]
    .id as number;

  const now = Date.now();
  let inserted = 0;
  // mulberry32: a small deterministic generator, so every run inserts the same data.
  let seed = 1;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  // Each scale's new executions are spread over the whole 30 days in time order, as calls arrive:
  // each batch's rollup upsert touches the hours it covers, as the product's completions do.
  const insertUpTo = async (target: number) => {
    const from = inserted;
    const span = DAYS * 24 * 3_600_000;
    while (inserted < target) {
      const n = Math.min(BATCH, target - inserted);
      const calls: FinishedCall[] = [];
      const rows: Record<string, unknown>[] = [];
      const em = platform.db.fork();
      for (let i = 0; i < n; i++) {
        const install = installs[Math.floor(random() * INSTALLATIONS)];
        const hook = random() < 0.3 ? 'clip.captured' : null;
        const r = random();
        const status = r < 0.93 ? 'SUCCEEDED' : r < 0.97 ? 'FAILED' : r < 0.98 ? 'TIMED_OUT' : 'REJECTED';
        // Log-normal-ish durations around 0.3 ms with a long tail.
        const durationMs = status === 'REJECTED' ? 0 : 0.05 + Math.exp(random() * 4 - 2.5) * (r > 0.97 ? 50 : 1);
        const createdAt = new Date(now - span + ((inserted + i - from + random()) / (target - from)) * span);
        const record = {
          installationId: install.id,
          createdAt,
          hook,
          function: hook ? 'clip_captured' : 'echo',
          status,
          durationMs,
          fuelUsed: status === 'REJECTED' ? null : Math.round(2000 + random() * 5000),
          peakMemoryBytes: status === 'REJECTED' ? null : 65_536 * (1 + Math.floor(random() * 4)),
        } as const;
        calls.push({ pluginId, record });
        const date = (d: Date) => em.getPlatform().processDateProperty(d);
        rows.push({
          installation_id: install.id,
          owner_id: install.ownerId,
          version_id: versionId,
          trigger: hook ? 'HOOK' : 'MANUAL',
          hook,
          function: record.function,
          status,
          duration_ms: durationMs,
          fuel_used: record.fuelUsed,
          peak_memory_bytes: record.peakMemoryBytes,
          input_size: 2,
          input: '{}',
          logs: '[]',
          created_at: date(createdAt),
          finished_at: date(createdAt),
        });
      }
      await em.transactional(async (tx) => {
        const columns = Object.keys(rows[0]);
        // Plain multi-row VALUES: knex writes SQLite multi-row inserts as UNION ALL selects, slower here.
        for (let i = 0; i < rows.length; i += 400) {
          const chunk = rows.slice(i, i + 400);
          const values = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
          await (tx as SqlEntityManager).execute(
            `insert into executions (${columns.map((c) => `"${c}"`).join(', ')}) values ${values}`,
            chunk.flatMap((row) => columns.map((c) => row[c])),
          );
        }
        await writeRollup(tx as SqlEntityManager, calls);
      });
      inserted += n;
    }
  };

  const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
  const STATS =
    'stats(since: $since) { calls errorRate durationMs { p50 p95 p99 } functions { name calls } hooks { name calls } }';
  const dayAgo = new Date(now - 24 * 3_600_000).toISOString();
  const cases = [
    { name: 'Installation.stats, all time', token: installs[0].token, since: null, installation: true },
    { name: 'Installation.stats, last 24 h', token: installs[0].token, since: dayAgo, installation: true },
    { name: 'Plugin.stats, all time', token: publisherToken, since: null, installation: false },
    { name: 'Plugin.stats, last 24 h', token: publisherToken, since: dayAgo, installation: false },
  ].map((c) => ({
    name: c.name,
    client: {
      token: c.token,
      body: c.installation
        ? body(`query ($id: ID!, $since: DateTime) { installation(id: $id) { ${STATS} } }`, {
            id: Buffer.from(`Installation:${installs[0].id}`).toString('base64'),
            since: c.since,
          })
        : body(`query ($since: DateTime) { plugin(slug: "echo") { ${STATS} } }`, { since: c.since }),
    },
  }));
  const trivial = { body: body('{ __typename }'), token: publisherToken };
  const url = `${server.url}/graphql`;

  const results: Record<string, Record<number, string>> = {};
  const put = (row: string, scale: number, value: string) => {
    results[row] ??= {};
    results[row][scale] = value;
  };
  for (const scale of SCALES) {
    const t0 = performance.now();
    await insertUpTo(scale);
    const em = platform.db.fork();
    const [{ n: rollupRows }] = await em.getConnection().execute('select count(*) as n from execution_stats');
    console.error(
      `${scale} executions (${Math.round(performance.now() - t0)} ms to insert), ${rollupRows} rollup rows`,
    );
    put('rollup rows', scale, String(rollupRows));
    for (const c of cases) {
      const ratios: number[] = [];
      const ms: number[] = [];
      for (let round = 0; round < 5; round++) {
        const base = median(await serialLatencies(url, trivial, { seconds: 0.5 }));
        const mine = median(await serialLatencies(url, c.client, { seconds: 1 }));
        ratios.push(mine / base);
        ms.push(mine);
      }
      put(c.name, scale, `${median(ratios).toFixed(1)}× (${median(ms).toFixed(2)} ms)`);
    }
    // The exact p95 over the executions themselves: what the rollup spares every request.
    const scans: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await em
        .getConnection()
        .execute(
          `select duration_ms from executions where version_id = ${versionId} and status <> 'REJECTED' order by duration_ms limit 1 offset ${Math.floor(scale * 0.95 * 0.98)}`,
        );
      scans.push(performance.now() - t);
    }
    put('exact p95 scan of executions (contrast)', scale, `${median(scans).toFixed(1)} ms`);
  }
  const header = `| ${databaseUrl ? 'PostgreSQL' : 'SQLite'} | ${SCALES.map((s) => `${s.toLocaleString('en')} executions`).join(' | ')} |`;
  console.log(
    [
      header,
      `| --- |${SCALES.map(() => ' --- |').join('')}`,
      ...Object.entries(results).map(([row, v]) => `| ${row} | ${SCALES.map((s) => v[s]).join(' | ')} |`),
    ].join('\n'),
  );
} finally {
  await server.close();
  await dropDatabase();
  rmSync(dataDir, { recursive: true, force: true });
}
