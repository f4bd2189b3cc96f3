/* Exercises every part of the C SDK for sdk-c/sdk.test.ts. */
#include <plugboard.h>

/* Writes a parsed value back member by member (not from its raw text), to test reader and writer. */
static void rewrite(pb_jw *w, const pb_json *v) {
  switch (v->kind) {
    case PB_JSON_NULL: pb_jw_null(w); break;
    case PB_JSON_BOOL: pb_jw_bool(w, v->boolean); break;
    case PB_JSON_NUMBER: pb_jw_number(w, v->number); break;
    case PB_JSON_STRING: pb_jw_str(w, v->str); break;
    case PB_JSON_ARRAY:
      pb_jw_array_begin(w);
      for (const pb_json *c = v->child; c; c = c->next) rewrite(w, c);
      pb_jw_array_end(w);
      break;
    case PB_JSON_OBJECT:
      pb_jw_object_begin(w);
      for (const pb_json *c = v->child; c; c = c->next) {
        pb_jw_key_n(w, c->key.ptr, c->key.len);
        rewrite(w, c);
      }
      pb_jw_object_end(w);
      break;
  }
}

PB_EXPORT(roundtrip) {
  pb_json *in = pb_input_json();
  if (!in) return pb_fail(pb_json_last_error());
  pb_jw w = pb_jw_new();
  rewrite(&w, in);
  pb_output_json(&w);
  return 0;
}

/* Input: a JSON array of numbers; output: the same numbers as the writer formats them, as a string. */
PB_EXPORT(numbers) {
  pb_json *in = pb_input_json();
  if (!pb_json_is(in, PB_JSON_ARRAY)) return pb_fail("numbers: expected an array");
  pb_buf text = pb_buf_new();
  for (const pb_json *c = in->child; c; c = c->next) {
    if (c != in->child) pb_buf_char(&text, ' ');
    pb_buf_number(&text, pb_json_num(c, 0));
  }
  pb_output_str(pb_buf_view(&text));
  return 0;
}

PB_EXPORT(parse_error) {
  pb_str in = pb_input();
  if (pb_json_parse_str(in)) return pb_fail("parsed");
  pb_output_cstr(pb_json_last_error());
  return 0;
}

/* Every host capability once: logs, config, kv, clip, events. */
PB_EXPORT(capabilities) {
  pb_log_debug("debug line");
  pb_log_info("info line");
  pb_log_warn("warn line");
  pb_log_error("error line");

  pb_jw out = pb_jw_new();
  pb_jw_object_begin(&out);
  pb_jw_key(&out, "label");
  pb_jw_str(&out, pb_config_str("label", "none"));
  pb_jw_key(&out, "limit");
  pb_jw_number(&out, pb_config_num("limit", -1));
  pb_jw_key(&out, "enabled");
  pb_jw_bool(&out, pb_config_bool("enabled", false));
  pb_jw_key(&out, "missing");
  pb_jw_value(&out, pb_config("missing"));

  pb_str previous;
  bool had = pb_kv_get("counter", &previous);
  pb_jw_key(&out, "previous");
  if (had) pb_jw_str(&out, previous);
  else pb_jw_null(&out);
  pb_jw_key(&out, "kvSet");
  pb_jw_int(&out, pb_kv_set_str("counter", pb_str_c("bumped")));
  pb_jw_key(&out, "kvInvalid");
  pb_jw_int(&out, pb_kv_set_str("", pb_str_c("x")));
  pb_jw_key(&out, "deleted");
  pb_jw_bool(&out, pb_kv_delete("old"));

  pb_json *clip = pb_clip();
  pb_jw_key(&out, "clipTitle");
  pb_jw_str(&out, pb_json_get_str(clip, "title", ""));
  pb_jw patch = pb_jw_new();
  pb_jw_object_begin(&patch);
  pb_jw_key(&patch, "addTags");
  pb_jw_array_begin(&patch);
  pb_jw_string(&patch, "probed");
  pb_jw_array_end(&patch);
  pb_jw_object_end(&patch);
  pb_jw_key(&out, "patch");
  pb_jw_int(&out, pb_clip_patch(&patch));

  pb_jw data = pb_jw_new();
  pb_jw_object_begin(&data);
  pb_jw_key(&data, "n");
  pb_jw_int(&data, 1);
  pb_jw_object_end(&data);
  pb_jw_key(&out, "emit");
  pb_jw_int(&out, pb_emit("probe.done", &data));
  pb_jw_object_end(&out);
  pb_output_json(&out);
  return 0;
}

/* Allocates and reports the arena's use: the same on every call, because PB_EXPORT resets it. */
PB_EXPORT(arena) {
  size_t before = pb_arena_used();
  char *p = (char *)pb_alloc(100000);
  p[99999] = 1;
  p = (char *)pb_realloc(p, 100000, 200000);
  pb_jw w = pb_jw_new();
  pb_jw_object_begin(&w);
  pb_jw_key(&w, "before");
  pb_jw_int(&w, (int64_t)before);
  pb_jw_key(&w, "after");
  pb_jw_int(&w, (int64_t)pb_arena_used());
  pb_jw_key(&w, "kept");
  pb_jw_int(&w, p[99999]);
  pb_jw_object_end(&w);
  pb_output_json(&w);
  return 0;
}

PB_EXPORT(clip_updated) {
  pb_json *clip = pb_clip();
  pb_jw w = pb_jw_new();
  pb_jw_value(&w, pb_json_get(clip, "id"));
  pb_output_json(&w);
  return 0;
}

/* The input back as output, byte for byte. */
PB_EXPORT(echo) {
  pb_output_str(pb_input());
  return 0;
}

/* The input stored under one key, read back and output: the KV memory protocol both ways. */
PB_EXPORT(kv_echo) {
  pb_str in = pb_input();
  if (pb_kv_set("echo", in.ptr, in.len) != PB_KV_OK) return pb_fail("kv_echo: refused");
  pb_str back;
  if (!pb_kv_get("echo", &back)) return pb_fail("kv_echo: absent");
  pb_output_str(back);
  return 0;
}
