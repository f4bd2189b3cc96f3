import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The SDK's root folder, found from this file rather than the working directory. Compiled, this
 * file is `dist/sdk-assemblyscript/compiler/paths.js`; the SDK's AssemblyScript, template and
 * asconfig stay in the source tree.
 */
export const sdkDir = import.meta.url.endsWith('.js')
  ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../sdk-assemblyscript')
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const sdkAssemblyDir = path.join(sdkDir, 'assembly');
/** The asconfig every plugin extends. */
export const pluginAsconfig = path.join(sdkDir, 'plugin.asconfig.json');

/** The package name plugins import the SDK by. */
export const SDK_PACKAGE = '@plugboard/sdk';
/** A folder that does not exist on disk: asc's reader maps it onto the SDK (see asc.ts). */
export const sdkPackagesRoot = path.join(sdkDir, '.asc-packages');

/** The node_modules folder holding @extism/as-pdk, wherever npm put it. */
export const asPdkPackagesDir = path.resolve(
  path.dirname(createRequire(import.meta.url).resolve('@extism/as-pdk/package.json')),
  '../..',
);
