import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestPlugin, listAndPublish, publishVersion } from '../support/plugins.ts';
import { errorCode, startTestServer, type TestServer } from '../support/server.ts';

interface Event {
  action: string;
  actorHandle: string | null;
  actor: { handle: string } | null;
  tokenId: string | null;
  subjectType: string;
  subjectId: string | null;
  subject: string;
  details: Record<string, unknown> | null;
}
const FIELDS = 'action actorHandle actor { handle } tokenId subjectType subjectId subject details';
const ALL = `query ($filter: AuditEventFilter) { auditEvents(first: 100, filter: $filter) { edges { node { ${FIELDS} } } } }`;
const OWN = `{ viewer { auditEvents(first: 100) { edges { node { ${FIELDS} } } } } }`;
const SECRET = 'secret-config-value-7f3a';

let server: TestServer;
let admin: string;
let publisher: string;
let member: string;
let installationId: string;

const events = async (filter?: Record<string, unknown>): Promise<Event[]> =>
  (
    await server.ok<{ auditEvents: { edges: { node: Event }[] } }, unknown>(ALL, { filter }, admin)
  ).auditEvents.edges.map((e) => e.node);
const tokenIdOf = async (token: string) =>
  (
    await server.ok<{ apiTokens: { edges: { node: { id: string; current: boolean } }[] } }, unknown>(
      '{ apiTokens { edges { node { id current } } } }',
      {},
      token,
    )
  ).apiTokens.edges.find((e) => e.node.current)!.node.id;
const ok = (query: string, variables: Record<string, unknown>, token: string) =>
  server.ok<Record<string, { id: string } | null>, unknown>(query, variables, token);

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.user('auditor', 'ADMIN');
  publisher = await server.user('audited-publisher', 'PUBLISHER');
  member = await server.user('audited-member');
  const tagger = await buildTestPlugin('tagger');
  await listAndPublish(server, publisher, tagger.manifest, tagger.wasm);
  const next = await publishVersion(server, publisher, 'tagger', { ...tagger.manifest, version: '1.1.0' }, tagger.wasm);
  if (next.errors) throw new Error(JSON.stringify(next.errors));

  await ok('mutation { setPluginFeatured(slug: "tagger", featured: true) { id } }', {}, admin);
  await ok('mutation { setPublisherVerified(handle: "audited-publisher", verified: true) { id } }', {}, admin);
  await ok('mutation { updatePlugin(input: { slug: "tagger", summary: "Tags" }) { id } }', {}, publisher);
  await ok(
    'mutation { deprecatePluginVersion(slug: "tagger", version: "1.0.0", reason: "old") { id } }',
    {},
    publisher,
  );
  const installed = await ok(
    `mutation ($grants: [String!]) { installPlugin(input: { slug: "tagger", versionRange: "1.0.0",
      config: { tag: "a" }, grantPermissions: $grants }) { id } }`,
    { grants: tagger.manifest.permissions },
    member,
  );
  installationId = installed.installPlugin!.id;
  const id = { id: installationId };
  await ok(
    `mutation ($id: ID!, $config: JSONObject) { updateInstallation(input: { id: $id, config: $config, enabled: false }) { id } }`,
    { ...id, config: { tag: SECRET } },
    member,
  );
  await ok('mutation ($id: ID!) { upgradeInstallation(id: $id, versionRange: "^1.0.0") { id } }', id, member);
  await ok('mutation ($id: ID!) { rollbackInstallation(id: $id) { id } }', id, member);
  await ok('mutation ($id: ID!) { uninstallPlugin(id: $id) { id } }', id, member);
  await ok('mutation { yankPluginVersion(slug: "tagger", version: "1.1.0") { id } }', {}, publisher);
  const review = await ok(
    'mutation { createReview(input: { slug: "tagger", rating: 2, title: "meh" }) { id } }',
    {},
    member,
  );
  await ok('mutation ($id: ID!) { deleteReview(id: $id) { deletedReviewId } }', { id: review.createReview!.id }, admin);
  const minted = await server.ok<{ createApiToken: { apiToken: { id: string } } }, unknown>(
    'mutation { createApiToken(input: { name: "ci", scopes: [WRITE] }) { apiToken { id } } }',
    {},
    member,
  );
  await ok('mutation ($id: ID!) { revokeApiToken(id: $id) { id } }', { id: minted.createApiToken.apiToken.id }, member);
}, 120_000);
afterAll(() => server.stop());

