import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture } from '../../src/runtime/testing/fixtures.ts';
import { PERCENTILE_RELATIVE_ERROR } from '../../src/services/stats/index.ts';
import { buildTestPlugin, EXECUTE, INSTALL, listAndPublish } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Usage numbers against the truth: real calls of every outcome and real hook runs, then
 * Installation.stats and Plugin.stats compared with figures computed here from the Execution rows.
 */
let server: TestServer;
let publisher: string;
let alice: string;
let bob: string;
const ids: Record<string, string> = {};

const HOUR = 3_600_000;
const FINISHED = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'FUEL_EXHAUSTED', 'MEMORY_EXCEEDED', 'REJECTED'];
const FAILURES = ['FAILED', 'TIMED_OUT', 'FUEL_EXHAUSTED', 'MEMORY_EXCEEDED'];

interface Row {
  status: string;
  function: string;
  hook: string | null;
  durationMs: number | null;
  fuelUsed: number | null;
  peakMemoryBytes: number | null;
  createdAt: string;
  installation: { id: string } | null;
  version: { plugin: { slug: string } };
}

const FIGURES = `calls byStatus { status count } errorRate durationMs { p50 p95 p99 mean max }
  fuel { total mean max } peakMemoryBytes { mean max }`;
const STATS = `since ${FIGURES} functions { name ${FIGURES} } hooks { name ${FIGURES} }`;

interface Figures {
  calls: number;
  byStatus: { status: string; count: number }[];
  errorRate: number | null;
  durationMs: { p50: number; p95: number; p99: number; mean: number; max: number } | null;
  fuel: { total: number; mean: number; max: number } | null;
  peakMemoryBytes: { mean: number; max: number } | null;
}
interface Stats extends Figures {
  since: string | null;
  functions: (Figures & { name: string })[];
  hooks: (Figures & { name: string })[];
}

const install = async (token: string, slug: string, extra: Record<string, unknown> = {}) =>
  (await server.ok(INSTALL, { input: { slug, ...extra } }, token)).installPlugin.id;
const execute = async (token: string, installationId: string, fn: string, input = '') =>
  (await server.ok(EXECUTE, { input: { installationId, function: fn, input } }, token)).executePlugin;
const createClip = (token: string, title: string) =>
  server.ok(
    'mutation ($input: CreateClipInput!) { createClip(input: $input) { id } }',
    {
      input: { title, mediaUrl: '/media/s.mp4', durationMs: 1000, game: 'valorant', fps: 60, width: 1280, height: 720 },
    },
    token,
  );

