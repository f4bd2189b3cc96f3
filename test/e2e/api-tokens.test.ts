import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { getNamedType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_SCOPES, type TokenScope } from '../../src/entities/index.ts';
import { schema } from '../../src/schema/index.ts';
import { collect, errorCode, startTestServer, type TestServer } from '../support/server.ts';

const CREATE = `mutation ($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { token apiToken { id name scopes expiresAt lastUsedAt revokedAt current } }
}`;
const LIST = `query ($all: Boolean) { apiTokens(includeRevoked: $all) { edges { node {
  id name scopes createdAt expiresAt lastUsedAt revokedAt current } } } }`;
const REVOKE = 'mutation ($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }';

interface Created {
  createApiToken: { token: string; apiToken: { id: string; name: string; scopes: TokenScope[]; current: boolean } };
}
interface Listed {
  apiTokens: { edges: { node: { id: string; name: string; scopes: string[]; lastUsedAt: string | null } }[] };
}

let server: TestServer;
let full: string;
beforeAll(async () => {
  server = await startTestServer();
  full = await server.user('token-owner', 'PUBLISHER');
});
afterAll(() => server.stop());

const create = (token: string, input: Record<string, unknown>) =>
  server.gql<Created, unknown>(CREATE, { input }, token);
async function mint(scopes: TokenScope[], extra: Record<string, unknown> = {}) {
  const { data, errors } = await create(full, { name: `t-${scopes.join('-') || 'none'}`, scopes, ...extra });
  if (errors || !data) throw new Error(JSON.stringify(errors));
  return data.createApiToken;
}

