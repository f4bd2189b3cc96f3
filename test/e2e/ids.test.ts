import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let owner: string;
let clipId: string;
let userId: string;
const statements: string[] = [];

const b64 = (text: string) => Buffer.from(text).toString('base64');

beforeAll(async () => {
  server = await startTestServer({ onQuery: (sql) => statements.push(sql) });
  owner = await server.user('id-owner');
  const created = await server.ok<{ createClip: { id: string } }, unknown>(
    'mutation { createClip(input: { title: "Ace", mediaUrl: "/a.mp4", durationMs: 1000 }) { id } }',
    undefined,
    owner,
  );
  clipId = created.createClip.id;
  userId = (await server.ok<{ viewer: { id: string } }, unknown>('{ viewer { id } }', undefined, owner)).viewer.id;
});
afterAll(() => server.stop());

/** Malformed IDs of every shape a client could send, and well-formed IDs of the wrong type. */
function malformed(): string[] {
  const ids = ['', 'bogus', '////', '%%%', '====', 'Q2xpcA', '\u0000', 'é', '   ', 'a'.repeat(5000)];
  for (const id of ['abc', '1e3', '-1', '0', '1.5', '0x10', ' 1', '1 ', '01', '99999999999999999999', 'NaN', ''])
    for (const type of ['Clip', 'User', 'Plugin', 'Installation', 'Execution', 'Review', 'PluginVersion', 'SigningKey'])
      ids.push(b64(`${type}:${id}`));
  for (const text of [':1', 'Clip', 'Clip:', '1:Clip', 'Nope:1', 'clip:1', 'Clip:1:2', '9Clip:1', 'Clip\u0000:1'])
    ids.push(b64(text));
  return ids;
}

const FIELDS = [
  ['node', 'query ($id: ID!) { node(id: $id) { id } }'],
  ['clip', 'query ($id: ID!) { clip(id: $id) { id } }'],
  ['execution', 'query ($id: ID!) { execution(id: $id) { id } }'],
  ['installation', 'query ($id: ID!) { installation(id: $id) { id } }'],
  ['executions', 'query ($id: ID!) { executions(filter: { clipId: $id }) { edges { node { id } } } }'],
  ['executePlugin', 'mutation ($id: ID!) { executePlugin(input: { installationId: $id, function: "f" }) { id } }'],
  ['updateClip', 'mutation ($id: ID!) { updateClip(input: { id: $id, title: "x" }) { id } }'],
  ['deleteClip', 'mutation ($id: ID!) { deleteClip(id: $id) { id } }'],
  ['voteReview', 'mutation ($id: ID!) { voteReview(id: $id, helpful: true) { id } }'],
  ['uninstallPlugin', 'mutation ($id: ID!) { uninstallPlugin(id: $id) { id } }'],
  ['revokeSigningKey', 'mutation ($id: ID!) { revokeSigningKey(id: $id) { id } }'],
] as const;

it('answers malformed and wrong-type IDs with BAD_USER_INPUT or null, never a server error or NaN SQL', async () => {
  const wrongType = [userId, b64(`User:${Buffer.from(clipId, 'base64').toString().split(':')[1]}`)];
  const seen = new Map<string, number>();
  const cases = FIELDS.flatMap(([name, query]) =>
    [...malformed(), ...(name === 'node' ? [] : wrongType)].map((id) => [name, query, id] as const),
  );
  // Eight requests at a time: the variants are many, and each is independent of the others.
  const answers = [];
  for (let i = 0; i < cases.length; i += 8)
    answers.push(
      ...(await Promise.all(
        cases.slice(i, i + 8).map(async ([name, query, id]) => ({
          name,
          id,
          result: await server.gql<Record<string, unknown>, { id: string }>(query, { id }, owner),
        })),
      )),
    );
  for (const { name, id, result } of answers) {
    const code = result.errors?.[0]?.extensions?.code ?? (result.data?.[name] === null ? 'null' : 'data');
    seen.set(code, (seen.get(code) ?? 0) + 1);
    expect(['BAD_USER_INPUT', 'NOT_FOUND', 'null'], `${name}(${JSON.stringify(id.slice(0, 40))})`).toContain(code);
    if (code === 'BAD_USER_INPUT') {
      const problems = result.errors?.[0]?.extensions?.problems;
      // Strings no input may carry (NUL, lone surrogates) are refused by the input guard first.
      const expected = /\0|\p{Cs}/u.test(id) ? ['NUL_CHARACTER', 'INVALID_UNICODE'] : ['ID'];
      expect(expected, `${name}(${JSON.stringify(id.slice(0, 40))})`).toContain(problems?.[0]?.code);
    }
  }
  expect(seen.get('BAD_USER_INPUT')).toBeGreaterThan(100);
  expect(statements.filter((sql) => /\bNaN\b/.test(sql))).toEqual([]);
}, 120_000);

it('still resolves well-formed IDs of the right type', async () => {
  const result = await server.ok<{ node: { id: string } | null; clip: { id: string } }, { id: string }>(
    'query ($id: ID!) { node(id: $id) { id } clip(id: $id) { id } }',
    { id: clipId },
    owner,
  );
  expect(result).toEqual({ node: { id: clipId }, clip: { id: clipId } });
});
