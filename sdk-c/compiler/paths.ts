import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The C SDK's root folder, found from this file. Compiled, this file is
 * `dist/sdk-c/compiler/paths.js`; the header and template stay in the source tree.
 */
export const cSdkDir = import.meta.url.endsWith('.js')
  ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../sdk-c')
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** `plugboard.h` and the `plugboard/` headers it includes. */
export const cHeader = path.join(cSdkDir, 'plugboard.h');
export const cHeaderDir = path.join(cSdkDir, 'plugboard');
