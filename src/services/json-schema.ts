import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Problem } from './errors.ts';

/** One Ajv for manifests' config schemas: every error reported, defaults filled in. */
function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv;
}

/** Shared by manifest checks (schema validity) and config validation. */
export const sharedAjv = createAjv();
const compiled = new Map<string, ValidateFunction>();

/**
 * Validates `config` against a version's schema, filling defaults into a copy. Compiled
 * validators are kept per version key, so a schema is compiled once per process.
 */
export function validateConfig(versionKey: string, schema: Record<string, unknown> | null, config: unknown): { config: Record<string, unknown>; problems: Problem[] } {
  const copy = structuredClone(config ?? {}) as Record<string, unknown>;
  if (typeof copy !== 'object' || copy === null || Array.isArray(copy)) {
    return { config: {}, problems: [{ field: 'config', code: 'TYPE', message: 'must be a JSON object' }] };
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
    problems: (validate.errors ?? []).map((e) => ({ field: `config${e.instancePath.replace(/\//g, '.')}`, code: 'CONFIG_SCHEMA', message: e.message ?? 'is invalid' })),
  };
}
