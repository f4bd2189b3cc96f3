/* word-counter: counts words in text (function `count`) and in a captured clip's title and
 * description (hook clip.captured), keeping running totals in the installation's KV store. */
#include <plugboard.h>
#include "words.h"

#define TOTALS_KEY "totals"

typedef struct running_totals {
  double words;
  double texts;
} running_totals;

static running_totals read_totals(void) {
  pb_json *stored = pb_kv_get_json(TOTALS_KEY);
  running_totals t = {pb_json_get_num(stored, "words", 0), pb_json_get_num(stored, "texts", 0)};
  return t;
}

static void write_totals_json(pb_jw *w, running_totals t) {
  pb_jw_object_begin(w);
  pb_jw_key(w, "words");
  pb_jw_number(w, t.words);
  pb_jw_key(w, "texts");
  pb_jw_number(w, t.texts);
  pb_jw_object_end(w);
}

/* Counts `text`, adds it to the KV totals and writes { words, distinct, top, totals }. */
static int32_t count_and_record(pb_str text, pb_jw *out) {
  uint32_t min_length = (uint32_t)pb_config_num("minLength", 1);
  uint32_t top = (uint32_t)pb_config_num("top", 3);
  word_stats stats = count_words(text, min_length);

  running_totals t = read_totals();
  t.words += stats.words;
  t.texts += 1;
  pb_jw stored = pb_jw_new();
  write_totals_json(&stored, t);
  if (pb_kv_set_json(TOTALS_KEY, &stored) != PB_KV_OK) return pb_fail("word-counter: could not store the totals");

  pb_jw_object_begin(out);
  pb_jw_key(out, "words");
  pb_jw_int(out, stats.words);
  pb_jw_key(out, "distinct");
  pb_jw_int(out, stats.distinct);
  pb_jw_key(out, "top");
  write_top_words(out, &stats, top);
  pb_jw_key(out, "totals");
  write_totals_json(out, t);
  pb_jw_object_end(out);

  pb_buf line = pb_buf_new();
  pb_buf_cstr(&line, "counted ");
  pb_buf_int(&line, stats.words);
  pb_buf_cstr(&line, " word(s)");
  pb_log_str(PB_LOG_INFO, pb_buf_view(&line));
  return 0;
}

/* Function `count`: input { "text": "..." }. */
PB_EXPORT(count) {
  pb_json *in = pb_input_json();
  pb_json *text = pb_json_get(in, "text");
  if (!pb_json_is(text, PB_JSON_STRING)) return pb_fail("count: input must be { \"text\": string }");
  pb_jw out = pb_jw_new();
  int32_t rc = count_and_record(text->str, &out);
  if (rc != 0) return rc;
  pb_output_json(&out);
  return 0;
}

/* Function `totals`: the running totals. */
PB_EXPORT(totals) {
  pb_jw out = pb_jw_new();
  write_totals_json(&out, read_totals());
  pb_output_json(&out);
  return 0;
}

/* Hook clip.captured: counts the title and description, stored in the clip's metadata. */
PB_EXPORT(clip_captured) {
  pb_json *clip = pb_clip();
  if (!clip) return pb_fail("clip.captured: no clip");
  pb_buf text = pb_buf_new();
  pb_buf_str(&text, pb_json_get_str(clip, "title", ""));
  pb_buf_char(&text, '\n');
  pb_buf_str(&text, pb_json_get_str(clip, "description", ""));
  pb_jw out = pb_jw_new();
  int32_t rc = count_and_record(pb_buf_view(&text), &out);
  if (rc != 0) return rc;

  pb_jw patch = pb_jw_new();
  pb_jw_object_begin(&patch);
  pb_jw_key(&patch, "metadata");
  pb_str result = pb_jw_result(&out);
  pb_jw_raw(&patch, result.ptr, result.len);
  pb_jw_object_end(&patch);
  if (pb_clip_patch(&patch) != PB_ACCEPTED) return pb_fail("clip.captured: the patch was refused");
  pb_output_json(&out);
  return 0;
}
