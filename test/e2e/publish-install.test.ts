import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture } from '../../src/runtime/testing/fixtures.ts';
import { sha256Hex } from '../../src/runtime/index.ts';
import { tinyWasm } from '../../src/runtime/testing/tiny-wasm.ts';
import {
  DownloadCountDocument,
  InstallationIdsDocument,
  InstallationSlugsDocument,
  InstallationVersionDocument,
  LatestVersionDocument,
  PublishedVersionDocument,
  RollbackDocument,
  RollbackIdDocument,
  UninstallDocument,
  UpdateInstallationDocument,
  UpdateInstallationSettingsDocument,
  UpgradeDocument,
  UpgradeIdDocument,
  UpgradeInRangeDocument,
  VersionListDocument,
  YankVersionDocument,
} from '../generated/graphql.ts';
import { buildTestPlugin, INSTALL, listAndPublish, publishVersion } from '../support/plugins.ts';
import { startTestServer, type TestServer, expectCode } from '../support/server.ts';

let server: TestServer;
let publisher: string;
let rival: string;
let user: string;
let tagger: Awaited<ReturnType<typeof buildTestPlugin>>;

const problemsOf = (r: { errors?: { extensions?: { problems?: { field?: string; code: string }[] } }[] }) =>
  r.errors?.[0].extensions?.problems ?? [];

beforeAll(async () => {
  server = await startTestServer();
  publisher = await server.user('maker', 'PUBLISHER');
  rival = await server.user('rival', 'PUBLISHER');
  user = await server.user('installer');
  tagger = await buildTestPlugin('tagger');
  await listAndPublish(server, publisher, tagger.manifest, tagger.wasm);
});
afterAll(() => server.stop());

