import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InstallationExecutionsDocument,
  InstallationStateDocument,
  InstallPlanDocument,
  InstallWithDependenciesDocument,
  OwnInstallationsDocument,
  RollbackDocument,
  UninstallDocument,
  UpgradePreviewDocument,
  UpgradeWithGrantsDocument,
  YankVersionDocument,
  DownloadCountDocument,
} from '../generated/graphql.ts';
import { buildTestPlugin, EXECUTE, listAndPublish } from '../support/plugins.ts';
import { collect, expectCode, startTestServer, type TestServer } from '../support/server.ts';

type Built = Awaited<ReturnType<typeof buildTestPlugin>>;
type Consent = { slug: string; grantPermissions: string[]; config?: Record<string, unknown> };
interface Failure {
  errors?: { extensions?: { code?: string; problems?: { field?: string; code: string }[]; [k: string]: unknown } }[];
}

let server: TestServer;
let publisher: string;
let statements: string[] | null = null;
let kv: Built;
let tagger: Built;
const TAG_GRANTS = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];

const publish = (base: Built, slug: string, version: string, extra: Record<string, unknown> = {}) =>
  listAndPublish(server, publisher, { ...base.manifest, slug, version, ...extra }, base.wasm);
const sql = (text: string) => server.app.platform.db.orm.em.getConnection().execute(text);
const installationCount = async () => Number((await sql('select count(*) as n from installations'))[0].n);
const problemsOf = (r: Failure) => (r.errors?.[0].extensions?.problems ?? []).map((p) => `${p.field}:${p.code}`);
const planOf = (r: Failure) => r.errors?.[0].extensions?.plan as { install: unknown[]; reuse: unknown[] };

const install = (token: string, slug: string, input: Record<string, unknown> = {}) =>
  server.gql(InstallWithDependenciesDocument, { input: { slug, ...input } }, token);
const installWithDependencies = (token: string, slug: string, dependencies: Consent[], input = {}) =>
  install(token, slug, { grantPermissions: ['kv'], installDependencies: true, dependencies, ...input });
async function owned(token: string) {
  const { installations } = await server.ok(OwnInstallationsDocument, {}, token);
  return Object.fromEntries(installations.edges.map(({ node }) => [node.plugin.slug, node]));
}

beforeAll(async () => {
  server = await startTestServer({ onQuery: (text) => statements?.push(text) });
  publisher = await server.user('graph-maker', 'PUBLISHER');
  [kv, tagger] = [await buildTestPlugin('kv-bulk'), await buildTestPlugin('tagger')];
  for (const v of ['1.0.0', '1.2.0', '2.0.0', '1.3.0-beta.1', '1.4.0']) await publish(kv, 'lib-kv', v);
  await server.ok(YankVersionDocument, { slug: 'lib-kv', version: '1.4.0' }, publisher);
  await publish(tagger, 'lib-tag', '1.0.0');
  await publish(kv, 'app-two', '1.0.0', { dependencies: { 'lib-kv': '^1.0.0', 'lib-tag': '^1.0.0' } });
  await publish(kv, 'mid', '1.0.0', { dependencies: { 'lib-kv': '^1.1.0' } });
  await publish(kv, 'app-chain', '1.0.0', { dependencies: { mid: '^1.0.0' } });
  await publish(kv, 'cyc-a', '1.0.0');
  await publish(kv, 'cyc-b', '1.0.0', { dependencies: { 'cyc-a': '^1.0.0' } });
  await publish(kv, 'cyc-a', '1.1.0', { dependencies: { 'cyc-b': '^1.0.0' } });
  // Key order survives both json and jsonb (shorter and alphabetically first): the wide range is met first.
  await publish(kv, 'narrow-user', '1.0.0', { dependencies: { 'lib-kv': '~1.0.0' } });
  await publish(kv, 'diamond', '1.0.0', { dependencies: { 'lib-kv': '^1.0.0', 'narrow-user': '^1.0.0' } });
  await publish(kv, 'impossible', '1.0.0', { dependencies: { 'lib-kv': '^2.0.0', 'narrow-user': '^1.0.0' } });
  await publish(kv, 'lib-old', '1.0.0');
  await publish(kv, 'app-old', '1.0.0', { dependencies: { 'lib-old': '^1.0.0' } });
  await sql(
    `update plugin_versions set host_api = '^2.0.0' where plugin_id = (select id from plugins where slug = 'lib-old')`,
  );
}, 180_000);
afterAll(() => server.stop());

