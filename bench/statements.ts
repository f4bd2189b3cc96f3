/**
 * Statements, transactions and where the wall time of one operation goes, on an in-process server:
 * executePlugin, createClip with three clip.captured hooks, and the signed-in 50-plugin page. For
 * each operation it prints the statements and transactions it ran, the time inside statements
 * (as the driver reports it) and the rest of its wall time (GraphQL, services, ORM, runtime).
 *
 *   npx tsx bench/statements.ts [runs per operation, default 20]        (DATABASE_URL for PostgreSQL)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { seedDatabase } from '../src/seed/seed.ts';
import { startServer } from '../src/server/start-server.ts';
import { createUser } from '../src/services/users.ts';
import { median } from './support.ts';

const runs = Number(process.argv[2] ?? 20);
const dataDir = mkdtempSync(path.join(tmpdir(), 'plugboard-bench-'));
let log: { at: number; sql: string }[] | null = null;
const running = await startServer({
  config: loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PLUGBOARD_DATA_DIR: dataDir,
    // No read cache and no shared signed-in answers: every request runs whole.
    PLUGBOARD_READ_CACHE_TTL_MS: '0',
    PLUGBOARD_RATE_LIMIT_USER: '0',
    PLUGBOARD_RATE_LIMIT_ANONYMOUS: '0',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  }),
  onQuery: (sql) => log?.push({ at: performance.now(), sql }),
});
const endpoint = `${running.url}/graphql`;

async function gql<T = unknown>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
  return body.data as T;
}

const took = (sql: string) => Number(/\[took (\d+(?:\.\d+)?) ms/.exec(sql)?.[1] ?? 0);

try {
  await seedDatabase(running.app.platform);
  const { token } = await createUser(running.app.platform, { handle: 'bench' });
  const install = async (slug: string, grantPermissions: string[]) =>
    (
      await gql<{ installPlugin: { id: string } }>(
        'mutation($input: InstallPluginInput!) { installPlugin(input: $input) { id } }',
        { input: { slug, grantPermissions } },
        token,
      )
    ).installPlugin.id;
  const normalizer = await install('data-normalizer', ['config']);
  await install('clip-tagger', ['config', 'clips:read', 'clips:write']);
  await install('highlight-detector', ['log', 'config', 'clips:read', 'clips:write']);
  await install('content-filter', ['log', 'config', 'clips:read', 'clips:write']);

  const operations: [string, string, Record<string, unknown>][] = [
    [
      'executePlugin',
      'mutation($input: ExecutePluginInput!) { executePlugin(input: $input) { status output } }',
      { input: { installationId: normalizer, function: 'normalize', input: '{"values":[2,4,4,4,5,5,7,9]}' } },
    ],
    [
      'createClip + 3 hooks',
      'mutation($input: CreateClipInput!) { createClip(input: $input) { id tags } }',
      { input: { title: 'Clutch 1v4', mediaUrl: '/clips/bench.mp4', durationMs: 30000, game: 'valorant', fps: 60 } },
    ],
    [
      'signed-in 50-plugin page',
      `{ plugins(first: 50) { edges { node { slug name summary rating { average count histogram }
        publisher { handle displayName verifiedPublisher } latestVersion { version permissions }
        reviews(first: 3) { edges { node { rating title body } } } } } } }`,
      {},
    ],
  ];
  const only = process.env.ONLY;
  for (const [label, query, variables] of operations.filter(([l]) => !only || l.startsWith(only))) {
    for (let i = 0; i < 5; i++) await gql(query, variables, token); // warm
    const walls: number[] = [];
    const inSql: number[] = [];
    let statements = 0;
    let transactions = 0;
    const offsets: number[][] = [];
    let sample: string[] = [];
    for (let i = 0; i < runs; i++) {
      log = [];
      const t0 = performance.now();
      await gql(query, variables, token);
      walls.push(performance.now() - t0);
      const entries = log;
      log = null;
      statements = entries.filter((e) => /\b(select|insert|update|delete)\b/i.test(e.sql)).length;
      transactions = entries.filter((e) => /\]\s*(begin|savepoint)/i.test(e.sql)).length;
      inSql.push(entries.reduce((sum, e) => sum + took(e.sql), 0));
      entries.forEach((e, k) => {
        offsets[k] ??= [];
        offsets[k].push(e.at - t0);
      });
      sample = entries.map(
        (e) => `${e.sql.replace(/\s+/g, ' ').slice(0, 110)} ${/\[took [^\]]*\]/.exec(e.sql)?.[0] ?? ''}`,
      );
    }
    console.log(
      `\n${label}: ${statements} statements, ${transactions} transactions/savepoints; wall p50 ${median(walls).toFixed(2)} ms, in statements p50 ${median(inSql).toFixed(2)} ms`,
    );
    // Offsets are when each statement finished (the driver logs after it), median over the runs.
    if (process.env.VERBOSE)
      console.log(
        sample
          .map(
            (line, k) =>
              `${median(offsets[k] ?? [0])
                .toFixed(2)
                .padStart(7)} ms  ${line}`,
          )
          .join('\n'),
        `\n${median(walls).toFixed(2).padStart(7)} ms  response received`,
      );
  }
} finally {
  await running.close();
  rmSync(dataDir, { recursive: true, force: true });
}
