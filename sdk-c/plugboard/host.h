/*
 * The public host API: input, output, failure, log, config, kv, clip and events, each over the
 * Extism memory protocol (bytes copied into a host block with alloc/store, read back with
 * length/load). Functions needing a permission say which; an ungranted one is not linked and the
 * call fails with PERMISSION_DENIED.
 */
#ifndef PLUGBOARD_HOST_H
#define PLUGBOARD_HOST_H

#include "abi.h"
#include "json-write.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Copies bytes into a new host block; 0 when the host refuses (its per-call budget is spent). */
static inline uint64_t pb_host_put_(const void *data, size_t n) {
  uint64_t off = pb_abi_alloc(n);
  if (off == 0) return 0;
  const unsigned char *b = (const unsigned char *)data;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    __builtin_memcpy(&v, b + i, 8);
    pb_abi_store_u64(off + i, v);
  }
  for (; i < n; i++) pb_abi_store_u8(off + i, b[i]);
  return off;
}

static inline uint64_t pb_host_put_c_(const char *s) { return pb_host_put_(s, strlen(s)); }

/* Reads a host block into the arena and frees it; false for offset 0 (absent). */
static inline bool pb_host_take_(uint64_t off, pb_str *out) {
  if (off == 0) return false;
  size_t n = (size_t)pb_abi_length(off);
  char *p = (char *)pb_alloc(n + 1);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v = pb_abi_load_u64(off + i);
    __builtin_memcpy(p + i, &v, 8);
  }
  for (; i < n; i++) p[i] = (char)pb_abi_load_u8(off + i);
  p[n] = 0;
  pb_abi_free(off);
  *out = pb_str_n(p, n);
  return true;
}

/* ---- input and output (no permission) ---- */

/** The call's input bytes (NUL-terminated for convenience). */
static inline pb_str pb_input(void) {
  size_t n = (size_t)pb_abi_input_length();
  char *p = (char *)pb_alloc(n + 1);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v = pb_abi_input_load_u64(i);
    __builtin_memcpy(p + i, &v, 8);
  }
  for (; i < n; i++) p[i] = (char)pb_abi_input_load_u8(i);
  p[n] = 0;
  return pb_str_n(p, n);
}

/** The input parsed as JSON; NULL when empty or malformed (pb_json_last_error() says why). */
static inline pb_json *pb_input_json(void) { return pb_json_parse_str(pb_input()); }

/** Sets the call's output (the last call wins). */
static inline void pb_output(const void *data, size_t n) { pb_abi_output_set(pb_host_put_(data, n), n); }
static inline void pb_output_str(pb_str s) { pb_output(s.ptr, s.len); }
static inline void pb_output_cstr(const char *s) { pb_output(s, strlen(s)); }
static inline void pb_output_json(const pb_jw *w) { pb_output_str(pb_jw_result(w)); }

/** Records `message` as the call's error and returns 1: end a function with `return pb_fail("why");`. */
static inline int32_t pb_fail_str(pb_str message) {
  pb_abi_error_set(pb_host_put_(message.ptr, message.len));
  return 1;
}
static inline int32_t pb_fail(const char *message) { return pb_fail_str(pb_str_c(message)); }

/* ---- log (permission log) ---- */

/** Appends a line to the execution log: level PB_LOG_DEBUG, _INFO, _WARN or _ERROR. */
static inline void pb_log_str(enum pb_log_level level, pb_str message) {
  uint64_t off = pb_host_put_(message.ptr, message.len);
  pb_abi_log((int32_t)level, off);
  pb_abi_free(off);
}
static inline void pb_log(enum pb_log_level level, const char *message) { pb_log_str(level, pb_str_c(message)); }
static inline void pb_log_debug(const char *message) { pb_log(PB_LOG_DEBUG, message); }
static inline void pb_log_info(const char *message) { pb_log(PB_LOG_INFO, message); }
static inline void pb_log_warn(const char *message) { pb_log(PB_LOG_WARN, message); }
static inline void pb_log_error(const char *message) { pb_log(PB_LOG_ERROR, message); }

/* ---- config (permission config) ---- */

