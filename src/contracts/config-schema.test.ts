import { expect, it } from 'vitest';
import { validateConfig } from '../services/json-schema.ts';
import { validateManifest } from './manifest.ts';

const schema = { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } } };

it('runs publishers’ patterns in linear time: a catastrophic one answers at once', () => {
  // V8's backtracking engine takes seconds here (2^25 paths) and hours at 40 characters; RE2 is
  // linear. The length stays modest so a regression slows this file instead of hanging the
  // run; the next test is what fails if patterns ever go back to V8.
  const { problems } = validateConfig('redos', schema, { name: `${'a'.repeat(25)}!` });
  expect(problems).toEqual([
    expect.objectContaining({ field: 'config.name', code: 'CONFIG_SCHEMA', message: 'must match pattern "^(a+)+$"' }),
  ]);
  expect(validateConfig('redos', schema, { name: 'aaaa' }).problems).toEqual([]);
});

it('refuses at publish a pattern RE2 cannot run, such as a backreference', () => {
  const { problems } = validateManifest({
    slug: 'x',
    version: '1.0.0',
    hostApi: '^1.0.0',
    functions: ['run'],
    configSchema: { type: 'object', properties: { twice: { type: 'string', pattern: '(a)\\1' } } },
  });
  expect(problems).toEqual([
    expect.objectContaining({
      field: 'manifest.configSchema',
      code: 'JSON_SCHEMA',
      message: expect.stringContaining('cannot be compiled'),
    }),
  ]);
});

it('refuses at publish uniqueItems without a small maxItems, and configs over 64 KiB', () => {
  const manifest = (configSchema: unknown) => ({
    slug: 'x',
    version: '1.0.0',
    hostApi: '^1.0.0',
    functions: ['run'],
    configSchema,
  });
  const unbounded = validateManifest(
    manifest({ type: 'object', properties: { list: { type: 'array', uniqueItems: true, items: { type: 'object' } } } }),
  );
  expect(unbounded.problems).toEqual([
    expect.objectContaining({ code: 'JSON_SCHEMA', field: 'manifest.configSchema.properties.list.uniqueItems' }),
  ]);
  const bounded = validateManifest(
    manifest({ type: 'object', properties: { list: { type: 'array', uniqueItems: true, maxItems: 50 } } }),
  );
  expect(bounded.problems).toEqual([]);

  const big = { notes: 'x'.repeat(70 * 1024) };
  expect(validateConfig('any', null, big).problems).toEqual([
    expect.objectContaining({ field: 'config', code: 'TOO_LARGE' }),
  ]);
});

it('refuses manifests over 128 KiB before compiling anything in them', () => {
  const manifest = {
    slug: 'x',
    version: '1.0.0',
    hostApi: '^1.0.0',
    functions: ['run'],
    changelog: '',
    configSchema: { description: 'x'.repeat(130 * 1024) },
  };
  expect(validateManifest(manifest).problems).toEqual([
    expect.objectContaining({ field: 'manifest', code: 'TOO_LARGE' }),
  ]);
});

const nest = (depth: number, leaf: unknown = { type: 'string' }): unknown =>
  Array.from({ length: depth }).reduce<unknown>((inner) => ({ type: 'object', properties: { a: inner } }), leaf);
const chain = (n: number) => ({
  type: 'object',
  $defs: Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `d${i}`,
      i ? { anyOf: [{ $ref: `#/$defs/d${i - 1}` }, { $ref: `#/$defs/d${i - 1}` }] } : { type: 'number' },
    ]),
  ),
  properties: { x: { $ref: `#/$defs/d${n - 1}` } },
});

/** Schemas a hostile publisher might send, each with the field its problem must name. */
const hostile: [string, Record<string, unknown>, string][] = [
  ['$async at the root', { $async: true, type: 'object' }, 'manifest.configSchema.$async'],
  [
    '$async nested',
    { type: 'object', properties: { a: { $async: true } } },
    'manifest.configSchema.properties.a.$async',
  ],
  ['$ref to the root', { $ref: '#' }, 'manifest.configSchema.$ref'],
  [
    '$ref to a property',
    { properties: { a: { type: 'string' }, b: { $ref: '#/properties/a' } } },
    'manifest.configSchema.properties.b.$ref',
  ],
  [
    '$ref to a URL',
    { properties: { a: { $ref: 'https://example.com/s.json' } } },
    'manifest.configSchema.properties.a.$ref',
  ],
  ['$ref to another $id', { properties: { a: { $ref: 'other#/$defs/x' } } }, 'manifest.configSchema.properties.a.$ref'],
  [
    '$ref to a missing definition',
    { properties: { a: { $ref: '#/$defs/nope' } } },
    'manifest.configSchema.properties.a.$ref',
  ],
  ['$ref not a string', { properties: { a: { $ref: 7 } } }, 'manifest.configSchema.properties.a.$ref'],
  [
    'self-recursive definition',
    { $defs: { a: { properties: { x: { $ref: '#/$defs/a' } } } }, properties: { r: { $ref: '#/$defs/a' } } },
    'manifest.configSchema',
  ],
  [
    'mutually recursive definitions',
    {
      definitions: { a: { $ref: '#/definitions/b' }, b: { items: { $ref: '#/definitions/a' } } },
      properties: { r: { $ref: '#/definitions/a' } },
    },
    'manifest.configSchema',
  ],
  ['$schema not a string', { $schema: 42 }, 'manifest.configSchema.$schema'],
  ['$schema unknown', { $schema: 'https://example.com/my-draft' }, 'manifest.configSchema.$schema'],
  [
    '$schema nested',
    { properties: { a: { $schema: 'http://json-schema.org/draft-07/schema#' } } },
    'manifest.configSchema.properties.a.$schema',
  ],
  ['$id', { $id: 'https://example.com/shared', type: 'object' }, 'manifest.configSchema.$id'],
  ['$id nested', { properties: { a: { $id: 'x' } } }, 'manifest.configSchema.properties.a.$id'],
  [
    '$dynamicRef',
    { $schema: 'https://json-schema.org/draft/2020-12/schema', properties: { a: { $dynamicRef: '#x' } } },
    'manifest.configSchema.properties.a.$dynamicRef',
  ],
  ['$recursiveRef', { properties: { a: { $recursiveRef: '#' } } }, 'manifest.configSchema.properties.a.$recursiveRef'],
  ['an unknown keyword', { properties: { a: { frobnicate: true } } }, 'manifest.configSchema.properties.a.frobnicate'],
  [
    'an unknown format',
    { properties: { a: { type: 'string', format: 'credit-card' } } },
    'manifest.configSchema.properties.a.format',
  ],
  ['a non-string format', { properties: { a: { format: ['date'] } } }, 'manifest.configSchema.properties.a.format'],
  ['a deep nesting', nest(20) as Record<string, unknown>, 'manifest.configSchema.properties.a.properties.a'],
  ['an exponential $ref expansion', chain(30), 'manifest.configSchema'],
  ['a root that is not an object', { type: 'string' }, 'manifest.configSchema'],
  ['a schema where a schema belongs', { properties: { a: 'string' } }, 'manifest.configSchema.properties.a'],
  [
    'uniqueItems unbounded',
    { properties: { a: { type: 'array', uniqueItems: true } } },
    'manifest.configSchema.properties.a.uniqueItems',
  ],
  ['a backreference', { properties: { a: { type: 'string', pattern: '(a)\\1' } } }, 'manifest.configSchema'],
  ['a meta-schema violation', { properties: { a: { minLength: -1 } } }, 'manifest.configSchema'],
];