const APP_TWO_PLAN = [
  {
    slug: 'lib-kv',
    version: '1.2.0',
    dependency: true,
    permissions: ['kv'],
    configRequired: false,
    requiredBy: ['app-two@1.0.0'],
  },
  {
    slug: 'lib-tag',
    version: '1.0.0',
    dependency: true,
    permissions: TAG_GRANTS,
    configRequired: true,
    requiredBy: ['app-two@1.0.0'],
  },
  { slug: 'app-two', version: '1.0.0', dependency: false, permissions: ['kv'], configRequired: false, requiredBy: [] },
];
const KV_CONSENT = { slug: 'lib-kv', grantPermissions: ['kv'] };
const TAG_CONSENT = { slug: 'lib-tag', grantPermissions: TAG_GRANTS, config: { tag: 'dep' } };

describe('installPlugin with installDependencies', () => {
  it('without it, refuses missing dependencies as before and takes no consent for them', async () => {
    const user = await server.user('one-by-one');
    const before = await installationCount();
    expect(problemsOf(await install(user, 'app-two', { grantPermissions: ['kv'] }))).toEqual([
      'dependencies.lib-kv:DEPENDENCY_MISSING',
      'dependencies.lib-tag:DEPENDENCY_MISSING',
    ]);
    const consentOnly = await install(user, 'app-two', { grantPermissions: ['kv'], dependencies: [KV_CONSENT] });
    expect(problemsOf(consentOnly)).toContain('dependencies:INSTALL_DEPENDENCIES_OFF');
    expect(await installationCount()).toBe(before);
  });

  it('asks consent for every dependency not consented to, listing the plan, and writes nothing', async () => {
    const user = await server.user('hesitant');
    const variants: { given: Consent[]; missing: string[] }[] = [
      {
        given: [],
        missing: [
          'dependencies.lib-kv.grantPermissions:PERMISSIONS_REQUIRED',
          'dependencies.lib-tag.grantPermissions:PERMISSIONS_REQUIRED',
          'dependencies.lib-tag.config:CONFIG_SCHEMA',
        ],
      },
      {
        given: [KV_CONSENT],
        missing: [
          'dependencies.lib-tag.grantPermissions:PERMISSIONS_REQUIRED',
          'dependencies.lib-tag.config:CONFIG_SCHEMA',
        ],
      },
      { given: [TAG_CONSENT], missing: ['dependencies.lib-kv.grantPermissions:PERMISSIONS_REQUIRED'] },
      {
        given: [KV_CONSENT, { slug: 'lib-tag', grantPermissions: TAG_GRANTS }],
        missing: ['dependencies.lib-tag.config:CONFIG_SCHEMA'],
      },
      {
        given: [KV_CONSENT, { ...TAG_CONSENT, grantPermissions: ['kv', 'log'] }],
        missing: ['dependencies.lib-tag.grantPermissions:PERMISSIONS_REQUIRED'],
      },
    ];
    const before = await installationCount();
    for (const { given, missing } of variants) {
      const result = await installWithDependencies(user, 'app-two', given);
      expectCode(result, 'DEPENDENCY_CONSENT_REQUIRED', JSON.stringify(given));
      expect(problemsOf(result), JSON.stringify(given)).toEqual(missing);
      expect(planOf(result)).toEqual({ install: APP_TWO_PLAN, reuse: [] });
    }
    expect(await installationCount()).toBe(before);
    const { plugin } = await server.ok(InstallPlanDocument, { slug: 'app-two' }, user);
    expect(plugin?.installPlan.installs.map(({ version, ...i }) => ({ ...i, version: version.version }))).toEqual(
      APP_TWO_PLAN,
    );
    expect(plugin?.installPlan.problems).toEqual([]);
  });

  it('installs the plan in one call with the consent given, one INSTALLED event per installation', async () => {
    const user = await server.user('consenting');
    const downloads = async () =>
      Promise.all(
        ['lib-kv', 'lib-tag', 'app-two'].map(
          async (slug) => (await server.ok(DownloadCountDocument, { slug })).plugin?.downloadCount,
        ),
      );
    const before = await downloads();
    const events = collect<{ installationEvents: { type: string; installationId: string } }>(
      server.ws(user),
      'subscription { installationEvents { type installationId } }',
      3,
    );
    await events.ready;
    const { installPlugin } = await server.ok(
      InstallWithDependenciesDocument,
      {
        input: {
          slug: 'app-two',
          grantPermissions: ['kv'],
          installDependencies: true,
          dependencies: [KV_CONSENT, TAG_CONSENT],
        },
      },
      user,
    );
    expect(installPlugin.version.version).toBe('1.0.0');
    const mine = await owned(user);
    expect(Object.keys(mine).sort()).toEqual(['app-two', 'lib-kv', 'lib-tag']);
    expect(mine['lib-kv']).toMatchObject({
      version: { version: '1.2.0' },
      versionRange: '^1.0.0',
      grantedPermissions: ['kv'],
    });
    expect(mine['lib-tag']).toMatchObject({ grantedPermissions: TAG_GRANTS, config: { tag: 'dep', fail: false } });
    const seen = await events.events;
    expect(seen.map((e) => e.installationEvents.type)).toEqual(['INSTALLED', 'INSTALLED', 'INSTALLED']);
    expect(seen.at(-1)?.installationEvents.installationId).toBe(installPlugin.id);
    expect((await downloads()).map((n, i) => n! - before[i]!)).toEqual([1, 1, 1]);
  });

  it('resolves transitively: a dependency of a dependency comes first', async () => {
    const user = await server.user('chained');
    const missing = await installWithDependencies(user, 'app-chain', []);
    expectCode(missing, 'DEPENDENCY_CONSENT_REQUIRED');
    expect(planOf(missing).install).toEqual([
      expect.objectContaining({ slug: 'lib-kv', version: '1.2.0', requiredBy: ['mid@1.0.0'] }),
      expect.objectContaining({ slug: 'mid', version: '1.0.0', requiredBy: ['app-chain@1.0.0'] }),
      expect.objectContaining({ slug: 'app-chain', dependency: false }),
    ]);
    await server.ok(
      InstallWithDependenciesDocument,
      {
        input: {
          slug: 'app-chain',
          grantPermissions: ['kv'],
          installDependencies: true,
          dependencies: [KV_CONSENT, { slug: 'mid', grantPermissions: ['kv'] }],
        },
      },
      user,
    );
    expect(Object.keys(await owned(user)).sort()).toEqual(['app-chain', 'lib-kv', 'mid']);
  });

  it('chooses a version every dependent accepts, and says so when there is none', async () => {
    const { plugin } = await server.ok(InstallPlanDocument, { slug: 'diamond' });
    expect(plugin?.installPlan.problems).toEqual([]);
    expect(plugin?.installPlan.installs.map((i) => `${i.slug}@${i.version.version}`)).toEqual([
      'lib-kv@1.0.0',
      'narrow-user@1.0.0',
      'diamond@1.0.0',
    ]);
    const user = await server.user('diamond-cutter');
    const before = await installationCount();
    const impossible = await installWithDependencies(user, 'impossible', [KV_CONSENT]);
    expectCode(impossible, 'BAD_USER_INPUT');
    expect(problemsOf(impossible)).toContain('dependencies.lib-kv:DEPENDENCY_CONFLICT');
    expect(await installationCount()).toBe(before);
  });

  it('refuses cycles, dependencies with no version for this host API, and ranges nothing satisfies', async () => {
    const user = await server.user('cyclist');
    const before = await installationCount();
    const cycle = await installWithDependencies(user, 'cyc-a', [{ slug: 'cyc-b', grantPermissions: ['kv'] }]);
    expectCode(cycle, 'BAD_USER_INPUT');
    expect(problemsOf(cycle)).toEqual(['dependencies.cyc-a:DEPENDENCY_CYCLE']);
    expect(cycle.errors?.[0].message).toContain('cyc-a -> cyc-b -> cyc-a');
    const old = await installWithDependencies(user, 'app-old', []);
    expect(problemsOf(old)).toEqual(['dependencies.lib-old:HOST_API']);
    // The plan's own range rules: a prerelease only when the range names one; never a yanked version.
    for (const [range, version] of [
      ['^1.0.0', '1.2.0'],
      ['>=1.3.0-beta.1 <1.4.0', '1.3.0-beta.1'],
      ['1.4.0', null],
    ] as const) {
      const { plugin } = await server.ok(InstallPlanDocument, { slug: 'lib-kv', range });
      expect(plugin?.installPlan.installs.map((i) => i.version.version)).toEqual(version ? [version] : []);
    }
    expect(await installationCount()).toBe(before);
  });

  it('reuses a dependency installed in range, and refuses one installed out of range', async () => {
    const reuser = await server.user('reuser');
    await server.ok(
      InstallWithDependenciesDocument,
      { input: { slug: 'lib-kv', versionRange: '1.0.0', grantPermissions: ['kv'] } },
      reuser,
    );
    const notInPlan = await installWithDependencies(reuser, 'app-two', [KV_CONSENT, TAG_CONSENT]);
    expect(problemsOf(notInPlan)).toEqual(['dependencies.lib-kv:NOT_IN_PLAN']);
    expect(planOf(notInPlan).reuse).toEqual([{ slug: 'lib-kv', version: '1.0.0', requiredBy: ['app-two@1.0.0'] }]);
    await server.ok(
      InstallWithDependenciesDocument,
      { input: { slug: 'app-two', grantPermissions: ['kv'], installDependencies: true, dependencies: [TAG_CONSENT] } },
      reuser,
    );
    const mine = await owned(reuser);
    expect(mine['lib-kv'].version.version).toBe('1.0.0');
    expect(Object.keys(mine).sort()).toEqual(['app-two', 'lib-kv', 'lib-tag']);

    const outdated = await server.user('outdated');
    await server.ok(
      InstallWithDependenciesDocument,
      { input: { slug: 'lib-kv', versionRange: '^2.0.0', grantPermissions: ['kv'] } },
      outdated,
    );
    const before = await installationCount();
    const result = await installWithDependencies(outdated, 'app-two', [TAG_CONSENT]);
    expectCode(result, 'BAD_USER_INPUT');
    expect(problemsOf(result)).toEqual(['dependencies.lib-kv:DEPENDENCY_VERSION']);
    expect(await installationCount()).toBe(before);
    const { plugin } = await server.ok(InstallPlanDocument, { slug: 'app-two' }, outdated);
    expect(plugin?.installPlan.problems.map((p) => p.code)).toEqual(['DEPENDENCY_VERSION']);
  });

  it('writes nothing when any part is wrong: a dependency’s config, its grants, the plugin’s own input', async () => {
    const user = await server.user('careful');
    const variants: { dependencies: Consent[]; input?: Record<string, unknown>; problem: string }[] = [
      {
        dependencies: [KV_CONSENT, { ...TAG_CONSENT, config: { tag: '' } }],
        problem: 'dependencies.lib-tag.config.tag:CONFIG_SCHEMA',
      },
      {
        dependencies: [KV_CONSENT, { ...TAG_CONSENT, config: { tag: 5 } }],
        problem: 'dependencies.lib-tag.config.tag:CONFIG_SCHEMA',
      },
      {
        dependencies: [KV_CONSENT, { ...TAG_CONSENT, config: { tag: 'x', nope: 1 } }],
        problem: 'dependencies.lib-tag.config:CONFIG_SCHEMA',
      },
      {
        dependencies: [KV_CONSENT, { ...TAG_CONSENT, config: {} }],
        problem: 'dependencies.lib-tag.config:CONFIG_SCHEMA',
      },
      {
        dependencies: [{ slug: 'lib-kv', grantPermissions: ['kv', 'log'] }, TAG_CONSENT],
        problem: 'dependencies.lib-kv.grantPermissions:NOT_REQUESTED',
      },
      { dependencies: [KV_CONSENT, KV_CONSENT, TAG_CONSENT], problem: 'dependencies.lib-kv:DUPLICATE' },
      {
        dependencies: [KV_CONSENT, TAG_CONSENT, { slug: 'mid', grantPermissions: [] }],
        problem: 'dependencies.mid:NOT_IN_PLAN',
      },
      {
        dependencies: [KV_CONSENT, TAG_CONSENT],
        input: { grantPermissions: [] },
        problem: 'grantPermissions:PERMISSIONS_REQUIRED',
      },
      {
        dependencies: [KV_CONSENT, TAG_CONSENT],
        input: { versionRange: '^9.0.0' },
        problem: 'versionRange:NO_MATCHING_VERSION',
      },
    ];
    const before = await installationCount();
    for (const { dependencies, input, problem } of variants) {
      const result = await installWithDependencies(user, 'app-two', dependencies, input);
      expectCode(result, 'BAD_USER_INPUT', problem);
      expect(problemsOf(result), problem).toContain(problem);
    }
    expect(await installationCount()).toBe(before);
    expect(await owned(user)).toEqual({});
  });
});

