import { afterAll, beforeAll, expect, it } from 'vitest';
import { UninstallDocument } from '../generated/graphql.ts';
import { buildTestPlugin, INSTALL, listAndPublish } from '../support/plugins.ts';
import { errorCode, startTestServer, type TestServer } from '../support/server.ts';

// Two servers in one process, each on its own fresh database: their first versions share the id
// 1 and any key derived from it. Each must validate configs against its own schema.
let servers: TestServer[];
let tagger: Awaited<ReturnType<typeof buildTestPlugin>>;

beforeAll(async () => {
  servers = [await startTestServer(), await startTestServer()];
  tagger = await buildTestPlugin('tagger');
});
afterAll(() => Promise.all(servers.map((s) => s.stop())));

const schemaOf = (type: string) => ({
  type: 'object',
  properties: { level: { type } },
  required: ['level'],
});

it('validates each server’s installs against that server’s schema, never a same-id version of another database', async () => {
  const types = ['number', 'string', 'boolean'] as const;
  const valid = { number: 3, string: 'three', boolean: true };
  const slugs: string[] = [];
  for (const [i, server] of servers.entries()) {
    const publisher = await server.user(`iso-publisher-${i}`, 'PUBLISHER');
    const slug = `iso-tagger-${i}`;
    await listAndPublish(
      server,
      publisher,
      { ...tagger.manifest, slug, configSchema: schemaOf(types[i]) },
      tagger.wasm,
    );
    slugs.push(slug);
  }
  // Alternate between the servers so a validator cached by one is what the other would reuse.
  for (let round = 0; round < 2; round++)
    for (const [i, server] of servers.entries()) {
      const user = await server.user(`iso-user-${i}-${round}`);
      for (const type of types) {
        const result = await server.gql(
          INSTALL,
          {
            input: {
              slug: slugs[i],
              config: { level: valid[type] },
              grantPermissions: tagger.manifest.permissions as string[],
            },
          },
          user,
        );
        if (type === types[i]) expect(result.errors, `${type} on server ${i}`).toBeUndefined();
        else expect(errorCode(result), `${type} on server ${i}`).toBe('BAD_USER_INPUT');
        if (result.data?.installPlugin) await server.ok(UninstallDocument, { id: result.data.installPlugin.id }, user);
      }
    }
});
