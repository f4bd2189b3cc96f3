// biome-ignore-all lint/suspicious/noExplicitAny: written before this file moved to typed operations (test/operations); each test asserts the fields it reads
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateClipDocument } from '../generated/graphql.ts';
import { buildTestPlugin, INSTALL, listAndPublish, publishVersion } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let publisher: string;
let admin: string;
let member: string;
let tagger: Awaited<ReturnType<typeof buildTestPlugin>>;
const GRANTS = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];

const sql = (text: string, params: unknown[] = []) =>
  server.app.platform.db.orm.em.getConnection().execute(text, params);

const publish = (slug: string, version: string, extra: Record<string, unknown> = {}) =>
  listAndPublish(server, publisher, { ...tagger.manifest, slug, version, ...extra }, tagger.wasm);

async function install(token: string, slug: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { installPlugin } = await server.ok<any, any>(
    INSTALL,
    { input: { slug, config: { tag: slug }, grantPermissions: GRANTS, ...extra } },
    token,
  );
  return installPlugin.id;
}

const UPGRADE =
  'mutation ($id: ID!, $r: String) { upgradeInstallation(id: $id, versionRange: $r) { version { version } } }';
const ROLLBACK = 'mutation ($id: ID!) { rollbackInstallation(id: $id) { version { version } } }';
const YANK =
  'mutation ($s: String!, $v: String!) { yankPluginVersion(slug: $s, version: $v, yanked: true) { version } }';
const CIRCUIT = 'query ($id: ID!) { installation(id: $id) { circuitState } }';

beforeAll(async () => {
  server = await startTestServer();
  publisher = await server.user('trusted', 'PUBLISHER');
  admin = await server.user('root', 'ADMIN');
  member = await server.user('member');
  tagger = await buildTestPlugin('tagger');
}, 120_000);
afterAll(() => server.stop());

