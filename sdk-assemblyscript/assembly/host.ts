// Private ABI layer: Plugboard's host functions exactly as `src/runtime/abi.ts` declares them
// (module, name, params, results). Plugins never call these directly: the public wrappers own
// the memory protocol. `host.test.ts` parses this file and compares it with HOST_FUNCTIONS.

// permission: log — level 0 debug, 1 info, 2 warn, 3 error.
@external("extism:host/user", "log")
export declare function host_log(level: i32, message: u64): void;

// permission: config — returns the JSON of one config key, or 0 when unset.
@external("extism:host/user", "config_get")
export declare function host_config_get(key: u64): u64;

// permission: kv
@external("extism:host/user", "kv_get")
export declare function host_kv_get(key: u64): u64;

// permission: kv — 0 stored, 1 quota exceeded, 2 invalid key.
@external("extism:host/user", "kv_set")
export declare function host_kv_set(key: u64, value: u64): i32;

// permission: kv — 1 removed, 0 absent.
@external("extism:host/user", "kv_delete")
export declare function host_kv_delete(key: u64): i32;

// permission: clips:read — JSON of the clip the call is about, or 0.
@external("extism:host/user", "clip_get")
export declare function host_clip_get(): u64;

// permission: clips:write — 0 accepted, 1 invalid, 2 no clip.
@external("extism:host/user", "clip_patch")
export declare function host_clip_patch(patch: u64): i32;

// permission: events — 0 accepted, 1 invalid.
@external("extism:host/user", "emit")
export declare function host_emit(event: u64): i32;

// The Extism kernel's outbound HTTP (module extism:host/env), linked when the installation granted
// an `http:` permission; `abi.test.ts` compares these with EXTISM_HTTP_FUNCTIONS.
@external("extism:host/env", "http_request")
export declare function kernel_http_request(req: u64, body: u64): u64;
@external("extism:host/env", "http_status_code")
export declare function kernel_http_status_code(): i32;
@external("extism:host/env", "http_headers")
export declare function kernel_http_headers(): u64;
