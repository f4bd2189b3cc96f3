import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStorage, scaleOutServices } from '../support/database.ts';
import { buildTestPlugin, listAndPublish } from '../support/plugins.ts';
import { collect, expectCode, startTestServer, type TestServer } from '../support/server.ts';

/**
 * The kill switch (`revokePluginVersion`): installed copies of a revoked version stop running at
 * once, calls already running finish, owners are told and are never blocked, and the version is
 * never installed, upgraded to or rolled back to again.
 */
const GRANTS = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];
let server: TestServer;
let publisher: string;
let tagger: Awaited<ReturnType<typeof buildTestPlugin>>;

beforeAll(async () => {
  server = await startTestServer();
  publisher = await server.user('ks-labs', 'PUBLISHER');
  tagger = await buildTestPlugin('tagger');
}, 120_000);
afterAll(() => server?.stop());

const REVOKE = `mutation ($slug: String!, $version: String!, $reason: String!) {
  revokePluginVersion(slug: $slug, version: $version, reason: $reason) {
    version revoked revokedAt revocationReason revokedBy { handle }
  }
}`;
const INSTALL = `mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { id version { version } revoked } }`;
const EXECUTE = `mutation ($input: ExecutePluginInput!) {
  executePlugin(input: $input) { id status errorCode errorMessage output }
}`;
const CREATE_CLIP = `mutation ($title: String!) {
  createClip(input: { title: $title, mediaUrl: "/media/k.mp4", durationMs: 1000 }) { id tags }
}`;
const UPGRADE = `mutation ($id: ID!, $range: String) {
  upgradeInstallation(id: $id, versionRange: $range) { id version { version } revoked }
}`;
const ROLLBACK = 'mutation ($id: ID!) { rollbackInstallation(id: $id) { id version { version } revoked } }';
const UNINSTALL = 'mutation ($id: ID!) { uninstallPlugin(id: $id) { id } }';
const INSTALLATION = 'query ($id: ID!) { installation(id: $id) { version { version } revoked } }';
const EXECUTION = 'query ($id: ID!) { execution(id: $id) { status errorCode } }';
const HOOK_RUNS = `{ executions(first: 20, filter: { trigger: HOOK }) {
  edges { node { status errorCode errorMessage installation { plugin { slug } } } }
} }`;
const VERSION = `query ($slug: String!) { plugin(slug: $slug) {
  latestVersion { version }
  versions(first: 20) { edges { node { version revoked revokedAt revocationReason } } }
} }`;

// biome-ignore lint/suspicious/noExplicitAny: string documents; the shapes are asserted where read
type Gql = any;

/** Lists `slug` with the tagger module at each of `versions` (manifest overrides optional). */
async function listing(slug: string, versions: string[], extra: Record<string, unknown> = {}): Promise<void> {
  for (const version of versions)
    await listAndPublish(server, publisher, { ...tagger.manifest, ...extra, slug, version }, tagger.wasm);
}

async function install(
  token: string,
  slug: string,
  versionRange: string,
  extra: Record<string, unknown> = {},
  via: TestServer = server,
): Promise<string> {
  const { installPlugin } = await via.ok<Gql, Gql>(
    INSTALL,
    { input: { slug, versionRange, grantPermissions: GRANTS, config: { tag: 'k' }, ...extra } },
    token,
  );
  return installPlugin.id;
}

const revoke = (token: string | undefined, slug: string, version: string, reason: string, via = server) =>
  via.gql<Gql, Gql>(REVOKE, { slug, version, reason }, token);

const execute = async (token: string, installationId: string, fn = 'tag_now', via = server) =>
  (await via.ok<Gql, Gql>(EXECUTE, { input: { installationId, function: fn, input: '' } }, token)).executePlugin;

const versionsOf = async (slug: string) => (await server.ok<Gql, Gql>(VERSION, { slug })).plugin;

