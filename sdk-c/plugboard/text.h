/*
 * Strings as (pointer, length) views, and a growable byte buffer with number formatting: the
 * pieces the JSON reader and writer and the host wrappers are built from.
 */
#ifndef PLUGBOARD_TEXT_H
#define PLUGBOARD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memory.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A UTF-8 string view; not NUL-terminated unless it came from a C string. */
typedef struct pb_str {
  const char *ptr;
  size_t len;
} pb_str;

static inline pb_str pb_str_n(const char *ptr, size_t len) {
  pb_str s;
  s.ptr = ptr;
  s.len = len;
  return s;
}

/** A view of a NUL-terminated C string (NULL gives the empty string). */
static inline pb_str pb_str_c(const char *s) { return pb_str_n(s ? s : "", s ? strlen(s) : 0); }

static inline bool pb_str_eq(pb_str a, pb_str b) { return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0; }

static inline bool pb_str_eq_c(pb_str a, const char *b) { return pb_str_eq(a, pb_str_c(b)); }

/** A NUL-terminated copy in the arena. */
static inline char *pb_str_cstr(pb_str s) {
  char *p = (char *)pb_alloc(s.len + 1);
  __builtin_memcpy(p, s.ptr, s.len);
  p[s.len] = 0;
  return p;
}

/** A growable byte buffer in the arena; start from pb_buf_new(). */
typedef struct pb_buf {
  char *data;
  size_t len;
  size_t cap;
} pb_buf;

static inline pb_buf pb_buf_new(void) {
  pb_buf b;
  b.data = NULL;
  b.len = 0;
  b.cap = 0;
  return b;
}

static inline void pb_buf_reserve(pb_buf *b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap * 2 : 64;
  while (cap < b->len + extra) cap *= 2;
  b->data = (char *)pb_realloc(b->data, b->cap, cap);
  b->cap = cap;
}

static inline void pb_buf_append(pb_buf *b, const void *p, size_t n) {
  pb_buf_reserve(b, n);
  __builtin_memcpy(b->data + b->len, p, n);
  b->len += n;
}

static inline void pb_buf_char(pb_buf *b, char c) {
  pb_buf_reserve(b, 1);
  b->data[b->len++] = c;
}

static inline void pb_buf_cstr(pb_buf *b, const char *s) { pb_buf_append(b, s, strlen(s)); }

static inline void pb_buf_str(pb_buf *b, pb_str s) { pb_buf_append(b, s.ptr, s.len); }

static inline pb_str pb_buf_view(const pb_buf *b) { return pb_str_n(b->data ? b->data : "", b->len); }

/** Appends a decimal integer. */
static inline void pb_buf_int(pb_buf *b, int64_t v) {
  char tmp[24];
  int i = 24;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    tmp[--i] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) tmp[--i] = '-';
  pb_buf_append(b, tmp + i, (size_t)(24 - i));
}

/**
 * Appends a number as JSON writes it: whole numbers below 2^53 exactly, others with 15
 * significant digits (positional from 1e-5 to 1e15, scientific outside); NaN and infinities as
 * null, which JSON has no spelling for.
 */
static inline void pb_buf_number(pb_buf *b, double d) {
  if (d != d || d - d != 0) {
    pb_buf_cstr(b, "null");
    return;
  }
  if (d > -9007199254740992.0 && d < 9007199254740992.0 && d == (double)(int64_t)d) {
    if (d == 0 && 1 / d < 0) pb_buf_char(b, '-');
    pb_buf_int(b, (int64_t)d);
    return;
  }
  if (d < 0) {
    pb_buf_char(b, '-');
    d = -d;
  }
  int e = 0;
  while (d >= 10) {
    d /= 10;
    e++;
  }
  while (d < 1) {
    d *= 10;
    e--;
  }
  uint64_t digits = (uint64_t)(d * 1e14 + 0.5);
  if (digits >= 1000000000000000ull) {
    digits /= 10;
    e++;
  }
  char s[15];
  for (int i = 14; i >= 0; i--) {
    s[i] = (char)('0' + digits % 10);
    digits /= 10;
  }
  int n = 15;
  while (n > 1 && s[n - 1] == '0') n--;
  if (e >= -5 && e < 15) {
    if (e < 0) {
      pb_buf_cstr(b, "0.");
      for (int i = -1; i > e; i--) pb_buf_char(b, '0');
      pb_buf_append(b, s, (size_t)n);
    } else {
      pb_buf_append(b, s, (size_t)(e + 1 < n ? e + 1 : n));
      for (int i = n; i < e + 1; i++) pb_buf_char(b, '0');
      if (n > e + 1) {
        pb_buf_char(b, '.');
        pb_buf_append(b, s + e + 1, (size_t)(n - e - 1));
      }
    }
    return;
  }
  pb_buf_char(b, s[0]);
  if (n > 1) {
    pb_buf_char(b, '.');
    pb_buf_append(b, s + 1, (size_t)(n - 1));
  }
  pb_buf_char(b, 'e');
  if (e > 0) pb_buf_char(b, '+');
  pb_buf_int(b, e);
}

#ifdef __cplusplus
}
#endif

#endif
