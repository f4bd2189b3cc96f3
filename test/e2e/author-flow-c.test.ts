// The C author flow against a real server: `plugin new --lang c` → build → publish → install →
// execute and hooks → replay; the C example and the SDK probe (every capability) run the same way.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestServer, type TestServer } from '../support/server.ts';
import { examplesDir, repoRoot } from '../../src/toolchain/paths.ts';
import { scaffoldPlugin } from '../../src/toolchain/scaffold.ts';
import { publishPlugin } from '../../src/cli/plugin/publish.ts';
import { replayExecution } from '../../src/cli/plugin/replay.ts';
import { budgetReport } from '../../src/toolchain/budget.ts';
import { detectClang } from '../../sdk-c/compiler/clang.ts';

const haveClang = (await detectClang()) !== null;
let server: TestServer;
let token: string;
let tmp: string;
const quiet = () => {};
const opts = () => ({ server: server.url, token });

const INSTALL = 'mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { id } }';
const EXECUTE =
  'mutation ($input: ExecutePluginInput!) { executePlugin(input: $input) { id status output errorCode errorMessage logs { level message } } }';

interface Run {
  id: string;
  status: string;
  output: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  logs: { level: string; message: string }[];
}

async function install(slug: string, grantPermissions: string[], config?: Record<string, unknown>): Promise<string> {
  const r = (await server.ok(INSTALL, { input: { slug, grantPermissions, ...(config && { config }) } }, token)) as {
    installPlugin: { id: string };
  };
  return r.installPlugin.id;
}

async function execute(installationId: string, fn: string, input: unknown = {}): Promise<Run> {
  const r = (await server.ok(
    EXECUTE,
    { input: { installationId, function: fn, input: typeof input === 'string' ? input : JSON.stringify(input) } },
    token,
  )) as { executePlugin: Run };
  return r.executePlugin;
}

