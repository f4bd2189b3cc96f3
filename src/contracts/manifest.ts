import semver from 'semver';
import {
  HOOKS,
  HTTP_PERMISSION_PREFIX,
  hostPatternProblem,
  isPermission,
  MAX_MEMORY_PAGES,
  PERMISSIONS,
  PLATFORM_CAPS,
} from '../runtime/index.ts';

/** `http:<host pattern>` permissions one manifest may declare. */
const MAX_HTTP_PERMISSIONS = 16;
import { compileConfigSchema } from './config-schema.ts';
import { versionProblem } from './canonical-version.ts';
import { checkListing, type ManifestListing } from './listing.ts';
import { nestsDeeperThan, type Problem } from './problem.ts';
import { checkManifestSchedule, type ScheduleSpec } from './schedule.ts';

/** The host API this server implements; a manifest's `hostApi` range must include it. */
export const HOST_API_VERSION = '1.0.0';
/** A manifest, as JSON, is at most this big. */
export const MAX_MANIFEST_BYTES = 128 * 1024;
/** How deep a manifest may nest (its config schema included). */
export const MAX_MANIFEST_DEPTH = 64;
export const MAX_WASM_BYTES = 2 * 1024 * 1024;
const MAX_MEMORY_MIB = (MAX_MEMORY_PAGES * 64) / 1024;
const MAX_FUNCTIONS = 64;
const MAX_DEPENDENCIES = 32;
const MAX_CHANGELOG = 20_000;

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** DESIGN.md's plugin contract, as validated: what publish stores and the harness runs. */
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
  /** The default schedule an installer accepts, edits or declines (needs the `schedule` hook). */
  schedule?: ScheduleSpec;
}

/** A plugin.json: the contract plus the listing fields kept next to it. */
export type PluginJson = Manifest & ManifestListing;

