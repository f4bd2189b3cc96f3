import { expect, it } from 'vitest';
import { validateConfig } from '../services/validation/config.ts';
import { chain, growsWithDefaults, hostile, nest } from '../../test/support/hostile-schemas.ts';
import { validateManifest } from './manifest.ts';

const schema = { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } } };

it('runs publishers’ patterns in linear time: a catastrophic one answers at once', () => {
  // V8's backtracking engine takes seconds here (2^25 paths) and hours at 40 characters; RE2 is
  // linear. The length stays modest so a regression slows this file instead of hanging the
  // run; the next test is what fails if patterns ever go back to V8.
  const { problems } = validateConfig(schema, { name: `${'a'.repeat(25)}!` });
  expect(problems).toEqual([
    expect.objectContaining({ field: 'config.name', code: 'CONFIG_SCHEMA', message: 'must match pattern "^(a+)+$"' }),
  ]);
  expect(validateConfig(schema, { name: 'aaaa' }).problems).toEqual([]);
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
  expect(validateConfig(null, big).problems).toEqual([expect.objectContaining({ field: 'config', code: 'TOO_LARGE' })]);
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
    expect(validateConfig(null, deepConfig).problems).toEqual([
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
    expect(validateConfig(schema, { [key]: 1 }).problems).toEqual([]);
    const bad = validateConfig(schema, { [key]: 'one' });
    expect(bad.problems.length).toBeGreaterThan(0);
    expect(bad.problems.every((p) => p.code === 'CONFIG_SCHEMA' && p.field === `config.${key}`)).toBe(true);
  }
});

it('keeps schemas apart: one schema’s definitions never resolve in another’s', () => {
  const a = { type: 'object', $defs: { v: { type: 'number' } }, properties: { v: { $ref: '#/$defs/v' } } };
  const b = { type: 'object', $defs: { v: { type: 'string' } }, properties: { v: { $ref: '#/$defs/v' } } };
  expect(validateConfig(a, { v: 1 }).problems).toEqual([]);
  expect(validateConfig(b, { v: 'one' }).problems).toEqual([]);
  expect(validateConfig(b, { v: 1 }).problems).toHaveLength(1);
});

it('re-checks the size cap after defaults are filled in', () => {
  const schema = growsWithDefaults;
  expect(validateManifest({ ...base, configSchema: schema }).problems).toEqual([]);
  const small = { list: Array.from({ length: 10 }, () => ({})) };
  expect(validateConfig(schema, small).problems).toEqual([]);
  const grows = { list: Array.from({ length: 1000 }, () => ({})) };
  expect(validateConfig(schema, grows).problems).toEqual([
    expect.objectContaining({
      field: 'config',
      code: 'TOO_LARGE',
      message: expect.stringContaining('with defaults applied'),
    }),
  ]);
});