it('records who did what, to what, with which token', async () => {
  const all = await events();
  const [adminToken, publisherToken, memberToken] = [
    await tokenIdOf(admin),
    await tokenIdOf(publisher),
    await tokenIdOf(member),
  ];
  const expected: [action: string, actor: string, token: string, subject: string, details?: Record<string, unknown>][] =
    [
      ['PLUGIN_CREATE', 'audited-publisher', publisherToken, 'tagger'],
      ['VERSION_PUBLISH', 'audited-publisher', publisherToken, 'tagger@1.0.0'],
      ['VERSION_PUBLISH', 'audited-publisher', publisherToken, 'tagger@1.1.0'],
      ['PLUGIN_FEATURE', 'auditor', adminToken, 'tagger', { featured: true }],
      ['PUBLISHER_VERIFY', 'auditor', adminToken, 'audited-publisher', { verified: true }],
      ['PLUGIN_UPDATE', 'audited-publisher', publisherToken, 'tagger', { fields: ['summary'] }],
      ['VERSION_DEPRECATE', 'audited-publisher', publisherToken, 'tagger@1.0.0', { reason: 'old' }],
      ['INSTALL', 'audited-member', memberToken, 'tagger@1.0.0'],
      ['PERMISSIONS_GRANT', 'audited-member', memberToken, 'tagger@1.0.0'],
      ['CONFIG_CHANGE', 'audited-member', memberToken, 'tagger@1.0.0', { keys: ['tag'] }],
      ['INSTALLATION_DISABLE', 'audited-member', memberToken, 'tagger@1.0.0'],
      ['UPGRADE', 'audited-member', memberToken, 'tagger@1.1.0'],
      ['ROLLBACK', 'audited-member', memberToken, 'tagger@1.0.0'],
      ['UNINSTALL', 'audited-member', memberToken, 'tagger@1.0.0'],
      ['VERSION_YANK', 'audited-publisher', publisherToken, 'tagger@1.1.0', { yanked: true }],
      ['REVIEW_DELETE', 'auditor', adminToken, 'tagger review by audited-member'],
      ['TOKEN_CREATE', 'audited-member', memberToken, 'ci'],
      ['TOKEN_REVOKE', 'audited-member', memberToken, 'ci'],
    ];
  for (const [action, actor, token, subject, details] of expected) {
    const found = all.find((e) => e.action === action && e.subject === subject && e.actorHandle === actor);
    expect(found, `${action} ${subject} by ${actor}`).toBeDefined();
    expect(found!.tokenId).toBe(token);
    expect(found!.actor?.handle).toBe(actor);
    if (details) expect(found!.details).toMatchObject(details);
  }
  const grant = all.find((e) => e.action === 'PERMISSIONS_GRANT')!;
  expect((grant.details!.permissions as string[]).length).toBeGreaterThan(0);
  // Newest first, and config values (possibly secrets) are never recorded.
  expect(all[0].action).toBe('TOKEN_REVOKE');
  expect(JSON.stringify(all)).not.toContain(SECRET);
  // Users created from the CLI or the seed have no actor and no token.
  expect(all.find((e) => e.action === 'USER_CREATE' && e.subject === 'auditor')).toMatchObject({
    actorHandle: null,
    tokenId: null,
  });
});

it('filters by action and subject, and keeps events of an uninstalled installation', async () => {
  expect((await events({ actions: ['INSTALL', 'UNINSTALL'] })).map((e) => e.action).sort()).toEqual([
    'INSTALL',
    'UNINSTALL',
  ]);
  const ofInstallation = await events({ subjectId: installationId });
  expect(ofInstallation.map((e) => e.action).reverse()).toEqual([
    'INSTALL',
    'PERMISSIONS_GRANT',
    'CONFIG_CHANGE',
    'INSTALLATION_DISABLE',
    'UPGRADE',
    'ROLLBACK',
    'UNINSTALL',
  ]);
  expect(new Set(ofInstallation.map((e) => e.subjectId))).toEqual(new Set([installationId]));
});

it('shows users their own events only, and the whole trail to admins only', async () => {
  const own = await server.ok<{ viewer: { auditEvents: { edges: { node: Event }[] } } }, unknown>(OWN, {}, member);
  const handles = new Set(own.viewer.auditEvents.edges.map((e) => e.node.actorHandle));
  expect(handles).toEqual(new Set(['audited-member']));
  expect(own.viewer.auditEvents.edges.length).toBeGreaterThanOrEqual(9);
  for (const token of [member, publisher]) expect(await server.code(ALL, {}, token)).toBe('FORBIDDEN');
  expect(await server.code(ALL, {})).toBe('UNAUTHENTICATED');
});

it('writes no audit row for an action that fails', async () => {
  const before = (await events()).length;
  const failing: [string, string][] = [
    ['mutation { installPlugin(input: { slug: "tagger", config: { tag: 1 } }) { id } }', member],
    ['mutation { yankPluginVersion(slug: "tagger", version: "9.9.9") { id } }', publisher],
    ['mutation { setPluginFeatured(slug: "nope", featured: true) { id } }', admin],
    ['mutation { updatePlugin(input: { slug: "tagger", homepageUrl: "not a url" }) { id } }', publisher],
    ['mutation { createApiToken(input: { name: "late", expiresAt: "2001-01-01T00:00:00Z" }) { token } }', member],
    ['mutation { deprecatePluginVersion(slug: "tagger", version: "1.0.0", reason: "") { id } }', publisher],
  ];
  for (const [query, token] of failing)
    expect(errorCode(await server.gql(query, {}, token)), query).not.toBe('INTERNAL_SERVER_ERROR');
  expect((await events()).length).toBe(before);
});

it('outlives the user it names', async () => {
  const memberId = (await server.ok<{ viewer: { id: string } }, unknown>('{ viewer { id } }', {}, member)).viewer.id;
  const rowId = Number(Buffer.from(memberId, 'base64').toString().split(':')[1]);
  const connection = server.app.platform.db.fork().getConnection();
  await connection.execute(`delete from executions where owner_id = ${rowId}`);
  await connection.execute(`delete from users where id = ${rowId}`);
  const theirs = (await events()).filter((e) => e.actorHandle === 'audited-member');
  expect(theirs.length).toBeGreaterThanOrEqual(9);
  for (const event of theirs) expect(event.actor).toBeNull();
});
