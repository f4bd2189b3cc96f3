import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CircuitClosedDocument,
  CircuitStateDocument,
  ExecutionIdDocument,
  ExecutionIdsDocument,
  ExecutionInputDocument,
  ExecutionKvReadsDocument,
  ExecutionSlugsDocument,
  UninstallDocument,
  UpdateInstallationDocument,
} from '../generated/graphql.ts';
import { replayExecution } from '../../src/cli/plugin/replay.ts';
import { buildFixture } from '../../src/runtime/testing/fixtures.ts';
import { buildTestPlugin, EXECUTE, INSTALL, listAndPublish } from '../support/plugins.ts';
import { collect, expectCode, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let publisher: string;

const HOSTILE_FUNCTIONS = [
  'spin',
  'allocate_forever',
  'trap',
  'recurse',
  'big_output',
  'log_flood',
  'abort_with_message',
  'fail_with_error',
];
const TAGGER_GRANTS = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];

async function install(token: string, slug: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { installPlugin } = await server.ok(INSTALL, { input: { slug, ...extra } }, token);
  return installPlugin.id;
}

async function execute(token: string, installationId: string, fn: string, input = '') {
  return (await server.ok(EXECUTE, { input: { installationId, function: fn, input } }, token)).executePlugin;
}

beforeAll(async () => {
  // A one-second cool-down keeps the breaker's full cycle short.
  server = await startTestServer({ env: { PLUGBOARD_CIRCUIT_COOLDOWN_MS: '1000' } });
  publisher = await server.user('labs', 'PUBLISHER');
  const [hostile, echo, tagger] = await Promise.all([
    buildFixture('hostile'),
    buildFixture('echo'),
    buildTestPlugin('tagger'),
  ]);
  await listAndPublish(
    server,
    publisher,
    { slug: 'hostile', version: '1.0.0', hostApi: '^1.0.0', functions: HOSTILE_FUNCTIONS, permissions: ['log'] },
    hostile,
  );
  // The same module with a huge fuel budget: only the wall-clock deadline can stop its spin.
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
    hostile,
  );
  // Writing 8 MiB or 10,000 log lines costs fuel too: with enough of it, the output and log caps are what act.
  await listAndPublish(
    server,
    publisher,
    {
      slug: 'big-talker',
      version: '1.0.0',
      hostApi: '^1.0.0',
      functions: ['big_output', 'log_flood'],
      permissions: ['log'],
      limits: { fuel: 10_000_000_000, timeoutMs: 5000 },
    },
    hostile,
  );
  await listAndPublish(
    server,
    publisher,
    { slug: 'echo', version: '1.0.0', hostApi: '^1.0.0', functions: ['echo'], permissions: [] },
    echo,
  );
  await listAndPublish(server, publisher, tagger.manifest, tagger.wasm);
}, 120_000);
afterAll(() => server.stop());

