// @plugboard/sdk: typed access to Plugboard's host API for AssemblyScript plugins.
// One namespace per capability; each needs the manifest permission named in its file.
export { input, output } from './io';
export { log } from './log';
export { config } from './config';
export { kv } from './kv';
export { clip } from './clip';
export { events } from './events';
export { lifecycle, LifecycleEvent } from './lifecycle';
export { http } from './http';
export { Clip, ClipPatch } from './clip-types';
export { fail } from './fail';
import * as json from './json';
export { json };
