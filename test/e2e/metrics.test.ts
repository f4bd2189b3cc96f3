import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture } from '../../src/runtime/testing/fixtures.ts';
import { MAX_LABEL_LENGTH, MAX_LABEL_VALUES } from '../../src/server/observe/metrics.ts';
import { EXECUTE, INSTALL, listAndPublish } from '../support/plugins.ts';
import { parsePrometheus, sumOf, type Sample } from '../support/prometheus.ts';
import { collect, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let user: string;
let echo: string;
let hostile: string;
let spinner: string;

async function scrape(target = server, headers: Record<string, string> = {}): Promise<Sample[]> {
  const response = await fetch(`${target.url}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
}

const execute = async (installationId: string, fn: string) =>
  (await server.ok(EXECUTE, { input: { installationId, function: fn, input: '{}' } }, user)).executePlugin;

beforeAll(async () => {
  server = await startTestServer();
  const publisher = await server.user('metrics-labs', 'PUBLISHER');
  const [echoWasm, hostileWasm] = await Promise.all([buildFixture('echo'), buildFixture('hostile')]);
  await listAndPublish(
    server,
    publisher,
    { slug: 'echo', version: '1.0.0', hostApi: '^1.0.0', functions: ['echo'], permissions: [] },
    echoWasm,
  );
  await listAndPublish(
    server,
    publisher,
    {
      slug: 'hostile',
      version: '1.0.0',
      hostApi: '^1.0.0',
      functions: ['trap', 'fail_with_error'],
      permissions: ['log'],
    },
    hostileWasm,
  );
  // Only the wall-clock deadline stops this spin: the worker running it is killed and replaced.
  await listAndPublish(
    server,
    publisher,
    {
      slug: 'spinner',
      version: '1.0.0',
      hostApi: '^1.0.0',
      functions: ['spin'],
      permissions: ['log'],
      limits: { fuel: 10_000_000_000, timeoutMs: 300 },
    },
    hostileWasm,
  );
  user = await server.user('metrics-user');
  echo = (await server.ok(INSTALL, { input: { slug: 'echo' } }, user)).installPlugin.id;
  hostile = (await server.ok(INSTALL, { input: { slug: 'hostile', grantPermissions: ['log'] } }, user)).installPlugin
    .id;
  const installSpinner = { input: { slug: 'spinner', grantPermissions: ['log'] } };
  spinner = (await server.ok(INSTALL, installSpinner, user)).installPlugin.id;
}, 120_000);
afterAll(() => server.stop());

describe('GET /metrics', () => {
  it('counts executions by plugin, trigger and status, with duration, fuel and memory histograms', async () => {
    const before = await scrape();
    const outcomes = [await execute(echo, 'echo'), await execute(hostile, 'fail_with_error')];
    outcomes.push(await execute(hostile, 'trap'));
    expect(outcomes.map((o) => o.status)).toEqual(['SUCCEEDED', 'FAILED', 'FAILED']);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      sumOf(after, name, labels) - sumOf(before, name, labels);
    expect(delta('plugboard_executions_total', { plugin: 'echo', trigger: 'MANUAL', status: 'SUCCEEDED' })).toBe(1);
    expect(delta('plugboard_executions_total', { plugin: 'hostile', trigger: 'MANUAL', status: 'FAILED' })).toBe(2);
    expect(delta('plugboard_executions_total', { plugin: 'echo', status: 'FAILED' })).toBe(0);
    for (const histogram of ['duration_seconds', 'fuel', 'peak_memory_bytes']) {
      expect(delta(`plugboard_execution_${histogram}_count`, { plugin: 'echo' }), histogram).toBe(1);
      expect(delta(`plugboard_execution_${histogram}_count`, { plugin: 'hostile' }), histogram).toBe(2);
    }
    expect(sumOf(after, 'plugboard_execution_fuel_sum', { plugin: 'echo' })).toBeGreaterThan(0);
    // The runtime started for these calls: its two workers and the instances they keep.
    expect(sumOf(after, 'plugboard_runtime_workers')).toBe(2);
    expect(sumOf(after, 'plugboard_runtime_instances')).toBeGreaterThanOrEqual(1);
    expect(sumOf(after, 'plugboard_runtime_instance_bytes')).toBeGreaterThan(0);
  });

  it('reports the runtime pool: queue depth, busy workers, restarts after a deadline, circuits', async () => {
    const before = await scrape();
    expect((await execute(spinner, 'spin')).status).toBe('TIMED_OUT');
    const after = await scrape();
    const restarts = (samples: Sample[]) => sumOf(samples, 'plugboard_runtime_worker_restarts_total');
    expect(restarts(after) - restarts(before)).toBe(1);
    expect(sumOf(after, 'plugboard_executions_total', { plugin: 'spinner', status: 'TIMED_OUT' })).toBe(1);
    // Nothing runs between calls.
    expect(sumOf(after, 'plugboard_runtime_queue_depth')).toBe(0);
    expect(sumOf(after, 'plugboard_runtime_busy_workers')).toBe(0);
    expect(after.some((s) => s.name === 'plugboard_runtime_queue_depth')).toBe(true);
    // Every installation is counted once, by its circuit state.
    expect(sumOf(after, 'plugboard_circuits')).toBe(3);
    expect(sumOf(after, 'plugboard_circuits', { state: 'CLOSED' })).toBeGreaterThanOrEqual(1);
  });

  it('counts HTTP requests and GraphQL operations by name and outcome', async () => {
    const before = await scrape();
    await server.ok('query Healthy { __typename }');
    await server.gql('query Broken { plugin(slug: "no-such-plugin") { id } installation(id: "nope") { id } }');
    await server.gql('{ __typename }');
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      sumOf(after, name, labels) - sumOf(before, name, labels);
    expect(delta('plugboard_graphql_operations_total', { operation: 'Healthy', outcome: 'success' })).toBe(1);
    expect(delta('plugboard_graphql_operations_total', { operation: 'Broken', outcome: 'error' })).toBe(1);
    expect(delta('plugboard_graphql_operations_total', { operation: 'anonymous', type: 'query' })).toBe(1);
    expect(delta('plugboard_graphql_operation_duration_seconds_count', { operation: 'Healthy' })).toBe(1);
    // Three POSTs, plus the scrape that came before this one.
    expect(delta('plugboard_http_requests_total', { method: 'POST', route: '/graphql', status: '200' })).toBe(3);
    expect(delta('plugboard_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
    expect(delta('plugboard_http_request_duration_seconds_count', { route: '/graphql' })).toBe(3);
    // Statements are timed by kind, and the pool is reported.
    expect(sumOf(after, 'plugboard_db_statement_duration_seconds_count', { kind: 'select' })).toBeGreaterThan(0);
    expect(after.some((s) => s.name === 'plugboard_db_pool_connections' && s.labels.state === 'used')).toBe(true);
  });

  it('keeps the operation label bounded: 500 distinct names and very long ones end as "other"', async () => {
    const names = Array.from({ length: 500 }, (_, i) => `Op${i}_${'x'.repeat(i % 97)}`);
    for (let i = 0; i < names.length; i += 50)
      await Promise.all(names.slice(i, i + 50).map((name) => server.ok(`query ${name} { __typename }`)));
    const after = await scrape();
    const labels = new Set(
      after.filter((s) => s.name === 'plugboard_graphql_operations_total').map((s) => s.labels.operation),
    );
    expect(labels.has('other')).toBe(true);
    // Every distinct name seen so far, plus "other" and "anonymous".
    expect(labels.size).toBeLessThanOrEqual(MAX_LABEL_VALUES + 2);
    for (const label of labels) expect(label.length).toBeLessThanOrEqual(MAX_LABEL_LENGTH);
    expect(sumOf(after, 'plugboard_graphql_operations_total', { operation: 'other' })).toBeGreaterThanOrEqual(
      500 - MAX_LABEL_VALUES,
    );
    // Unique series of a histogram stay bounded too.
    const series = new Set(
      after
        .filter((s) => s.name === 'plugboard_graphql_operation_duration_seconds_count')
        .map((s) => s.labels.operation),
    );
    expect(series.size).toBeLessThanOrEqual(MAX_LABEL_VALUES + 2);
  });

  it('counts open subscriptions and the event bus delivery lag', async () => {
    const client = server.ws(user);
    const before = await scrape();
    // The server's own listeners count too: none listening would mean revocations go unheard here.
    expect(sumOf(before, 'plugboard_subscriptions_open', { topic: 'token-revoked' })).toBe(1);
    const query = `subscription { executionEvents(installationId: "${echo}") { type } }`;
    const { ready, events } = collect<unknown>(client, query, 2);
    await ready;
    // Counted by the time the subscription is ready: the gauge counts listeners, as `ready` waits for.
    const opened = sumOf(await scrape(), 'plugboard_subscriptions_open', { topic: 'execution-events' });
    expect(opened - sumOf(before, 'plugboard_subscriptions_open', { topic: 'execution-events' })).toBe(1);
    await execute(echo, 'echo');
    await events;
    const after = await scrape();
    expect(
      sumOf(after, 'plugboard_event_bus_lag_seconds_count') - sumOf(before, 'plugboard_event_bus_lag_seconds_count'),
    ).toBeGreaterThanOrEqual(2);
    await client.dispose();
    await expect
      .poll(async () => sumOf(await scrape(), 'plugboard_subscriptions_open'))
      .toBe(sumOf(before, 'plugboard_subscriptions_open'));
  });
});

describe('/metrics off loopback', () => {
  const TOKEN = 'metrics-token-0123456789abcdef';

  it('is not served (404) on 0.0.0.0 without PLUGBOARD_METRICS_TOKEN', async () => {
    const open = await startTestServer({ env: { HOST: '0.0.0.0' } });
    try {
      for (const authorization of [undefined, 'Bearer ', `Bearer ${TOKEN}`]) {
        const response = await fetch(`${open.url}/metrics`, {
          headers: authorization ? { authorization } : {},
        });
        expect(response.status).toBe(404);
        expect(await response.text()).not.toContain('plugboard_');
      }
    } finally {
      await open.stop();
    }
  });

  it('needs the bearer token on 0.0.0.0 when one is configured', async () => {
    const guarded = await startTestServer({ env: { HOST: '0.0.0.0', PLUGBOARD_METRICS_TOKEN: TOKEN } });
    try {
      const wrong = [
        undefined,
        '',
        TOKEN,
        `Bearer`,
        `Bearer ${TOKEN.slice(0, -1)}`,
        `Bearer ${TOKEN}x`,
        `bearer ${TOKEN.toUpperCase()}`,
        `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`,
      ];
      for (const authorization of wrong) {
        const response = await fetch(`${guarded.url}/metrics`, {
          headers: authorization === undefined ? {} : { authorization },
        });
        expect(response.status, String(authorization)).toBe(401);
        expect(await response.text()).not.toContain('plugboard_');
      }
      const samples = await scrape(guarded, { authorization: `Bearer ${TOKEN}` });
      expect(samples.some((s) => s.name === 'plugboard_http_requests_total')).toBe(true);
    } finally {
      await guarded.stop();
    }
  });
});
