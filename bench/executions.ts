/**
 * The cost of the whole API path (GraphQL → services → database → runtime → events), each row a
 * ratio to `{ __typename }` measured alternately with it on the same server in the same run:
 *
 *   executePlugin (data-normalizer)       16 keep-alive clients over 8 users
 *   createClip with three clip.captured   16 clients over 8 users, each user with the same three hooks
 *   signed-in 50-plugin page              publisher, latest version and 3 reviews each; no read cache
 *   serial executePlugin p50              / serial { __typename } p50
 *   one user's executePlugin p99          while another user keeps 16 calls in flight / unloaded p99
 *
 * The server is a child process started by the CLI on a fresh database and driven only through the
 * CLI and HTTP, as a client would. SQLite by default; with DATABASE_URL set, a fresh PostgreSQL
 * database next to the one it names (and REDIS_URL, if set, for events).
 *
 *   npx tsx bench/executions.ts [seconds per round, default 3]
 *
 * BENCH_SERVER_NODE_ARGS adds node options to the server only, e.g. to profile it:
 * `BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` (one profile per thread).
 * `ONLY=page` measures the signed-in page alone (with its baseline); `ONLY=execute` the three
 * executePlugin rows alone (throughput, serial, neighbour), e.g. to profile the call path.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchDatabase, type Client, loadClients, median, percentile, serialLatencies } from './support.ts';

const seconds = Number(process.argv[2] ?? 3);

/** CPU time in ms the process has used so far: its main thread, and all its threads. */
function serverCpu(pid: number): { main: number; all: number } | null {
  const ticks = (file: string) => {
    // Fields after the command (which is in parentheses): utime and stime are the 12th and 13th.
    const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  };
  try {
    return { main: ticks(`/proc/${pid}/task/${pid}/stat`), all: ticks(`/proc/${pid}/stat`) };
  } catch {
    return null;
  }
}
const rounds = 3;
const pageOnly = process.env.ONLY === 'page';
const executeOnly = process.env.ONLY === 'execute';

const dataDir = mkdtempSync(path.join(tmpdir(), 'plugboard-bench-'));
// BENCH_LOG_LEVEL=info measures the per-request and per-call log lines too.
// Rate limits off, as in every bench: the signed-in page alone costs 1,601 of a user's 600,000 a minute.
const env: Record<string, string> = {
  PLUGBOARD_DATA_DIR: dataDir,
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  PLUGBOARD_RATE_LIMIT_USER: '0',
  PLUGBOARD_RATE_LIMIT_ANONYMOUS: '0',
};
const { databaseUrl, drop: dropDatabase } = await benchDatabase();
if (databaseUrl) env.DATABASE_URL = databaseUrl;
if (!process.env.REDIS_URL) delete process.env.REDIS_URL;