describe('revoking a version', () => {
  it('stops its calls and hooks before the mutation answers, never fails its owner, and tells every owner', async () => {
    await listing('ks-basic', ['1.0.0', '1.1.0']);
    const [alice, bob, carol] = await Promise.all(['ks-alice', 'ks-bob', 'ks-carol'].map((h) => server.user(h)));
    const aliceId = await install(alice, 'ks-basic', '1.0.0', { criticality: 'CRITICAL', config: { tag: 'alice' } });
    const bobId = await install(bob, 'ks-basic', '1.0.0', { config: { tag: 'bob' } });
    const carolId = await install(carol, 'ks-basic', '1.1.0', { config: { tag: 'carol' } });
    expect(await execute(alice, aliceId)).toMatchObject({ status: 'SUCCEEDED', errorCode: null });
    expect((await server.ok<Gql, Gql>(CREATE_CLIP, { title: 'Before' }, alice)).createClip.tags).toEqual(['alice']);

    const EVENTS =
      'subscription { installationEvents { type installationId installation { revoked version { version revocationReason } } } }';
    const [aliceEvents, bobEvents, carolEvents] = [alice, bob, carol].map((t) => collect<Gql>(server.ws(t), EVENTS, 1));
    const bobCalls = collect<Gql>(
      server.ws(bob),
      `subscription { executionEvents(installationId: "${bobId}") { type } }`,
      1,
    );
    await Promise.all([aliceEvents.ready, bobEvents.ready, carolEvents.ready, bobCalls.ready]);

    const ACTIVE = '{ plugin(slug: "ks-basic") { activeInstalls downloadCount } }';
    expect((await server.ok<Gql, Gql>(ACTIVE, {}, carol)).plugin).toEqual({ activeInstalls: 3, downloadCount: 3 });
    const reason = 'Sends every clip title to a third-party server';
    const revoked = await revoke(publisher, 'ks-basic', '1.0.0', reason);
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data.revokePluginVersion).toMatchObject({
      version: '1.0.0',
      revoked: true,
      revocationReason: reason,
      revokedBy: { handle: 'ks-labs' },
    });

    // Right after the answer, on the instance that served it: calls and hooks are REJECTED with the reason.
    for (const [token, id] of [
      [alice, aliceId],
      [bob, bobId],
    ]) {
      const call = await execute(token, id);
      expect(call).toMatchObject({ status: 'REJECTED', errorCode: 'PLUGIN_REVOKED', output: null });
      expect(call.errorMessage).toContain(reason);
      expect((await server.ok<Gql, Gql>(EXECUTION, { id: call.id }, token)).execution.status).toBe('REJECTED');
    }
    // Refused at the door: never STARTED.
    expect((await bobCalls.events)[0].executionEvents.type).toBe('REJECTED');
    // Alice's CRITICAL hook is skipped and recorded, not failed: the clip is created, untouched.
    const after = await server.gql<Gql, Gql>(CREATE_CLIP, { title: 'After' }, alice);
    expect(after.errors).toBeUndefined();
    expect(after.data.createClip.tags).toEqual([]);
    const hooks = (await server.ok<Gql, Gql>(HOOK_RUNS, {}, alice)).executions.edges.map((e: Gql) => e.node);
    expect(hooks.map((h: Gql) => [h.status, h.errorCode])).toEqual([
      ['REJECTED', 'PLUGIN_REVOKED'],
      ['SUCCEEDED', null],
    ]);
    expect(hooks[0].errorMessage).toContain(reason);
    // Another version of the same plugin runs on; installations on the revoked one stop counting as active.
    expect(await execute(carol, carolId)).toMatchObject({ status: 'SUCCEEDED' });
    expect((await server.ok<Gql, Gql>(ACTIVE, {}, carol)).plugin).toEqual({ activeInstalls: 1, downloadCount: 3 });

    // Every owner of an installation on the version hears of it; others do not.
    for (const [events, id] of [
      [aliceEvents, aliceId],
      [bobEvents, bobId],
    ] as const)
      expect((await events.events)[0].installationEvents).toEqual({
        type: 'REVOKED',
        installationId: id,
        installation: { revoked: true, version: { version: '1.0.0', revocationReason: reason } },
      });
    await server.ok<Gql, Gql>(
      'mutation ($input: UpdateInstallationInput!) { updateInstallation(input: $input) { id } }',
      { input: { id: carolId, priority: 1 } },
      carol,
    );
    expect((await carolEvents.events)[0].installationEvents.type).toBe('UPDATED');

    const plugin = await versionsOf('ks-basic');
    expect(plugin.latestVersion.version).toBe('1.1.0');
    const byVersion = new Map(plugin.versions.edges.map((e: Gql) => [e.node.version, e.node]));
    expect(byVersion.get('1.0.0')).toMatchObject({ revoked: true, revocationReason: reason });
    expect(byVersion.get('1.1.0')).toMatchObject({ revoked: false, revokedAt: null, revocationReason: null });
  });

  it('refuses to install, upgrade to or roll back to it, and lets owners upgrade away or uninstall', async () => {
    await listing('ks-moves', ['1.0.0', '1.1.0', '1.2.0']);
    const [dave, erin, gina, harry, ivan] = await Promise.all(
      ['ks-dave', 'ks-erin', 'ks-gina', 'ks-harry', 'ks-ivan'].map((h) => server.user(h)),
    );
    const daveId = await install(dave, 'ks-moves', '1.0.0');
    await server.ok<Gql, Gql>(UPGRADE, { id: daveId, range: '1.1.0' }, dave);
    const erinId = await install(erin, 'ks-moves', '1.1.0');
    const ginaId = await install(gina, 'ks-moves', '1.0.0');
    const harryId = await install(harry, 'ks-moves', '1.0.0');
    const ivanId = await install(ivan, 'ks-moves', '1.1.0');
    await server.ok<Gql, Gql>(UPGRADE, { id: ivanId, range: '1.2.0' }, ivan);
    expect((await revoke(publisher, 'ks-moves', '1.0.0', 'Mines cryptocurrency')).errors).toBeUndefined();

    // Ranges that only a revoked version satisfies are refused with PLUGIN_REVOKED; others skip it.
    for (const range of ['1.0.0', '<1.1.0', '~1.0.0', '>=1.0.0 <1.0.1', '1.0.x', '=1.0.0']) {
      const newcomer = await server.user(
        `ks-new-${range.replace(/[^0-9a-z]/g, '')}-${Math.random().toString(36).slice(2, 8)}`,
      );
      const result = await server.gql<Gql, Gql>(
        INSTALL,
        { input: { slug: 'ks-moves', versionRange: range, grantPermissions: GRANTS, config: { tag: 'k' } } },
        newcomer,
      );
      expectCode(result, 'PLUGIN_REVOKED', range);
      expect(result.errors![0].message).toContain('Mines cryptocurrency');
      expect(
        (await server.ok<Gql, Gql>('{ installations { edges { node { id } } } }', {}, newcomer)).installations.edges,
      ).toEqual([]);
    }
    for (const [range, expected] of [
      ['*', '1.2.0'],
      ['^1.0.0', '1.2.0'],
      ['<1.2.0', '1.1.0'],
      ['>=1.0.0 <1.2.0', '1.1.0'],
    ]) {
      const newcomer = await server.user(`ks-ok-${Math.random().toString(36).slice(2, 10)}`);
      const { installPlugin } = await server.ok<Gql, Gql>(
        INSTALL,
        { input: { slug: 'ks-moves', versionRange: range, grantPermissions: GRANTS, config: { tag: 'k' } } },
        newcomer,
      );
      expect(installPlugin.version.version, range).toBe(expected);
    }

    // Upgrading to it is refused; rolling back to it is refused; nothing moves.
    expectCode(await server.gql<Gql, Gql>(UPGRADE, { id: erinId, range: '1.0.0' }, erin), 'PLUGIN_REVOKED');
    expectCode(await server.gql<Gql, Gql>(ROLLBACK, { id: daveId }, dave), 'PLUGIN_REVOKED');
    for (const [token, id] of [
      [erin, erinId],
      [dave, daveId],
    ])
      expect((await server.ok<Gql, Gql>(INSTALLATION, { id }, token)).installation).toEqual({
        version: { version: '1.1.0' },
        revoked: false,
      });

    // Gina, on the revoked version: upgrading within her pinned range has nowhere to go (it says
    // why); with a range, she moves away and runs again.
    expect((await server.ok<Gql, Gql>(INSTALLATION, { id: ginaId }, gina)).installation.revoked).toBe(true);
    expectCode(await server.gql<Gql, Gql>(UPGRADE, { id: ginaId }, gina), 'PLUGIN_REVOKED');
    const moved = await server.ok<Gql, Gql>(UPGRADE, { id: ginaId, range: '^1.0.0' }, gina);
    expect(moved.upgradeInstallation).toMatchObject({ version: { version: '1.2.0' }, revoked: false });
    expect(await execute(gina, ginaId)).toMatchObject({ status: 'SUCCEEDED' });
    // Harry uninstalls it as usual.
    expect((await server.ok<Gql, Gql>(UNINSTALL, { id: harryId }, harry)).uninstallPlugin.id).toBe(harryId);
    // Ivan rolls back away from a version revoked after his upgrade.
    expect((await revoke(publisher, 'ks-moves', '1.2.0', 'Same payload, repackaged')).errors).toBeUndefined();
    expect((await server.ok<Gql, Gql>(ROLLBACK, { id: ivanId }, ivan)).rollbackInstallation).toMatchObject({
      version: { version: '1.1.0' },
      revoked: false,
    });
    // With both revoked, `*` finds the one left.
    expect((await versionsOf('ks-moves')).latestVersion.version).toBe('1.1.0');
  });

  it('is for the publisher or an admin, with a reason, and a second revocation changes nothing', async () => {
    await listing('ks-rules', ['1.0.0', '1.1.0', '1.2.0', '1.3.0']);
    const member = await server.user('ks-member');
    const stranger = await server.user('ks-stranger', 'PUBLISHER');
    const admin = await server.user('ks-admin', 'ADMIN');
    const ok = 'Found to be malicious';
    expectCode(await revoke(undefined, 'ks-rules', '1.0.0', ok), 'UNAUTHENTICATED');
    expectCode(await revoke(member, 'ks-rules', '1.0.0', ok), 'FORBIDDEN');
    expectCode(await revoke(stranger, 'ks-rules', '1.0.0', ok), 'FORBIDDEN');
    expectCode(await revoke(publisher, 'ks-nothing', '1.0.0', ok), 'NOT_FOUND');
    expectCode(await revoke(publisher, 'ks-rules', '9.9.9', ok), 'NOT_FOUND');

    const bad = [
      '',
      ' ',
      '\n\t  \r\n',
      'x'.repeat(501),
      '🙂'.repeat(501),
      ` ${'y'.repeat(501)} `,
      'a\u0000b',
      'bell\u0007',
      'esc\u001b[31m',
      'del\u007f',
      'form\u000cfeed',
      '\ud800',
      'x\udc00y',
    ];
    for (const reason of bad) {
      const result = await revoke(publisher, 'ks-rules', '1.0.0', reason);
      expectCode(result, 'BAD_USER_INPUT', JSON.stringify(reason));
      expect(result.errors![0].extensions!.problems![0].field).toBe('reason');
    }
    const untouched = await versionsOf('ks-rules');
    expect(untouched.versions.edges.every((e: Gql) => e.node.revoked === false)).toBe(true);

    // Lengths count characters, not bytes; surrounding whitespace is dropped, line breaks inside kept.
    const accepted: [string, string, string][] = [
      ['1.0.0', 'x'.repeat(500), 'x'.repeat(500)],
      ['1.1.0', '🙂'.repeat(500), '🙂'.repeat(500)],
      ['1.2.0', '  Two lines:\n\tsecond one  ', 'Two lines:\n\tsecond one'],
    ];
    for (const [version, reason, stored] of accepted) {
      const result = await revoke(publisher, 'ks-rules', version, reason);
      expect(result.errors, version).toBeUndefined();
      expect(result.data.revokePluginVersion.revocationReason).toBe(stored);
    }
    // An admin may revoke what is not theirs.
    const byAdmin = await revoke(admin, 'ks-rules', '1.3.0', ok);
    expect(byAdmin.data.revokePluginVersion).toMatchObject({ revoked: true, revokedBy: { handle: 'ks-admin' } });

    // Again: succeeds, keeps the first reason and time (safe to retry); still only for those allowed.
    const first = (await revoke(publisher, 'ks-rules', '1.3.0', ok)).data.revokePluginVersion;
    const again = await revoke(publisher, 'ks-rules', '1.3.0', 'A different reason');
    expect(again.errors).toBeUndefined();
    expect(again.data.revokePluginVersion).toEqual(first);
    expectCode(await revoke(stranger, 'ks-rules', '1.3.0', ok), 'FORBIDDEN');
    expect((await versionsOf('ks-rules')).latestVersion).toBeNull();
  });

  it('stops handing out a module once every version that has it is revoked', async () => {
    // A module of its own: the tagger bytes with a custom section no other version carries.
    const name = new TextEncoder().encode('plugboard-test');
    const payload = new TextEncoder().encode(`ks-wasm-${Date.now()}`);
    const body = [name.length, ...name, ...payload];
    const wasm = new Uint8Array([...tagger.wasm, 0, body.length, ...body]);
    const sha256 = createHash('sha256').update(wasm).digest('hex');
    const download = () => fetch(`${server.url}/wasm/${sha256}`);
    await listAndPublish(server, publisher, { ...tagger.manifest, slug: 'ks-wasm', version: '1.0.0' }, wasm);
    await listAndPublish(server, publisher, { ...tagger.manifest, slug: 'ks-wasm', version: '1.1.0' }, wasm);
    expect((await download()).status).toBe(200);

    expect((await revoke(publisher, 'ks-wasm', '1.0.0', 'first of two')).errors).toBeUndefined();
    expect((await download()).status).toBe(200);
    expect((await revoke(publisher, 'ks-wasm', '1.1.0', 'second of two')).errors).toBeUndefined();
    const gone = await download();
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ code: 'PLUGIN_REVOKED' });
    expect((await fetch(`${server.url}/wasm/${sha256}`, { method: 'HEAD' })).status).toBe(410);

    // The same bytes published again as a live version are served again.
    await listAndPublish(server, publisher, { ...tagger.manifest, slug: 'ks-wasm', version: '1.2.0' }, wasm);
    const again = await download();
    expect(again.status).toBe(200);
    expect(
      createHash('sha256')
        .update(new Uint8Array(await again.arrayBuffer()))
        .digest('hex'),
    ).toBe(sha256);
  });
});

