// biome-ignore-all lint/suspicious/noExplicitAny: responses are read field by field; each test asserts what it reads
// Keys, signatures and signed uploads for the signing tests (test/e2e/signing*.test.ts).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { manifestSha256, rawPublicKey, sha256Hex, signRelease, type Release } from '../../src/contracts/index.ts';
import { graphqlMultipart } from '../../src/cli/plugin/graphql-client.ts';
import type { GraphQLResponse, TestServer } from './server.ts';

export type Manifest = Record<string, unknown> & { slug: string; version: string };
export interface Key {
  privateKey: KeyObject;
  publicKey: KeyObject;
  fingerprint: string;
  pem: string;
}

export const GRANTS = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];
export const PUBLISH = `mutation ($input: PublishPluginVersionInput!) {
  publishPluginVersion(input: $input) { version { id version signature { keyId fingerprint verified signature manifestSha256 message } } }
}`;
export const REGISTER = `mutation ($k: String!, $n: String) { registerSigningKey(publicKey: $k, name: $n) { id fingerprint publicKey name revoked } }`;
export const REVOKE = 'mutation ($id: ID!) { revokeSigningKey(id: $id) { id revoked revokedAt } }';
export const SIGNATURES = `query ($slug: String!) { plugin(slug: $slug) { versions(first: 100) { edges { node {
  version sha256 manifest signature { keyId fingerprint verified signedAt signature manifestSha256 message
    key { id publicKeyPem fingerprint revoked owner { handle } } } } } } } }`;
export const LISTING = 'mutation ($input: CreatePluginInput!) { createPlugin(input: $input) { slug } }';
export const UPGRADE =
  'mutation ($id: ID!, $r: String) { upgradeInstallation(id: $id, versionRange: $r) { version { version } } }';
export const ROLLBACK = 'mutation ($id: ID!) { rollbackInstallation(id: $id) { version { version } } }';

export function newKey(): Key {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey,
    privateKey,
    fingerprint: sha256Hex(rawPublicKey(publicKey)),
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function sign(key: Key, manifest: Manifest, wasm: Uint8Array, override: Partial<Release> = {}) {
  const release: Release = {
    slug: manifest.slug,
    version: manifest.version,
    moduleSha256: sha256Hex(wasm),
    manifestSha256: manifestSha256(manifest),
    ...override,
  };
  return { fingerprint: key.fingerprint, signature: signRelease(key.privateKey, release) };
}

export async function publish(
  server: TestServer,
  token: string,
  manifest: Manifest,
  wasm: Uint8Array,
  signature: { fingerprint: string; signature: string } | null,
): Promise<GraphQLResponse<any>> {
  const { data, errors } = await graphqlMultipart<any>(
    { server: server.url, token },
    PUBLISH,
    { input: { slug: manifest.slug, manifest, wasm: null, signature } },
    { 'variables.input.wasm': { bytes: wasm, name: 'plugin.wasm', type: 'application/wasm' } },
  );
  return { data, ...(errors.length ? { errors } : {}) } as GraphQLResponse<any>;
}

export async function list(server: TestServer, token: string, slug: string): Promise<void> {
  await server.ok(LISTING, { input: { slug, name: slug, summary: `Test ${slug}`, category: 'utilities' } }, token);
}

export const versionsOf = async (server: TestServer, slug: string) =>
  ((await server.ok<any, any>(SIGNATURES, { slug })).plugin?.versions.edges ?? []).map((e: any) => e.node);

export const problemCodes = (r: GraphQLResponse<any>) =>
  (r.errors?.[0].extensions?.problems ?? []).map((p) => `${p.field}:${p.code}`);

/** A valid module with different bytes: a custom section appended passes every module check. */
export const withCustomSection = (wasm: Uint8Array) =>
  new Uint8Array([...wasm, 0x00, 0x05, 0x04, ...Buffer.from('tamp')]);