describe('moving between versions', () => {
  it('never rolls back onto a yanked version', async () => {
    await publish('roll', '1.0.0');
    const id = await install(member, 'roll');
    await publish('roll', '1.1.0');
    await server.ok(UPGRADE, { id }, member);
    await server.ok(YANK, { s: 'roll', v: '1.0.0' }, publisher);
    const result = await server.gql<any, any>(ROLLBACK, { id }, member);
    expect(result.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(result.errors?.[0].message).toMatch(/roll@1\.0\.0 was yanked/);
    const { installation } = await server.ok<any, any>(
      'query ($id: ID!) { installation(id: $id) { version { version } } }',
      { id },
      member,
    );
    expect(installation.version.version).toBe('1.1.0');
  });

  it('checks hostApi at install, upgrade and rollback, not only at publish', async () => {
    await publish('host', '1.0.0');
    await publish('host', '1.1.0');
    // A version published for a host API this server no longer provides (as after a server upgrade).
    await sql(
      `update plugin_versions set host_api = '^2.0.0' where version = '1.1.0' and plugin_id = (select id from plugins where slug = 'host')`,
    );
    const first = await server.gql<any, any>(
      INSTALL,
      { input: { slug: 'host', versionRange: '1.1.0', config: { tag: 'x' }, grantPermissions: GRANTS } },
      member,
    );
    expect(first.errors?.[0].extensions?.problems).toEqual([
      expect.objectContaining({ field: 'versionRange', code: 'HOST_API' }),
    ]);
    // `*` lands on the highest version that runs here.
    const id = await install(member, 'host');
    const upgrade = await server.gql<any, any>(UPGRADE, { id, r: '^1.1.0' }, member);
    expect(upgrade.errors?.[0].extensions?.problems).toEqual([expect.objectContaining({ code: 'HOST_API' })]);
    // Reach 1.1.0 while it still ran here, then lose the host API and roll back onto it.
    await sql(
      `update plugin_versions set host_api = '^1.0.0' where plugin_id = (select id from plugins where slug = 'host')`,
    );
    await server.ok(UPGRADE, { id }, member);
    await sql(
      `update plugin_versions set host_api = '^2.0.0' where version = '1.0.0' and plugin_id = (select id from plugins where slug = 'host')`,
    );
    const rollback = await server.gql<any, any>(ROLLBACK, { id }, member);
    expect(rollback.errors?.[0].extensions?.problems).toEqual([
      expect.objectContaining({ field: 'version', code: 'HOST_API' }),
    ]);
  });

  it('names the dependency a DEPENDENCY_MISSING or DEPENDENCY_VERSION problem is about', async () => {
    await publish('base', '1.0.0');
    await publish('needy', '1.0.0', { dependencies: { base: '^2.0.0' } });
    const user = await server.user('depender');
    const missing = await server.gql<any, any>(
      INSTALL,
      { input: { slug: 'needy', config: { tag: 'x' }, grantPermissions: GRANTS } },
      user,
    );
    expect(missing.errors?.[0].extensions?.problems).toEqual([
      expect.objectContaining({ field: 'dependencies.base', code: 'DEPENDENCY_MISSING' }),
    ]);
    await install(user, 'base');
    const version = await server.gql<any, any>(
      INSTALL,
      { input: { slug: 'needy', config: { tag: 'x' }, grantPermissions: GRANTS } },
      user,
    );
    expect(version.errors?.[0].extensions?.problems).toEqual([
      expect.objectContaining({ field: 'dependencies.base', code: 'DEPENDENCY_VERSION' }),
    ]);
  });
});

describe('publish reports', () => {
  it('checks exports and dependencies even when another manifest field fails', async () => {
    await listAndPublish(server, publisher, { ...tagger.manifest, slug: 'report' }, tagger.wasm);
    const manifest = {
      ...tagger.manifest,
      slug: 'report',
      version: '2.0.0',
      hostApi: 'not a range',
      functions: ['tag_now', 'not_exported'],
      dependencies: { 'no-such-plugin': '^1.0.0' },
    };
    const result = await publishVersion(server, publisher, 'report', manifest, tagger.wasm);
    const problems = result.errors?.[0].extensions?.problems?.map((p) => [p.field, p.code]);
    expect(problems).toEqual(
      expect.arrayContaining([
        ['manifest.hostApi', 'SEMVER_RANGE'],
        ['wasm.exports.not_exported', expect.any(String)],
        ['manifest.dependencies.no-such-plugin', 'DEPENDENCY_UNKNOWN'],
      ]),
    );
  });
});

describe('GET /wasm/{sha256}', () => {
  it('answers 500 with PLUGIN_INTEGRITY when the stored bytes fail their hash, and 404 when unknown', async () => {
    await publish('tampered', '1.0.0');
    const [{ sha256 }] = await sql(
      `select v.sha256 from plugin_versions v join plugins p on p.id = v.plugin_id where p.slug = 'tampered'`,
    );
    const ok = await fetch(`${server.url}/wasm/${sha256}`);
    expect(ok.status).toBe(200);
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(tagger.wasm);
    const altered = new Uint8Array(tagger.wasm);
    altered[altered.length - 1] ^= 0xff;
    await sql('update blobs set bytes = ? where sha256 = ?', [Buffer.from(altered), sha256]);
    const bad = await fetch(`${server.url}/wasm/${sha256}`);
    expect(bad.status).toBe(500);
    expect(await bad.json()).toMatchObject({ code: 'PLUGIN_INTEGRITY' });
    expect((await fetch(`${server.url}/wasm/${'0'.repeat(64)}`)).status).toBe(404);
  });
});

describe('runtime state as clients see it', () => {
  it('reports an open circuit past its cool-down as HALF_OPEN, before any call arrives', async () => {
    await publish('breaker', '1.0.0');
    const id = await install(member, 'breaker');
    const { installation } = await server.ok<any, any>(
      'query ($id: ID!) { installation(id: $id) { id } }',
      { id },
      member,
    );
    const rowId = Number(Buffer.from(installation.id, 'base64').toString().split(':')[1]);
    const openAt = async (at: Date) => {
      await sql(
        'update installations set circuit_state = ?, consecutive_failures = 5, circuit_opened_at = ? where id = ?',
        ['OPEN', server.app.platform.db.dialect === 'sqlite' ? at.getTime() : at, rowId],
      );
      return (await server.ok<any, any>(CIRCUIT, { id }, member)).installation.circuitState;
    };
    expect(await openAt(new Date())).toBe('OPEN');
    expect(await openAt(new Date(Date.now() - 31_000))).toBe('HALF_OPEN');
  });

  it('gives the global id of the failed execution with PLUGIN_HOOK_FAILED, and null fuel for a timed-out call', async () => {
    await publish('critical', '1.0.0');
    const hooker = await server.user('hooker');
    const id = await install(hooker, 'critical', { criticality: 'CRITICAL', config: { tag: 'c', fail: true } });
    const failed = await server.gql<any, any>(
      CreateClipDocument,
      { input: { title: 'doomed', mediaUrl: '/m.mp4', durationMs: 1000 } },
      hooker,
    );
    expect(failed.errors?.[0].extensions?.code).toBe('PLUGIN_HOOK_FAILED');
    const executionId = (failed.errors?.[0].extensions as { executionId?: unknown } | undefined)?.executionId;
    expect(typeof executionId).toBe('string');
    const { execution } = await server.ok<any, any>(
      'query ($id: ID!) { execution(id: $id) { status errorCode } }',
      { id: executionId },
      hooker,
    );
    expect(execution).toEqual({ status: 'FAILED', errorCode: 'PLUGIN_FAILED' });

    // A slow hook, stopped at its deadline: the fuel it burned died with its worker.
    await server.ok<any, any>('mutation ($id: ID!) { uninstallPlugin(id: $id) { id } }', { id }, hooker);
    await publish('slow', '1.0.0', { limits: { memoryMiB: 8, timeoutMs: 50, fuel: 10_000_000_000 } });
    await install(hooker, 'slow', { config: { tag: 's', spin: 1e12 } });
    await server.ok(CreateClipDocument, { input: { title: 'slow', mediaUrl: '/m.mp4', durationMs: 1000 } }, hooker);
    const { executions } = await server.ok<any, any>(
      '{ executions(first: 10, filter: { trigger: HOOK }) { edges { node { status fuelUsed installation { plugin { slug } } } } } }',
      {},
      hooker,
    );
    const slow = executions.edges.map((e: any) => e.node).find((n: any) => n.installation.plugin.slug === 'slow');
    expect(slow).toMatchObject({ status: 'TIMED_OUT', fuelUsed: null });
  });
});

describe('trust marks', () => {
  const CREATE =
    'mutation ($input: CreateReviewInput!) { createReview(input: $input) { id verifiedInstall versionReviewed } }';

  it('marks reviews written with the plugin installed, and takes only published versions', async () => {
    await publish('reviewed', '1.0.0');
    const installed = await server.user('installed-reviewer');
    const outsider = await server.user('outsider');
    await install(installed, 'reviewed');
    const bad = await server.gql<any, any>(
      CREATE,
      { input: { slug: 'reviewed', rating: 4, title: 'x', versionReviewed: '9.9.9' } },
      installed,
    );
    expect(bad.errors?.[0].extensions?.problems).toEqual([
      expect.objectContaining({ field: 'versionReviewed', code: 'UNKNOWN_VERSION' }),
    ]);
    const [{ n }] = await sql('select count(*) as n from reviews');
    expect(Number(n)).toBe(0);
    const a = await server.ok<any, any>(
      CREATE,
      { input: { slug: 'reviewed', rating: 5, title: 'Good', versionReviewed: '1.0.0' } },
      installed,
    );
    expect(a.createReview).toMatchObject({ verifiedInstall: true, versionReviewed: '1.0.0' });
    const b = await server.ok<any, any>(CREATE, { input: { slug: 'reviewed', rating: 2, title: 'Meh' } }, outsider);
    expect(b.createReview.verifiedInstall).toBe(false);
    const update = await server.gql<any, any>(
      'mutation ($input: UpdateReviewInput!) { updateReview(input: $input) { id } }',
      { input: { id: b.createReview.id, versionReviewed: '0.0.1' } },
      outsider,
    );
    expect(update.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('lets admins, and only admins, verify a publisher', async () => {
    const SET =
      'mutation ($h: String!, $v: Boolean!) { setPublisherVerified(handle: $h, verified: $v) { handle verifiedPublisher } }';
    expect(await server.code(SET, { h: 'trusted', v: true }, publisher)).toBe('FORBIDDEN');
    expect(await server.code(SET, { h: 'nobody', v: true }, admin)).toBe('NOT_FOUND');
    const anonymous = 'query { plugins(verifiedOnly: true, first: 50) { edges { node { slug } } } }';
    expect((await server.ok<any, any>(anonymous)).plugins.edges).toEqual([]);
    const { setPublisherVerified } = await server.ok<any, any>(SET, { h: 'trusted', v: true }, admin);
    expect(setPublisherVerified).toEqual({ handle: 'trusted', verifiedPublisher: true });
    expect(
      (await server.ok<any, any>('{ viewer { verifiedPublisher } }', {}, publisher)).viewer.verifiedPublisher,
    ).toBe(true);
    // The anonymous read cache dropped the answer above: the mutation moved the write epoch.
    expect((await server.ok<any, any>(anonymous)).plugins.edges.length).toBeGreaterThan(0);
  });
});