/** Iterations of the tagger's busy loop, per attempt of the in-flight test (20M: 0.3 to 0.8 s here). */
const SPINS = [20_000_000, 50_000_000, 120_000_000];

/** The global ID's row id, as the server's in-process structures key installations. */
const rowId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1];

describe('calls in flight', () => {
  it('lets a call already running finish, and rejects the next', async () => {
    // Whether a revocation lands while a hook runs depends on how fast this machine is at the
    // moment. Each attempt revokes a fresh version whose hook spins longer, until one lands while
    // the hook runs: that attempt is the proof (its call must succeed); earlier ones show nothing.
    let proven = false;
    for (const [attempt, spin] of SPINS.entries()) {
      const version = `1.0.${attempt}`;
      // A generous deadline and fuel budget: only the spin decides how long the hook runs.
      await listing('ks-slow', [version], { limits: { memoryMiB: 8, timeoutMs: 10_000, fuel: 10_000_000_000 } });
      const owner = await server.user(`ks-patient-${attempt}`);
      const id = await install(owner, 'ks-slow', version, { criticality: 'CRITICAL', config: { tag: 'slow', spin } });
      const events = collect<Gql>(
        server.ws(owner),
        `subscription { executionEvents(installationId: "${id}") { type executionId } }`,
        2,
      );
      await events.ready;
      const creating = server.gql<Gql, Gql>(CREATE_CLIP, { title: 'Slow' }, owner);
      // STARTED, then the line the hook logs before it spins: the call is running inside the plugin.
      const [started, logged] = await events.events;
      expect([started.executionEvents.type, logged.executionEvents.type]).toEqual(['STARTED', 'LOG']);
      const running = started.executionEvents.executionId;
      expect((await revoke(publisher, 'ks-slow', version, 'Too slow to trust')).errors).toBeUndefined();
      const landedMidCall =
        (await server.ok<Gql, Gql>(EXECUTION, { id: running }, owner)).execution.status === 'RUNNING';

      const created = await creating;
      expect(created.errors).toBeUndefined();
      expect(created.data.createClip.tags).toEqual(['slow']);
      expect((await server.ok<Gql, Gql>(EXECUTION, { id: running }, owner)).execution).toEqual({
        status: 'SUCCEEDED',
        errorCode: null,
      });
      const next = await server.gql<Gql, Gql>(CREATE_CLIP, { title: 'Next' }, owner);
      expect(next.data.createClip.tags).toEqual([]);
      expect(await execute(owner, id)).toMatchObject({ status: 'REJECTED', errorCode: 'PLUGIN_REVOKED' });
      if (landedMidCall) {
        proven = true;
        break;
      }
    }
    expect(proven, `no revocation landed while its hook ran (spins ${SPINS.join(', ')})`).toBe(true);
  }, 180_000);

  it('rejects, without running it, a call that was waiting for its turn when the version was revoked', async () => {
    await listing('ks-queued', ['1.0.0']);
    const owner = await server.user('ks-waiter');
    const id = await install(owner, 'ks-queued', '1.0.0');
    expect(JSON.parse((await execute(owner, id, 'bump')).output).count).toBe(1);
    const EVENTS = `subscription { executionEvents(installationId: "${id}") { type executionId } }`;
    const started = collect<Gql>(server.ws(owner), EVENTS, 1);
    const events = collect<Gql>(server.ws(owner), EVENTS, 2);
    await Promise.all([started.ready, events.ready]);
    // Calls of one installation that may write KV take turns in a process: hold its turn (the
    // server's own lock), so the next call is admitted (STARTED) and waits.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding = server.app.platform.kvLock.run(rowId(id), () => held);
    const waiting = execute(owner, id, 'bump');
    try {
      expect((await started.events)[0].executionEvents.type).toBe('STARTED');
      expect((await revoke(publisher, 'ks-queued', '1.0.0', 'Revoked while queued')).errors).toBeUndefined();
    } finally {
      release();
      await holding;
    }
    const call = await waiting;
    expect(call).toMatchObject({ status: 'REJECTED', errorCode: 'PLUGIN_REVOKED' });
    expect(call.errorMessage).toContain('Revoked while queued');
    expect((await events.events).map((e: Gql) => e.executionEvents.type)).toEqual(['STARTED', 'REJECTED']);
    // It never ran: no KV read, no duration, no output.
    expect(
      (
        await server.ok<Gql, Gql>(
          'query ($id: ID!) { execution(id: $id) { status fuelUsed output kvReads { key } } }',
          { id: call.id },
          owner,
        )
      ).execution,
    ).toEqual({ status: 'REJECTED', fuelUsed: null, output: null, kvReads: null });
  });
});

