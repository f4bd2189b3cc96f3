/*
 * A strict RFC 8259 JSON reader into a tree in the arena. Numbers become doubles (integers up to
 * 2^53 exactly); strings are decoded to UTF-8 (escapes and surrogate pairs included). Every
 * accessor takes NULL and wrong kinds and then returns its fallback, so lookups chain safely.
 */
#ifndef PLUGBOARD_JSON_READ_H
#define PLUGBOARD_JSON_READ_H

#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pb_json_kind {
  PB_JSON_NULL,
  PB_JSON_BOOL,
  PB_JSON_NUMBER,
  PB_JSON_STRING,
  PB_JSON_ARRAY,
  PB_JSON_OBJECT
} pb_json_kind;

typedef struct pb_json {
  pb_json_kind kind;
  bool boolean;
  double number;
  /** The decoded string of a PB_JSON_STRING. */
  pb_str str;
  /** The member name when this value sits in an object. */
  pb_str key;
  /** Elements or members: `for (pb_json *c = v->child; c; c = c->next)`. */
  struct pb_json *child;
  struct pb_json *next;
  size_t count;
  /** The value's source text, for copying it into output unchanged (pb_jw_value). */
  pb_str raw;
} pb_json;

/** Deepest nesting the reader accepts. */
#define PB_JSON_MAX_DEPTH 64

typedef struct pb_json_reader_ {
  const char *p, *end, *start;
  const char *error;
  size_t error_at;
} pb_json_reader_;

/* Why the last pb_json_parse failed. Weak: shared by every translation unit. */
__attribute__((weak)) char pb_json_error_[96] = "";

static inline pb_json *pb_json_fail_(pb_json_reader_ *r, const char *why) {
  if (!r->error) {
    r->error = why;
    r->error_at = (size_t)(r->p - r->start);
  }
  return NULL;
}