/** The installation's value for `key` (schema defaults applied), or NULL when unset. */
static inline pb_json *pb_config(const char *key) {
  uint64_t k = pb_host_put_c_(key);
  pb_str text;
  bool found = pb_host_take_(pb_abi_config_get(k), &text);
  pb_abi_free(k);
  return found ? pb_json_parse_str(text) : NULL;
}
static inline pb_str pb_config_str(const char *key, const char *fallback) {
  return pb_json_str(pb_config(key), fallback);
}
static inline double pb_config_num(const char *key, double fallback) { return pb_json_num(pb_config(key), fallback); }
static inline bool pb_config_bool(const char *key, bool fallback) { return pb_json_bool(pb_config(key), fallback); }

/* ---- kv (permission kv) ---- */

/** Results of pb_kv_set. */
enum pb_kv_status { PB_KV_OK = 0, PB_KV_QUOTA_EXCEEDED = 1, PB_KV_INVALID_KEY = 2 };

/** The stored bytes of `key` in `*value`; false when absent. */
static inline bool pb_kv_get(const char *key, pb_str *value) {
  uint64_t k = pb_host_put_c_(key);
  bool found = pb_host_take_(pb_abi_kv_get(k), value);
  pb_abi_free(k);
  return found;
}

/** The value of `key` parsed as JSON; NULL when absent or not JSON. */
static inline pb_json *pb_kv_get_json(const char *key) {
  pb_str text;
  return pb_kv_get(key, &text) ? pb_json_parse_str(text) : NULL;
}

/**
 * Stores bytes under `key`. Writes apply when the call succeeds; past the installation's quota
 * the call fails (PLUGIN_KV_LIMIT) whatever the function returns.
 */
static inline enum pb_kv_status pb_kv_set(const char *key, const void *value, size_t n) {
  uint64_t k = pb_host_put_c_(key);
  uint64_t v = pb_host_put_(value, n);
  int32_t rc = pb_abi_kv_set(k, v);
  pb_abi_free(k);
  pb_abi_free(v);
  return (enum pb_kv_status)rc;
}
static inline enum pb_kv_status pb_kv_set_str(const char *key, pb_str value) {
  return pb_kv_set(key, value.ptr, value.len);
}
static inline enum pb_kv_status pb_kv_set_json(const char *key, const pb_jw *value) {
  return pb_kv_set_str(key, pb_jw_result(value));
}

/** Removes `key`; whether it existed. */
static inline bool pb_kv_delete(const char *key) {
  uint64_t k = pb_host_put_c_(key);
  int32_t rc = pb_abi_kv_delete(k);
  pb_abi_free(k);
  return rc == 1;
}

/* ---- clip (permissions clips:read, clips:write) ---- */

/** The clip the call is about, as JSON (clips:read); NULL for calls without one. */
static inline pb_json *pb_clip(void) {
  pb_str text;
  return pb_host_take_(pb_abi_clip_get(), &text) ? pb_json_parse_str(text) : NULL;
}

/** Results of pb_clip_patch and pb_emit. */
enum pb_effect_status { PB_ACCEPTED = 0, PB_INVALID = 1, PB_NO_CLIP = 2 };

/**
 * Queues a patch of the clip (clips:write), a JSON object with any of tags, addTags, metadata
 * (stored under the plugin's slug), status, title, description. Applied if the call succeeds.
 */
static inline enum pb_effect_status pb_clip_patch(const pb_jw *patch) {
  pb_str s = pb_jw_result(patch);
  uint64_t off = pb_host_put_(s.ptr, s.len);
  int32_t rc = pb_abi_clip_patch(off);
  pb_abi_free(off);
  return (enum pb_effect_status)rc;
}

/* ---- events (permission events) ---- */

/** Publishes `{ type, data }` when the call succeeds; `data` NULL sends null. */
static inline enum pb_effect_status pb_emit(const char *type, const pb_jw *data) {
  pb_jw w = pb_jw_new();
  pb_jw_object_begin(&w);
  pb_jw_key(&w, "type");
  pb_jw_string(&w, type);
  pb_jw_key(&w, "data");
  if (data) {
    pb_str d = pb_jw_result(data);
    pb_jw_raw(&w, d.ptr, d.len);
  } else {
    pb_jw_null(&w);
  }
  pb_jw_object_end(&w);
  pb_str s = pb_jw_result(&w);
  uint64_t off = pb_host_put_(s.ptr, s.len);
  int32_t rc = pb_abi_emit(off);
  pb_abi_free(off);
  return (enum pb_effect_status)rc;
}

#ifdef __cplusplus
}
#endif

#endif