const services = await scaleOutServices();

describe.skipIf(!services)('on other instances (PostgreSQL)', () => {
  /** Polls `check` until it holds; fails after `deadlineMs` (a bound for liveness, not a speed claim). */
  async function eventually(check: () => Promise<boolean>, what: string, deadlineMs = 10_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`not within ${deadlineMs} ms: ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  for (const redis of [true, false]) {
    it(redis
      ? 'stop running it at once, told over Redis'
      : 'stop running it within a second with no event bus between them (the periodic re-read)', async () => {
      const storage = await createTestStorage({ databaseUrl: services!.databaseUrl });
      const shared = { ...storage, redisUrl: redis ? services!.redisUrl : null, drop: async () => {} };
      const a = await startTestServer({ storage: shared });
      const b = await startTestServer({ storage: { ...shared, drop: storage.drop } });
      try {
        const owner = await a.user('ks-far');
        const pub = await a.user('ks-far-labs', 'PUBLISHER');
        await listAndPublish(a, pub, { ...tagger.manifest, slug: 'ks-far', version: '1.0.0' }, tagger.wasm);
        const id = await install(owner, 'ks-far', '1.0.0', {}, a);
        // B has run the version (it holds its instance and target warm) before the revocation.
        expect(await execute(owner, id, 'tag_now', b)).toMatchObject({ status: 'SUCCEEDED' });
        expect((await revoke(pub, 'ks-far', '1.0.0', 'Pulled everywhere', a)).errors).toBeUndefined();
        await eventually(
          async () => (await execute(owner, id, 'tag_now', b)).errorCode === 'PLUGIN_REVOKED',
          'the other instance rejects calls of the revoked version',
        );
        expect(await execute(owner, id, 'tag_now', b)).toMatchObject({ status: 'REJECTED' });
      } finally {
        await a.stop();
        await b.stop();
      }
    }, 60_000);
  }
});
