/**
 * The plugin ABI: every host function Plugboard links, the permission that grants it, and the
 * hooks and permissions a manifest may name. The AssemblyScript SDK mirrors these names
 * (`sdk-assemblyscript/assembly/host.ts`); a test checks that the two agree.
 *
 * Extism passes strings and bytes as i64 offsets into its own memory, so every pointer below
 * is an `I64` offset; a missing value is offset 0.
 */

/** Import module of the Extism kernel ABI (alloc, input, output, ...): always linked. */
export const EXTISM_ENV_MODULE = 'extism:host/env';

/** Import module of Plugboard's host functions: linked only when granted. */
export const HOST_MODULE = 'extism:host/user';

export type WasmValType = 'i32' | 'i64';

export interface HostFunctionSpec {
  /** Permission an installation must grant for this function to be linked. */
  readonly permission: Permission;
  readonly params: readonly WasmValType[];
  readonly results: readonly WasmValType[];
  readonly doc: string;
}

export const PERMISSIONS = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Hooks of an installation's own lifecycle: run by the operation that triggers them, which
 * commits only if they succeed (see the services' `lifecycle`).
 */
export const LIFECYCLE_HOOKS = [
  'plugin.installed',
  'plugin.upgraded',
  'config.changed',
  'plugin.uninstalling',
] as const;
export type LifecycleHook = (typeof LIFECYCLE_HOOKS)[number];

export const HOOKS = ['clip.captured', 'clip.updated', 'clip.processed', 'schedule', ...LIFECYCLE_HOOKS] as const;
export type Hook = (typeof HOOKS)[number];

/** Log levels accepted by `log(level, message)`. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const HOST_FUNCTIONS = {
  log: {
    permission: 'log',
    params: ['i32', 'i64'],
    results: [],
    doc: 'log(level, message): appends a line to the execution log (0 debug, 1 info, 2 warn, 3 error).',
  },
  config_get: {
    permission: 'config',
    params: ['i64'],
    results: ['i64'],
    doc: 'config_get(key): the JSON value of a config key, or 0 when unset.',
  },
  kv_get: {
    permission: 'kv',
    params: ['i64'],
    results: ['i64'],
    doc: 'kv_get(key): the stored bytes, or 0 when the key is absent.',
  },
  kv_set: {
    permission: 'kv',
    params: ['i64', 'i64'],
    results: ['i32'],
    doc: 'kv_set(key, value): 0 on success, 1 when the installation quota would be exceeded, 2 for an invalid key.',
  },
  kv_delete: {
    permission: 'kv',
    params: ['i64'],
    results: ['i32'],
    doc: 'kv_delete(key): 1 when a key was removed, 0 when it was absent.',
  },
  clip_get: {
    permission: 'clips:read',
    params: [],
    results: ['i64'],
    doc: 'clip_get(): the JSON of the clip the call is about, or 0 when there is none.',
  },
  clip_patch: {
    permission: 'clips:write',
    params: ['i64'],
    results: ['i32'],
    doc: 'clip_patch(json): queues a patch (tags, metadata, status); 0 accepted, 1 invalid, 2 no clip.',
  },
  emit: {
    permission: 'events',
    params: ['i64'],
    results: ['i32'],
    doc: 'emit(json): publishes an event {type, data} when the call succeeds; 0 accepted, 1 invalid.',
  },
} as const satisfies Record<string, HostFunctionSpec>;

export type HostFunctionName = keyof typeof HOST_FUNCTIONS;

/**
 * The Extism kernel functions (`extism:host/env`) a plugin may import, with their signatures.
 * They are always linked (they move bytes between host and plugin). Differences from stock
 * Extism: the `log_*` functions feed the call's captured log under the same `log` permission and
 * 16 KiB cap as Plugboard's `log` (without the permission they are silently dropped);
 * `error_set` fails the call with PLUGIN_FAILED and its message (or, before a trap, becomes the
 * trap's message); `alloc` and every value the host hands over count against a per-call host
 * memory budget. The kernel's HTTP functions are in `EXTISM_HTTP_FUNCTIONS`: linked only for an
 * installation that granted at least one `http:<host pattern>` permission.
 */
export const EXTISM_KERNEL_FUNCTIONS = {
  alloc: { params: ['i64'], results: ['i64'] },
  free: { params: ['i64'], results: [] },
  length: { params: ['i64'], results: ['i64'] },
  length_unsafe: { params: ['i64'], results: ['i64'] },
  load_u8: { params: ['i64'], results: ['i32'] },
  load_u64: { params: ['i64'], results: ['i64'] },
  store_u8: { params: ['i64', 'i32'], results: [] },
  store_u64: { params: ['i64', 'i64'], results: [] },
  input_offset: { params: [], results: ['i64'] },
  input_length: { params: [], results: ['i64'] },
  input_load_u8: { params: ['i64'], results: ['i32'] },
  input_load_u64: { params: ['i64'], results: ['i64'] },
  output_set: { params: ['i64', 'i64'], results: [] },
  error_set: { params: ['i64'], results: [] },
  config_get: { params: ['i64'], results: ['i64'] },
  var_get: { params: ['i64'], results: ['i64'] },
  var_set: { params: ['i64', 'i64'], results: [] },
  log_trace: { params: ['i64'], results: [] },
  log_debug: { params: ['i64'], results: [] },
  log_info: { params: ['i64'], results: [] },
  log_warn: { params: ['i64'], results: [] },
  log_error: { params: ['i64'], results: [] },
  get_log_level: { params: [], results: ['i32'] },
} as const satisfies Record<string, { params: readonly WasmValType[]; results: readonly WasmValType[] }>;

/**
 * The Extism kernel's outbound HTTP (`extism:host/env`), exactly as the Rust, Go, JS and
 * AssemblyScript PDKs call it, so their HTTP-using modules run unmodified. The host performs the
 * request; the plugin never touches the network. A module importing any of them must declare at
 * least one `http:` permission.
 *
 * - `http_request(req, body)`: `req` is the offset of a JSON `{url, method?, headers?}` (method
 *   defaults to GET; body ignored for GET and HEAD), `body` the offset of the request body or 0.
 *   Returns the offset of the response body. When the host refuses or fails the request, the
 *   status is 0 and the body is JSON `{"error": {"code", "message"}}`.
 * - `http_status_code()`: the status of the last response (0 after a refused or failed request).
 * - `http_headers()`: the offset of a JSON object of the last response's headers (names lower
 *   case, repeated headers joined with ", "), or 0 when there is none.
 */
export const EXTISM_HTTP_FUNCTIONS = {
  http_request: { params: ['i64', 'i64'], results: ['i64'] },
  http_status_code: { params: [], results: ['i32'] },
  http_headers: { params: [], results: ['i64'] },
} as const satisfies Record<string, { params: readonly WasmValType[]; results: readonly WasmValType[] }>;

/** What `requiredPermissions` names for a module importing the kernel's HTTP functions. */
export const HTTP_PERMISSION_KIND = 'http:*';
/** Prefix of the per-host HTTP permissions (`http:api.example.com`, `http:*.example.com`). */
export const HTTP_PERMISSION_PREFIX = 'http:';

/**
 * The export that implements a hook: the hook name with `.` replaced by `_`
 * (`clip.captured` -> `clip_captured`), because the SDK exports plain identifiers.
 */
export function hookExportName(hook: string): string {
  return hook.replaceAll('.', '_');
}

/**
 * Prefix of the names the runtime adds to a prepared module (the fuel counter, the return-code
 * and memory-grow globals, the memory export). A module exporting such a name itself is refused.
 */
export const RESERVED_EXPORT_PREFIX = '__plugboard_';