/** The contract's fields, in the order a manifest is written. */
export const CONTRACT_FIELDS = [
  ...['slug', 'version', 'hostApi', 'functions', 'hooks', 'permissions', 'limits', 'dependencies', 'configSchema'],
  'changelog',
  'schedule',
] as const;
export const LISTING_FIELDS = ['name', 'summary', 'description', 'category', 'tags', 'license', 'examples'] as const;
const KNOWN = new Set<string>([...CONTRACT_FIELDS, ...LISTING_FIELDS]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const NOTHING_DECLARED: Declared = { functions: [], hooks: [], permissions: [], dependencies: {} };
const refuse = (code: string, message: string): ManifestCheck => ({
  manifest: null,
  declared: NOTHING_DECLARED,
  problems: [{ field: 'manifest', code, message }],
});

/** The well-formed entries of a manifest's exports, permissions and dependencies, even when other fields fail. */
export interface Declared {
  functions: string[];
  hooks: string[];
  permissions: string[];
  dependencies: Record<string, string>;
}

export interface ManifestCheck {
  manifest: PluginJson | null;
  /** What the manifest declares that is usable for further checks (the module's exports and imports, dependencies), so a report stays complete. */
  declared: Declared;
  problems: Problem[];
}

/**
 * Validates a manifest against the plugin contract, returning every problem found (fields are
 * `manifest.<path>`). The server's publish, `plugin publish` and the harness all call this.
 */
const TOO_LONG_VERSION = { code: 'SEMVER', message: 'a version is at most 64 characters' };

export function validateManifest(raw: unknown): ManifestCheck {
  if (!isObject(raw)) return refuse('TYPE', 'must be a JSON object');
  if (nestsDeeperThan(raw, MAX_MANIFEST_DEPTH))
    return refuse('TOO_DEEP', `must nest at most ${MAX_MANIFEST_DEPTH} levels`);
  // Bounds the work below (the config schema is checked and compiled on the event loop).
  const size = Buffer.byteLength(JSON.stringify(raw));
  if (size > MAX_MANIFEST_BYTES)
    return refuse('TOO_LARGE', `is ${size} bytes of JSON; the limit is ${MAX_MANIFEST_BYTES}`);

  const problems: Problem[] = [];
  const add = (field: string, code: string, message: string) =>
    problems.push({ field: `manifest.${field}`, code, message });
  for (const key of Object.keys(raw)) if (!KNOWN.has(key)) add(key, 'UNKNOWN_FIELD', 'is not a manifest field');
  const str = (key: string): string => {
    if (typeof raw[key] === 'string') return raw[key];
    add(key, 'REQUIRED', 'must be a string');
    return '';
  };
  const list = (key: string, max: number): string[] => {
    const value = raw[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      add(key, 'TYPE', 'must be an array of strings');
      return [];
    }
    if (value.length > max) {
      add(key, 'TOO_MANY', `must have at most ${max} entries`);
      return [];
    }
    if (new Set(value).size !== value.length) add(key, 'DUPLICATE', 'must not repeat entries');
    return value as string[];
  };

  const slug = str('slug');
  if (slug && !SLUG_PATTERN.test(slug)) add('slug', 'PATTERN', 'lower-case letters, digits and inner hyphens');
  const version = str('version');
  const versionIssue = version === null ? null : version.length > 64 ? TOO_LONG_VERSION : versionProblem(version);
  if (versionIssue) add('version', versionIssue.code, versionIssue.message);
  const hostApi = str('hostApi');
  if (hostApi && (hostApi.length > 64 || !semver.validRange(hostApi)))
    add('hostApi', 'SEMVER_RANGE', `"${hostApi.slice(0, 64)}" is not a semver range`);
  else if (hostApi && !semver.satisfies(HOST_API_VERSION, hostApi))
    add('hostApi', 'HOST_API', `this platform provides host API ${HOST_API_VERSION}, outside "${hostApi}"`);

  const functions = list('functions', MAX_FUNCTIONS);
  for (const [i, f] of functions.entries())
    if (!NAME.test(f)) add(`functions.${i}`, 'PATTERN', 'is not a valid export name');
  const hooks = list('hooks', HOOKS.length);
  for (const [i, h] of hooks.entries())
    if (!(HOOKS as readonly string[]).includes(h))
      add(`hooks.${i}`, 'UNKNOWN_HOOK', `is not a hook (${HOOKS.join(', ')})`);
  if (functions.length + hooks.length === 0)
    add('functions', 'EMPTY', 'a plugin must declare at least one function or hook');
  const permissions = list('permissions', PERMISSIONS.length + MAX_HTTP_PERMISSIONS);
  for (const [i, p] of permissions.entries()) {
    if (p.startsWith(HTTP_PERMISSION_PREFIX)) {
      const problem = hostPatternProblem(p.slice(HTTP_PERMISSION_PREFIX.length));
      if (problem) add(`permissions.${i}`, 'HTTP_HOST_PATTERN', `"${p.slice(0, 300)}": the host ${problem}`);
    } else if (!(PERMISSIONS as readonly string[]).includes(p))
      add(
        `permissions.${i}`,
        'UNKNOWN_PERMISSION',
        `is not a permission (${PERMISSIONS.join(', ')}, or http:<host pattern>)`,
      );
  }

  const limits: Manifest['limits'] = {};
  const caps = { memoryMiB: MAX_MEMORY_MIB, timeoutMs: PLATFORM_CAPS.timeoutMs, fuel: PLATFORM_CAPS.fuel } as const;
  if (raw.limits !== undefined && !isObject(raw.limits)) add('limits', 'TYPE', 'must be an object');
  else
    for (const [key, value] of Object.entries(raw.limits ?? {})) {
      const cap = caps[key as keyof typeof caps];
      if (cap === undefined) add(`limits.${key}`, 'UNKNOWN_FIELD', `is not a limit (${Object.keys(caps).join(', ')})`);
      else if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > cap)
        add(`limits.${key}`, 'LIMIT', `must be an integer from 1 to the platform cap ${cap}`);
      else limits[key as keyof typeof caps] = value;
    }

  const dependencies: Record<string, string> = {};
  if (raw.dependencies !== undefined && !isObject(raw.dependencies))
    add('dependencies', 'TYPE', 'must map plugin slugs to semver ranges');
  else if (Object.keys(raw.dependencies ?? {}).length > MAX_DEPENDENCIES)
    add('dependencies', 'TOO_MANY', `must name at most ${MAX_DEPENDENCIES} plugins`);
  else
    for (const [dep, range] of Object.entries(raw.dependencies ?? {})) {
      if (!SLUG_PATTERN.test(dep)) add(`dependencies.${dep.slice(0, 64)}`, 'PATTERN', 'is not a plugin slug');
      else if (typeof range !== 'string' || range.length > 64 || !semver.validRange(range))
        add(`dependencies.${dep}`, 'SEMVER_RANGE', 'must be a semver range');
      else dependencies[dep] = range;
    }

  let configSchema: Record<string, unknown> | null = null;
  if (raw.configSchema !== undefined && raw.configSchema !== null) {
    if (!isObject(raw.configSchema)) add('configSchema', 'TYPE', 'must be a JSON Schema object');
    else {
      const compiled = compileConfigSchema(raw.configSchema, 'manifest.configSchema');
      problems.push(...compiled.problems);
      configSchema = raw.configSchema;
    }
  }
  const changelog = raw.changelog === undefined ? '' : str('changelog');
  if (changelog.length > MAX_CHANGELOG) add('changelog', 'TOO_LONG', `must be at most ${MAX_CHANGELOG} characters`);
  const listing = checkListing(raw, add);
  const schedule = checkManifestSchedule(raw.schedule, { functions, hooks }, add);

  const declared: Declared = {
    functions: functions.filter((f) => NAME.test(f)),
    hooks: hooks.filter((h) => (HOOKS as readonly string[]).includes(h)),
    permissions: permissions.filter(isPermission),
    dependencies,
  };
  if (problems.length) return { manifest: null, declared, problems };
  const manifest = {
    slug,
    version,
    hostApi,
    functions,
    hooks,
    permissions,
    limits,
    dependencies,
    configSchema,
    changelog,
    ...(schedule ? { schedule } : {}),
  };
  return { manifest: { ...manifest, ...listing }, declared, problems };
}

/** The manifest as published: the contract's fields only (listing fields go to `createPlugin`). */
export function contractOf(manifest: PluginJson): Manifest {
  // Optional fields (`schedule`) are left out when absent, so older manifests sign as before.
  return Object.fromEntries(
    CONTRACT_FIELDS.filter((key) => manifest[key] !== undefined).map((key) => [key, manifest[key]]),
  ) as unknown as Manifest;
}
