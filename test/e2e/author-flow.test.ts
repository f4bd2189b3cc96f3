// The author flow against a real server: publish (listing creation, upload, problem report),
// install, a hook run on a clip with its execution events, replay of recorded executions, and an
// example's lifecycle hooks through install, upgrade, config change and uninstall.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collect, startTestServer, type TestServer } from '../support/server.ts';
import { listExamples } from '../../src/toolchain/examples.ts';
import { scaffoldPlugin } from '../../src/toolchain/scaffold.ts';
import { publishPlugin } from '../../src/cli/plugin/publish.ts';
import { printReplay, replayExecution } from '../../src/cli/plugin/replay.ts';
import { runDueSchedules } from '../../src/services/schedules/index.ts';
import { startLoopbackServer } from '../../src/runtime/testing/loopback-server.ts';

let server: TestServer;
let token: string;
let tmp: string;
/** The scaffold's installation, shared by the function and hook tests that follow. */
let installationId: string;
const quiet = () => {};

beforeAll(async () => {
  // The webhook example posts to a loopback server: this deployment names localhost as internal.
  server = await startTestServer({ env: { PLUGBOARD_HTTP_ALLOWED_INTERNAL_HOSTS: 'localhost' } });
  token = await server.user('author', 'PUBLISHER');
  tmp = await mkdtemp(path.join(tmpdir(), 'plugboard-publish-'));
});
afterAll(async () => {
  await server?.stop();
  await rm(tmp, { recursive: true, force: true });
});

const opts = () => ({ server: server.url, token });