describe('upgradeInstallation with grantPermissions', () => {
  beforeAll(async () => {
    await publish(kv, 'grow', '1.0.0');
    await publish(kv, 'grow', '1.1.0', { permissions: ['kv', 'log', 'events'] });
    await publish(kv, 'grow', '1.2.0', { permissions: ['kv', 'log'] });
  });

  async function onFirstVersion(handle: string) {
    const user = await server.user(handle);
    const { installPlugin } = await server.ok(
      InstallWithDependenciesDocument,
      { input: { slug: 'grow', versionRange: '~1.0.0', grantPermissions: ['kv'] } },
      user,
    );
    return { user, id: installPlugin.id };
  }
  const call = async (user: string, id: string, fn: string, input: string) =>
    (await server.ok(EXECUTE, { input: { installationId: id, function: fn, input } }, user)).executePlugin;
  const preview = async (user: string, id: string, range?: string) =>
    (await server.ok(UpgradePreviewDocument, { id, range }, user)).installation?.upgradePreview;

  it('needs the added permissions granted, lists those missing, and keeps KV and execution history', async () => {
    const { user, id } = await onFirstVersion('regranter');
    expect((await call(user, id, 'put', 'k,0,3')).status).toBe('SUCCEEDED');
    expect(await preview(user, id, '1.1.0')).toEqual({
      from: { version: '1.0.0' },
      to: { version: '1.1.0' },
      permissionsAdded: ['log', 'events'],
      permissionsRemoved: [],
      hostApiCompatible: true,
      configProblems: [],
      dependencyChanges: [],
      dependencyProblems: [],
      brokenDependents: [],
      ready: true,
    });
    for (const [grant, missing, notRequested] of [
      [[], ['log', 'events'], false],
      [['log'], ['events'], false],
      [['events', 'events'], ['log'], false],
      [['log', 'events', 'clips:read'], [], true],
      [['kv', 'config'], ['log', 'events'], true],
    ] as const) {
      const result = (await server.gql(
        UpgradeWithGrantsDocument,
        { id, range: '1.1.0', grant: [...grant] },
        user,
      )) as Failure;
      expectCode(result, 'BAD_USER_INPUT', JSON.stringify(grant));
      const expected = [
        ...(notRequested ? ['grantPermissions:NOT_REQUESTED'] : []),
        ...(missing.length ? ['grantPermissions:PERMISSIONS_REQUIRED'] : []),
      ];
      expect(problemsOf(result), JSON.stringify(grant)).toEqual(expected);
      expect(result.errors?.[0].extensions?.missingPermissions).toEqual(missing.length ? missing : undefined);
    }
    expect((await server.ok(InstallationStateDocument, { id }, user)).installation).toMatchObject({
      version: { version: '1.0.0' },
      versionRange: '~1.0.0',
      grantedPermissions: ['kv'],
    });
    const upgraded = await server.ok(UpgradeWithGrantsDocument, { id, range: '1.1.0', grant: ['log', 'events'] }, user);
    expect(upgraded.upgradeInstallation).toMatchObject({
      version: { version: '1.1.0' },
      grantedPermissions: ['kv', 'log', 'events'],
      history: [
        { from: null, to: '1.0.0', reason: 'INSTALL' },
        { from: '1.0.0', to: '1.1.0', reason: 'UPGRADE' },
      ],
    });
    expect((await call(user, id, 'get', 'k,0,4')).output).toBe('k0,k1,k2,-');
    const { executions } = await server.ok(InstallationExecutionsDocument, { id }, user);
    expect(executions.edges).toHaveLength(2);
  });

  it('drops the permissions a version no longer asks for, and rollback restores them', async () => {
    const { user, id } = await onFirstVersion('shrinker');
    await server.ok(UpgradeWithGrantsDocument, { id, range: '1.1.0', grant: ['log', 'events'] }, user);
    expect(await preview(user, id, '^1.0.0')).toMatchObject({
      to: { version: '1.2.0' },
      permissionsAdded: [],
      permissionsRemoved: ['events'],
      ready: true,
    });
    const { upgradeInstallation } = await server.ok(UpgradeWithGrantsDocument, { id, range: '^1.0.0' }, user);
    expect(upgradeInstallation).toMatchObject({ version: { version: '1.2.0' }, grantedPermissions: ['kv', 'log'] });
    expect((await server.ok(RollbackDocument, { id }, user)).rollbackInstallation.version.version).toBe('1.1.0');
    expect((await server.ok(InstallationStateDocument, { id }, user)).installation?.grantedPermissions).toEqual([
      'kv',
      'log',
      'events',
    ]);
  });

  it('does what the preview says, for every set of grants', async () => {
    const subsets = [[], ['log'], ['events'], ['events', 'log']];
    for (const [n, grant] of subsets.entries()) {
      const { user, id } = await onFirstVersion(`subset-${n}`);
      const shown = await preview(user, id, '1.1.0');
      const result = (await server.gql(UpgradeWithGrantsDocument, { id, range: '1.1.0', grant }, user)) as Failure & {
        data?: { upgradeInstallation: { version: { version: string }; grantedPermissions: string[] } } | null;
      };
      const covers = shown!.permissionsAdded.every((p) => grant.includes(p));
      expect(!result.errors, JSON.stringify(grant)).toBe(covers && shown!.ready);
      if (covers) {
        expect(result.data?.upgradeInstallation.version.version).toBe(shown!.to.version);
        expect(result.data?.upgradeInstallation.grantedPermissions.sort()).toEqual(['events', 'kv', 'log']);
      } else
        expect(result.errors?.[0].extensions?.missingPermissions).toEqual(
          shown!.permissionsAdded.filter((p) => !grant.includes(p)),
        );
    }
  });

  it('previews the config, dependency, dependent and host API problems the upgrade then refuses on', async () => {
    const schema = tagger.manifest.configSchema as { properties: Record<string, unknown>; required: string[] };
    await publish(tagger, 'cfg', '1.0.0');
    await publish(tagger, 'cfg', '1.1.0', {
      configSchema: {
        ...schema,
        properties: { ...schema.properties, level: { type: 'integer' } },
        required: ['tag', 'level'],
      },
      dependencies: { 'lib-kv': '^1.0.0' },
    });
    const user = await server.user('previewer');
    const { installPlugin } = await server.ok(
      InstallWithDependenciesDocument,
      { input: { slug: 'cfg', versionRange: '~1.0.0', config: { tag: 'x' }, grantPermissions: TAG_GRANTS } },
      user,
    );
    const cfg = installPlugin.id;
    const shown = await preview(user, cfg, '^1.0.0');
    expect(shown).toMatchObject({
      to: { version: '1.1.0' },
      configProblems: [{ field: 'config', code: 'CONFIG_SCHEMA' }],
      dependencyChanges: [{ slug: 'lib-kv', from: null, to: '^1.0.0', installedVersion: null, satisfied: false }],
      dependencyProblems: [{ field: 'dependencies.lib-kv', code: 'DEPENDENCY_MISSING' }],
      ready: false,
    });
    const refused = (await server.gql(UpgradeWithGrantsDocument, { id: cfg, range: '^1.0.0' }, user)) as Failure;
    expectCode(refused, 'BAD_USER_INPUT');
    expect(problemsOf(refused)).toEqual(
      [...shown!.configProblems, ...shown!.dependencyProblems].map((p) => `${p.field}:${p.code}`),
    );

    // A dependent that would break: lib-kv 1.2.0 is outside narrow-user's ~1.0.0.
    const { installPlugin: lib } = await server.ok(
      InstallWithDependenciesDocument,
      { input: { slug: 'lib-kv', versionRange: '~1.0.0', grantPermissions: ['kv'] } },
      user,
    );
    await server.ok(
      InstallWithDependenciesDocument,
      { input: { slug: 'narrow-user', grantPermissions: ['kv'] } },
      user,
    );
    expect(await preview(user, lib.id, '^1.0.0')).toMatchObject({
      to: { version: '1.2.0' },
      brokenDependents: ['narrow-user@1.0.0 needs "lib-kv" ~1.0.0'],
      ready: false,
    });
    expectCode(await server.gql(UpgradeWithGrantsDocument, { id: lib.id, range: '^1.0.0' }, user), 'CONFLICT');

    await publish(kv, 'hosty', '1.0.0');
    await publish(kv, 'hosty', '1.1.0');
    await sql(
      `update plugin_versions set host_api = '^2.0.0' where version = '1.1.0' and plugin_id = (select id from plugins where slug = 'hosty')`,
    );
    const { installPlugin: hosty } = await server.ok(
      InstallWithDependenciesDocument,
      { input: { slug: 'hosty', grantPermissions: ['kv'] } },
      user,
    );
    expect(hosty.version.version).toBe('1.0.0');
    expect(await preview(user, hosty.id, '^1.1.0')).toMatchObject({
      to: { version: '1.1.0' },
      hostApiCompatible: false,
      ready: false,
    });
    expect(
      problemsOf((await server.gql(UpgradeWithGrantsDocument, { id: hosty.id, range: '^1.1.0' }, user)) as Failure),
    ).toEqual(['versionRange:HOST_API']);
    // Nothing to move to: null, as the upgrade would refuse; a range that is not one: an input error.
    expect(await preview(user, hosty.id)).toBeNull();
    expect(await preview(user, hosty.id, '^5.0.0')).toBeNull();
    expectCode(await server.gql(UpgradePreviewDocument, { id: hosty.id, range: 'one' }, user), 'BAD_USER_INPUT');
    await server.ok(UninstallDocument, { id: hosty.id }, user);
  });
});

