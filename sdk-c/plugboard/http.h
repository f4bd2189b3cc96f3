/*
 * Outbound HTTP (permission `http:<host>`, e.g. `http:api.example.com` or `http:*.example.com`).
 * The host performs the request through the Extism kernel's HTTP functions (abi.h), so the plugin
 * never touches the network: only hosts the installation granted are reachable, and every redirect
 * is checked again. A request the host refuses or that fails comes back with status 0 and
 * `error_code` set (HTTP_HOST_NOT_GRANTED, HTTP_ADDRESS_REFUSED, HTTP_TIMEOUT, ...).
 */
#ifndef PLUGBOARD_HTTP_H
#define PLUGBOARD_HTTP_H

#include "abi.h"
#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One request header. */
typedef struct pb_http_header {
  const char *name;
  const char *value;
} pb_http_header;

/** What pb_http_request returns; every pointer is in the arena (valid until the call returns). */
typedef struct pb_http_response {
  /** The HTTP status; 0 when the host refused or failed the request (see error_code). */
  int32_t status;
  /** The response body (NUL-terminated for convenience; may hold other NULs). */
  const uint8_t *body;
  size_t body_len;
  /** The response headers as a JSON object, names in lower case ("{}" when none). */
  pb_str headers;
  /** The host's error code, "" when the request was performed (whatever its status). */
  pb_str error_code;
  pb_str error_message;
} pb_http_response;

/**
 * Performs `method url` (NULL method means GET) with `n_headers` headers and `body_len` bytes of
 * body (none when 0). Never traps on a refused host: check `status` or pb_http_ok.
 */
static inline pb_http_response pb_http_request(const char *method, const char *url, const pb_http_header *headers,
                                               size_t n_headers, const uint8_t *body, size_t body_len) {
  pb_jw w = pb_jw_new();
  pb_jw_object_begin(&w);
  pb_jw_key(&w, "url");
  pb_jw_string(&w, url ? url : "");
  pb_jw_key(&w, "method");
  pb_jw_string(&w, method ? method : "GET");
  pb_jw_key(&w, "headers");
  pb_jw_object_begin(&w);
  for (size_t i = 0; i < n_headers; i++) {
    pb_jw_key(&w, headers[i].name ? headers[i].name : "");
    pb_jw_string(&w, headers[i].value ? headers[i].value : "");
  }
  pb_jw_object_end(&w);
  pb_jw_object_end(&w);
  pb_str spec = pb_jw_result(&w);
  uint64_t r = pb_host_put_(spec.ptr, spec.len);
  uint64_t b = body_len > 0 ? pb_host_put_(body, body_len) : 0;
  uint64_t offset = pb_abi_http_request(r, b);
  pb_abi_free(r);
  if (b != 0) pb_abi_free(b);

  pb_http_response res;
  res.status = pb_abi_http_status_code();
  pb_str text;
  if (!pb_host_take_(offset, &text)) text = pb_str_n("", 0);
  res.body = (const uint8_t *)text.ptr;
  res.body_len = text.len;
  if (!pb_host_take_(pb_abi_http_headers(), &res.headers)) res.headers = pb_str_c("{}");
  res.error_code = pb_str_c("");
  res.error_message = pb_str_c("");
  if (res.status == 0) {
    pb_json *e = pb_json_get(pb_json_parse_str(text), "error");
    res.error_code = pb_json_get_str(e, "code", "HTTP_FAILED");
    res.error_message = pb_json_get_str(e, "message", "the request failed");
  }
  return res;
}

/** `GET url`. */
static inline pb_http_response pb_http_get(const char *url) { return pb_http_request("GET", url, NULL, 0, NULL, 0); }

/** `POST url` with `len` bytes of body and a content type (NULL sends none). */
static inline pb_http_response pb_http_post(const char *url, const void *body, size_t len, const char *content_type) {
  pb_http_header h;
  h.name = "content-type";
  h.value = content_type;
  return pb_http_request("POST", url, &h, content_type ? 1 : 0, (const uint8_t *)body, len);
}

/** A 2xx status. */
static inline bool pb_http_ok(const pb_http_response *r) { return r->status >= 200 && r->status < 300; }

/** The body as a string view. */
static inline pb_str pb_http_body(const pb_http_response *r) { return pb_str_n((const char *)r->body, r->body_len); }

/** The body parsed as JSON; NULL when it is not JSON. */
static inline pb_json *pb_http_body_json(const pb_http_response *r) { return pb_json_parse_str(pb_http_body(r)); }

/** A response header by its lower-case name; `fallback` when absent. */
static inline pb_str pb_http_header_get(const pb_http_response *r, const char *name, const char *fallback) {
  return pb_json_get_str(pb_json_parse_str(r->headers), name, fallback);
}

#ifdef __cplusplus
}
#endif

#endif
