/* Outbound HTTP through the C SDK's wrapper, for sdk-c/http.test.ts. */
#include <plugboard.h>

/* { status, ok, body, contentType, note, headers, errorCode, errorMessage } */
static int32_t describe(const pb_http_response *r) {
  pb_jw w = pb_jw_new();
  pb_jw_object_begin(&w);
  pb_jw_key(&w, "status");
  pb_jw_int(&w, r->status);
  pb_jw_key(&w, "ok");
  pb_jw_bool(&w, pb_http_ok(r));
  pb_jw_key(&w, "body");
  pb_jw_str(&w, pb_http_body(r));
  pb_jw_key(&w, "contentType");
  pb_jw_str(&w, pb_http_header_get(r, "content-type", ""));
  pb_jw_key(&w, "json");
  pb_jw_value(&w, pb_http_body_json(r));
  pb_jw_key(&w, "headers");
  pb_jw_raw(&w, r->headers.ptr, r->headers.len);
  pb_jw_key(&w, "errorCode");
  pb_jw_str(&w, r->error_code);
  pb_jw_key(&w, "errorMessage");
  pb_jw_str(&w, r->error_message);
  pb_jw_object_end(&w);
  pb_output_json(&w);
  return 0;
}

/* Input: the URL. */
PB_EXPORT(get) {
  pb_http_response r = pb_http_get(pb_input().ptr);
  return describe(&r);
}

/* Input: { url, body, contentType? }. */
PB_EXPORT(post) {
  pb_json *in = pb_input_json();
  pb_str body = pb_json_get_str(in, "body", "");
  pb_json *type = pb_json_get(in, "contentType");
  pb_http_response r = pb_http_post(pb_str_cstr(pb_json_get_str(in, "url", "")), body.ptr, body.len,
                                    type ? pb_str_cstr(pb_json_str(type, "")) : NULL);
  return describe(&r);
}

/* Input: { url, method, headers: { name: value }, body? }. */
PB_EXPORT(request) {
  pb_json *in = pb_input_json();
  pb_json *hs = pb_json_get(in, "headers");
  size_t n = 0;
  if (pb_json_is(hs, PB_JSON_OBJECT))
    for (pb_json *c = hs->child; c; c = c->next) n++;
  pb_http_header *headers = (pb_http_header *)pb_calloc(n ? n : 1, sizeof(pb_http_header));
  size_t i = 0;
  if (n)
    for (pb_json *c = hs->child; c; c = c->next, i++) {
      headers[i].name = pb_str_cstr(c->key);
      headers[i].value = pb_str_cstr(pb_json_str(c, ""));
    }
  pb_str body = pb_json_get_str(in, "body", "");
  pb_http_response r = pb_http_request(pb_str_cstr(pb_json_get_str(in, "method", "GET")),
                                       pb_str_cstr(pb_json_get_str(in, "url", "")), headers, n,
                                       (const uint8_t *)body.ptr, body.len);
  return describe(&r);
}

/* Input: the URL, then a newline, then bytes to POST; output: the response body's bytes. */
PB_EXPORT(raw) {
  pb_str in = pb_input();
  size_t nl = 0;
  while (nl < in.len && in.ptr[nl] != '\n') nl++;
  const char *url = pb_str_cstr(pb_str_n(in.ptr, nl));
  size_t skip = nl < in.len ? nl + 1 : nl;
  pb_http_response r = pb_http_post(url, in.ptr + skip, in.len - skip, "application/octet-stream");
  if (r.status != 200) return pb_fail_str(r.error_code);
  pb_output(r.body, r.body_len);
  return 0;
}
