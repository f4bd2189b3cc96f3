import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestPlugin, listAndPublish } from '../support/plugins.ts';
import { collect, expectCode, startTestServer, type TestServer } from '../support/server.ts';

/**
 * Lifecycle hooks through the real server: `plugin.installed`, `plugin.upgraded` (migrating KV
 * and config), `config.changed` and `plugin.uninstalling` run with the grants the installation
 * has once the operation commits, commit or fail with it, and are always recorded.
 */
let server: TestServer;
let publisher: string;
let probe: Awaited<ReturnType<typeof buildTestPlugin>>;

// biome-ignore lint/suspicious/noExplicitAny: string documents; the shapes are asserted where read
type Gql = any;

const GRANTS = ['kv', 'config', 'events'];
/** Version 2 renames the config's `threshold` to a required `minimum`: only the hook's migration gets there. */
const V2_SCHEMA = {
  type: 'object',
  properties: { minimum: { type: 'number' }, fail: { type: 'string' } },
  required: ['minimum'],
  additionalProperties: false,
};

const INSTALL = `mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { id version { version } config } }`;
const UPDATE = `mutation ($input: UpdateInstallationInput!) { updateInstallation(input: $input) { id config enabled } }`;
const UPGRADE =
  'mutation ($id: ID!) { upgradeInstallation(id: $id, versionRange: "2.0.0") { id version { version } config } }';
const ROLLBACK = 'mutation ($id: ID!) { rollbackInstallation(id: $id) { id version { version } config } }';
const UNINSTALL = 'mutation ($id: ID!) { uninstallPlugin(id: $id) { id } }';
const EXECUTE = `mutation ($input: ExecutePluginInput!) { executePlugin(input: $input) { status output } }`;
const INSTALLATION = 'query ($id: ID!) { installation(id: $id) { version { version } config enabled } }';
const INSTALLATIONS = '{ installations(first: 50) { edges { node { plugin { slug } } } } }';
const EXECUTION = `query ($id: ID!) { execution(id: $id) {
  status trigger hook function errorCode errorMessage input installation { id }
} }`;
const HOOK_RUNS = `query ($installationId: ID) { executions(first: 50, filter: { trigger: HOOK, installationId: $installationId }) {
  edges { node { hook status errorCode input installation { id } } }
} }`;
const REVOKE = `mutation ($slug: String!, $version: String!) {
  revokePluginVersion(slug: $slug, version: $version, reason: "test") { revoked }
}`;

beforeAll(async () => {
  server = await startTestServer();
  publisher = await server.user('lifecycle-labs', 'PUBLISHER');
  probe = await buildTestPlugin('lifecycle');
}, 180_000);
afterAll(() => server?.stop());

/** Lists `slug` with the probe at 1.0.0 and, with its new config schema, 2.0.0. */
async function listing(slug: string): Promise<void> {
  await listAndPublish(server, publisher, { ...probe.manifest, slug, version: '1.0.0' }, probe.wasm);
  await listAndPublish(
    server,
    publisher,
    { ...probe.manifest, slug, version: '2.0.0', configSchema: V2_SCHEMA },
    probe.wasm,
  );
}

const install = (token: string, slug: string, config: Record<string, unknown>) =>
  server.gql<Gql, Gql>(INSTALL, { input: { slug, versionRange: '1.0.0', config, grantPermissions: GRANTS } }, token);

async function installed(token: string, slug: string, config: Record<string, unknown>): Promise<string> {
  const result = await install(token, slug, config);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data.installPlugin.id;
}

const databaseId = (id: string) => Number(Buffer.from(id, 'base64').toString().split(':')[1]);

async function state(token: string, installationId: string): Promise<Record<string, string>> {
  const { executePlugin } = await server.ok<Gql, Gql>(
    EXECUTE,
    { input: { installationId, function: 'state', input: '' } },
    token,
  );
  expect(executePlugin.status).toBe('SUCCEEDED');
  return JSON.parse(executePlugin.output);
}

