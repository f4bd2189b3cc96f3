/*
 * Private ABI layer: the Extism kernel functions and Plugboard's host functions exactly as
 * src/runtime/abi.ts declares them (module, name, params, results). Plugins call the wrappers in
 * host.h, which own the memory protocol. sdk-c/abi.test.ts parses this file and compares it with
 * EXTISM_KERNEL_FUNCTIONS and HOST_FUNCTIONS both ways: keep one declaration per line.
 *
 * Extism passes strings and bytes as i64 offsets into its own memory (0 means "absent").
 */
#ifndef PLUGBOARD_ABI_H
#define PLUGBOARD_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PB_KERNEL(name) __attribute__((import_module("extism:host/env"), import_name(name)))
#define PB_HOST(name) __attribute__((import_module("extism:host/user"), import_name(name)))

/* Extism kernel (always linked). */
PB_KERNEL("alloc") uint64_t pb_abi_alloc(uint64_t length);
PB_KERNEL("free") void pb_abi_free(uint64_t offset);
PB_KERNEL("length") uint64_t pb_abi_length(uint64_t offset);
PB_KERNEL("length_unsafe") uint64_t pb_abi_length_unsafe(uint64_t offset);
PB_KERNEL("load_u8") uint32_t pb_abi_load_u8(uint64_t offset);
PB_KERNEL("load_u64") uint64_t pb_abi_load_u64(uint64_t offset);
PB_KERNEL("store_u8") void pb_abi_store_u8(uint64_t offset, uint32_t value);
PB_KERNEL("store_u64") void pb_abi_store_u64(uint64_t offset, uint64_t value);
PB_KERNEL("input_offset") uint64_t pb_abi_input_offset(void);
PB_KERNEL("input_length") uint64_t pb_abi_input_length(void);
PB_KERNEL("input_load_u8") uint32_t pb_abi_input_load_u8(uint64_t offset);
PB_KERNEL("input_load_u64") uint64_t pb_abi_input_load_u64(uint64_t offset);
PB_KERNEL("output_set") void pb_abi_output_set(uint64_t offset, uint64_t length);
PB_KERNEL("error_set") void pb_abi_error_set(uint64_t offset);
PB_KERNEL("config_get") uint64_t pb_abi_extism_config_get(uint64_t key);
PB_KERNEL("var_get") uint64_t pb_abi_var_get(uint64_t key);
PB_KERNEL("var_set") void pb_abi_var_set(uint64_t key, uint64_t value);
PB_KERNEL("log_trace") void pb_abi_log_trace(uint64_t message);
PB_KERNEL("log_debug") void pb_abi_log_debug(uint64_t message);
PB_KERNEL("log_info") void pb_abi_log_info(uint64_t message);
PB_KERNEL("log_warn") void pb_abi_log_warn(uint64_t message);
PB_KERNEL("log_error") void pb_abi_log_error(uint64_t message);
PB_KERNEL("get_log_level") int32_t pb_abi_get_log_level(void);

/* The kernel's outbound HTTP (linked only for an installation that granted an `http:<host>`
 * permission): `request` is the offset of a JSON {"url", "method", "headers"}, `body` the offset
 * of the request body or 0; returns the offset of the response body. A refused or failed request
 * has status 0 and the body {"error": {"code", "message"}}. See the main README, "Outbound HTTP". */
PB_KERNEL("http_request") uint64_t pb_abi_http_request(uint64_t request, uint64_t body);
PB_KERNEL("http_status_code") int32_t pb_abi_http_status_code(void);
PB_KERNEL("http_headers") uint64_t pb_abi_http_headers(void);

/* Plugboard host functions (linked only when the installation granted the permission). */
/* permission: log; level 0 debug, 1 info, 2 warn, 3 error */
PB_HOST("log") void pb_abi_log(int32_t level, uint64_t message);
/* permission: config; the JSON of one config key, or 0 when unset */
PB_HOST("config_get") uint64_t pb_abi_config_get(uint64_t key);
/* permission: kv */
PB_HOST("kv_get") uint64_t pb_abi_kv_get(uint64_t key);
/* permission: kv; 0 stored, 1 quota exceeded, 2 invalid key */
PB_HOST("kv_set") int32_t pb_abi_kv_set(uint64_t key, uint64_t value);
/* permission: kv; 1 removed, 0 absent */
PB_HOST("kv_delete") int32_t pb_abi_kv_delete(uint64_t key);
/* permission: clips:read; the JSON of the clip the call is about, or 0 */
PB_HOST("clip_get") uint64_t pb_abi_clip_get(void);
/* permission: clips:write; 0 accepted, 1 invalid, 2 no clip */
PB_HOST("clip_patch") int32_t pb_abi_clip_patch(uint64_t patch);
/* permission: events; 0 accepted, 1 invalid */
PB_HOST("emit") int32_t pb_abi_emit(uint64_t event);

/* Hooks a manifest may declare, as the export names that implement them ("." becomes "_"). */
#define PB_HOOK_CLIP_CAPTURED "clip_captured" /* hook: clip.captured */
#define PB_HOOK_CLIP_UPDATED "clip_updated"   /* hook: clip.updated */
#define PB_HOOK_CLIP_PROCESSED "clip_processed" /* hook: clip.processed */
#define PB_HOOK_SCHEDULE "schedule" /* hook: schedule */
#define PB_HOOK_PLUGIN_INSTALLED "plugin_installed" /* hook: plugin.installed */
#define PB_HOOK_PLUGIN_UPGRADED "plugin_upgraded" /* hook: plugin.upgraded */
#define PB_HOOK_CONFIG_CHANGED "config_changed" /* hook: config.changed */
#define PB_HOOK_PLUGIN_UNINSTALLING "plugin_uninstalling" /* hook: plugin.uninstalling */

/* Levels of pb_abi_log, in the order of LOG_LEVELS. */
enum pb_log_level { PB_LOG_DEBUG = 0, PB_LOG_INFO = 1, PB_LOG_WARN = 2, PB_LOG_ERROR = 3 };

#ifdef __cplusplus
}
#endif

#endif