describe('publishPluginVersion', () => {
  it('stores the version with its sha256 and serves the module back', async () => {
    const { plugin } = await server.ok(PublishedVersionDocument, { slug: 'tagger' });
    expect(plugin?.latestVersion).toMatchObject({
      version: '1.0.0',
      sha256: sha256Hex(tagger.wasm),
      sizeBytes: tagger.wasm.byteLength,
      functions: ['tag_now', 'bump'],
    });
    const download = await fetch(`${server.url}/wasm/${plugin?.latestVersion?.sha256}`);
    expect(download.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(tagger.wasm);
    expect((await fetch(`${server.url}/wasm/${'0'.repeat(64)}`)).status).toBe(404);
  });

  it('reports every manifest and module problem together', async () => {
    const wasi = await buildFixture('wasi');
    const result = await publishVersion(
      server,
      publisher,
      'tagger',
      {
        slug: 'tagger',
        version: 'one',
        hostApi: '^9.0.0',
        functions: ['roll', 'missing_fn'],
        hooks: ['clip.exploded'],
        permissions: ['log', 'teleport'],
        limits: { memoryMiB: 512, timeoutMs: 50_000 },
        configSchema: { type: 'nonsense' },
      },
      wasi,
    );
    expectCode(result, 'BAD_USER_INPUT');
    const codes = problemsOf(result).map((p) => `${p.field}:${p.code}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'manifest.version:SEMVER',
        'manifest.hostApi:HOST_API',
        'manifest.hooks.0:UNKNOWN_HOOK',
        'manifest.permissions.1:UNKNOWN_PERMISSION',
        'manifest.limits.memoryMiB:LIMIT',
        'manifest.limits.timeoutMs:LIMIT',
        'manifest.configSchema:JSON_SCHEMA',
      ]),
    );
    // Module problems are reported with the manifest's, naming each refused import.
    const wasiProblems = problemsOf(result).filter((p) => p.field?.startsWith('wasm.'));
    expect(wasiProblems.length).toBeGreaterThan(0);
    expect(wasiProblems.some((p) => p.field?.includes('wasi_snapshot_preview1'))).toBe(true);
  });

  it('refuses a module importing a host function its manifest does not declare, naming the import', async () => {
    const hostApi = await buildFixture('host-api');
    const result = await publishVersion(
      server,
      publisher,
      'tagger',
      {
        slug: 'tagger',
        version: '1.1.0',
        hostApi: '^1.0.0',
        functions: ['say_hello'],
        permissions: ['log'],
      },
      hostApi,
    );
    const problems = problemsOf(result);
    expect(problems.map((p) => p.code)).toContain('IMPORT_NOT_DECLARED');
    expect(problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(['wasm.imports.extism:host/user.kv_get', 'wasm.imports.extism:host/user.clip_patch']),
    );
  });

  it('refuses a module whose table alone would take hundreds of megabytes per instance', async () => {
    const bomb = tinyWasm({ table: { min: 9_000_000 }, exports: ['run'] });
    expect(bomb.byteLength).toBeLessThan(100);
    const result = await publishVersion(
      server,
      publisher,
      'tagger',
      { slug: 'tagger', version: '9.0.0', hostApi: '^1.0.0', functions: ['run'], permissions: [] },
      bomb,
    );
    expect(problemsOf(result).map((p) => `${p.field}:${p.code}`)).toEqual(['wasm:TABLE_TOO_LARGE']);
  });

  it('refuses an existing version, a foreign listing, an empty or oversized upload', async () => {
    expect(
      problemsOf(await publishVersion(server, publisher, 'tagger', tagger.manifest, tagger.wasm)).map((p) => p.code),
    ).toContain('VERSION_EXISTS');
    expect(
      (await publishVersion(server, rival, 'tagger', { ...tagger.manifest, version: '9.0.0' }, tagger.wasm)).errors?.[0]
        .extensions?.code,
    ).toBe('FORBIDDEN');
    expect(
      (await publishVersion(server, user, 'tagger', { ...tagger.manifest, version: '9.0.0' }, tagger.wasm)).errors?.[0]
        .extensions?.code,
    ).toBe('FORBIDDEN');
    expect(
      problemsOf(
        await publishVersion(server, publisher, 'tagger', { ...tagger.manifest, version: '9.0.0' }, new Uint8Array()),
      ).map((p) => p.code),
    ).toContain('EMPTY');
    const huge = new Uint8Array(2 * 1024 * 1024 + 1);
    expect(
      problemsOf(await publishVersion(server, publisher, 'tagger', { ...tagger.manifest, version: '9.0.0' }, huge)).map(
        (p) => p.code,
      ),
    ).toContain('TOO_LARGE');
    const { plugin } = await server.ok(VersionListDocument, { slug: 'tagger' });
    expect(plugin?.versions.edges).toHaveLength(1);
  });

  it('stops reading a body past 8 MiB, streamed or not', async () => {
    const tooBig = await publishVersion(
      server,
      publisher,
      'tagger',
      { ...tagger.manifest, version: '9.0.0' },
      new Uint8Array(9 * 1024 * 1024),
    );
    expect(tooBig.errors?.[0]).toMatchObject({
      message: 'Request body too large',
      extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' },
    });
    // Without a Content-Length (chunked), the limit applies as the bytes arrive.
    const chunks = async function* () {
      yield new TextEncoder().encode('{"query":"{ __typename }","variables":{"pad":"');
      for (let i = 0; i < 9; i++) yield new Uint8Array(1024 * 1024).fill(0x61);
      yield new TextEncoder().encode('"}}');
    };
    const streamed = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunks(),
      duplex: 'half',
    } as unknown as RequestInit);
    expect(streamed.status).toBe(413);
    // The rest of that body is never read: the server closes the connection, so the client's
    // next requests do not land on a socket it is about to reset.
    expect(streamed.headers.get('connection')).toBe('close');
    for (let i = 0; i < 5; i++)
      expect(await server.ok<{ __typename: string }, object>('{ __typename }')).toEqual({ __typename: 'Query' });
  });
});

describe('installPlugin', () => {
  const grants = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];

  it('lists the permissions a version needs that were not granted', async () => {
    const result = await server.gql(
      INSTALL,
      { input: { slug: 'tagger', config: { tag: 'x' }, grantPermissions: ['log'] } },
      user,
    );
    const problem = problemsOf(result).find((p) => p.code === 'PERMISSIONS_REQUIRED') as
      | { message?: string }
      | undefined;
    expect(problem?.message).toContain('config, kv, clips:read, clips:write, events');
  });

  it('validates config against the version schema and refuses unmatched ranges', async () => {
    const bad = await server.gql(
      INSTALL,
      { input: { slug: 'tagger', config: { tag: '', extra: 1 }, grantPermissions: grants } },
      user,
    );
    expect(problemsOf(bad).every((p) => p.code === 'CONFIG_SCHEMA')).toBe(true);
    expect(problemsOf(bad).length).toBeGreaterThanOrEqual(2);
    const range = await server.gql(
      INSTALL,
      { input: { slug: 'tagger', versionRange: '^2.0.0', config: { tag: 'x' }, grantPermissions: grants } },
      user,
    );
    expect(problemsOf(range).map((p) => p.code)).toEqual(['NO_MATCHING_VERSION']);
    expect(
      await server.code(
        INSTALL,
        { input: { slug: 'tagger', versionRange: 'not a range', grantPermissions: grants } },
        user,
      ),
    ).toBe('BAD_USER_INPUT');
    expect(await server.code(INSTALL, { input: { slug: 'nope', grantPermissions: [] } }, user)).toBe('NOT_FOUND');
    expect(await server.code(INSTALL, { input: { slug: 'tagger', grantPermissions: grants } })).toBe('UNAUTHENTICATED');
  });

  it('installs the highest matching version with config defaults, once per user', async () => {
    const { installPlugin } = await server.ok(
      INSTALL,
      {
        input: { slug: 'tagger', versionRange: '^1.0.0', config: { tag: 'hi' }, grantPermissions: grants, priority: 3 },
      },
      user,
    );
    expect(installPlugin).toMatchObject({
      version: { version: '1.0.0' },
      config: { tag: 'hi', fail: false },
      priority: 3,
      criticality: 'OPTIONAL',
    });
    expect(
      await server.code(INSTALL, { input: { slug: 'tagger', config: { tag: 'hi' }, grantPermissions: grants } }, user),
    ).toBe('CONFLICT');
    const { plugin } = await server.ok(DownloadCountDocument, { slug: 'tagger' });
    expect(plugin?.downloadCount).toBe(1);
  });

  it('upgrades, skips yanked versions, and rolls back', async () => {
    await publishVersion(server, publisher, 'tagger', { ...tagger.manifest, version: '1.1.0' }, tagger.wasm);
    await publishVersion(server, publisher, 'tagger', { ...tagger.manifest, version: '1.2.0' }, tagger.wasm);
    await publishVersion(server, publisher, 'tagger', { ...tagger.manifest, version: '2.0.0-beta.1' }, tagger.wasm);
    await server.ok(YankVersionDocument, { slug: 'tagger', version: '1.2.0' }, publisher);
    const { plugin } = await server.ok(LatestVersionDocument, { slug: 'tagger' });
    expect(plugin?.latestVersion?.version).toBe('1.1.0');
    const { installations } = await server.ok(InstallationIdsDocument, {}, user);
    const id = installations.edges[0].node.id;
    const up = await server.ok(UpgradeDocument, { id }, user);
    expect(up.upgradeInstallation.version.version).toBe('1.1.0');
    expect(await server.code(UpgradeIdDocument, { id }, user)).toBe('CONFLICT');
    const back = await server.ok(RollbackDocument, { id }, user);
    expect(back.rollbackInstallation.version.version).toBe('1.0.0');
    expect(back.rollbackInstallation.history.map((h) => h.reason)).toEqual(['INSTALL', 'UPGRADE', 'ROLLBACK']);
    expect(await server.code(RollbackIdDocument, { id }, publisher)).toBe('NOT_FOUND');
  });

  it('updates config with validation and uninstalls', async () => {
    const { installations } = await server.ok(InstallationIdsDocument, {}, user);
    const id = installations.edges[0].node.id;
    expect(await server.code(UpdateInstallationDocument, { input: { id, config: { tag: 5 } } }, user)).toBe(
      'BAD_USER_INPUT',
    );
    const updated = await server.ok(
      UpdateInstallationSettingsDocument,
      { input: { id, config: { tag: 'new' }, enabled: false, criticality: 'CRITICAL' } },
      user,
    );
    expect(updated.updateInstallation).toEqual({
      config: { tag: 'new', fail: false },
      enabled: false,
      criticality: 'CRITICAL',
    });
    await server.ok(UninstallDocument, { id }, user);
    expect((await server.ok(InstallationIdsDocument, {}, user)).installations.edges).toEqual([]);
  });
});

describe('dependencies', () => {
  const grants = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];
  const install = (token: string, slug: string, versionRange = '*') =>
    server.gql(INSTALL, { input: { slug, versionRange, config: { tag: 'x' }, grantPermissions: grants } }, token);

  beforeAll(async () => {
    for (const version of ['1.0.0', '2.0.0'])
      await listAndPublish(server, publisher, { ...tagger.manifest, slug: 'base', version }, tagger.wasm);
    await listAndPublish(
      server,
      publisher,
      { ...tagger.manifest, slug: 'addon', dependencies: { base: '^1.0.0' } },
      tagger.wasm,
    );
  });

  it('must name other plugins listed in the marketplace', async () => {
    const result = await publishVersion(
      server,
      publisher,
      'addon',
      { ...tagger.manifest, slug: 'addon', version: '1.1.0', dependencies: { addon: '^1.0.0', ghost: '^1.0.0' } },
      tagger.wasm,
    );
    expect(problemsOf(result).map((p) => `${p.field}:${p.code}`)).toEqual([
      'manifest.dependencies.addon:DEPENDENCY_SELF',
      'manifest.dependencies.ghost:DEPENDENCY_UNKNOWN',
    ]);
  });

  it('must be installed, in range, before their dependent', async () => {
    const newcomer = await server.user('newcomer');
    const missing = await install(newcomer, 'addon');
    expect(problemsOf(missing).map((p) => p.code)).toEqual(['DEPENDENCY_MISSING']);
    expect(missing.errors?.[0].message).toContain('"base" ^1.0.0');
    await install(newcomer, 'base', '^2.0.0');
    const wrong = await install(newcomer, 'addon');
    expect(problemsOf(wrong).map((p) => p.code)).toEqual(['DEPENDENCY_VERSION']);
    expect(wrong.errors?.[0].message).toContain('you have 2.0.0');
    expect((await server.ok(InstallationSlugsDocument, {}, newcomer)).installations.edges).toHaveLength(1);
  });

  it('keep what depends on them from breaking: no upgrade out of range, no uninstall', async () => {
    const owner = await server.user('composer');
    const base = (await install(owner, 'base', '^1.0.0')).data!.installPlugin.id;
    const addon = (await install(owner, 'addon')).data!.installPlugin.id;
    const upgrade = await server.gql(UpgradeInRangeDocument, { id: base, range: '^2.0.0' }, owner);
    expect(upgrade.errors?.[0]).toMatchObject({
      extensions: { code: 'CONFLICT' },
      message: expect.stringContaining('addon@1.0.0 needs "base" ^1.0.0'),
    });
    expect(await server.code(UninstallDocument, { id: base }, owner)).toBe('CONFLICT');
    const { installation } = await server.ok(InstallationVersionDocument, { id: base }, owner);
    expect(installation?.version.version).toBe('1.0.0');
    await server.ok(UninstallDocument, { id: addon }, owner);
    expect(
      (await server.ok(UpgradeInRangeDocument, { id: base, range: '^2.0.0' }, owner)).upgradeInstallation.version
        .version,
    ).toBe('2.0.0');
    await server.ok(UninstallDocument, { id: base }, owner);
  });
});