static inline void pb_json_ws_(pb_json_reader_ *r) {
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

static inline int pb_json_hex_(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static inline bool pb_json_u4_(pb_json_reader_ *r, uint32_t *out) {
  if (r->end - r->p < 4) return false;
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    int h = pb_json_hex_(r->p[i]);
    if (h < 0) return false;
    v = v * 16 + (uint32_t)h;
  }
  r->p += 4;
  *out = v;
  return true;
}

static inline void pb_json_utf8_(pb_buf *b, uint32_t c) {
  if (c < 0x80) {
    pb_buf_char(b, (char)c);
  } else if (c < 0x800) {
    pb_buf_char(b, (char)(0xC0 | (c >> 6)));
    pb_buf_char(b, (char)(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    pb_buf_char(b, (char)(0xE0 | (c >> 12)));
    pb_buf_char(b, (char)(0x80 | ((c >> 6) & 0x3F)));
    pb_buf_char(b, (char)(0x80 | (c & 0x3F)));
  } else {
    pb_buf_char(b, (char)(0xF0 | (c >> 18)));
    pb_buf_char(b, (char)(0x80 | ((c >> 12) & 0x3F)));
    pb_buf_char(b, (char)(0x80 | ((c >> 6) & 0x3F)));
    pb_buf_char(b, (char)(0x80 | (c & 0x3F)));
  }
}

/* At an opening quote: the decoded string, or false. Strings without escapes are not copied. */
static inline bool pb_json_string_(pb_json_reader_ *r, pb_str *out) {
  const char *s = ++r->p;
  /* In locals: through `r` every byte would cost a load and a store of the cursor. */
  const char *p = s, *end = r->end;
  while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) p++;
  r->p = p;
  if (r->p < r->end && *r->p == '"') {
    *out = pb_str_n(s, (size_t)(r->p++ - s));
    return true;
  }
  pb_buf b = pb_buf_new();
  pb_buf_append(&b, s, (size_t)(r->p - s));
  while (r->p < r->end) {
    char c = *r->p++;
    if (c == '"') {
      *out = pb_buf_view(&b);
      return true;
    }
    if ((unsigned char)c < 0x20) return pb_json_fail_(r, "control character in a string"), false;
    if (c != '\\') {
      pb_buf_char(&b, c);
      continue;
    }
    if (r->p >= r->end) break;
    c = *r->p++;
    uint32_t u;
    switch (c) {
      case '"': case '\\': case '/': pb_buf_char(&b, c); break;
      case 'b': pb_buf_char(&b, '\b'); break;
      case 'f': pb_buf_char(&b, '\f'); break;
      case 'n': pb_buf_char(&b, '\n'); break;
      case 'r': pb_buf_char(&b, '\r'); break;
      case 't': pb_buf_char(&b, '\t'); break;
      case 'u':
        if (!pb_json_u4_(r, &u)) return pb_json_fail_(r, "bad \\u escape"), false;
        if (u >= 0xD800 && u < 0xDC00) {
          uint32_t lo;
          if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u') return pb_json_fail_(r, "lone surrogate"), false;
          r->p += 2;
          if (!pb_json_u4_(r, &lo) || lo < 0xDC00 || lo > 0xDFFF) return pb_json_fail_(r, "lone surrogate"), false;
          u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        } else if (u >= 0xDC00 && u < 0xE000) {
          return pb_json_fail_(r, "lone surrogate"), false;
        }
        pb_json_utf8_(&b, u);
        break;
      default: return pb_json_fail_(r, "bad escape"), false;
    }
  }
  return pb_json_fail_(r, "unterminated string"), false;
}

static inline double pb_json_pow10_(int e) {
  double x = 1, base = 10;
  unsigned n = (unsigned)(e < 0 ? -e : e);
  while (n) {
    if (n & 1) x *= base;
    base *= base;
    n >>= 1;
  }
  return x;
}

static inline bool pb_json_digit_(pb_json_reader_ *r) { return r->p < r->end && *r->p >= '0' && *r->p <= '9'; }

static inline bool pb_json_number_(pb_json_reader_ *r, double *out) {
  bool neg = r->p < r->end && *r->p == '-';
  if (neg) r->p++;
  if (!pb_json_digit_(r)) return pb_json_fail_(r, "expected a digit"), false;
  uint64_t m = 0;
  int exp10 = 0;
  if (*r->p == '0') {
    r->p++;
    if (pb_json_digit_(r)) return pb_json_fail_(r, "leading zero"), false;
  } else {
    for (; pb_json_digit_(r); r->p++) {
      if (m < 100000000000000000ull) m = m * 10 + (uint64_t)(*r->p - '0');
      else exp10++;
    }
  }
  if (r->p < r->end && *r->p == '.') {
    r->p++;
    if (!pb_json_digit_(r)) return pb_json_fail_(r, "expected a digit after '.'"), false;
    for (; pb_json_digit_(r); r->p++) {
      if (m < 100000000000000000ull) {
        m = m * 10 + (uint64_t)(*r->p - '0');
        exp10--;
      }
    }
  }
  if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
    r->p++;
    bool eneg = r->p < r->end && *r->p == '-';
    if (r->p < r->end && (*r->p == '-' || *r->p == '+')) r->p++;
    if (!pb_json_digit_(r)) return pb_json_fail_(r, "expected an exponent"), false;
    int e = 0;
    for (; pb_json_digit_(r); r->p++)
      if (e < 100000) e = e * 10 + (*r->p - '0');
    exp10 += eneg ? -e : e;
  }
  double v = (double)m;
  if (m != 0 && exp10 > 0) v = exp10 > 400 ? v * 1e308 * 1e308 : v * pb_json_pow10_(exp10);
  if (m != 0 && exp10 < 0) {
    if (exp10 < -300) {
      v /= 1e300;
      exp10 += 300;
    }
    v = exp10 < -400 ? 0 : v / pb_json_pow10_(-exp10);
  }
  *out = neg ? -v : v;
  return true;
}

static inline bool pb_json_word_(pb_json_reader_ *r, const char *w) {
  size_t n = strlen(w);
  if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0) return false;
  r->p += n;
  return true;
}