async function hookRuns(token: string, installationId?: string) {
  const { executions } = await server.ok<Gql, Gql>(HOOK_RUNS, { installationId }, token);
  return executions.edges.map((e: Gql) => e.node) as {
    hook: string;
    status: string;
    errorCode: string | null;
    input: string;
    installation: { id: string } | null;
  }[];
}

const execution = async (token: string, id: string) => (await server.ok<Gql, Gql>(EXECUTION, { id }, token)).execution;

// The first publish loads binaryen and instruments the module: tens of seconds on a busy 2-core box.
describe('lifecycle hooks', { timeout: 120_000 }, () => {
  it('run through install, upgrade with a KV and config migration, config change, rollback and uninstall', async () => {
    const token = await server.user('lc-flow');
    await listing('lc-flow');
    const id = await installed(token, 'lc-flow', { threshold: 5 });

    const [installedRun] = await hookRuns(token, id);
    expect(installedRun).toMatchObject({ hook: 'plugin.installed', status: 'SUCCEEDED', installation: { id } });
    expect(JSON.parse(installedRun.input)).toEqual({
      hook: 'plugin.installed',
      installationId: databaseId(id),
      plugin: 'lc-flow',
      version: '1.0.0',
      config: { threshold: 5 },
    });
    expect(await state(token, id)).toMatchObject({ note: `installed 1.0.0 as ${databaseId(id)}` });

    const { upgradeInstallation } = await server.ok<Gql, Gql>(UPGRADE, { id }, token);
    expect(upgradeInstallation).toMatchObject({ version: { version: '2.0.0' }, config: { minimum: 5 } });
    const afterUpgrade = await state(token, id);
    expect(afterUpgrade.note).toBeUndefined();
    expect(JSON.parse(afterUpgrade.notes)).toEqual([`installed 1.0.0 as ${databaseId(id)}`]);
    expect(afterUpgrade.moved).toBe('UPGRADE 1.0.0 -> 2.0.0');

    const { updateInstallation } = await server.ok<Gql, Gql>(UPDATE, { input: { id, config: { minimum: 7 } } }, token);
    expect(updateInstallation.config).toEqual({ minimum: 7 });
    const afterChange = await state(token, id);
    expect(JSON.parse(afterChange.previousConfig)).toEqual({ minimum: 5 });
    expect(JSON.parse(afterChange.config)).toEqual({ minimum: 7 });

    // Rollback runs the earlier version's plugin.upgraded, which migrates the config back.
    const { rollbackInstallation } = await server.ok<Gql, Gql>(ROLLBACK, { id }, token);
    expect(rollbackInstallation).toMatchObject({ version: { version: '1.0.0' }, config: { threshold: 7 } });
    expect((await state(token, id)).moved).toBe('ROLLBACK 2.0.0 -> 1.0.0');

    await server.ok(UNINSTALL, { id }, token);
    const runs = await hookRuns(token);
    expect(runs.map((r) => [r.hook, r.status])).toEqual([
      ['plugin.uninstalling', 'SUCCEEDED'],
      ['plugin.upgraded', 'SUCCEEDED'],
      ['config.changed', 'SUCCEEDED'],
      ['plugin.upgraded', 'SUCCEEDED'],
      ['plugin.installed', 'SUCCEEDED'],
    ]);
    // Kept after the uninstall, as the audit trail.
    expect(runs.every((r) => r.installation === null)).toBe(true);
  });

  it('stream their events; what a hook emits is announced only when its operation commits', async () => {
    const token = await server.user('lc-events');
    await listing('lc-events');
    const subscription = collect<{ executionEvents: { type: string; emitted: unknown; installationId: string } }>(
      server.ws(token),
      'subscription { executionEvents { type emitted installationId } }',
      5,
    );
    await subscription.ready;
    const id = await installed(token, 'lc-events', { threshold: 1, fail: 'bad-config' });
    // Its plugin.upgraded succeeds (and emits) but returns a config 2.0.0 refuses: nothing commits.
    expectCode(await server.gql(UPGRADE, { id }, token), 'LIFECYCLE_HOOK_FAILED');
    const events = (await subscription.events).map((e) => e.executionEvents);
    expect(events.map((e) => [e.type, e.emitted])).toEqual([
      ['STARTED', null],
      ['EMITTED', { type: 'lifecycle', data: 'plugin.installed' }],
      ['SUCCEEDED', null],
      ['STARTED', null],
      ['SUCCEEDED', null],
    ]);
    expect(events.every((e) => e.installationId === id)).toBe(true);
  });

  it('a failing plugin.installed leaves nothing installed and keeps its execution', async () => {
    const token = await server.user('lc-install-fails');
    await listing('lc-install-fails');
    const result = await install(token, 'lc-install-fails', { fail: 'plugin.installed' });
    expectCode(result, 'LIFECYCLE_HOOK_FAILED');
    const extensions = result.errors![0].extensions as Gql;
    expect(extensions).toMatchObject({
      hook: 'plugin.installed',
      plugin: 'lc-install-fails',
      pluginErrorCode: 'PLUGIN_FAILED',
    });
    const run = await execution(token, extensions.executionId);
    expect(run).toMatchObject({ status: 'FAILED', hook: 'plugin.installed', trigger: 'HOOK', installation: null });
    expect(run.errorMessage).toContain('refusing plugin.installed');
    const { installations } = await server.ok<Gql, Gql>(INSTALLATIONS, {}, token);
    expect(installations.edges).toEqual([]);
    // Nothing of the failed attempt remains: a second install runs afresh.
    const id = await installed(token, 'lc-install-fails', {});
    expect(await state(token, id)).not.toHaveProperty('poison');
  });

  it('run plugin.installed for each installation an install with dependencies creates, all or nothing', async () => {
    const token = await server.user('lc-deps');
    await listAndPublish(server, publisher, { ...probe.manifest, slug: 'lc-dep', version: '1.0.0' }, probe.wasm);
    const main = { ...probe.manifest, slug: 'lc-main', version: '1.0.0', dependencies: { 'lc-dep': '^1.0.0' } };
    await listAndPublish(server, publisher, main, probe.wasm);
    const installWith = (dependencyConfig: Record<string, unknown>) =>
      server.gql<Gql, Gql>(
        INSTALL,
        {
          input: {
            slug: 'lc-main',
            grantPermissions: GRANTS,
            installDependencies: true,
            dependencies: [{ slug: 'lc-dep', grantPermissions: GRANTS, config: dependencyConfig }],
          },
        },
        token,
      );
    const refused = await installWith({ fail: 'plugin.installed' });
    expectCode(refused, 'LIFECYCLE_HOOK_FAILED');
    expect((refused.errors![0].extensions as Gql).plugin).toBe('lc-dep');
    expect((await server.ok<Gql, Gql>(INSTALLATIONS, {}, token)).installations.edges).toEqual([]);

    const done = await installWith({});
    expect(done.errors).toBeUndefined();
    const { installations } = await server.ok<Gql, Gql>(
      '{ installations(first: 5) { edges { node { id plugin { slug } } } } }',
      {},
      token,
    );
    expect(installations.edges).toHaveLength(2);
    for (const { node } of installations.edges)
      expect((await state(token, node.id)).note).toBe(`installed 1.0.0 as ${databaseId(node.id)}`);
    const runs = await hookRuns(token);
    // The refused attempt stopped at the dependency's failure: the plugin's own hook never ran.
    expect(runs.map((r) => [r.hook, r.status, r.installation !== null])).toEqual([
      ['plugin.installed', 'SUCCEEDED', true],
      ['plugin.installed', 'SUCCEEDED', true],
      ['plugin.installed', 'FAILED', false],
    ]);
  });

  // Each variant fails one blocking hook; the operation leaves the installation (and its KV) as it was.
  const refusals = [
    {
      name: 'plugin.upgraded fails',
      config: { threshold: 1, fail: 'plugin.upgraded' },
      operation: (id: string) => [UPGRADE, { id }] as const,
      pluginErrorCode: 'PLUGIN_FAILED',
    },
    {
      name: 'plugin.upgraded returns a config the new version refuses',
      config: { threshold: 1, fail: 'bad-config' },
      operation: (id: string) => [UPGRADE, { id }] as const,
      pluginErrorCode: 'CONFIG_INVALID',
    },
    {
      name: 'config.changed fails',
      config: { threshold: 1 },
      operation: (id: string) => [UPDATE, { input: { id, config: { threshold: 2, fail: 'config.changed' } } }] as const,
      pluginErrorCode: 'PLUGIN_FAILED',
    },
  ];
  it.each(refusals)('when $name, nothing changes and the execution is kept', async (variant) => {
    const slug = `lc-refuse-${refusals.indexOf(variant)}`;
    const token = await server.user(slug);
    await listing(slug);
    const id = await installed(token, slug, variant.config);
    const before = await state(token, id);
    const [doc, variables] = variant.operation(id);
    const result = await server.gql<Gql, Gql>(doc, variables, token);
    expectCode(result, 'LIFECYCLE_HOOK_FAILED');
    const { executionId, pluginErrorCode } = result.errors![0].extensions as Gql;
    expect(pluginErrorCode).toBe(variant.pluginErrorCode);
    expect(await execution(token, executionId)).toMatchObject({ installation: { id } });
    const { installation } = await server.ok<Gql, Gql>(INSTALLATION, { id }, token);
    expect(installation).toEqual({ version: { version: '1.0.0' }, config: variant.config, enabled: true });
    expect(await state(token, id)).toEqual(before);
  });

  it('a failing plugin.uninstalling is recorded and never blocks the uninstall', async () => {
    const token = await server.user('lc-uninstall-fails');
    await listing('lc-uninstall-fails');
    const id = await installed(token, 'lc-uninstall-fails', { fail: 'plugin.uninstalling' });
    await server.ok(UNINSTALL, { id }, token);
    const [run] = await hookRuns(token);
    expect(run).toMatchObject({ hook: 'plugin.uninstalling', status: 'FAILED', installation: null });
  });

  it('refuse with CONFLICT, keeping the execution, when the installation changed while its hook ran', async () => {
    const token = await server.user('lc-conflict');
    const slug = 'lc-conflict';
    await listAndPublish(server, publisher, { ...probe.manifest, slug, version: '1.0.0' }, probe.wasm);
    // Its plugin.upgraded runs until its fuel runs out: long enough to change the installation meanwhile.
    const limits = { fuel: 10_000_000_000, timeoutMs: 10_000 };
    await listAndPublish(server, publisher, { ...probe.manifest, slug, version: '2.0.0', limits }, probe.wasm);
    const id = await installed(token, slug, { fail: 'spin' });
    const upgrade = server.gql<Gql, Gql>(UPGRADE, { id }, token);
    const RUNNING = `query ($id: ID) { executions(first: 5, filter: { installationId: $id, status: RUNNING }) {
      edges { node { hook } }
    } }`;
    for (let i = 0; i < 600; i++) {
      const { executions } = await server.ok<Gql, Gql>(RUNNING, { id }, token);
      if (executions.edges.length) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await server.ok(UPDATE, { input: { id, enabled: false } }, token);
    const result = await upgrade;
    expectCode(result, 'CONFLICT');
    expect(result.errors![0].message).toContain('changed while its plugin.upgraded hook ran');
    const { installation } = await server.ok<Gql, Gql>(INSTALLATION, { id }, token);
    expect(installation).toEqual({ version: { version: '1.0.0' }, config: { fail: 'spin' }, enabled: false });
    const [run] = await hookRuns(token, id);
    expect(run.hook).toBe('plugin.upgraded');
    // Whichever limit stops it first on this machine.
    expect(['FUEL_EXHAUSTED', 'TIMED_OUT']).toContain(run.status);
  });

  it('do not run for a disabled installation; are recorded REJECTED for a revoked version or an open circuit', async () => {
    const token = await server.user('lc-gated');
    await listing('lc-gated');
    await listAndPublish(server, publisher, { ...probe.manifest, slug: 'lc-gated-2', version: '1.0.0' }, probe.wasm);

    // Disabled: no call at all, and the operations go through.
    const disabled = await installed(token, 'lc-gated', { threshold: 1 });
    await server.ok(UPDATE, { input: { id: disabled, enabled: false } }, token);
    await server.ok(UPDATE, { input: { id: disabled, config: { threshold: 2, fail: 'config.changed' } } }, token);
    expect((await hookRuns(token, disabled)).map((r) => r.hook)).toEqual(['plugin.installed']);

    // Open circuit: five failures open it; the config change commits, its hook REJECTED.
    const tripped = await installed(token, 'lc-gated-2', { threshold: 1 });
    for (let i = 0; i < 5; i++)
      await server.ok(EXECUTE, { input: { installationId: tripped, function: 'boom', input: '' } }, token);
    await server.ok(UPDATE, { input: { id: tripped, config: { threshold: 3, fail: 'config.changed' } } }, token);
    const [circuitRun] = await hookRuns(token, tripped);
    expect(circuitRun).toMatchObject({ hook: 'config.changed', status: 'REJECTED', errorCode: 'PLUGIN_REJECTED' });
    expect((await server.ok<Gql, Gql>(INSTALLATION, { id: tripped }, token)).installation.config).toEqual({
      threshold: 3,
      fail: 'config.changed',
    });

    // Revoked: the uninstall goes through, its hook REJECTED.
    await server.ok(UPDATE, { input: { id: disabled, enabled: true } }, token);
    await server.ok(REVOKE, { slug: 'lc-gated', version: '1.0.0' }, publisher);
    await server.ok(UNINSTALL, { id: disabled }, token);
    const [revokedRun] = (await hookRuns(token)).filter((r) => r.hook === 'plugin.uninstalling');
    expect(revokedRun).toMatchObject({ status: 'REJECTED', errorCode: 'PLUGIN_REVOKED' });
  });

  it('upgradePreview is ready exactly when the upgrade goes through, a config that plugin.upgraded migrates included', async () => {
    const token = await server.user('lc-preview');
    await listing('lc-preview');
    const hooks = (probe.manifest.hooks as string[]).filter((h) => h !== 'plugin.upgraded');
    const withoutHook = { ...probe.manifest, hooks };
    await listAndPublish(server, publisher, { ...withoutHook, slug: 'lc-preview-plain', version: '1.0.0' }, probe.wasm);
    await listAndPublish(
      server,
      publisher,
      { ...withoutHook, slug: 'lc-preview-plain', version: '2.0.0', configSchema: V2_SCHEMA },
      probe.wasm,
    );
    const PREVIEW = `query ($id: ID!) { installation(id: $id) { upgradePreview(versionRange: "2.0.0") {
      ready upgradedHookRuns configProblems { field code } } } }`;
    // Each variant's config ({ threshold }) fails 2.0.0's schema, which requires `minimum`.
    const variants = [
      { slug: 'lc-preview', enabled: true, migrates: true },
      { slug: 'lc-preview', enabled: false, migrates: false }, // a disabled installation runs no hook
      { slug: 'lc-preview-plain', enabled: true, migrates: false },
    ];
    for (const { slug, enabled, migrates } of variants) {
      const id = await installed(token, slug, { threshold: 4 });
      if (!enabled) await server.ok(UPDATE, { input: { id, enabled: false } }, token);
      const { upgradePreview } = (await server.ok<Gql, Gql>(PREVIEW, { id }, token)).installation;
      const label = `${slug}, enabled: ${enabled}`;
      expect(upgradePreview.configProblems.length, label).toBeGreaterThan(0);
      expect(upgradePreview, label).toMatchObject({ upgradedHookRuns: migrates, ready: migrates });
      const upgrade = await server.gql<Gql, Gql>(UPGRADE, { id }, token);
      if (migrates) expect(upgrade.data?.upgradeInstallation, label).toMatchObject({ config: { minimum: 4 } });
      else expect(upgrade.errors?.[0]?.extensions?.code, label).toBe('BAD_USER_INPUT');
      await server.ok(UNINSTALL, { id }, token);
    }
  });
});
