import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LIST_ITEMS, MAX_STRING_LENGTH } from '../../src/server/limits/use-input-guard.ts';
import { startTestServer, type TestServer, expectCode } from '../support/server.ts';

let server: TestServer;
let token: string;
let schema: GraphQLSchema;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.user('fuzzer', 'ADMIN');
  const { data } = await server.gql<IntrospectionQuery, unknown>(getIntrospectionQuery(), {});
  schema = buildClientSchema(data!);
});
afterAll(() => server.stop());

/** A value that must be refused, the raw JSON text to send it as (for what JSON.stringify cannot say), and the problem code. */
interface Hostile {
  name: string;
  value?: unknown;
  raw?: string;
  code: string;
}

const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
const STRINGS: Hostile[] = [
  { name: 'NUL', value: 'a\u0000b', code: 'NUL_CHARACTER' },
  { name: 'NUL only', value: '\u0000', code: 'NUL_CHARACTER' },
  { name: 'lone high surrogate', value: 'x\ud800', code: 'INVALID_UNICODE' },
  { name: 'lone low surrogate', value: '\udc00y', code: 'INVALID_UNICODE' },
  { name: 'swapped pair', value: '\ude00\ud83d', code: 'INVALID_UNICODE' },
  { name: 'too long', value: 'x'.repeat(MAX_STRING_LENGTH + 1), code: 'TOO_LONG' },
];
const NUMBERS: Hostile[] = [
  { name: '1e999', raw: '1e999', code: 'NOT_FINITE' },
  { name: '-1e999', raw: '-1e999', code: 'NOT_FINITE' },
];
const JSONS: Hostile[] = [
  ...STRINGS.slice(0, 5).map((h) => ({ ...h, name: `JSON string, ${h.name}`, value: { a: [h.value] } })),
  { name: 'JSON key with NUL', value: { 'k\u0000': 1 }, code: 'NUL_CHARACTER' },
  { name: 'JSON key with lone surrogate', value: { '\ud800': 1 }, code: 'INVALID_UNICODE' },
  { name: 'JSON 1e999', raw: '{"a":[1,1e999]}', code: 'NOT_FINITE' },
  { name: 'JSON -1e999', raw: '{"a":{"b":-1e999}}', code: 'NOT_FINITE' },
];

/** Every leaf an argument reaches, with the path a problem names (`input.title`, `tags`). */
function leaves(arg: GraphQLArgument): { path: string[]; type: GraphQLInputType }[] {
  const out: { path: string[]; type: GraphQLInputType }[] = [];
  const walk = (type: GraphQLInputType, path: string[], depth: number) => {
    const t = isNonNullType(type) ? type.ofType : type;
    out.push({ path, type: t });
    if (isInputObjectType(t) && depth < 3)
      for (const f of Object.values(t.getFields())) walk(f.type, [...path, f.name], depth + 1);
  };
  walk(arg.type, [arg.name], 0);
  return out.filter((l) => !isInputObjectType(l.type));
}

/** Something type-correct for a required argument that is not the one under test. */
function filler(type: GraphQLInputType): unknown {
  const t = isNonNullType(type) ? type.ofType : type;
  if (isListType(t)) return [filler(t.ofType)];
  if (isEnumType(t)) return t.getValues()[0].value;
  if (isInputObjectType(t)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(t.getFields())) if (isNonNullType(f.type)) out[f.name] = filler(f.type);
    return out;
  }
  const name = getNamedType(t).name;
  return { Int: 1, Float: 1, Boolean: false, JSON: {}, JSONObject: {} }[name] ?? 'x';
}

