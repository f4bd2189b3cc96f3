/*
 * A streaming JSON writer: values are appended in order and commas placed for you.
 *
 *   pb_jw w = pb_jw_new();
 *   pb_jw_object_begin(&w);
 *   pb_jw_key(&w, "words"); pb_jw_int(&w, 3);
 *   pb_jw_object_end(&w);
 *   pb_output_json(&w);
 */
#ifndef PLUGBOARD_JSON_WRITE_H
#define PLUGBOARD_JSON_WRITE_H

#include "json-read.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Deepest nesting the writer tracks; deeper traps. */
#define PB_JW_MAX_DEPTH 64

typedef struct pb_jw {
  pb_buf buf;
  /* Bit d set: the container at depth d already holds a value (the next one needs a comma). */
  uint64_t filled;
  int depth;
  bool after_key;
} pb_jw;

static inline pb_jw pb_jw_new(void) {
  pb_jw w;
  w.buf = pb_buf_new();
  w.filled = 0;
  w.depth = 0;
  w.after_key = false;
  return w;
}

/* Before any value or key: the comma it needs. */
static inline void pb_jw_sep_(pb_jw *w) {
  if (w->after_key) {
    w->after_key = false;
    return;
  }
  if (w->depth == 0) return;
  uint64_t bit = 1ull << (w->depth - 1);
  if (w->filled & bit) pb_buf_char(&w->buf, ',');
  w->filled |= bit;
}

static inline void pb_jw_open_(pb_jw *w, char c) {
  pb_jw_sep_(w);
  if (w->depth >= PB_JW_MAX_DEPTH) __builtin_trap();
  pb_buf_char(&w->buf, c);
  w->depth++;
  w->filled &= ~(1ull << (w->depth - 1));
}

static inline void pb_jw_close_(pb_jw *w, char c) {
  if (w->depth > 0) w->depth--;
  pb_buf_char(&w->buf, c);
}

static inline void pb_jw_object_begin(pb_jw *w) { pb_jw_open_(w, '{'); }
static inline void pb_jw_object_end(pb_jw *w) { pb_jw_close_(w, '}'); }
static inline void pb_jw_array_begin(pb_jw *w) { pb_jw_open_(w, '['); }
static inline void pb_jw_array_end(pb_jw *w) { pb_jw_close_(w, ']'); }

/* One byte that needs escaping, out of line: the copy loop below stays small, and fuel is
 * charged per loop iteration by the size of the loop's body. */
__attribute__((noinline)) static void pb_jw_escape_(pb_buf *b, unsigned char c) {
  static const char hex[] = "0123456789abcdef";
  pb_buf_char(b, '\\');
  switch (c) {
    case '"': pb_buf_char(b, '"'); break;
    case '\\': pb_buf_char(b, '\\'); break;
    case '\n': pb_buf_char(b, 'n'); break;
    case '\r': pb_buf_char(b, 'r'); break;
    case '\t': pb_buf_char(b, 't'); break;
    default:
      pb_buf_cstr(b, "u00");
      pb_buf_char(b, hex[c >> 4]);
      pb_buf_char(b, hex[c & 15]);
  }
}

/* A quoted, escaped string (UTF-8 passes through; control characters become \u00XX). */
static inline void pb_jw_quote_(pb_buf *b, const char *s, size_t n) {
  pb_buf_reserve(b, n + 2);
  pb_buf_char(b, '"');
  size_t i = 0;
  while (i < n) {
    size_t run = i;
    while (i < n && (unsigned char)s[i] >= 0x20 && s[i] != '"' && s[i] != '\\') i++;
    pb_buf_append(b, s + run, i - run);
    if (i < n) pb_jw_escape_(b, (unsigned char)s[i++]);
  }
  pb_buf_char(b, '"');
}

/** A member name; the next value written is its value. */
static inline void pb_jw_key_n(pb_jw *w, const char *key, size_t n) {
  pb_jw_sep_(w);
  pb_jw_quote_(&w->buf, key, n);
  pb_buf_char(&w->buf, ':');
  w->after_key = true;
}
static inline void pb_jw_key(pb_jw *w, const char *key) { pb_jw_key_n(w, key, strlen(key)); }

static inline void pb_jw_string_n(pb_jw *w, const char *s, size_t n) {
  pb_jw_sep_(w);
  pb_jw_quote_(&w->buf, s, n);
}
static inline void pb_jw_string(pb_jw *w, const char *s) { pb_jw_string_n(w, s, strlen(s)); }
static inline void pb_jw_str(pb_jw *w, pb_str s) { pb_jw_string_n(w, s.ptr, s.len); }

static inline void pb_jw_number(pb_jw *w, double d) {
  pb_jw_sep_(w);
  pb_buf_number(&w->buf, d);
}

static inline void pb_jw_int(pb_jw *w, int64_t v) {
  pb_jw_sep_(w);
  pb_buf_int(&w->buf, v);
}

static inline void pb_jw_bool(pb_jw *w, bool v) {
  pb_jw_sep_(w);
  pb_buf_cstr(&w->buf, v ? "true" : "false");
}

static inline void pb_jw_null(pb_jw *w) {
  pb_jw_sep_(w);
  pb_buf_cstr(&w->buf, "null");
}

/** Text that is already JSON, written as one value. */
static inline void pb_jw_raw(pb_jw *w, const char *json, size_t n) {
  pb_jw_sep_(w);
  pb_buf_append(&w->buf, json, n);
}

/** A parsed value, copied as it was written (NULL writes null). */
static inline void pb_jw_value(pb_jw *w, const pb_json *v) {
  if (v) pb_jw_raw(w, v->raw.ptr, v->raw.len);
  else pb_jw_null(w);
}

/** The JSON written so far. */
static inline pb_str pb_jw_result(const pb_jw *w) { return pb_buf_view(&w->buf); }

#ifdef __cplusplus
}
#endif

#endif
