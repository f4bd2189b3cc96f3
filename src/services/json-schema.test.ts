import { expect, it } from 'vitest';
import { validateManifest } from './manifest.ts';
import { sharedAjv, validateConfig } from './json-schema.ts';

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
  const { problems } = validateManifest(
    {
      slug: 'x',
      version: '1.0.0',
      hostApi: '^1.0.0',
      functions: ['run'],
      configSchema: { type: 'object', properties: { twice: { type: 'string', pattern: '(a)\\1' } } },
    },
    sharedAjv,
  );
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
    sharedAjv,
  );
  expect(unbounded.problems).toEqual([
    expect.objectContaining({ code: 'JSON_SCHEMA', message: expect.stringContaining('at /properties/list') }),
  ]);
  const bounded = validateManifest(
    manifest({ type: 'object', properties: { list: { type: 'array', uniqueItems: true, maxItems: 50 } } }),
    sharedAjv,
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
  expect(validateManifest(manifest, sharedAjv).problems).toEqual([
    expect.objectContaining({ field: 'manifest', code: 'TOO_LARGE' }),
  ]);
});