static inline pb_json *pb_json_value_(pb_json_reader_ *r, int depth) {
  pb_json_ws_(r);
  if (r->p >= r->end) return pb_json_fail_(r, "unexpected end of input");
  if (depth > PB_JSON_MAX_DEPTH) return pb_json_fail_(r, "nested too deeply");
  pb_json *v = (pb_json *)pb_calloc(1, sizeof(pb_json));
  const char *start = r->p;
  char c = *r->p;
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    v->kind = c == '{' ? PB_JSON_OBJECT : PB_JSON_ARRAY;
    r->p++;
    pb_json_ws_(r);
    pb_json **tail = &v->child;
    if (r->p < r->end && *r->p == close) {
      r->p++;
    } else {
      for (;;) {
        pb_str key = pb_str_n("", 0);
        if (v->kind == PB_JSON_OBJECT) {
          pb_json_ws_(r);
          if (r->p >= r->end || *r->p != '"') return pb_json_fail_(r, "expected a member name");
          if (!pb_json_string_(r, &key)) return NULL;
          pb_json_ws_(r);
          if (r->p >= r->end || *r->p != ':') return pb_json_fail_(r, "expected ':'");
          r->p++;
        }
        pb_json *item = pb_json_value_(r, depth + 1);
        if (!item) return NULL;
        item->key = key;
        *tail = item;
        tail = &item->next;
        v->count++;
        pb_json_ws_(r);
        if (r->p < r->end && *r->p == ',') {
          r->p++;
          continue;
        }
        if (r->p < r->end && *r->p == close) {
          r->p++;
          break;
        }
        return pb_json_fail_(r, v->kind == PB_JSON_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
  } else if (c == '"') {
    v->kind = PB_JSON_STRING;
    if (!pb_json_string_(r, &v->str)) return NULL;
  } else if (c == '-' || (c >= '0' && c <= '9')) {
    v->kind = PB_JSON_NUMBER;
    if (!pb_json_number_(r, &v->number)) return NULL;
  } else if (pb_json_word_(r, "true") || pb_json_word_(r, "false")) {
    v->kind = PB_JSON_BOOL;
    v->boolean = c == 't';
  } else if (pb_json_word_(r, "null")) {
    v->kind = PB_JSON_NULL;
  } else {
    return pb_json_fail_(r, "unexpected character");
  }
  v->raw = pb_str_n(start, (size_t)(r->p - start));
  return v;
}

/** Parses `len` bytes of JSON; NULL when malformed (pb_json_last_error() says why and where). */
static inline pb_json *pb_json_parse(const char *text, size_t len) {
  pb_json_reader_ r;
  r.p = r.start = text;
  r.end = text + len;
  r.error = NULL;
  r.error_at = 0;
  pb_json *v = pb_json_value_(&r, 0);
  if (v) {
    pb_json_ws_(&r);
    if (r.p != r.end) v = pb_json_fail_(&r, "trailing characters");
  }
  if (v) {
    pb_json_error_[0] = 0;
    return v;
  }
  pb_buf b = pb_buf_new();
  pb_buf_cstr(&b, r.error);
  pb_buf_cstr(&b, " at offset ");
  pb_buf_int(&b, (int64_t)r.error_at);
  size_t n = b.len < sizeof pb_json_error_ - 1 ? b.len : sizeof pb_json_error_ - 1;
  __builtin_memcpy(pb_json_error_, b.data, n);
  pb_json_error_[n] = 0;
  return NULL;
}

static inline pb_json *pb_json_parse_str(pb_str s) { return pb_json_parse(s.ptr, s.len); }

/** Why the last pb_json_parse returned NULL ("" after a success). */
static inline const char *pb_json_last_error(void) { return pb_json_error_; }

static inline bool pb_json_is(const pb_json *v, pb_json_kind kind) { return v && v->kind == kind; }

/** The member `key` of an object, or NULL. */
static inline pb_json *pb_json_get(const pb_json *obj, const char *key) {
  if (!pb_json_is(obj, PB_JSON_OBJECT)) return NULL;
  pb_str k = pb_str_c(key);
  pb_json *found = NULL;
  /* The last duplicate wins, as in JavaScript. */
  for (pb_json *c = obj->child; c; c = c->next)
    if (pb_str_eq(c->key, k)) found = c;
  return found;
}

/** Element `i` of an array, or NULL. */
static inline pb_json *pb_json_at(const pb_json *arr, size_t i) {
  if (!pb_json_is(arr, PB_JSON_ARRAY)) return NULL;
  pb_json *c = arr->child;
  while (c && i--) c = c->next;
  return c;
}

static inline pb_str pb_json_str(const pb_json *v, const char *fallback) {
  return pb_json_is(v, PB_JSON_STRING) ? v->str : pb_str_c(fallback);
}

static inline double pb_json_num(const pb_json *v, double fallback) {
  return pb_json_is(v, PB_JSON_NUMBER) ? v->number : fallback;
}

static inline bool pb_json_bool(const pb_json *v, bool fallback) {
  return pb_json_is(v, PB_JSON_BOOL) ? v->boolean : fallback;
}

static inline pb_str pb_json_get_str(const pb_json *obj, const char *key, const char *fallback) {
  return pb_json_str(pb_json_get(obj, key), fallback);
}

static inline double pb_json_get_num(const pb_json *obj, const char *key, double fallback) {
  return pb_json_num(pb_json_get(obj, key), fallback);
}

static inline bool pb_json_get_bool(const pb_json *obj, const char *key, bool fallback) {
  return pb_json_bool(pb_json_get(obj, key), fallback);
}

#ifdef __cplusplus
}
#endif

#endif
