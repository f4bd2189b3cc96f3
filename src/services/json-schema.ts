import { Ajv, type ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import addFormats from 'ajv-formats';
import { RE2JS } from 're2js';
import type { Problem } from './errors.ts';

/**
 * Config schemas come from publishers, and config validation runs on the API's event loop. Their
 * `pattern`s therefore run in RE2 (linear time), never in V8's backtracking engine, where
 * `^(a+)+$` against forty characters would stall the server for hours. RE2 has no backreferences
 * or lookarounds; a schema that uses them is refused at publish ("cannot be compiled").
 */
const linearRegExp: RegExpEngine = Object.assign((pattern: string) => RE2JS.compile(pattern), {
  code: 'require("re2js").RE2JS.compile',
});

/** One Ajv for manifests' config schemas: every error reported, defaults filled in. */
function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, code: { regExp: linearRegExp } });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv;
}

/** An installation's config, as JSON, is at most this big: it travels with every call. */
export const MAX_CONFIG_BYTES = 64 * 1024;
/** `uniqueItems` compares items pairwise: a config schema must bound such arrays this tightly. */
export const MAX_UNIQUE_ITEMS = 1000;

/**
 * Where a schema asks for `uniqueItems` without `maxItems` ≤ MAX_UNIQUE_ITEMS (JSON pointers).
 * Ajv checks unique objects pairwise, so an unbounded list is quadratic: 20,000 items of a
 * 230 KB config took 10 s of the event loop.
 */
export function unboundedUniqueItems(schema: unknown, at = ''): string[] {
  if (Array.isArray(schema)) return schema.flatMap((item, i) => unboundedUniqueItems(item, `${at}/${i}`));
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const here =
    node.uniqueItems === true && !(typeof node.maxItems === 'number' && node.maxItems <= MAX_UNIQUE_ITEMS)
      ? [at || '/']
      : [];
  return [...here, ...Object.entries(node).flatMap(([key, value]) => unboundedUniqueItems(value, `${at}/${key}`))];
}

/** Shared by manifest checks (schema validity) and config validation. */
export const sharedAjv = createAjv();
const compiled = new Map<string, ValidateFunction>();

/**
 * Validates `config` against a version's schema, filling defaults into a copy. Compiled
 * validators are kept per version key, so a schema is compiled once per process.
 */
export function validateConfig(
  versionKey: string,
  schema: Record<string, unknown> | null,
  config: unknown,
): { config: Record<string, unknown>; problems: Problem[] } {
  const copy = structuredClone(config ?? {}) as Record<string, unknown>;
  if (typeof copy !== 'object' || copy === null || Array.isArray(copy)) {
    return { config: {}, problems: [{ field: 'config', code: 'TYPE', message: 'must be a JSON object' }] };
  }
  const size = Buffer.byteLength(JSON.stringify(copy));
  if (size > MAX_CONFIG_BYTES) {
    return {
      config: copy,
      problems: [
        { field: 'config', code: 'TOO_LARGE', message: `is ${size} bytes of JSON; the limit is ${MAX_CONFIG_BYTES}` },
      ],
    };
  }
  if (!schema) return { config: copy, problems: [] };
  let validate = compiled.get(versionKey);
  if (!validate) {
    validate = sharedAjv.compile(schema);
    compiled.set(versionKey, validate);
  }
  if (validate(copy)) return { config: copy, problems: [] };
  return {
    config: copy,
    problems: (validate.errors ?? []).map((e) => ({
      field: `config${e.instancePath.replace(/\//g, '.')}`,
      code: 'CONFIG_SCHEMA',
      message: e.message ?? 'is invalid',
    })),
  };
}
