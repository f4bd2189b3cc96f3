// Plugin-reported errors and the abort handler every plugin is built with.
import { error_set } from '@extism/as-pdk/lib/env';
import { storeString } from './memory';

/**
 * Records `message` as the call's error and returns 1, the failing exit code of an Extism
 * export, so a plugin function ends with `return fail("...")`. The call fails with status
 * FAILED, its KV writes and clip patches are discarded, and the message is shown to the user.
 */
export function fail(message: string): i32 {
  error_set(storeString(message));
  return 1;
}

/**
 * Wired in as `abort` by plugin.asconfig.json (`--use abort=...`): reports the message with its
 * source location as the call's error, then traps, because an abort must never return.
 */
export function pluginAbort(
  message: string | null = null,
  fileName: string | null = null,
  line: u32 = 0,
  column: u32 = 0,
): void {
  let text = message != null ? message : 'abort';
  // SDK wrappers call abort(message) without a location; the compiler passes one for assert().
  if (fileName != null) text += ' (' + fileName + ':' + line.toString() + ':' + column.toString() + ')';
  error_set(storeString(text));
  unreachable();
}