beforeAll(async () => {
  server = await startTestServer();
  token = await server.user('c-author', 'PUBLISHER');
  tmp = await mkdtemp(path.join(tmpdir(), 'plugboard-c-flow-'));
});
afterAll(async () => {
  await server?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!haveClang && process.env.CI !== 'true')(
  'C plugins against a running server',
  { timeout: 120_000 },
  () => {
    it('new --lang c → build → publish → install → execute → hook → replay', async () => {
      const dir = path.join(tmp, 'hello-c');
      await scaffoldPlugin(dir, 'hello-c', { lang: 'c' });
      const report = await budgetReport(dir);
      expect(report.problems).toEqual([]);
      expect(report.cases.map((c) => c.mismatch)).toEqual([null, null]);
      const v = await publishPlugin(dir, opts(), quiet);
      expect(v).toMatchObject({ version: '0.1.0', listingCreated: true });

      const id = await install('hello-c', ['log', 'config', 'clips:read', 'clips:write'], { greeting: 'Howdy' });
      const run = await execute(id, 'greet', { name: 'Zoë' });
      expect(run).toMatchObject({ status: 'SUCCEEDED', output: '{"message":"Howdy, Zoë!"}' });
      expect(run.logs).toEqual([{ level: 'info', message: 'greeting Zoë' }]);
      const bad = await execute(id, 'greet', '[1]');
      expect(bad).toMatchObject({
        status: 'FAILED',
        errorCode: 'PLUGIN_FAILED',
        errorMessage: 'greet: input must be a JSON object',
      });

      const created = (await server.ok(
        'mutation ($input: CreateClipInput!) { createClip(input: $input) { id tags metadata } }',
        { input: { title: 'Ace', mediaUrl: 'https://cdn.example.com/ace.mp4', durationMs: 45_000 } },
        token,
      )) as { createClip: { tags: string[]; metadata: Record<string, unknown> } };
      expect(created.createClip.tags).toContain('greeted');
      expect(created.createClip.metadata['hello-c']).toEqual({ message: 'Howdy, Ace!' });

      const replayed = await replayExecution(run.id, opts());
      expect(replayed.source).toContain('published module 0.1.0 (sha256 verified)');
      expect(replayed.local.output).toBe(run.output);
      expect(replayed.local.usage.fuelUsed).toBe(replayed.recorded.fuelUsed);
    });

    it('runs the C example from plugins-wasm with its KV totals kept by the server', async () => {
      await publishPlugin(path.join(examplesDir, 'word-counter'), opts(), quiet);
      const id = await install('word-counter', ['log', 'config', 'kv', 'clips:read', 'clips:write'], { top: 1 });
      const first = await execute(id, 'count', { text: 'gg wp gg' });
      expect(JSON.parse(first.output!)).toEqual({
        words: 3,
        distinct: 2,
        top: [{ word: 'gg', count: 2 }],
        totals: { words: 3, texts: 1 },
      });
      await execute(id, 'count', { text: 'one more' });
      expect(JSON.parse((await execute(id, 'totals')).output!)).toEqual({ words: 5, texts: 2 });
    });

    it('holds hostile C to its limits in the server (fuel or deadline, memory cap, traps)', async () => {
      await publishPlugin(path.join(repoRoot, 'sdk-c', 'test', 'hostile'), opts(), quiet);
      const id = await install('c-hostile', []);
      // Fuel runs out first on an idle machine; on a busy one the deadline may stop it first.
      expect(['FUEL_EXHAUSTED', 'TIMED_OUT']).toContain((await execute(id, 'spin')).status);
      expect(await execute(id, 'allocate_forever')).toMatchObject({
        status: 'MEMORY_EXCEEDED',
        errorCode: 'PLUGIN_MEMORY_EXCEEDED',
      });
      expect(await execute(id, 'recurse')).toMatchObject({ status: 'FAILED', errorCode: 'PLUGIN_TRAP' });
      expect(await execute(id, 'ok')).toMatchObject({ status: 'SUCCEEDED', output: 'ok' });
    });

    it('reaches every host capability of the C SDK through the server', async () => {
      await publishPlugin(path.join(repoRoot, 'sdk-c', 'test', 'probe'), opts(), quiet);
      const id = await install('c-probe', ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'], {
        label: 'Zoë',
        limit: 2.5,
        enabled: true,
      });
      const events = collect<{ executionEvents: { type: string; emitted: unknown } }>(
        server.ws(token),
        `subscription { executionEvents(installationId: "${id}") { type emitted } }`,
        7,
      );
      await events.ready;
      const first = await execute(id, 'capabilities');
      expect(first.status, first.errorMessage ?? '').toBe('SUCCEEDED');
      expect(JSON.parse(first.output!)).toEqual({
        label: 'Zoë',
        limit: 2.5,
        enabled: true,
        missing: null,
        previous: null,
        kvSet: 0,
        kvInvalid: 2,
        deleted: false,
        clipTitle: '',
        patch: 2,
        emit: 0,
      });
      expect(first.logs.map((l) => l.level)).toEqual(['debug', 'info', 'warn', 'error']);
      const seen = (await events.events).map((e) => e.executionEvents);
      expect(seen.map((e) => e.type)).toEqual(['STARTED', 'LOG', 'LOG', 'LOG', 'LOG', 'EMITTED', 'SUCCEEDED']);
      expect(seen.find((e) => e.type === 'EMITTED')?.emitted).toEqual({ type: 'probe.done', data: { n: 1 } });
      // The KV write of the first call was kept by the server.
      expect(JSON.parse((await execute(id, 'capabilities')).output!)).toMatchObject({ previous: 'bumped' });
      const roundtrip = await execute(id, 'roundtrip', { a: [1, 'Zoë', null, true, { b: -0.5 }] });
      expect(JSON.parse(roundtrip.output!)).toEqual({ a: [1, 'Zoë', null, true, { b: -0.5 }] });
    });
  },
);