describe('reading plans and previews', () => {
  /** The statements a read costs. */
  async function counted(run: () => Promise<unknown>): Promise<number> {
    statements = [];
    await run();
    const n = statements.filter((s) => /\b(select|insert|update|delete)\b/i.test(s)).length;
    statements = null;
    return n;
  }

  it('costs the same number of statements for a page of plans or previews, whatever its size', async () => {
    const user = await server.user('page-reader');
    await server.ok(
      InstallWithDependenciesDocument,
      { input: { slug: 'lib-kv', versionRange: '^1.0.0', grantPermissions: ['kv'] } },
      user,
    );
    for (let i = 0; i < 6; i++) {
      const slug = `paged-${i}`;
      await publish(kv, slug, '1.0.0', { dependencies: { 'lib-kv': '^1.0.0' } });
      await publish(kv, slug, '1.1.0', { dependencies: { 'lib-kv': '^1.0.0' }, permissions: ['kv', 'log'] });
      await server.ok(
        InstallWithDependenciesDocument,
        { input: { slug, versionRange: '~1.0.0', grantPermissions: ['kv'] } },
        user,
      );
    }
    const plans = (first: number) =>
      server.ok(
        `query ($first: Int) { plugins(query: "paged", first: $first) { edges { node {
          installPlan { installs { slug version { version } } reused { slug } problems { code } } } } } }`,
        { first },
        user,
      );
    const previews = (first: number) =>
      server.ok(
        `query ($first: Int) { installations(first: $first) { edges { node {
          upgradePreview(versionRange: "^1.0.0") { to { version } permissionsAdded dependencyChanges { slug } ready } } } } }`,
        { first },
        user,
      );
    const six = (await plans(6)) as { plugins: { edges: { node: { installPlan: { reused: unknown[] } } }[] } };
    expect(six.plugins.edges).toHaveLength(6);
    expect(six.plugins.edges.every((e) => e.node.installPlan.reused.length === 1)).toBe(true);
    expect(await counted(() => plans(2))).toBe(await counted(() => plans(6)));
    const shown = (await previews(7)) as {
      installations: { edges: { node: { upgradePreview: { permissionsAdded: string[] } | null } }[] };
    };
    expect(shown.installations.edges.map((e) => e.node.upgradePreview?.permissionsAdded ?? null).sort()).toEqual([
      ...Array(6).fill(['log']),
      null,
    ]);
    expect(await counted(() => previews(2))).toBe(await counted(() => previews(7)));
  });
});
