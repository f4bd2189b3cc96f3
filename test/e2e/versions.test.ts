import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestPlugin, listAndPublish, publishVersion } from '../support/plugins.ts';
import { startTestServer, type TestServer, expectCode } from '../support/server.ts';

let server: TestServer;
let token: string;
let plugin: { manifest: Record<string, unknown> & { slug: string }; wasm: Uint8Array };

beforeAll(async () => {
  server = await startTestServer();
  token = await server.user('versioner', 'PUBLISHER');
  plugin = await buildTestPlugin('kv-bulk');
  await listAndPublish(server, token, { ...plugin.manifest, version: '1.0.0' }, plugin.wasm);
}, 120_000);
afterAll(() => server.stop());

const publish = (version: string) =>
  publishVersion(server, token, plugin.manifest.slug, { ...plugin.manifest, version }, plugin.wasm);

async function versions(): Promise<{ version: string; prerelease: boolean }[]> {
  const { plugin: p } = await server.ok<
    { plugin: { versions: { edges: { node: { version: string; prerelease: boolean } }[] } } },
    unknown
  >(
    'query ($slug: String!) { plugin(slug: $slug) { versions(first: 100) { edges { node { version prerelease } } } } }',
    { slug: plugin.manifest.slug },
  );
  return p.versions.edges.map((e: { node: { version: string; prerelease: boolean } }) => e.node);
}

it('refuses every other spelling of a published version, so there is one version per precedence', async () => {
  const spellings = [
    ['v1.0.0', 'SEMVER_NOT_CANONICAL'],
    ['V1.0.0', 'SEMVER'],
    ['=1.0.0', 'SEMVER'],
    [' 1.0.0', 'SEMVER_NOT_CANONICAL'],
    ['1.0.0 ', 'SEMVER_NOT_CANONICAL'],
    ['\t1.0.0\n', 'SEMVER_NOT_CANONICAL'],
    ['1.0.0+build.1', 'SEMVER_BUILD_METADATA'],
    ['1.0.0+build-2', 'SEMVER_BUILD_METADATA'],
    ['v1.0.0+001', 'SEMVER_BUILD_METADATA'],
    ['01.0.0', 'SEMVER'],
    ['1.00.0', 'SEMVER'],
    ['1.0', 'SEMVER'],
    ['1.0.0-', 'SEMVER'],
    ['1.0.0-beta.01', 'SEMVER'],
    ['1.0.0.0', 'SEMVER'],
  ];
  for (const [version, code] of spellings) {
    const result = await publish(version);
    expectCode(result, 'BAD_USER_INPUT', version);
    expect(result.errors?.[0].extensions?.problems, version).toContainEqual(
      expect.objectContaining({ field: 'manifest.version', code }),
    );
  }
  expect(await versions()).toEqual([{ version: '1.0.0', prerelease: false }]);
});

it('takes a hyphen only in a prerelease, never in build metadata, and stores versions as written', async () => {
  for (const version of ['1.0.1-build-2', '1.0.1-rc.1', '1.1.0'])
    expect((await publish(version)).errors).toBeUndefined();
  expect(new Map((await versions()).map((v) => [v.version, v.prerelease]))).toEqual(
    new Map([
      ['1.0.0', false],
      ['1.0.1-build-2', true],
      ['1.0.1-rc.1', true],
      ['1.1.0', false],
    ]),
  );
});

it('lets exactly one of concurrent publishes of one version land', async () => {
  const results = await Promise.all(Array.from({ length: 4 }, () => publish('2.0.0')));
  expect(results.filter((r) => !r.errors)).toHaveLength(1);
  for (const r of results.filter((r) => r.errors))
    expect(['CONFLICT', 'BAD_USER_INPUT']).toContain(r.errors?.[0].extensions?.code);
  expect((await versions()).filter((v) => v.version === '2.0.0')).toHaveLength(1);
});