it('shows the secret once: apiTokens lists name, scopes and use, never the secret or its hash', async () => {
  const created = await mint(['WRITE']);
  expect(created.token).toMatch(/^pb_[\w-]{20,}$/);
  expect(created.apiToken).toMatchObject({ name: 't-WRITE', scopes: ['READ', 'WRITE'], current: false });
  const listedBefore = await server.ok<Listed, unknown>(LIST, {}, full);
  expect(JSON.stringify(listedBefore)).not.toContain(created.token.slice(3));
  // The type has no field that could carry it.
  const fields = Object.keys((schema.getType('ApiToken') as { getFields(): object }).getFields()).sort();
  expect(fields).toEqual(['createdAt', 'current', 'expiresAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'scopes']);

  // The new token works, and its use is recorded off the request path, soon after.
  const viewer = await server.ok<{ viewer: { handle: string } }, unknown>('{ viewer { handle } }', {}, created.token);
  expect(viewer.viewer.handle).toBe('token-owner');
  await expect
    .poll(async () => {
      const listed = await server.ok<Listed, unknown>(LIST, {}, full);
      return listed.apiTokens.edges.find((e) => e.node.id === created.apiToken.id)?.node.lastUsedAt ?? null;
    })
    .not.toBeNull();
});

it('refuses bad input with every problem and writes nothing', async () => {
  const before = (await server.ok<Listed, unknown>(LIST, { all: true }, full)).apiTokens.edges.length;
  for (const input of [
    { name: '', scopes: ['READ'] },
    { name: 'x'.repeat(101) },
    { name: 'past', expiresAt: new Date(Date.now() - 1000).toISOString() },
    { name: 'now-ish', expiresAt: new Date(Date.now() - 1).toISOString() },
  ])
    expect(errorCode(await create(full, input)), JSON.stringify(input)).toBe('BAD_USER_INPUT');
  expect(errorCode(await create(full, { name: 'bad scope', scopes: ['ROOT'] }))).toBe('BAD_USER_INPUT');
  expect((await server.ok<Listed, unknown>(LIST, { all: true }, full)).apiTokens.edges).toHaveLength(before);
});

describe('scopes', () => {
  // One operation per kind of requirement; each variant of scopes is tried against each.
  const OPERATIONS: { name: string; needs: TokenScope[]; query: string }[] = [
    { name: 'a query', needs: [], query: '{ viewer { handle } apiTokens { edges { node { name } } } }' },
    {
      name: 'a write',
      needs: ['WRITE'],
      query: 'mutation { createClip(input: { title: "T", mediaUrl: "/t.mp4", durationMs: 10 }) { id } }',
    },
    {
      name: 'a listing edit',
      needs: ['PUBLISH'],
      query:
        'mutation { createPlugin(input: { slug: "scoped-SLUG", name: "S", summary: "S", category: "other" }) { id } }',
    },
    {
      name: 'minting a token',
      needs: ['READ', 'WRITE', 'PUBLISH'],
      query: 'mutation { createApiToken(input: { name: "minted", scopes: [READ, WRITE, PUBLISH] }) { token } }',
    },
  ];
  const VARIANTS: TokenScope[][] = [[], ['READ'], ['WRITE'], ['PUBLISH'], ['WRITE', 'PUBLISH'], [...TOKEN_SCOPES]];
  let slug = 0;

  for (const scopes of VARIANTS)
    it(`lets a token with [${scopes.join(', ')}] do exactly what its scopes allow`, async () => {
      const { token } = await mint(scopes);
      const has = new Set<TokenScope>(['READ', ...scopes]);
      for (const op of OPERATIONS) {
        const result = await server.gql(op.query.replace('SLUG', String(slug++)), {}, token);
        const missing = op.needs.filter((s) => !has.has(s));
        if (missing.length === 0) {
          expect(result.errors, `${op.name} with [${scopes}]`).toBeUndefined();
          continue;
        }
        expect(errorCode(result), `${op.name} with [${scopes}]`).toBe('FORBIDDEN');
        for (const scope of missing) expect(result.errors![0].message).toContain(scope);
      }
    });

  it('asks every mutation in the schema for a token scope (a new mutation must choose one)', () => {
    const mutation = schema.getMutationType()!;
    const unscoped = Object.values(mutation.getFields())
      .filter((field) => {
        const scopes = (field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions?.authScopes;
        return !JSON.stringify(scopes ?? null).includes('"token"');
      })
      .map((f) => f.name);
    expect(unscoped).toEqual([]);
    expect(isObjectType(getNamedType(mutation.getFields().createApiToken.type))).toBe(true);
  });
});

describe('ending a token', () => {
  it('revoking one token refuses it at once, ends its subscriptions, and leaves the owner’s others working', async () => {
    const { token, apiToken } = await mint(['WRITE']);
    const spare = await mint([]);
    const sub = collect(server.ws(token), 'subscription { clipEvents { type } }', 1, 20_000);
    await sub.ready;
    const ended = sub.events.then(
      () => 'completed',
      (e: Error) => e.message,
    );
    const revoked = await server.ok<{ revokeApiToken: { revokedAt: string } }, unknown>(
      REVOKE,
      { id: apiToken.id },
      full,
    );
    expect(revoked.revokeApiToken.revokedAt).not.toBeNull();
    expect(await ended).toContain('UNAUTHENTICATED');
    expect(await server.code('{ viewer { id } }', {}, token)).toBe('UNAUTHENTICATED');
    expect(
      (await server.ok<{ viewer: { id: string } }, unknown>('{ viewer { id } }', {}, spare.token)).viewer,
    ).toBeTruthy();
    // Listed only when asked for, with its revocation time.
    const live = await server.ok<Listed, unknown>(LIST, {}, full);
    expect(live.apiTokens.edges.map((e) => e.node.id)).not.toContain(apiToken.id);
    const all = await server.ok<Listed, unknown>(LIST, { all: true }, full);
    expect(all.apiTokens.edges.map((e) => e.node.id)).toContain(apiToken.id);
  });

  it('cannot revoke another user’s token (NOT_FOUND) or revoke with a token lacking full scope', async () => {
    const other = await server.user('token-stranger');
    const { apiToken, token: readOnly } = await mint([]);
    expect(await server.code(REVOKE, { id: apiToken.id }, other)).toBe('NOT_FOUND');
    expect(await server.code(REVOKE, { id: apiToken.id }, readOnly)).toBe('FORBIDDEN');
    expect((await server.gql('{ viewer { id } }', {}, readOnly)).errors).toBeUndefined();
  });

  it('refuses an expired token and ends the subscription opened with it when it expires', async () => {
    const expiresAt = new Date(Date.now() + 2_500);
    const { token } = await mint(['WRITE'], { expiresAt: expiresAt.toISOString() });
    const sub = collect(server.ws(token), 'subscription { clipEvents { type } }', 1, 30_000);
    await sub.ready;
    const ended = await sub.events.then(
      () => 'completed',
      (e: Error) => e.message,
    );
    expect(ended).toContain('UNAUTHENTICATED');
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(response.status).toBe(401);
  });
});

describe('plugboard tokens', () => {
  const run = promisify(execFile);
  const cli = async (...args: string[]) =>
    (await run('node', [path.resolve('bin/plugboard.js'), 'tokens', ...args, '--server', server.url, '--token', full]))
      .stdout;

  it('creates, lists and revokes tokens through the API', async () => {
    const created = (await cli('create', '--name', 'from-cli', '--scope', 'WRITE', '--expires', '30d')).trim();
    const token = created.split('\n').at(-1)!;
    expect(token).toMatch(/^pb_[\w-]{20,}$/);
    const listed = await cli('list');
    const row = listed.split('\n').find((l) => l.includes('from-cli'))!;
    expect(row).toContain('READ,WRITE');
    expect(listed).not.toContain(token);
    expect(listed).toContain('(this token)');
    const id = row.split(/\s+/)[0];
    expect(await cli('revoke', id)).toContain('revoked');
    expect(await server.code('{ viewer { id } }', {}, token)).toBe('UNAUTHENTICATED');
    expect(await cli('list')).not.toContain('from-cli');
    expect(await cli('list', '--all')).toContain('from-cli');
  }, 120_000);

  it('fails with one line for a read-only token or a bad expiry', async () => {
    const { token: readOnly } = await mint([]);
    const attempt = run('node', [
      path.resolve('bin/plugboard.js'),
      'tokens',
      'create',
      '--name',
      'x',
      '--server',
      server.url,
      '--token',
      readOnly,
    ]);
    await expect(attempt).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^plugboard: FORBIDDEN: .*scope/),
    });
    await expect(cli('create', '--name', 'x', '--expires', 'soon')).rejects.toMatchObject({
      stderr: expect.stringContaining('--expires'),
    });
  }, 120_000);
});
