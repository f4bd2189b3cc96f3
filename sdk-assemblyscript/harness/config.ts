import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
}

export type ConfigCheck = (config: Record<string, unknown>) => Record<string, unknown>;

/**
 * What the server does to an installation's config before a plugin sees it: validate it
 * against the manifest's `configSchema` and fill in defaults (same Ajv options as the server).
 * A config the server would refuse throws, so tests cannot rely on states production never has.
 */
export function configChecker(schema: Record<string, unknown> | undefined): ConfigCheck {
  if (!schema) return (config) => structuredClone(config);
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  const validate = ajv.compile(schema);
  return (config) => {
    const copy = structuredClone(config);
    if (validate(copy)) return copy;
    const problems = (validate.errors ?? []).map(
      (e) => `config${e.instancePath.replace(/\//g, '.')} ${e.message ?? 'is invalid'}`,
    );
    throw new ConfigError(`the server would refuse this config: ${problems.join('; ')}`);
  };
}
