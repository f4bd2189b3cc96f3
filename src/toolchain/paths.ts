import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, found from this file rather than the working directory. Compiled, this
 * file is `dist/src/toolchain/paths.js`, one level deeper; the examples stay in the source tree.
 */
export const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  import.meta.url.endsWith('.js') ? '../../..' : '../..',
);
export const examplesDir = path.join(repoRoot, 'plugins-wasm');
