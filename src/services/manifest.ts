import { Ajv } from 'ajv';
import semver from 'semver';
import { HOOKS, PERMISSIONS, PLATFORM_CAPS, MAX_MEMORY_PAGES } from '../runtime/index.ts';
import { versionProblem } from './canonical-version.ts';
import type { Problem } from './errors.ts';
import { MAX_UNIQUE_ITEMS, unboundedUniqueItems } from './json-schema.ts';
import { SLUG_PATTERN } from './validate.ts';

/** The host API this server implements; a manifest's `hostApi` range must include it. */
export const HOST_API_VERSION = '1.0.0';
const MAX_MEMORY_MIB = (MAX_MEMORY_PAGES * 64) / 1024;
export const MAX_WASM_BYTES = 2 * 1024 * 1024;

export interface Manifest {
  slug: string;
  version: string;
  hostApi: string;
  functions: string[];
  hooks: string[];
  permissions: string[];
  limits: { memoryMiB?: number; timeoutMs?: number; fuel?: number };
  dependencies: Record<string, string>;
  configSchema: Record<string, unknown> | null;
  changelog: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const KNOWN_KEYS = new Set([
  'slug',
  'version',
  'hostApi',
  'functions',
  'hooks',
  'permissions',
  'limits',
  'dependencies',
  'configSchema',
  'changelog',
  'name',
  'summary',
  'description',
  'category',
  'tags',
  'license',
  'examples',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A manifest, as JSON, is at most this big. */
export const MAX_MANIFEST_BYTES = 128 * 1024;

/** Validates a manifest against the plugin contract, returning every problem found. */
export function validateManifest(raw: unknown, ajv: Ajv): { manifest: Manifest | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const add = (field: string, code: string, message: string) =>
    problems.push({ field: `manifest.${field}`, code, message });
  if (!isObject(raw))
    return { manifest: null, problems: [{ field: 'manifest', code: 'TYPE', message: 'must be a JSON object' }] };
  // Bounds the work below (the config schema is compiled on the event loop).
  const size = Buffer.byteLength(JSON.stringify(raw));
  if (size > MAX_MANIFEST_BYTES)
    return {
      manifest: null,
      problems: [
        {
          field: 'manifest',
          code: 'TOO_LARGE',
          message: `is ${size} bytes of JSON; the limit is ${MAX_MANIFEST_BYTES}`,
        },
      ],
    };

  for (const key of Object.keys(raw)) if (!KNOWN_KEYS.has(key)) add(key, 'UNKNOWN_FIELD', 'is not a manifest field');
  const str = (key: string) =>
    typeof raw[key] === 'string' ? (raw[key] as string) : (add(key, 'REQUIRED', 'must be a string'), '');
  const list = (key: string, required: boolean): string[] => {
    const value = raw[key];
    if (value === undefined && !required) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      return (add(key, 'TYPE', 'must be an array of strings'), []);
    if (new Set(value).size !== value.length) add(key, 'DUPLICATE', 'must not repeat entries');
    return value as string[];
  };

  const slug = str('slug');
  if (slug && !SLUG_PATTERN.test(slug)) add('slug', 'PATTERN', 'lower-case letters, digits and inner hyphens');
  const version = str('version');
  const versionIssue = version ? versionProblem(version) : null;
  if (versionIssue) add('version', versionIssue.code, versionIssue.message);
  const hostApi = str('hostApi');
  if (hostApi && !semver.validRange(hostApi)) add('hostApi', 'SEMVER_RANGE', `"${hostApi}" is not a semver range`);
  else if (hostApi && !semver.satisfies(HOST_API_VERSION, hostApi))
    add('hostApi', 'HOST_API', `this platform provides host API ${HOST_API_VERSION}, outside "${hostApi}"`);

  const functions = list('functions', false);
  functions.forEach((f, i) => NAME.test(f) || add(`functions.${i}`, 'PATTERN', `"${f}" is not a valid export name`));
  const hooks = list('hooks', false);
  hooks.forEach(
    (h, i) =>
      (HOOKS as readonly string[]).includes(h) ||
      add(`hooks.${i}`, 'UNKNOWN_HOOK', `"${h}" is not a hook (${HOOKS.join(', ')})`),
  );
  if (functions.length + hooks.length === 0)
    add('functions', 'EMPTY', 'a plugin must declare at least one function or hook');
  const permissions = list('permissions', false);
  permissions.forEach(
    (p, i) =>
      (PERMISSIONS as readonly string[]).includes(p) ||
      add(`permissions.${i}`, 'UNKNOWN_PERMISSION', `"${p}" is not a permission (${PERMISSIONS.join(', ')})`),
  );

  const limits: Manifest['limits'] = {};
  if (raw.limits !== undefined) {
    if (!isObject(raw.limits)) add('limits', 'TYPE', 'must be an object');
    else {
      const caps = { memoryMiB: MAX_MEMORY_MIB, timeoutMs: PLATFORM_CAPS.timeoutMs, fuel: PLATFORM_CAPS.fuel } as const;
      for (const [key, value] of Object.entries(raw.limits)) {
        if (!(key in caps)) add(`limits.${key}`, 'UNKNOWN_FIELD', `is not a limit (${Object.keys(caps).join(', ')})`);
        else if (
          typeof value !== 'number' ||
          !Number.isInteger(value) ||
          value < 1 ||
          value > caps[key as keyof typeof caps]
        ) {
          add(
            `limits.${key}`,
            'LIMIT',
            `must be an integer from 1 to the platform cap ${caps[key as keyof typeof caps]}`,
          );
        } else limits[key as keyof typeof caps] = value;
      }
    }
  }

  const dependencies: Record<string, string> = {};
  if (raw.dependencies !== undefined) {
    if (!isObject(raw.dependencies)) add('dependencies', 'TYPE', 'must map plugin slugs to semver ranges');
    else
      for (const [dep, range] of Object.entries(raw.dependencies)) {
        if (!SLUG_PATTERN.test(dep)) add(`dependencies.${dep}`, 'PATTERN', 'is not a plugin slug');
        else if (typeof range !== 'string' || !semver.validRange(range))
          add(`dependencies.${dep}`, 'SEMVER_RANGE', 'must be a semver range');
        else dependencies[dep] = range;
      }
  }

  let configSchema: Record<string, unknown> | null = null;
  if (raw.configSchema !== undefined && raw.configSchema !== null) {
    if (!isObject(raw.configSchema)) add('configSchema', 'TYPE', 'must be a JSON Schema object');
    else if (!ajv.validateSchema(raw.configSchema))
      add('configSchema', 'JSON_SCHEMA', `is not a valid JSON Schema: ${ajv.errorsText(ajv.errors)}`);
    else {
      const unbounded = unboundedUniqueItems(raw.configSchema);
      if (unbounded.length)
        add(
          'configSchema',
          'JSON_SCHEMA',
          `uniqueItems needs maxItems of at most ${MAX_UNIQUE_ITEMS} (at ${unbounded.join(', ')})`,
        );
      try {
        ajv.compile(raw.configSchema);
        if (!unbounded.length) configSchema = raw.configSchema;
      } catch (err) {
        add('configSchema', 'JSON_SCHEMA', `cannot be compiled: ${(err as Error).message}`);
      }
    }
  }
  const changelog = raw.changelog === undefined ? '' : str('changelog');
  if (changelog.length > 20_000) add('changelog', 'TOO_LONG', 'must be at most 20000 characters');

  if (problems.length) return { manifest: null, problems };
  return {
    manifest: { slug, version, hostApi, functions, hooks, permissions, limits, dependencies, configSchema, changelog },
    problems,
  };
}
