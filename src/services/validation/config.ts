import { createHash } from 'node:crypto';
import { compileConfigSchema, type ConfigValidator, validateConfigWith } from '../../contracts/index.ts';
import type { Problem } from '../errors.ts';

// Compiled validators, bounded (each is a fresh Ajv: see contracts/config-schema.ts). Keyed by the
// schema's own content, not by a version id: ids are per database, and several servers (tests,
// benches, an operator's tools) can share one process with different databases behind them.
const MAX_CACHED = 500;
const compiled = new Map<string, ConfigValidator | null>();

function contentKey(schema: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('base64');
}

function validatorFor(schema: Record<string, unknown> | null): ConfigValidator | null {
  if (!schema) return null;
  const key = contentKey(schema);
  let validate = compiled.get(key);
  if (validate === undefined) {
    // Publish refused any schema with problems; one stored before those checks existed refuses every config.
    const result = compileConfigSchema(schema);
    validate =
      result.validate ??
      (() => ({
        config: {},
        problems: result.problems.map((p) => ({ ...p, code: 'CONFIG_SCHEMA_INVALID', field: `version.${p.field}` })),
      }));
    if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
  } else compiled.delete(key);
  compiled.set(key, validate);
  return validate;
}

/**
 * Validates `config` against a version's schema, filling defaults into a copy; the size cap is
 * checked before and after defaults. Validators are compiled once per distinct schema.
 */
export function validateConfig(
  schema: Record<string, unknown> | null,
  config: unknown,
): { config: Record<string, unknown>; problems: Problem[] } {
  return validateConfigWith(validatorFor(schema), config);
}
