// biome-ignore-all lint/suspicious/noExplicitAny: ad-hoc operations not in test/operations, answered untyped
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestPlugin, INSTALL, listAndPublish } from '../support/plugins.ts';
import { startTestServer, type TestServer, expectCode } from '../support/server.ts';

let server: TestServer;
let user: string;
let bytesInstallation: string;

const RUN = `mutation ($input: ExecutePluginInput!) { executePlugin(input: $input) {
  id status errorCode errorMessage output outputBase64 outputSize logs { message } } }`;
const READ = `query ($id: ID!) { execution(id: $id) { id status output outputBase64 outputSize finishedAt
  installation { id } } }`;

/** Output byte patterns a plugin can produce, valid UTF-8 or not. */
const PATTERNS: Record<string, Buffer> = {
  empty: Buffer.alloc(0),
  nul: Buffer.from([0]),
  'nul inside text': Buffer.from('a\u0000b\u0000', 'utf8'),
  'lone high surrogate (WTF-8)': Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x62]),
  'lone low surrogate (WTF-8)': Buffer.from([0xed, 0xbf, 0xbf]),
  'surrogate pair as WTF-8': Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]),
  'invalid byte': Buffer.from([0xff, 0xfe]),
  'overlong NUL': Buffer.from([0xc0, 0x80]),
  'truncated sequence': Buffer.from([0x41, 0xe2, 0x82]),
  'valid multi-byte': Buffer.from('héllo 🎉 \u2028', 'utf8'),
  'large random': randomBytes(200 * 1024),
  'large valid': Buffer.from('ü'.repeat(100 * 1024), 'utf8'),
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function asText(bytes: Buffer): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

beforeAll(async () => {
  server = await startTestServer();
  const publisher = await server.user('bytes-labs', 'PUBLISHER');
  const { manifest, wasm } = await buildTestPlugin('bytes');
  await listAndPublish(server, publisher, manifest, wasm);
  user = await server.user('bytes-user');
  bytesInstallation = (
    await server.ok<any, any>(INSTALL, { input: { slug: 'bytes', grantPermissions: ['log'] } }, user)
  ).installPlugin.id;
});
afterAll(() => server?.stop());

async function runningRows(): Promise<number> {
  const em = server.app.platform.db.fork();
  const [row] = await em.execute<{ n: number | string }[]>(
    em.getKnex()('executions').count({ n: '*' }).whereIn('status', ['RUNNING', 'QUEUED']),
  );
  return Number(row.n);
}

it('completes the execution whatever bytes the plugin returns, and keeps them byte for byte', async () => {
  for (const [name, bytes] of Object.entries(PATTERNS)) {
    const input = { installationId: bytesInstallation, function: 'emit', input: bytes.toString('hex') };
    const { executePlugin: run } = await server.ok<any, any>(RUN, { input }, user);
    expect(run.status, name).toBe('SUCCEEDED');
    for (const execution of [run, (await server.ok<any, any>(READ, { id: run.id }, user)).execution]) {
      expect(execution.outputSize, name).toBe(bytes.byteLength);
      expect(Buffer.from(execution.outputBase64, 'base64').equals(bytes), name).toBe(true);
      expect(execution.output, name).toBe(asText(bytes));
    }
  }
  expect(await runningRows()).toBe(0);
});

it('completes and counts a failure whose message and logs carry NUL bytes and lone surrogates', async () => {
  const patterns = Object.entries(PATTERNS).filter(([name]) => !name.startsWith('large'));
  for (const [name, bytes] of patterns) {
    // A fresh installation per pattern: five failures in a row would open the circuit.
    const owner = await server.user(`failing-${patterns.findIndex(([n]) => n === name)}`);
    const id = (await server.ok<any, any>(INSTALL, { input: { slug: 'bytes', grantPermissions: ['log'] } }, owner))
      .installPlugin.id;
    for (let n = 0; n < 5; n++) {
      const input = { installationId: id, function: 'log_and_fail', input: bytes.toString('hex') };
      const { executePlugin: run } = await server.ok<any, any>(RUN, { input }, owner);
      expect(run.status, name).toBe('FAILED');
      expect(run.errorCode, name).toBe('PLUGIN_FAILED');
      expect(run.errorMessage, name).not.toContain('\u0000');
    }
    const { installation } = await server.ok<any, any>(
      'query ($id: ID!) { installation(id: $id) { consecutiveFailures circuitState } }',
      { id },
      owner,
    );
    // Every failure was counted: five in a row open the circuit.
    expect(installation, name).toEqual({ consecutiveFailures: 5, circuitState: 'OPEN' });
  }
  expect(await runningRows()).toBe(0);
});

it('keeps executions after an uninstall, visible to their owner only', async () => {
  const owner = await server.user('auditor');
  const id = (await server.ok<any, any>(INSTALL, { input: { slug: 'bytes', grantPermissions: ['log'] } }, owner))
    .installPlugin.id;
  const runs: string[] = [];
  for (const hex of ['00', '6869', 'ff'])
    runs.push(
      (await server.ok<any, any>(RUN, { input: { installationId: id, function: 'emit', input: hex } }, owner))
        .executePlugin.id,
    );
  await server.ok('mutation ($id: ID!) { uninstallPlugin(id: $id) { id } }', { id }, owner);
  const listed = await server.ok<any, any>(
    '{ executions(first: 10) { edges { node { id installation { id } } } } }',
    {},
    owner,
  );
  expect(listed.executions.edges.map((e: any) => e.node.id).sort()).toEqual([...runs].sort());
  for (const run of runs) {
    const { execution } = await server.ok<any, any>(READ, { id: run }, owner);
    expect(execution).toMatchObject({ id: run, status: 'SUCCEEDED', installation: null });
    expect((await server.ok<any, any>(READ, { id: run }, user)).execution).toBeNull();
  }
});

it('never shows a clip that a CRITICAL hook rejects, not even while its hooks run', async () => {
  const owner = await server.user('critic');
  const publisher = await server.user('tag-labs', 'PUBLISHER');
  const { manifest, wasm } = await buildTestPlugin('tagger');
  await listAndPublish(server, publisher, manifest, wasm);
  const grants = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];
  await server.ok(
    INSTALL,
    {
      input: {
        slug: 'tagger',
        grantPermissions: grants,
        criticality: 'CRITICAL',
        config: { tag: 'x', fail: true, spin: 3_000_000 },
      },
    },
    owner,
  );
  const CREATE = 'mutation { createClip(input: { title: "Nope", mediaUrl: "/n.mp4", durationMs: 1000 }) { id } }';
  let settled = false;
  const creating = server.gql<any, any>(CREATE, {}, owner).finally(() => {
    settled = true;
  });
  let polls = 0;
  while (!settled || polls === 0) {
    const seen = await server.ok<any, any>(
      '{ clips(first: 5) { edges { node { id } } } clipStats { total } }',
      {},
      owner,
    );
    expect(seen.clips.edges).toEqual([]);
    expect(seen.clipStats.total).toBe(0);
    polls++;
  }
  const result = await creating;
  expectCode(result, 'PLUGIN_HOOK_FAILED');
  // The hook's execution is kept, and its clip reference is gone with the clip.
  const { executions } = await server.ok<any, any>(
    '{ executions(first: 5, filter: { trigger: HOOK }) { edges { node { status clip { id } } } } }',
    {},
    owner,
  );
  expect(executions.edges).toEqual([{ node: { status: 'FAILED', clip: null } }]);
});
