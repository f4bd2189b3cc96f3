import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type PluginJson, validateManifest } from './manifest.ts';

export class ManifestError extends Error {
  readonly code = 'BAD_MANIFEST';
}

/**
 * Reads `<dir>/plugin.json` and checks it exactly as publish will, so a plugin the server would
 * refuse fails here first, naming every problem.
 */
export async function readPluginJson(dir: string): Promise<PluginJson> {
  const file = path.join(dir, 'plugin.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message;
    throw new ManifestError(`${file}: ${reason}`);
  }
  const { manifest, problems } = validateManifest(raw);
  if (!manifest)
    throw new ManifestError(
      [`${file}: ${problems.length} problem(s)`, ...problems.map((p) => `  ✗ ${p.field} ${p.code}: ${p.message}`)].join(
        '\n',
      ),
    );
  return manifest;
}
