import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildPlugin } from '../../sdk-assemblyscript/compiler/build.ts';
import { print } from 'graphql';
import { graphqlMultipart } from '../../src/cli/plugin/graphql-client.ts';
import { CreateListingDocument, type PublishMutation, PublishDocument } from '../generated/graphql.ts';
import type { GraphQLResponse, TestServer } from './server.ts';

/** Publishes through the GraphQL multipart request spec, as a real client uploads. */
export async function publishVersion(
  server: TestServer,
  token: string,
  slug: string,
  manifest: Record<string, unknown>,
  wasm: Uint8Array,
): Promise<GraphQLResponse<PublishMutation>> {
  // The CLI's own client: one implementation of the multipart request spec, tested both ways.
  const { data, errors } = await graphqlMultipart<PublishMutation>(
    { server: server.url, token },
    print(PublishDocument),
    { input: { slug, manifest, wasm: null } },
    { 'variables.input.wasm': { bytes: wasm, name: `${slug}.wasm`, type: 'application/wasm' } },
  );
  return { data, ...(errors.length ? { errors } : {}) } as GraphQLResponse<PublishMutation>;
}

/** Creates a listing (if needed) and publishes a version; fails the test on any error. */
export async function listAndPublish(
  server: TestServer,
  token: string,
  manifest: Record<string, unknown> & { slug: string },
  wasm: Uint8Array,
): Promise<void> {
  const created = await server.gql(
    CreateListingDocument,
    {
      input: {
        slug: manifest.slug,
        name: manifest.slug,
        summary: `Test plugin ${manifest.slug}`,
        category: 'utilities',
      },
    },
    token,
  );
  if (created.errors && created.errors[0].extensions?.code !== 'CONFLICT')
    throw new Error(JSON.stringify(created.errors));
  const published = await publishVersion(server, token, manifest.slug, manifest, wasm);
  if (published.errors) throw new Error(`publish failed: ${JSON.stringify(published.errors)}`);
}

/** Builds a plugin folder under test/fixtures with the real SDK toolchain. */
export async function buildTestPlugin(
  name: string,
): Promise<{ manifest: Record<string, unknown> & { slug: string }; wasm: Uint8Array }> {
  const dir = fileURLToPath(new URL(`../fixtures/${name}/`, import.meta.url));
  const { bytes } = await buildPlugin(dir);
  const manifest = JSON.parse(await readFile(`${dir}/plugin.json`, 'utf8')) as Record<string, unknown> & {
    slug: string;
  };
  return { manifest, wasm: bytes };
}

// The operations most tests send, typed from test/operations (kept under their old names).
export { ExecuteDocument as EXECUTE, InstallDocument as INSTALL } from '../generated/graphql.ts';