// Compiling and the first fuel instrumentation (binaryen) take tens of seconds on a busy 2-core box.
describe('plugin publish and replay against a running server', { timeout: 120_000 }, () => {
  it('publishes a fresh scaffold, creating the listing, then reports the server problems of a re-publish', async () => {
    const dir = path.join(tmp, 'hello-author');
    await scaffoldPlugin(dir, 'hello-author');
    const lines: string[] = [];
    const v = await publishPlugin(dir, opts(), (l) => lines.push(l));
    expect(v).toMatchObject({ version: '0.1.0', listingCreated: true });
    expect(v.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(lines.some((l) => l.startsWith('uploading '))).toBe(true);

    const again = publishPlugin(dir, opts(), quiet);
    await expect(again).rejects.toThrow(
      /the server refused the version:\nBAD_USER_INPUT: .*\n {2}✗ VERSION_EXISTS: hello-author@0.1.0 is already published/,
    );
  });

  it('runs an installed function and replays the execution with the published module', async () => {
    const installed = (await server.ok(
      'mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { id } }',
      {
        input: {
          slug: 'hello-author',
          config: { greeting: 'Howdy' },
          grantPermissions: ['log', 'config', 'clips:read', 'clips:write'],
        },
      },
      token,
    )) as { installPlugin: { id: string } };
    installationId = installed.installPlugin.id;
    const run = (await server.ok(
      'mutation ($input: ExecutePluginInput!) { executePlugin(input: $input) { id status output errorCode errorMessage } }',
      { input: { installationId: installed.installPlugin.id, function: 'greet', input: '{"name":"Zoë"}' } },
      token,
    )) as { executePlugin: { id: string; status: string; output: string } };
    expect(run.executePlugin).toMatchObject({ status: 'SUCCEEDED', output: '{"message":"Howdy, Zoë!"}' });

    const replayed = await replayExecution(run.executePlugin.id, opts());
    expect(replayed.source).toContain('published module 0.1.0 (sha256 verified)');
    expect(replayed.local.status).toBe('SUCCEEDED');
    expect(replayed.local.output).toBe(replayed.recorded.output);
    expect(replayed.local.usage.fuelUsed).toBe(replayed.recorded.fuelUsed);
    expect(replayed.local.usage.peakMemoryBytes).toBe(replayed.recorded.peakMemoryBytes);
    expect(replayed.local.logs.map((l) => l.message)).toEqual(replayed.recorded.logs.map((l) => l.message));

    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      printReplay(replayed);
    } finally {
      log.mockRestore();
    }
    expect(out.join('\n')).toMatch(/status\s+SUCCEEDED\s+SUCCEEDED/);
    expect(out.join('\n')).toContain('exact match: same status, output, fuel, peak memory, logs and HTTP requests');
  });

  it('runs the installed scaffold as a clip hook, streams its events and replays the hook call', async () => {
    const events = collect<{ executionEvents: { type: string } }>(
      server.ws(token),
      `subscription { executionEvents(installationId: "${installationId}") { type } }`,
      3,
    );
    await events.ready;
    const created = (await server.ok(
      'mutation ($input: CreateClipInput!) { createClip(input: $input) { id tags metadata } }',
      { input: { title: 'Ace', mediaUrl: 'https://cdn.example.com/ace.mp4', durationMs: 45_000, game: 'Valorant' } },
      token,
    )) as { createClip: { id: string; tags: string[]; metadata: Record<string, unknown> } };
    expect(created.createClip.tags).toContain('greeted');
    expect(created.createClip.metadata['hello-author']).toEqual({ message: 'Howdy, Ace!' });
    expect((await events.events).map((e) => e.executionEvents.type)).toEqual(['STARTED', 'LOG', 'SUCCEEDED']);

    const list = (await server.ok(
      `query { executions(filter: { installationId: "${installationId}" }, first: 1) { edges { node { id hook } } } }`,
      {},
      token,
    )) as { executions: { edges: { node: { id: string; hook: string } }[] } };
    const hookRun = list.executions.edges[0]!.node;
    expect(hookRun.hook).toBe('clip.captured');
    // --dir runs the local build; it is the same source, so it hashes to the published version.
    const replayed = await replayExecution(hookRun.id, { ...opts(), dir: path.join(tmp, 'hello-author') });
    expect(replayed.source).toContain('identical to the recorded version');
    expect(replayed.local.status).toBe('SUCCEEDED');
    expect(replayed.local.output).toBe('{"message":"Howdy, Ace!"}');
    expect(replayed.local.output).toBe(replayed.recorded.output);
    expect(replayed.local.clipPatches).toEqual([{ addTags: ['greeted'], metadata: { message: 'Howdy, Ace!' } }]);
  });

  it('adds a schedule hook with a default schedule, which an installer accepts and the platform runs', async () => {
    const dir = path.join(tmp, 'hello-author');
    const manifestFile = path.join(dir, 'plugin.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    await writeFile(
      manifestFile,
      JSON.stringify({
        ...manifest,
        version: '0.2.0',
        hooks: [...manifest.hooks, 'schedule'],
        schedule: { cron: '0 8 * * *', timezone: 'Europe/Paris', input: '{"name":"team"}' },
      }),
    );
    const source = path.join(dir, 'assembly', 'index.ts');
    await writeFile(
      source,
      `${await readFile(source, 'utf8')}
/** Hook \`schedule\`: greets the input's name on the schedule the installer accepted. */
export function schedule(): i32 {
  return greet();
}
`,
    );
    expect((await publishPlugin(dir, opts(), quiet)).version).toBe('0.2.0');

    const installer = await server.user('morning-person');
    const installed = (await server.ok(
      'mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { id schedules { id cron timezone nextRunAt } } }',
      {
        input: {
          slug: 'hello-author',
          config: { greeting: 'Bonjour' },
          grantPermissions: ['log', 'config', 'clips:read', 'clips:write'],
        },
      },
      installer,
    )) as { installPlugin: { schedules: { id: string; cron: string; timezone: string; nextRunAt: string }[] } };
    const [schedule] = installed.installPlugin.schedules;
    expect(schedule).toMatchObject({ cron: '0 8 * * *', timezone: 'Europe/Paris' });
    // 08:00 in Paris is 07:00 UTC in winter.
    expect(schedule.nextRunAt).toMatch(/T07:00:00\.000Z$/);

    const runs = await runDueSchedules(server.app.platform, new Date(schedule.nextRunAt));
    const run = runs.find((r) => r.status !== null)!;
    expect(run).toMatchObject({ outcome: 'RAN', status: 'SUCCEEDED' });
    const recorded = (await server.ok(
      `query { executions(filter: { trigger: SCHEDULE }, first: 1) { edges { node { id output hook schedule { id } } } } }`,
      {},
      installer,
    )) as { executions: { edges: { node: { id: string; output: string; hook: string; schedule: { id: string } } }[] } };
    const node = recorded.executions.edges[0]!.node;
    expect(node).toMatchObject({
      output: '{"message":"Bonjour, team!"}',
      hook: 'schedule',
      schedule: { id: schedule.id },
    });
    const replayed = await replayExecution(node.id, { server: server.url, token: installer });
    expect(replayed.local.output).toBe(node.output);
  });

  it('publishes every example plugin the seed uses, and they pass the server validation', async () => {
    for (const name of await listExamples(undefined, { buildable: true })) {
      const v = await publishPlugin(name, opts(), quiet);
      expect(v.version).toBe('1.0.0');
    }
    const highlight = (await server.ok(
      'mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { id } }',
      { input: { slug: 'highlight-detector', grantPermissions: ['log', 'config', 'clips:read', 'clips:write'] } },
      token,
    )) as { installPlugin: { id: string } };
    expect(highlight.installPlugin.id).toBeTruthy();
    const created = (await server.ok(
      'mutation ($input: CreateClipInput!) { createClip(input: $input) { tags metadata } }',
      {
        input: {
          title: 'Triple',
          mediaUrl: 'https://cdn.example.com/t.mp4',
          durationMs: 45_000,
          metadata: {
            events: [
              { t: 10_000, type: 'kill' },
              { t: 11_000, type: 'kill' },
            ],
          },
        },
      },
      token,
    )) as { createClip: { tags: string[]; metadata: Record<string, unknown> } };
    expect(created.createClip.tags).toContain('highlights');
    expect(created.createClip.metadata['highlight-detector']).toEqual({
      highlights: [{ startMs: 8000, endMs: 13_000, score: 2, kills: 2, audioPeaks: 0 }],
      threshold: 2,
    });
  });

  it("runs game-stats' lifecycle hooks through install, upgrade to a new release, config change and uninstall", async () => {
    // game-stats 1.0.0 was published above; the author releases 1.0.1 from a copy of the example.
    const dir = path.join(tmp, 'game-stats');
    await cp(path.resolve('plugins-wasm/game-stats'), dir, {
      recursive: true,
      filter: (from) => !from.includes(`${path.sep}build`),
    });
    await writeFile(
      path.join(dir, 'asconfig.json'),
      JSON.stringify({ extends: path.resolve('sdk-assemblyscript/plugin.asconfig.json') }),
    );
    const manifest = JSON.parse(await readFile(path.join(dir, 'plugin.json'), 'utf8'));
    await writeFile(path.join(dir, 'plugin.json'), JSON.stringify({ ...manifest, version: '1.0.1' }));

    const { installPlugin } = (await server.ok(
      'mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { id } }',
      {
        input: {
          slug: 'game-stats',
          versionRange: '1.0.0',
          config: { unknownGame: 'misc' },
          grantPermissions: ['log', 'kv', 'clips:read'],
        },
      },
      token,
    )) as { installPlugin: { id: string } };
    const id = installPlugin.id;
    const stats = async () =>
      JSON.parse(
        (
          (await server.ok(
            'mutation ($input: ExecutePluginInput!) { executePlugin(input: $input) { output } }',
            { input: { installationId: id, function: 'stats', input: '' } },
            token,
          )) as { executePlugin: { output: string } }
        ).executePlugin.output,
      );
    await server.ok(
      'mutation ($input: CreateClipInput!) { createClip(input: $input) { id } }',
      { input: { title: 'No game', mediaUrl: 'https://cdn.example.com/n.mp4', durationMs: 4000 } },
      token,
    );
    expect((await stats()).games).toEqual({ misc: { count: 1, totalDurationMs: 4000 } });

    expect((await publishPlugin(dir, opts(), quiet)).version).toBe('1.0.1');
    await server.ok(
      'mutation ($id: ID!) { upgradeInstallation(id: $id, versionRange: "^1.0.1") { id } }',
      { id },
      token,
    );
    await server.ok(
      'mutation ($input: UpdateInstallationInput!) { updateInstallation(input: $input) { id } }',
      { input: { id, config: { unknownGame: 'other' } } },
      token,
    );
    expect((await stats()).games).toEqual({ other: { count: 1, totalDurationMs: 4000 } });
    await server.ok('mutation ($id: ID!) { uninstallPlugin(id: $id) { id } }', { id }, token);

    const runs = (await server.ok(
      '{ executions(first: 10, filter: { trigger: HOOK }) { edges { node { hook status logs { message } } } } }',
      {},
      token,
    )) as { executions: { edges: { node: { hook: string; status: string; logs: { message: string }[] } }[] } };
    const lifecycle = runs.executions.edges.map((e) => e.node).filter((n) => !n.hook.startsWith('clip.'));
    expect(lifecycle.map((n) => [n.hook, n.status])).toEqual([
      ['plugin.uninstalling', 'SUCCEEDED'],
      ['config.changed', 'SUCCEEDED'],
      ['plugin.upgraded', 'SUCCEEDED'],
      ['plugin.installed', 'SUCCEEDED'],
    ]);
    expect(lifecycle[2].logs.map((l) => l.message)).toEqual(['KV layout 2 -> 2 (1.0.0 -> 1.0.1)']);
  });

  it('runs an example that calls a webhook over HTTP, records the exchange and replays it without the network', async () => {
    const webhook = await startLoopbackServer();
    const url = `http://localhost:${webhook.port}/hook`;
    const grants = ['log', 'config', 'http:localhost', 'http:*.example.com'];
    const installed = (await server.ok(
      'mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { id } }',
      { input: { slug: 'webhook-notifier', config: { url, secret: 'k' }, grantPermissions: grants } },
      token,
    )) as { installPlugin: { id: string } };
    const execute = async (input: string) =>
      (
        (await server.ok(
          `mutation ($input: ExecutePluginInput!) { executePlugin(input: $input) {
            id status output errorCode errorMessage
            httpRequests { method url status requestBytes responseBytes redirects errorCode responseHeaders responseBase64 }
          } }`,
          { input: { installationId: installed.installPlugin.id, function: 'notify', input } },
          token,
        )) as {
          executePlugin: {
            id: string;
            status: string;
            output: string;
            errorMessage: string | null;
            httpRequests: {
              method: string;
              url: string;
              status: number;
              requestBytes: number;
              errorCode: string | null;
              responseHeaders: Record<string, string>;
              responseBase64: string;
            }[];
          };
        }
      ).executePlugin;
    let run: Awaited<ReturnType<typeof execute>>;
    try {
      run = await execute('Grüße ✓');
      expect(run).toMatchObject({ status: 'SUCCEEDED' });
      expect(JSON.parse(run.output)).toEqual({ delivered: true, status: 200, response: { ok: true, seen: 1 } });
      const [sent] = await webhook.requests();
      expect(sent).toMatchObject({ method: 'POST', url: '/hook', body: '{"text":"Grüße ✓"}' });
      expect(sent!.headers['x-webhook-secret']).toBe('k');
    } finally {
      await webhook.close();
    }
    expect(run.httpRequests).toEqual([
      expect.objectContaining({
        method: 'POST',
        url,
        status: 200,
        requestBytes: Buffer.byteLength('{"text":"Grüße ✓"}'),
        errorCode: null,
      }),
    ]);
    expect(run.httpRequests[0]!.responseHeaders['content-type']).toBe('application/json');
    expect(Buffer.from(run.httpRequests[0]!.responseBase64, 'base64').toString()).toBe('{"ok":true,"seen":1}');

    // The webhook is gone: replay answers from the recording.
    const replayed = await replayExecution(run.id, opts());
    expect(replayed.local.status).toBe('SUCCEEDED');
    expect(replayed.local.output).toBe(run.output);
    expect(replayed.local.usage.fuelUsed).toBe(replayed.recorded.fuelUsed);
    expect(replayed.local.httpRequests).toEqual([{ method: 'POST', url, status: 200, error: null }]);

    // A host the installation did not grant is refused by the host, and the Execution says so.
    await server.ok(
      'mutation ($input: UpdateInstallationInput!) { updateInstallation(input: $input) { id } }',
      { input: { id: installed.installPlugin.id, config: { url: `http://127.0.0.1:${webhook.port}/hook` } } },
      token,
    );
    const refused = await execute('x');
    expect(refused.status).toBe('FAILED');
    expect(refused.errorMessage).toContain('HTTP_HOST_NOT_GRANTED');
    expect(refused.httpRequests).toEqual([expect.objectContaining({ status: 0, errorCode: 'HTTP_HOST_NOT_GRANTED' })]);
  });
});