interface ExecutionPage {
  executions: { edges: { node: Row }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** Every execution the user can see, all pages. */
async function executionsOf(token: string): Promise<Row[]> {
  const rows: Row[] = [];
  let after: string | null = null;
  for (;;) {
    const { executions }: ExecutionPage = await server.ok<ExecutionPage, { after: string | null }>(
      `query ($after: String) { executions(first: 100, after: $after) {
        edges { node { status function hook durationMs fuelUsed peakMemoryBytes createdAt
          installation { id } version { plugin { slug } } } }
        pageInfo { hasNextPage endCursor } } }`,
      { after },
      token,
    );
    rows.push(...executions.edges.map((e) => e.node));
    if (!executions.pageInfo.hasNextPage) return rows;
    after = executions.pageInfo.endCursor;
  }
}

/** The nearest-rank percentile: the value at rank ⌈p·n⌉. */
const nearestRank = (sorted: number[], p: number) => sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
const close = (actual: number, exact: number, relative: number) =>
  expect(Math.abs(actual - exact), `${actual} vs ${exact}`).toBeLessThanOrEqual(relative * Math.abs(exact) + 1e-9);

/** Checks reported figures against the rows they should summarise. */
function expectFigures(reported: Figures, rows: Row[]): void {
  expect(reported.calls).toBe(rows.length);
  expect(reported.byStatus).toEqual(
    FINISHED.map((status) => ({ status, count: rows.filter((r) => r.status === status).length })),
  );
  const ran = rows.filter((r) => r.status !== 'REJECTED');
  const failures = ran.filter((r) => FAILURES.includes(r.status)).length;
  if (ran.length === 0) expect(reported.errorRate).toBeNull();
  else close(reported.errorRate!, failures / ran.length, 1e-9);
  // PostgreSQL keeps an execution's duration as a 4-byte float: exact to about 1e-7.
  const exact = 1e-5;
  const durations = ran.flatMap((r) => (r.durationMs === null ? [] : [r.durationMs])).sort((a, b) => a - b);
  if (durations.length === 0) expect(reported.durationMs).toBeNull();
  else {
    const d = reported.durationMs!;
    for (const [p, value] of [
      [0.5, d.p50],
      [0.95, d.p95],
      [0.99, d.p99],
    ] as const)
      close(value, nearestRank(durations, p), PERCENTILE_RELATIVE_ERROR + exact);
    close(d.max, durations.at(-1)!, exact);
    close(d.mean, durations.reduce((a, b) => a + b, 0) / durations.length, exact);
  }
  const fuel = ran.flatMap((r) => (r.fuelUsed === null ? [] : [r.fuelUsed]));
  if (fuel.length === 0) expect(reported.fuel).toBeNull();
  else {
    close(
      reported.fuel!.total,
      fuel.reduce((a, b) => a + b, 0),
      exact,
    );
    close(reported.fuel!.max, Math.max(...fuel), exact);
    close(reported.fuel!.mean, fuel.reduce((a, b) => a + b, 0) / fuel.length, exact);
  }
  const memory = ran.flatMap((r) => (r.peakMemoryBytes === null ? [] : [r.peakMemoryBytes]));
  if (memory.length === 0) expect(reported.peakMemoryBytes).toBeNull();
  else {
    expect(reported.peakMemoryBytes!.max).toBe(Math.max(...memory));
    close(reported.peakMemoryBytes!.mean, memory.reduce((a, b) => a + b, 0) / memory.length, exact);
  }
}

/** The whole UsageStats: totals, then each function (direct calls) and each hook. */
function expectStats(stats: Stats, rows: Row[]): void {
  expectFigures(stats, rows);
  const groups = (hooks: boolean) =>
    [...new Set(rows.filter((r) => (r.hook !== null) === hooks).map((r) => r.hook ?? r.function))].sort();
  expect(stats.functions.map((f) => f.name)).toEqual(groups(false));
  expect(stats.hooks.map((h) => h.name)).toEqual(groups(true));
  for (const f of stats.functions)
    expectFigures(
      f,
      rows.filter((r) => r.hook === null && r.function === f.name),
    );
  for (const h of stats.hooks)
    expectFigures(
      h,
      rows.filter((r) => r.hook === h.name),
    );
}

const installationStats = async (token: string, id: string, since?: Date) =>
  (
    await server.ok<{ installation: { stats: Stats } | null }, { id: string; since?: string }>(
      `query ($id: ID!, $since: DateTime) { installation(id: $id) { stats(since: $since) { ${STATS} } } }`,
      { id, since: since?.toISOString() },
      token,
    )
  ).installation;
const pluginStats = async (slug: string, token?: string, since?: Date) =>
  (
    await server.ok<{ plugin: { activeInstalls: number; downloadCount: number; stats: Stats | null } }, object>(
      `query ($slug: String!, $since: DateTime) { plugin(slug: $slug) { activeInstalls downloadCount stats(since: $since) { ${STATS} } } }`,
      { slug, since: since?.toISOString() },
      token,
    )
  ).plugin;

beforeAll(async () => {
  server = await startTestServer({ env: { PLUGBOARD_CIRCUIT_COOLDOWN_MS: '600000' } });
  publisher = await server.user('stats-labs', 'PUBLISHER');
  alice = await server.user('alice');
  bob = await server.user('bob');
  const [hostile, echo, tagger] = await Promise.all([
    buildFixture('hostile'),
    buildFixture('echo'),
    buildTestPlugin('tagger'),
  ]);
  const listing = { version: '1.0.0', hostApi: '^1.0.0', permissions: ['log'] };
  await listAndPublish(server, publisher, { ...listing, slug: 'echo', functions: ['echo'], permissions: [] }, echo);
  await listAndPublish(
    server,
    publisher,
    { ...listing, slug: 'hostile', functions: ['spin', 'trap', 'fail_with_error'] },
    hostile,
  );
  await listAndPublish(
    server,
    publisher,
    { ...listing, slug: 'spinner', functions: ['spin'], limits: { fuel: 10_000_000_000, timeoutMs: 100 } },
    hostile,
  );
  await listAndPublish(server, publisher, tagger.manifest, tagger.wasm);
  const hookGrants = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];

  ids.echoA = await install(alice, 'echo');
  ids.hostileA = await install(alice, 'hostile', { grantPermissions: ['log'] });
  ids.spinnerA = await install(alice, 'spinner', { grantPermissions: ['log'] });
  ids.taggerA = await install(alice, 'tagger', { grantPermissions: hookGrants, config: { tag: 'a' } });
  ids.echoB = await install(bob, 'echo');
  ids.taggerB = await install(bob, 'tagger', { grantPermissions: hookGrants, config: { tag: 'b', fail: true } });

  // Inputs from a few bytes to ~100 KB spread the durations over several histogram bins.
  for (let i = 0; i < 24; i++)
    await execute(alice, ids.echoA, 'echo', JSON.stringify({ pad: 'x'.repeat(2 ** (i % 17)) }));
  // Five failures of three kinds open the circuit; the next two calls are REJECTED.
  for (const fn of ['trap', 'fail_with_error', 'spin', 'trap', 'fail_with_error', 'trap', 'spin'])
    await execute(alice, ids.hostileA, fn);
  await execute(alice, ids.spinnerA, 'spin');
  for (let i = 0; i < 3; i++) await createClip(alice, `alice ${i}`);
  for (let i = 0; i < 2; i++) await createClip(bob, `bob ${i}`);
  for (let i = 0; i < 5; i++) await execute(bob, ids.echoB, 'echo', `{"n":${i}}`);
}, 180_000);
afterAll(() => server.stop());

describe('Installation.stats', () => {
  it('matches the Execution rows of every outcome, per function and per hook', async () => {
    const rows = await executionsOf(alice);
    const statuses = new Set(rows.map((r) => r.status));
    for (const s of ['SUCCEEDED', 'FAILED', 'FUEL_EXHAUSTED', 'TIMED_OUT', 'REJECTED']) expect(statuses).toContain(s);
    for (const key of ['echoA', 'hostileA', 'spinnerA', 'taggerA']) {
      const mine = rows.filter((r) => r.installation?.id === ids[key]);
      expect(mine.length, key).toBeGreaterThan(0);
      const { stats } = (await installationStats(alice, ids[key]))!;
      expect(stats.since).toBeNull();
      expectStats(stats, mine);
    }
    const hostile = (await installationStats(alice, ids.hostileA))!.stats;
    expect(hostile.byStatus.find((s) => s.status === 'REJECTED')!.count).toBe(2);
    expect(hostile.errorRate).toBe(1);
    const tagger = (await installationStats(alice, ids.taggerA))!.stats;
    expect(tagger.functions).toEqual([]);
    expect(tagger.hooks.map((h) => [h.name, h.calls])).toEqual([['clip.captured', 3]]);
  });

  it('counts failing hooks of an OPTIONAL plugin', async () => {
    const rows = (await executionsOf(bob)).filter((r) => r.installation?.id === ids.taggerB);
    const { stats } = (await installationStats(bob, ids.taggerB))!;
    expect(stats.hooks.map((h) => [h.name, h.calls, h.errorRate])).toEqual([['clip.captured', 2, 1]]);
    expectStats(stats, rows);
  });

  it('counts from the start of the hour `since` falls in', async () => {
    const rows = (await executionsOf(alice)).filter((r) => r.installation?.id === ids.echoA);
    const now = Date.now();
    for (const since of [new Date(now - 3 * HOUR), new Date(now - 1), new Date(now), new Date(now + HOUR)]) {
      const start = Math.floor(since.getTime() / HOUR) * HOUR;
      const { stats } = (await installationStats(alice, ids.echoA, since))!;
      expect(stats.since).toBe(new Date(start).toISOString());
      expectStats(
        stats,
        rows.filter((r) => Date.parse(r.createdAt) >= start),
      );
    }
    expect((await installationStats(alice, ids.echoA, new Date(now + HOUR)))!.stats.calls).toBe(0);
  });

  it('is its owner’s alone', async () => {
    expect(await installationStats(bob, ids.echoA)).toBeNull();
    expect(await installationStats(publisher, ids.echoA)).toBeNull();
  });
});

describe('Plugin.stats', () => {
  it('adds up every installation, also after one is uninstalled, for the publisher and admins only', async () => {
    const all = [...(await executionsOf(alice)), ...(await executionsOf(bob))];
    const uninstalled = await server.ok<{ uninstallPlugin: { id: string } }, { id: string }>(
      'mutation ($id: ID!) { uninstallPlugin(id: $id) { id } }',
      { id: ids.echoB },
      bob,
    );
    expect(uninstalled.uninstallPlugin.id).toBe(ids.echoB);
    const admin = await server.user('stats-admin', 'ADMIN');
    for (const slug of ['echo', 'hostile', 'spinner', 'tagger']) {
      const rows = all.filter((r) => r.version.plugin.slug === slug);
      const mine = await pluginStats(slug, publisher);
      expectStats(mine.stats!, rows);
      expect((await pluginStats(slug, admin)).stats).toEqual(mine.stats);
      for (const other of [alice, bob, undefined]) expect((await pluginStats(slug, other)).stats).toBeNull();
    }
    expect(await pluginStats('echo', publisher, new Date(Date.now() + HOUR))).toMatchObject({
      stats: { calls: 0, errorRate: null, durationMs: null, functions: [], hooks: [] },
    });
  });

  it('shows active installs (enabled ones) next to downloads', async () => {
    // echo: Alice's remains; Bob's is uninstalled. Downloads count every install ever made.
    expect(await pluginStats('echo', alice)).toMatchObject({ activeInstalls: 1, downloadCount: 2 });
    expect(await pluginStats('tagger', alice)).toMatchObject({ activeInstalls: 2, downloadCount: 2 });
    await server.ok(
      'mutation ($input: UpdateInstallationInput!) { updateInstallation(input: $input) { enabled } }',
      { input: { id: ids.taggerB, enabled: false } },
      bob,
    );
    expect(await pluginStats('tagger', alice)).toMatchObject({ activeInstalls: 1, downloadCount: 2 });
  });
});
