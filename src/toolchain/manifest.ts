import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** DESIGN.md's plugin contract, as written in a plugin's `plugin.json`. */
export interface PluginManifest {
  slug: string;
  version: string;
  hostApi: string;
  functions: string[];
  hooks: string[];
  permissions: string[];
  limits?: { memoryMiB?: number; timeoutMs?: number; fuel?: number };
  dependencies?: Record<string, string>;
  configSchema?: Record<string, unknown>;
  changelog?: string;
}

/** Listing fields kept next to the manifest; `plugin publish` uses them for `createPlugin`. */
export interface PluginListing {
  name?: string;
  summary?: string;
  category?: string;
}

export type PluginJson = PluginManifest & PluginListing;

/** The fields the server's manifest schema knows; listing fields are sent separately. */
const MANIFEST_KEYS = [
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
] as const;

export class ManifestError extends Error {
  readonly code = 'BAD_MANIFEST';
}

/** Reads `plugin.json` and checks the shape the toolchain relies on (the server checks the rest). */
export async function readPluginJson(dir: string): Promise<PluginJson> {
  const file = path.join(dir, 'plugin.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message;
    throw new ManifestError(`${file}: ${reason}`);
  }
  const m = raw as Partial<PluginJson>;
  const problems: string[] = [];
  if (typeof m.slug !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(m.slug)) problems.push('slug must be kebab-case');
  if (typeof m.version !== 'string') problems.push('version is required');
  if (typeof m.hostApi !== 'string') problems.push('hostApi is required');
  for (const key of ['functions', 'hooks', 'permissions'] as const) {
    const list = m[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))) {
      problems.push(`${key} must be an array of strings`);
    }
  }
  if (problems.length) throw new ManifestError(`${file}: ${problems.join('; ')}`);
  return { functions: [], hooks: [], permissions: [], ...m } as PluginJson;
}

/** The manifest as published: the contract's fields only. */
export function manifestForPublish(json: PluginJson): PluginManifest {
  const out: Record<string, unknown> = {};
  for (const key of MANIFEST_KEYS) if (json[key] !== undefined) out[key] = json[key];
  return out as unknown as PluginManifest;
}