describe('hostile plugins are contained, each with its typed status and an Execution row', () => {
  it('while a healthy plugin called side by side keeps answering', async () => {
    const user = await server.user('victim');
    const hostile = await install(user, 'hostile', { grantPermissions: ['log'] });
    const spinner = await install(user, 'spinner', { grantPermissions: ['log'] });
    const talker = await install(user, 'big-talker', { grantPermissions: ['log'] });
    const bystander = await server.user('bystander');
    const echo = await install(bystander, 'echo');

    const healthy = (async () => {
      const answers: (string | null)[] = [];
      for (let i = 0; i < 20; i++) answers.push((await execute(bystander, echo, 'echo', `{"n":${i}}`)).output);
      return answers;
    })();
    const [spin, timeout, alloc, trap, recurse, big, flood, abort, failed] = await Promise.all([
      execute(user, hostile, 'spin'),
      execute(user, spinner, 'spin'),
      execute(user, hostile, 'allocate_forever'),
      execute(user, hostile, 'trap'),
      execute(user, hostile, 'recurse'),
      execute(user, talker, 'big_output'),
      execute(user, talker, 'log_flood'),
      execute(user, hostile, 'abort_with_message'),
      execute(user, hostile, 'fail_with_error'),
    ]);
    expect(await healthy).toEqual(Array.from({ length: 20 }, (_, i) => `{"echo":{"n":${i}}}`));

    expect(spin).toMatchObject({ status: 'FUEL_EXHAUSTED', errorCode: 'PLUGIN_FUEL_EXHAUSTED' });
    expect(spin.fuelUsed).toBeGreaterThanOrEqual(100_000_000);
    // The worker was stopped mid-call: what it used is unknown, not zero.
    expect(timeout).toMatchObject({ status: 'TIMED_OUT', errorCode: 'PLUGIN_TIMEOUT', fuelUsed: null });
    expect(alloc).toMatchObject({ status: 'MEMORY_EXCEEDED', errorCode: 'PLUGIN_MEMORY_EXCEEDED' });
    expect(alloc.peakMemoryBytes).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(trap).toMatchObject({ status: 'FAILED', errorCode: 'PLUGIN_TRAP' });
    expect(recurse).toMatchObject({ status: 'FAILED', errorCode: 'PLUGIN_TRAP' });
    expect(recurse.errorMessage).toMatch(/stack/i);
    expect(big).toMatchObject({ status: 'FAILED', errorCode: 'PLUGIN_OUTPUT_TOO_LARGE', output: null });
    expect(flood).toMatchObject({ status: 'SUCCEEDED', logsTruncated: true });
    const logBytes = flood.logs.reduce((n: number, l: { message: string }) => n + Buffer.byteLength(l.message), 0);
    expect(logBytes).toBeLessThanOrEqual(16 * 1024 + 200);
    expect(flood.logs.length).toBeLessThan(10_000);
    expect(abort.status).toBe('FAILED');
    expect(abort.errorMessage).toContain('the plugin gave up');
    expect(failed).toMatchObject({ status: 'FAILED', errorCode: 'PLUGIN_FAILED' });
    expect(failed.errorMessage).toContain('bad input: expected a clip');

    const { executions } = await server.ok(ExecutionSlugsDocument, {}, user);
    expect(executions.edges).toHaveLength(9);
    expect((await server.ok(ExecutionIdsDocument, {}, bystander)).executions.edges).toHaveLength(20);
  }, 60_000);

  it('never lets one user hold every worker: others are served between that user’s calls', async () => {
    // The test server runs 2 workers, so a user gets 1 call at a time; the rest wait their turn.
    const flooder = await server.user('flooder');
    const spinner = await install(flooder, 'spinner', { grantPermissions: ['log'] });
    const neighbour = await server.user('neighbour');
    const echo = await install(neighbour, 'echo');
    const finished: string[] = [];
    const spins = Array.from({ length: 4 }, (_, i) =>
      execute(flooder, spinner, 'spin').then((r) => {
        finished.push(`spin${i}`);
        return r;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50)); // the flood is in
    const answer = await execute(neighbour, echo, 'echo', '{"hi":1}');
    finished.push('echo');
    expect(answer.output).toBe('{"echo":{"hi":1}}');
    // Without the per-user limit the echo would queue behind the flood on both workers.
    expect(finished.indexOf('echo')).toBeLessThanOrEqual(1);
    expect((await Promise.all(spins)).map((r) => r.status)).toEqual(Array(4).fill('TIMED_OUT'));
  }, 30_000);

  it('answers a clear error when the installation is uninstalled while its call runs', async () => {
    const user = await server.user('quitter');
    const spinner = await install(user, 'spinner', { grantPermissions: ['log'] });
    const call = server.gql(EXECUTE, { input: { installationId: spinner, function: 'spin' } }, user);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the call spins for 300 ms
    await server.ok(UninstallDocument, { id: spinner }, user);
    const { data, errors } = await call;
    // The Execution outlives the installation (the audit trail): recorded with installation null
    // when the call had started; NOT_FOUND if the uninstall won the race to the start; never an
    // internal error.
    if (errors) expectCode({ errors }, 'NOT_FOUND');
    else expect(data?.executePlugin.status).not.toBe('RUNNING');
  });

  it('refuses input over 1 MiB with an Execution row, and unknown functions before running', async () => {
    const user = await server.user('sender');
    const echo = await install(user, 'echo');
    const big = await execute(user, echo, 'echo', 'x'.repeat(1024 * 1024 + 1));
    expect(big).toMatchObject({ status: 'FAILED', errorCode: 'PLUGIN_INPUT_TOO_LARGE', inputSize: 1024 * 1024 + 1 });
    const stored = await server.ok(ExecutionInputDocument, { id: big.id }, user);
    expect(stored.execution?.inputTruncated).toBe(true);
    expect(stored.execution?.input?.length).toBe(64 * 1024);
    expect(await server.code(EXECUTE, { input: { installationId: echo, function: 'nope' } }, user)).toBe(
      'BAD_USER_INPUT',
    );
    const other = await server.user('other');
    expect(await server.code(EXECUTE, { input: { installationId: echo, function: 'echo' } }, other)).toBe('NOT_FOUND');
    expect((await server.ok(ExecutionIdDocument, { id: big.id }, other)).execution).toBeNull();
  });

  it('detects a module altered in storage after publishing', async () => {
    const user = await server.user('tamper');
    // A module this process has not compiled yet: compiled modules are cached by sha256.
    const permissions = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];
    await listAndPublish(
      server,
      publisher,
      { slug: 'tamper-me', version: '1.0.0', hostApi: '^1.0.0', functions: ['say_hello'], permissions },
      await buildFixture('host-api'),
    );
    const id = await install(user, 'tamper-me', { grantPermissions: permissions });
    const em = server.app.platform.db.fork();
    const [{ prepared_sha256: sha }] = await em
      .getConnection()
      .execute<{ prepared_sha256: string }[]>(
        "select prepared_sha256 from plugin_versions v join plugins p on p.id = v.plugin_id where p.slug = 'tamper-me'",
      );
    const [{ bytes }] = await em
      .getConnection()
      .execute<{ bytes: Buffer }[]>(em.getKnex()('blobs').select('bytes').where('sha256', sha));
    const altered = Buffer.from(bytes);
    altered[altered.length - 1] ^= 0xff;
    await em.getConnection().execute(em.getKnex()('blobs').update({ bytes: altered }).where('sha256', sha));
    expect(await execute(user, id, 'say_hello')).toMatchObject({ status: 'FAILED', errorCode: 'PLUGIN_INTEGRITY' });
  });
});

