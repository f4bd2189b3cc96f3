import { afterAll, beforeAll, expect, it } from 'vitest';
import { UninstallDocument } from '../generated/graphql.ts';
import { chain, growsWithDefaults, hostile } from '../support/hostile-schemas.ts';
import { buildTestPlugin, INSTALL, listAndPublish, publishVersion } from '../support/plugins.ts';
import { startTestServer, type TestServer, expectCode } from '../support/server.ts';

let server: TestServer;
let publisher: string;
let user: string;
let tagger: Awaited<ReturnType<typeof buildTestPlugin>>;

beforeAll(async () => {
  server = await startTestServer();
  publisher = await server.user('schema-maker', 'PUBLISHER');
  user = await server.user('schema-user');
  tagger = await buildTestPlugin('tagger');
  await listAndPublish(server, publisher, { ...tagger.manifest, configSchema: undefined }, tagger.wasm);
});
afterAll(() => server.stop());

let patch = 0;
const nextVersion = () => `2.0.${++patch}`;

it('refuses every hostile config schema at publish with the field at fault, and stays up', async () => {
  for (const [name, configSchema, field] of hostile) {
    const result = await publishVersion(
      server,
      publisher,
      'tagger',
      { ...tagger.manifest, version: nextVersion(), configSchema },
      tagger.wasm,
    );
    expectCode(result, 'BAD_USER_INPUT', name);
    const fields = (result.errors?.[0].extensions?.problems ?? []).map((p) => p.field);
    expect(
      fields.some((f) => f === field || f?.startsWith(`${field}.`)),
      `${name}: ${fields}`,
    ).toBe(true);
  }
  // A refused schema leaves nothing behind: the same definitions publish cleanly afterwards.
  expect((await server.ok<{ __typename: string }, Record<string, never>>('{ __typename }')).__typename).toBe('Query');
});

/** Publishes a schema, then installs with each config, returning each install's error code (or null). */
async function installCodes(configSchema: Record<string, unknown>, configs: Record<string, unknown>[]) {
  const version = nextVersion();
  const published = await publishVersion(
    server,
    publisher,
    'tagger',
    { ...tagger.manifest, version, configSchema },
    tagger.wasm,
  );
  expect(published.errors).toBeUndefined();
  const codes: (string | null)[] = [];
  for (const config of configs) {
    const result = await server.gql(
      INSTALL,
      {
        input: {
          slug: 'tagger',
          versionRange: version,
          config,
          grantPermissions: tagger.manifest.permissions as string[],
        },
      },
      user,
    );
    codes.push((result.errors?.[0].extensions?.code as string | undefined) ?? null);
    if (result.data?.installPlugin) await server.ok(UninstallDocument, { id: result.data.installPlugin.id }, user);
  }
  return codes;
}

it('installs against accepted schemas synchronously: valid configs pass, invalid ones are BAD_USER_INPUT', async () => {
  const defs = (draft: string, key: 'definitions' | '$defs') => ({
    $schema: draft,
    type: 'object',
    [key]: { n: { type: 'number', minimum: 0 } },
    properties: { a: { $ref: `#/${key}/n` } },
  });
  const schemas = [
    defs('http://json-schema.org/draft-07/schema#', 'definitions'),
    defs('https://json-schema.org/draft/2019-09/schema', '$defs'),
    defs('https://json-schema.org/draft/2020-12/schema', '$defs'),
  ];
  for (const schema of schemas)
    expect(await installCodes(schema, [{ a: 1 }, { a: -1 }, { a: 'x' }])).toEqual([
      null,
      'BAD_USER_INPUT',
      'BAD_USER_INPUT',
    ]);
  expect(await installCodes(chain(8), [{ x: 2 }, { x: 'two' }])).toEqual([null, 'BAD_USER_INPUT']);
  expect(
    await installCodes(growsWithDefaults, [{ list: [{}] }, { list: Array.from({ length: 1000 }, () => ({})) }]),
  ).toEqual([null, 'BAD_USER_INPUT']);
});
