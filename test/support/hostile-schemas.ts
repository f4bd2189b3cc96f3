// Config schemas a hostile publisher might send, shared by the contract's unit tests and the e2e test.

export const nest = (depth: number, leaf: unknown = { type: 'string' }): unknown =>
  Array.from({ length: depth }).reduce<unknown>((inner) => ({ type: 'object', properties: { a: inner } }), leaf);
export const chain = (n: number) => ({
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
export const hostile: [string, Record<string, unknown>, string][] = [
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

/** Small as written, but 1000 items that each take a 500-character default pass the config size cap. */
export const growsWithDefaults = {
  type: 'object',
  properties: {
    list: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'object', properties: { pad: { type: 'string', default: 'x'.repeat(500) } } },
    },
  },
};