const cli = (...args: string[]) =>
  execFileSync('node', [path.resolve('bin/plugboard.js'), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .trim()
    .split('\n')
    .at(-1)!;

const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const child = spawn('node', [...serverNodeArgs, path.resolve('bin/plugboard.js'), 'serve', '--seed'], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const { url, adminToken } = await new Promise<{ url: string; adminToken: string }>((resolve, reject) => {
  let err = '';
  const check = () => {
    const u = /GraphiQL: (http:\S+)\/graphql/.exec(err);
    const t = /Demo admin token[^\n]*\n\s*\n\s*(\S+)/.exec(err);
    if (u && t) resolve({ url: u[1], adminToken: t[1] });
  };
  child.stdout!.resume();
  child.stderr!.on('data', (c: Buffer) => {
    err += c;
    check();
  });
  child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
});
const endpoint = `${url}/graphql`;

async function gql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown>,
  token: string,
): Promise<T> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
  return body.data!;
}

async function publish(token: string, slug: string, manifest: Record<string, unknown>, wasm: Buffer): Promise<void> {
  const form = new FormData();
  const query = `mutation($input: PublishPluginVersionInput!) { publishPluginVersion(input: $input) { version { id } } }`;
  form.set('operations', JSON.stringify({ query, variables: { input: { slug, manifest, wasm: null } } }));
  form.set('map', JSON.stringify({ 0: ['variables.input.wasm'] }));
  form.set('0', new Blob([new Uint8Array(wasm)]), 'plugin.wasm');
  const res = await fetch(endpoint, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await res.text();
  if (text.includes('"errors"')) throw new Error(text.slice(0, 500));
}

const INSTALL = `mutation($input: InstallPluginInput!) { installPlugin(input: $input) { id } }`;
const install = async (token: string, slug: string, permissions: string[]) =>
  (await gql<{ installPlugin: { id: string } }>(INSTALL, { input: { slug, grantPermissions: permissions } }, token))
    .installPlugin.id;

const EXECUTE = `mutation($input: ExecutePluginInput!) { executePlugin(input: $input) { status output } }`;
const CREATE_CLIP = `mutation($input: CreateClipInput!) { createClip(input: $input) { id tags } }`;
const PAGE = `{ plugins(first: 50) { edges { node { slug name summary rating { average count histogram }
  publisher { handle displayName verifiedPublisher } latestVersion { version permissions }
  reviews(first: 3) { edges { node { rating title body } } } } } } }`;

try {
  const users = Array.from({ length: 8 }, (_, i) => cli('users', 'create', '--handle', `bench${i}`));
  const other = cli('users', 'create', '--handle', 'neighbour');

  // 50 more listings with a version each and three reviews, for the page (not needed by ONLY=execute).
  const normalizer = JSON.parse(readFileSync('plugins-wasm/data-normalizer/plugin.json', 'utf8'));
  const wasm = readFileSync('plugins-wasm/data-normalizer/build/plugin.wasm');
  for (let i = 0; i < (executeOnly ? 0 : 50); i++) {
    const slug = `bench-plugin-${i}`;
    await gql(
      `mutation($input: CreatePluginInput!) { createPlugin(input: $input) { id } }`,
      { input: { slug, name: `Bench plugin ${i}`, summary: 'A plugin for the benchmark', category: 'utilities' } },
      adminToken,
    );
    await publish(adminToken, slug, { ...normalizer, slug }, wasm);
    for (const token of users.slice(0, 3))
      await gql(
        `mutation($input: CreateReviewInput!) { createReview(input: $input) { id } }`,
        { input: { slug, rating: 1 + (i % 5), title: 'Review', body: 'Body text' } },
        token,
      );
  }

  const hooks: [string, string[]][] = [
    ['clip-tagger', ['config', 'clips:read', 'clips:write']],
    ['highlight-detector', ['log', 'config', 'clips:read', 'clips:write']],
    ['content-filter', ['log', 'config', 'clips:read', 'clips:write']],
  ];
  const executeInput = JSON.stringify({ values: [2, 4, 4, 4, 5, 5, 7, 9] });
  const executeBody = (installationId: string) =>
    JSON.stringify({
      query: EXECUTE,
      variables: { input: { installationId, function: 'normalize', input: executeInput } },
    });
  const clipBody = JSON.stringify({
    query: CREATE_CLIP,
    variables: {
      input: {
        title: 'Clutch 1v4 with a headshot',
        mediaUrl: '/clips/bench.mp4',
        durationMs: 30_000,
        game: 'valorant',
        fps: 60,
        metadata: { kills: 4 },
      },
    },
  });
  const executors: Client[] = [];
  const clippers: Client[] = [];
  for (const token of pageOnly ? [] : users) {
    executors.push({ token, body: executeBody(await install(token, 'data-normalizer', ['config'])) });
    for (const [slug, permissions] of hooks) await install(token, slug, permissions);
    clippers.push({ token, body: clipBody });
  }
  const neighbour: Client = {
    token: other,
    body: pageOnly ? '' : executeBody(await install(other, 'data-normalizer', ['config'])),
  };
  const trivial: Client[] = [{ token: users[0], body: JSON.stringify({ query: '{ __typename }' }) }];
  const page: Client[] = [{ token: users[0], body: JSON.stringify({ query: PAGE }) }];

  if (!pageOnly) {
    await loadClients(endpoint, executors, { seconds: 1 }); // warm the pool and caches
    if (!executeOnly) await loadClients(endpoint, clippers, { seconds: 1 });
  }
  if (!executeOnly) await loadClients(endpoint, page, { seconds: 1 });

  const rows = new Map<string, number[]>();
  const add = (label: string, value: number) => rows.set(label, [...(rows.get(label) ?? []), value]);
  // The server's CPU per request (its main thread, and the whole process with the plugin
  // workers), from /proc: unlike the ratios of wall-clock throughput it hardly moves when other
  // processes load the machine. Linux only; empty elsewhere.
  const cpu = new Map<string, { main: number[]; all: number[] }>();
  const measured = async (label: string, clients: Client[]) => {
    const before = serverCpu(child.pid!);
    const started = performance.now();
    const rate = await loadClients(endpoint, clients, { seconds });
    const after = serverCpu(child.pid!);
    if (before && after) {
      const requests = (rate * (performance.now() - started)) / 1000;
      const entry = cpu.get(label) ?? { main: [], all: [] };
      entry.main.push((after.main - before.main) / requests);
      entry.all.push((after.all - before.all) / requests);
      cpu.set(label, entry);
    }
    return rate;
  };
  for (let round = 0; round < rounds; round++) {
    const base = await measured('{ __typename }', trivial);
    if (pageOnly) {
      add('signed-in 50-plugin page', (await measured('signed-in 50-plugin page', page)) / base);
      continue;
    }
    add('executePlugin, 16 clients / 8 users', (await measured('executePlugin', executors)) / base);
    if (!executeOnly) {
      add('createClip + 3 hooks, 16 clients / 8 users', (await measured('createClip + 3 hooks', clippers)) / base);
      add('signed-in 50-plugin page', (await measured('signed-in 50-plugin page', page)) / base);
    }

    const serialTrivial = await serialLatencies(endpoint, trivial[0], { seconds: seconds / 2 });
    const serialExecute = await serialLatencies(endpoint, executors[0], { seconds: seconds / 2 });
    add('serial executePlugin p50 / serial trivial p50', median(serialExecute) / median(serialTrivial));

    const flood = loadClients(endpoint, [neighbour], { seconds, concurrency: 16 });
    const loaded = await serialLatencies(endpoint, executors[1], { seconds: seconds - 0.5 });
    await flood;
    const unloaded = await serialLatencies(endpoint, executors[1], { seconds: seconds - 0.5 });
    add(
      "one user's p99 with a neighbour's 16 in flight / unloaded",
      percentile(loaded, 0.99) / percentile(unloaded, 0.99),
    );
  }
  const targets: Record<string, string> = {
    'executePlugin, 16 clients / 8 users': '>= 0.3',
    'createClip + 3 hooks, 16 clients / 8 users': '>= 0.1',
    'signed-in 50-plugin page': '>= 0.2',
    'serial executePlugin p50 / serial trivial p50': '<= 4',
    "one user's p99 with a neighbour's 16 in flight / unloaded": '<= 3',
  };
  console.log(`database: ${env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}; ${rounds} rounds of ${seconds} s`);
  for (const [label, xs] of rows) {
    const m = median(xs);
    const [op, bound] = targets[label].split(' ');
    const met = op === '>=' ? m >= Number(bound) : m <= Number(bound);
    console.log(
      `${label.padEnd(60)} ${m.toFixed(3).padStart(7)}  (rounds ${xs.map((x) => x.toFixed(3)).join(', ')}; target ${targets[label]}: ${met ? 'met' : 'NOT met'})`,
    );
  }
  if (cpu.size > 0) {
    const trivialMain = median(cpu.get('{ __typename }')!.main);
    console.log('server CPU per request, median of the rounds: main thread / whole process (ratio trivial/op of main)');
    for (const [label, { main, all }] of cpu)
      console.log(
        `  ${label.padEnd(58)} ${median(main).toFixed(3).padStart(7)} ms / ${median(all).toFixed(3).padStart(7)} ms  (${(trivialMain / median(main)).toFixed(3)})`,
      );
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await dropDatabase();
  rmSync(dataDir, { recursive: true, force: true });
}
