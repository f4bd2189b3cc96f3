import { compileConfigSchema, validateConfigWith } from '../../src/contracts/index.ts';

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
}

export type ConfigCheck = (config: Record<string, unknown>) => Record<string, unknown>;

/**
 * What the server does to an installation's config before a plugin sees it, with the server's own
 * code: validate it against the manifest's `configSchema` and fill in defaults. A config the
 * server would refuse throws, so tests cannot rely on states production never has.
 */
export function configChecker(schema: Record<string, unknown> | null | undefined): ConfigCheck {
  const compiled = schema ? compileConfigSchema(schema) : { validate: null, problems: [] };
  if (compiled.problems.length)
    throw new ConfigError(`the server would refuse this configSchema: ${describe(compiled.problems)}`);
  return (config) => {
    const { config: checked, problems } = validateConfigWith(compiled.validate, config);
    if (problems.length) throw new ConfigError(`the server would refuse this config: ${describe(problems)}`);
    return checked;
  };
}

const describe = (problems: { field?: string; message: string }[]) =>
  problems.map((p) => `${p.field} ${p.message}`).join('; ');