function hostilesFor(type: GraphQLInputType): Hostile[] {
  if (isListType(type)) {
    const item = isNonNullType(type.ofType) ? type.ofType.ofType : type.ofType;
    const many = (n: number) => Array.from({ length: n }, () => filler(item));
    return [
      { name: `${MAX_LIST_ITEMS + 1} items`, value: many(MAX_LIST_ITEMS + 1), code: 'TOO_MANY' },
      { name: '5,000 items', value: many(5000), code: 'TOO_MANY' },
      ...(isScalarType(item) && ['String', 'ID'].includes(item.name)
        ? STRINGS.slice(0, 3).map((h) => ({ ...h, name: `item ${h.name}`, value: ['ok', h.value] }))
        : []),
    ];
  }
  const name = getNamedType(type).name;
  if (name === 'String' || name === 'ID') return STRINGS;
  if (name === 'Int' || name === 'Float') return NUMBERS;
  if (name === 'JSON' || name === 'JSONObject') return JSONS;
  return [];
}

interface Case {
  label: string;
  query: string;
  body: string;
  field: string;
  code: string;
}

/** One request per (root field, argument leaf, hostile value), generated from the live schema. */
function cases(): Case[] {
  const out: Case[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    const op = root === schema.getQueryType() ? 'query' : 'mutation';
    for (const field of Object.values(root.getFields()) as GraphQLField<unknown, unknown>[]) {
      if (field.args.some((a) => getNamedType(a.type).name === 'File')) continue;
      const selection =
        isObjectType(getNamedType(field.type)) || !isScalarType(getNamedType(field.type)) ? '{ __typename }' : '';
      const vars = field.args.map((a) => `$${a.name}: ${a.type}`).join(', ');
      const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const query = `${op} F${vars ? `(${vars})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selection} }`;
      for (const arg of field.args) {
        for (const leaf of leaves(arg)) {
          for (const h of hostilesFor(leaf.type)) {
            const variables: Record<string, unknown> = {};
            for (const a of field.args) if (isNonNullType(a.type) || a === arg) variables[a.name] = filler(a.type);
            let target = variables as Record<string, unknown>;
            let type: GraphQLInputType = arg.type;
            // An optional input object on the way (such as a publish's signature) gets its required fields.
            for (const [i, key] of leaf.path.slice(0, -1).entries()) {
              if (i > 0)
                type = ((isNonNullType(type) ? type.ofType : type) as GraphQLInputObjectType).getFields()[key].type;
              target[key] ??= filler(type);
              target = target[key] as Record<string, unknown>;
            }
            target[leaf.path.at(-1)!] = h.raw === undefined ? h.value : '__RAW__';
            const body = JSON.stringify({ query, variables }).replace('"__RAW__"', h.raw ?? '');
            out.push({
              label: `${field.name} ${leaf.path.join('.')} ${h.name}`,
              query,
              body,
              field: leaf.path.join('.'),
              code: h.code,
            });
          }
        }
      }
    }
  }
  return out;
}

async function post(body: string) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  return {
    status: response.status,
    json: (await response.json()) as {
      data?: unknown;
      errors?: { extensions?: { code?: string; problems?: { field: string; code: string }[] } }[];
    },
  };
}

describe('every argument of every query and mutation', () => {
  it('refuses NUL, lone surrogates, overlong strings, non-finite numbers and long lists with BAD_USER_INPUT naming the field', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThan(300);
    const wrong: string[] = [];
    for (const c of all) {
      const { status, json } = await post(c.body);
      const error = json.errors?.[0];
      const ok =
        status < 500 &&
        error?.extensions?.code === 'BAD_USER_INPUT' &&
        (error.extensions.problems ?? []).some(
          (p: { field: string; code: string }) => p.field.startsWith(c.field) && p.code === c.code,
        );
      if (!ok) wrong.push(`${c.label}: ${status} ${JSON.stringify(json).slice(0, 300)}`);
    }
    expect(wrong).toEqual([]);
  }, 300_000);
});

describe('literals and documents', () => {
  it('checks literal arguments the same way as variables', async () => {
    for (const [doc, field, code] of [
      ['{ plugin(slug: "a\\u0000b") { id } }', 'slug', 'NUL_CHARACTER'],
      ['{ plugins(query: "\\u0000") { edges { cursor } } }', 'query', 'NUL_CHARACTER'],
      [`{ plugins(tags: [${'"a",'.repeat(MAX_LIST_ITEMS + 1)}]) { edges { cursor } } }`, 'tags', 'TOO_MANY'],
      [
        'mutation { createClip(input: { title: "t", mediaUrl: "/m.mp4", durationMs: 1, metadata: { a: 1e999 } }) { id } }',
        'input.metadata.a',
        'NOT_FINITE',
      ],
      [
        'mutation { createClip(input: { title: "t", mediaUrl: "/m.mp4", durationMs: 1, metadata: { b: [-1e999] } }) { id } }',
        'input.metadata.b.0',
        'NOT_FINITE',
      ],
      [
        'mutation { createClip(input: { title: "\\u0000", mediaUrl: "x", durationMs: 1 }) { id } }',
        'input.title',
        'NUL_CHARACTER',
      ],
    ] as const) {
      const { status, json } = await post(JSON.stringify({ query: doc }));
      expect(status, doc).toBeLessThan(500);
      expectCode(json, 'BAD_USER_INPUT', doc);
      expect(json.errors?.[0]?.extensions?.problems, doc).toContainEqual(expect.objectContaining({ field, code }));
    }
  });

  it('refuses deeply nested literals, variables and selections without a stack overflow', async () => {
    for (const n of [200, 2_000, 4_900]) {
      for (const body of [
        JSON.stringify({ query: `{ plugins(tags: ${deep(n)}) { edges { cursor } } }` }),
        JSON.stringify({ query: `{ ${'viewer { '.repeat(n)}${'}'.repeat(n)} }` }),
        `{"query":"mutation ($m: JSONObject) { createClip(input: { title: \\"t\\", mediaUrl: \\"/m.mp4\\", durationMs: 1, metadata: $m }) { id } }","variables":{"m":{"a":${deep(n * 20)}}}}`,
      ]) {
        const { status, json } = await post(body);
        expect(status).toBeLessThan(500);
        expect(JSON.stringify(json)).not.toContain('INTERNAL_SERVER_ERROR');
        expect(json.errors?.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('what is accepted is stored exactly', () => {
  it('reads back unusual but valid strings and numbers as they were sent', async () => {
    const samples = [
      '😀 𝄞 中文',
      'e\u0301',
      '\u202eRTL',
      'line\r\nbreak\u2028',
      '\u0001\u001f\u007f',
      '\uffff\ue000',
      '"\\',
    ];
    for (const [i, text] of samples.entries()) {
      const metadata = { text, [text]: [5e-324, 1.7976931348623157e308, -0.5, 2 ** 53], nested: { list: [text] } };
      const created = await server.ok<
        { createClip: { id: string; title: string; description: string; metadata: unknown } },
        unknown
      >(
        'mutation ($input: CreateClipInput!) { createClip(input: $input) { id title description metadata } }',
        { input: { title: `t${i} ${text}`, description: text, mediaUrl: '/m.mp4', durationMs: 1, metadata } },
        token,
      );
      const read = await server.ok<{ clip: unknown }, unknown>(
        'query ($id: ID!) { clip(id: $id) { id title description metadata } }',
        { id: created.createClip.id },
        token,
      );
      expect(read.clip).toEqual(created.createClip);
      expect(created.createClip).toMatchObject({ title: `t${i} ${text}`, description: text });
      expect((created.createClip.metadata as Record<string, unknown>)[text]).toEqual(metadata[text]);
    }
  });
});

describe('links', () => {
  it('refuses media URLs that a browser could read as another host, with the field named', async () => {
    for (const mediaUrl of [
      '//evil.example/x.mp4',
      '/\\evil.example/x',
      'https:evil.example/x',
      'https://a@evil.example/',
    ]) {
      const { json } = await post(
        JSON.stringify({
          query: 'mutation ($input: CreateClipInput!) { createClip(input: $input) { id } }',
          variables: { input: { title: 't', mediaUrl, durationMs: 1 } },
        }),
      );
      expectCode(json, 'BAD_USER_INPUT', mediaUrl);
      expect(json.errors?.[0]?.extensions?.problems, mediaUrl).toContainEqual(
        expect.objectContaining({ field: 'mediaUrl', code: 'URL' }),
      );
    }
  });
});