describe('KV and the circuit breaker', () => {
  it('applies KV writes only for calls that succeed', async () => {
    const user = await server.user('counter');
    const id = await install(user, 'tagger', { config: { tag: 'x' }, grantPermissions: TAGGER_GRANTS });
    expect(JSON.parse((await execute(user, id, 'bump')).output!)).toEqual({ count: 1 });
    expect(JSON.parse((await execute(user, id, 'bump')).output!)).toEqual({ count: 2 });
    await server.ok(UpdateInstallationDocument, { input: { id, config: { tag: 'x', fail: true } } }, user);
    const failed = await execute(user, id, 'bump');
    expect(failed).toMatchObject({ status: 'FAILED', errorCode: 'PLUGIN_FAILED' });
    expect(failed.errorMessage).toContain('count=3');
    await server.ok(UpdateInstallationDocument, { input: { id, config: { tag: 'x', fail: false } } }, user);
    expect(JSON.parse((await execute(user, id, 'bump')).output!)).toEqual({ count: 3 });
  });

  it('loses no KV update when calls of one installation run at the same time', async () => {
    const user = await server.user('racer');
    const id = await install(user, 'tagger', { config: { tag: 'x' }, grantPermissions: TAGGER_GRANTS });
    const calls = await Promise.all(Array.from({ length: 8 }, () => execute(user, id, 'bump')));
    expect(calls.map((c) => c.status)).toEqual(Array(8).fill('SUCCEEDED'));
    // Each call saw the count every earlier one left: no two read the same value.
    expect(calls.map((c) => JSON.parse(c.output!).count).sort((a: number, b: number) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(JSON.parse((await execute(user, id, 'bump')).output!)).toEqual({ count: 9 });
  });

  it('records what a call read from KV, and replays it with the store as the call found it', async () => {
    const user = await server.user('replayer');
    const id = await install(user, 'tagger', { config: { tag: 'x' }, grantPermissions: TAGGER_GRANTS });
    await execute(user, id, 'bump');
    await execute(user, id, 'bump');
    const third = await execute(user, id, 'bump');
    expect(JSON.parse(third.output!)).toEqual({ count: 3 });
    const { execution } = await server.ok(ExecutionKvReadsDocument, { id: third.id }, user);
    expect(execution).toEqual({
      kvReads: [{ key: 'count', text: '2', base64: Buffer.from('2').toString('base64') }],
      kvReadsTruncated: false,
    });

    // The third call ran on an instance two calls had used; replay runs on a fresh one, and
    // matches it exactly.
    const replayed = await replayExecution(third.id, { server: server.url, token: user });
    expect(replayed.local.status).toBe('SUCCEEDED');
    expect(replayed.local.output).toBe(third.output);
    expect(replayed.local.usage.fuelUsed).toBe(third.fuelUsed);
    expect(replayed.local.usage.peakMemoryBytes).toBe(third.peakMemoryBytes);
    expect(replayed.local.logs.map((l) => l.message)).toEqual(['count is now 3']);
  });

  it('opens after five consecutive failures, rejects fast, and closes after a successful trial', async () => {
    const user = await server.user('breaker');
    const id = await install(user, 'tagger', { config: { tag: 'x', fail: true }, grantPermissions: TAGGER_GRANTS });
    const events = collect<{ installationEvents: { type: string; installation: { circuitState: string } } }>(
      server.ws(user),
      'subscription { installationEvents { type installation { circuitState } } }',
      3,
    );
    await events.ready;
    for (let i = 0; i < 5; i++) expect((await execute(user, id, 'bump')).status).toBe('FAILED');
    const rejected = await execute(user, id, 'bump');
    expect(rejected).toMatchObject({ status: 'REJECTED', errorCode: 'PLUGIN_REJECTED', fuelUsed: null });
    expect(rejected.errorMessage).toContain('5 consecutive failures');
    const state = await server.ok(CircuitStateDocument, { id }, user);
    expect(state.installation).toMatchObject({ circuitState: 'OPEN', consecutiveFailures: 5 });
    expect(state.installation?.lastError).toContain('PLUGIN_FAILED');

    await server.ok(UpdateInstallationDocument, { input: { id, config: { tag: 'x', fail: false } } }, user);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await execute(user, id, 'bump')).status).toBe('SUCCEEDED');
    const closed = await server.ok(CircuitClosedDocument, { id }, user);
    expect(closed.installation).toEqual({ circuitState: 'CLOSED', consecutiveFailures: 0 });
    const seen = (await events.events).map((e) => e.installationEvents.type);
    expect(seen).toEqual(['CIRCUIT_CHANGED', 'UPDATED', 'CIRCUIT_CHANGED']);
  }, 30_000);

  it('streams STARTED, LOG, EMITTED and SUCCEEDED for an execution', async () => {
    const user = await server.user('watcher');
    const id = await install(user, 'tagger', { config: { tag: 'x' }, grantPermissions: TAGGER_GRANTS });
    const events = collect<{
      executionEvents: { type: string; log: { message: string } | null; execution: { status: string } };
    }>(
      server.ws(user),
      `subscription { executionEvents(installationId: "${id}") { type log { message } execution { status } } }`,
      3,
    );
    await events.ready;
    await execute(user, id, 'bump');
    const seen = await events.events;
    expect(seen.map((e) => e.executionEvents.type)).toEqual(['STARTED', 'LOG', 'SUCCEEDED']);
    expect(seen[1].executionEvents.log?.message).toBe('count is now 1');
    expect(seen[2].executionEvents.execution.status).toBe('SUCCEEDED');
  });
});
