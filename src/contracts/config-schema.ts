import { Ajv, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import addFormats from 'ajv-formats';
import { RE2JS } from 're2js';
import { nestsDeeperThan, type Problem } from './problem.ts';
import { checkSchemaRules, type SchemaDraft } from './schema-rules.ts';

/** An installation's config, as JSON, is at most this big (defaults included): it travels with every call. */
export const MAX_CONFIG_BYTES = 64 * 1024;
/** How deep a config may nest. */
export const MAX_CONFIG_DEPTH = 32;

/**
 * `pattern`s run in RE2 (linear time), never in V8's backtracking engine, where `^(a+)+$` against
 * forty characters would stall the server for hours. RE2 has no backreferences or lookarounds; a
 * schema that uses them is refused at publish ("cannot be compiled").
 */
const linearRegExp: RegExpEngine = Object.assign((pattern: string) => RE2JS.compile(pattern), {
  code: 'require("re2js").RE2JS.compile',
});

const AJV_CLASSES = { 'draft-07': Ajv, '2019-09': Ajv2019, '2020-12': Ajv2020 } as const;

/**
 * A fresh Ajv per schema: nothing a publisher's schema registers (an `$id`, a format, a keyword)
 * is visible to another schema, and a refused schema leaves nothing behind. Refs are not inlined
 * so compiled code grows with the schema, not with its ref expansion.
 */
function isolatedAjv(draft: SchemaDraft): Ajv {
  const options: Options = {
    allErrors: true,
    useDefaults: true,
    strict: false,
    inlineRefs: false,
    addUsedSchema: false,
    code: { regExp: linearRegExp },
  };
  const ajv = new AJV_CLASSES[draft](options) as Ajv;
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv;
}

export type ConfigValidator = (config: unknown) => { config: Record<string, unknown>; problems: Problem[] };

/**
 * Checks a publisher's config schema and compiles it in isolation. Every problem is returned with
 * the path of what caused it under `field`; `validate` is null when there is any.
 */
export function compileConfigSchema(
  schema: Record<string, unknown>,
  field = 'configSchema',
): { validate: ConfigValidator | null; problems: Problem[] } {
  const rules = checkSchemaRules(schema, field);
  if (rules.problems.length) return { validate: null, problems: rules.problems };
  const problem = (message: string) => ({ validate: null, problems: [{ field, code: 'JSON_SCHEMA', message }] });
  if (schema.type !== undefined && schema.type !== 'object')
    return problem('must describe an object ("type": "object"): a config is a JSON object');
  const ajv = isolatedAjv(rules.draft);
  if (!ajv.validateSchema(schema)) return problem(`is not a valid JSON Schema: ${ajv.errorsText(ajv.errors)}`);
  let compiled: ValidateFunction;
  try {
    compiled = ajv.compile(schema);
  } catch (err) {
    return problem(`cannot be compiled: ${(err as Error).message}`);
  }
  // An `$async` schema's validator returns a promise; the rules refuse the keyword, this is the backstop.
  if ((compiled as { $async?: boolean }).$async) return problem('must not be asynchronous ($async)');
  return { validate: (config) => runValidator(compiled, config), problems: [] };
}

/** Checks a config's shape and size, then the schema with defaults filled into a copy. */
export function validateConfigWith(validate: ConfigValidator | null, config: unknown): ReturnType<ConfigValidator> {
  const raw = config ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    return { config: {}, problems: [{ field: 'config', code: 'TYPE', message: 'must be a JSON object' }] };
  if (nestsDeeperThan(raw, MAX_CONFIG_DEPTH))
    return {
      config: {},
      problems: [{ field: 'config', code: 'TOO_DEEP', message: `must nest at most ${MAX_CONFIG_DEPTH} levels` }],
    };
  const tooLarge = sizeProblem(raw);
  if (tooLarge) return { config: {}, problems: [tooLarge] };
  if (!validate) return { config: structuredClone(raw) as Record<string, unknown>, problems: [] };
  return validate(raw);
}

function runValidator(compiled: ValidateFunction, config: unknown): ReturnType<ConfigValidator> {
  const copy = structuredClone(config) as Record<string, unknown>;
  if (compiled(copy) !== true)
    return {
      config: copy,
      problems: (compiled.errors ?? []).map((e) => ({
        field: `config${e.instancePath.replace(/\//g, '.')}`,
        code: 'CONFIG_SCHEMA',
        message: e.message ?? 'is invalid',
      })),
    };
  // Defaults can grow a config (an array of objects each given a large default).
  const tooLarge = sizeProblem(copy, ' with defaults applied');
  return { config: copy, problems: tooLarge ? [tooLarge] : [] };
}

function sizeProblem(config: object, note = ''): Problem | null {
  const size = Buffer.byteLength(JSON.stringify(config));
  if (size <= MAX_CONFIG_BYTES) return null;
  return {
    field: 'config',
    code: 'TOO_LARGE',
    message: `is ${size} bytes of JSON${note}; the limit is ${MAX_CONFIG_BYTES}`,
  };
}
