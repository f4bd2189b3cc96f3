import { compileConfigSchema, type ConfigValidator, validateConfigWith } from '../../contracts/index.ts';
import type { Problem } from '../errors.ts';

// Compiled validators per version, bounded: each is a fresh Ajv (see contracts/config-schema.ts).
const MAX_CACHED = 500;
const compiled = new Map<string, ConfigValidator | null>();

function validatorFor(versionKey: string, schema: Record<string, unknown> | null): ConfigValidator | null {
  if (!schema) return null;
  let validate = compiled.get(versionKey);
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
  } else compiled.delete(versionKey);
  compiled.set(versionKey, validate);
  return validate;
}

/**
 * Validates `config` against a version's schema, filling defaults into a copy; the size cap is
 * checked before and after defaults. Validators are compiled once per version key.
 */
export function validateConfig(
  versionKey: string,
  schema: Record<string, unknown> | null,
  config: unknown,
): { config: Record<string, unknown>; problems: Problem[] } {
  return validateConfigWith(validatorFor(versionKey, schema), config);
}