it.each(hostile)('refuses at publish a config schema with %s, naming where', (_name, configSchema, field) => {
  const { manifest, problems } = validateManifest({ ...base, configSchema });
  expect(manifest).toBeNull();
  expect(problems.length).toBeGreaterThan(0);
  // Named exactly, or (for nesting) somewhere under the path given.
  expect(problems.some((p) => p.field === field || p.field?.startsWith(`${field}.`))).toBe(true);
});

const base = { slug: 'x', version: '1.0.0', hostApi: '^1.0.0', functions: ['run'] };

it('refuses a manifest nested thousands deep without overflowing the stack', () => {
  for (const depth of [70, 5_000, 50_000]) {
    const { problems } = validateManifest({ ...base, configSchema: nest(depth) });
    expect(problems).toEqual([expect.objectContaining({ field: 'manifest', code: 'TOO_DEEP' })]);
    const deepConfig = nest(depth, 1);
    expect(validateConfig('deep', null, deepConfig).problems).toEqual([
      expect.objectContaining({ field: 'config', code: 'TOO_DEEP' }),
    ]);
  }
});

it('accepts the drafts and refs it can check, and validates synchronously with them', () => {
  const schemas = [
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      definitions: { n: { type: 'number' } },
      properties: { a: { $ref: '#/definitions/n' } },
    },
    {
      $schema: 'https://json-schema.org/draft/2019-09/schema',
      type: 'object',
      $defs: { n: { type: 'number' } },
      properties: { a: { $ref: '#/$defs/n' } },
    },
    {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { n: { type: 'number' } },
      properties: { a: { $ref: '#/$defs/n' } },
    },
    chain(8),
  ];
  for (const [i, configSchema] of schemas.entries()) {
    const { manifest, problems } = validateManifest({ ...base, configSchema });
    expect(problems).toEqual([]);
    const schema = manifest!.configSchema!;
    const key = i === 3 ? 'x' : 'a';
    expect(validateConfig(`draft-${i}`, schema, { [key]: 1 }).problems).toEqual([]);
    const bad = validateConfig(`draft-${i}`, schema, { [key]: 'one' });
    expect(bad.problems.length).toBeGreaterThan(0);
    expect(bad.problems.every((p) => p.code === 'CONFIG_SCHEMA' && p.field === `config.${key}`)).toBe(true);
  }
});

it('keeps schemas apart: one schema’s definitions never resolve in another’s', () => {
  const a = { type: 'object', $defs: { v: { type: 'number' } }, properties: { v: { $ref: '#/$defs/v' } } };
  const b = { type: 'object', $defs: { v: { type: 'string' } }, properties: { v: { $ref: '#/$defs/v' } } };
  expect(validateConfig('iso-a', a, { v: 1 }).problems).toEqual([]);
  expect(validateConfig('iso-b', b, { v: 'one' }).problems).toEqual([]);
  expect(validateConfig('iso-b', b, { v: 1 }).problems).toHaveLength(1);
});

it('re-checks the size cap after defaults are filled in', () => {
  const schema = {
    type: 'object',
    properties: {
      list: {
        type: 'array',
        maxItems: 1000,
        items: { type: 'object', properties: { pad: { type: 'string', default: 'x'.repeat(500) } } },
      },
    },
  };
  expect(validateManifest({ ...base, configSchema: schema }).problems).toEqual([]);
  const small = { list: Array.from({ length: 10 }, () => ({})) };
  expect(validateConfig('grow', schema, small).problems).toEqual([]);
  const grows = { list: Array.from({ length: 1000 }, () => ({})) };
  expect(validateConfig('grow', schema, grows).problems).toEqual([
    expect.objectContaining({
      field: 'config',
      code: 'TOO_LARGE',
      message: expect.stringContaining('with defaults applied'),
    }),
  ]);
});
