#include "words.h"

static bool word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '\'' || c >= 0x80;
}

static uint32_t hash(const char *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 16777619u;
  return h;
}

static void grow(word_stats *s);

static void add(word_stats *s, const char *p, size_t n) {
  if ((s->distinct + 1) * 4 > s->capacity * 3) grow(s);
  uint32_t i = hash(p, n) & (s->capacity - 1);
  while (s->table[i].word.ptr) {
    if (s->table[i].word.len == n && memcmp(s->table[i].word.ptr, p, n) == 0) {
      s->table[i].count++;
      return;
    }
    i = (i + 1) & (s->capacity - 1);
  }
  s->table[i].word = pb_str_n(p, n);
  s->table[i].count = 1;
  s->distinct++;
}

static void grow(word_stats *s) {
  word_entry *old = s->table;
  uint32_t old_capacity = s->capacity;
  s->capacity = old_capacity ? old_capacity * 2 : 64;
  s->table = (word_entry *)pb_calloc(s->capacity, sizeof(word_entry));
  s->distinct = 0;
  for (uint32_t i = 0; i < old_capacity; i++)
    if (old[i].word.ptr) {
      uint32_t j = hash(old[i].word.ptr, old[i].word.len) & (s->capacity - 1);
      while (s->table[j].word.ptr) j = (j + 1) & (s->capacity - 1);
      s->table[j] = old[i];
      s->distinct++;
    }
}

word_stats count_words(pb_str text, uint32_t min_length) {
  word_stats s = {0, 0, NULL, 0};
  grow(&s);
  /* One lowercased copy: table entries point into it. */
  char *lower = (char *)pb_alloc(text.len);
  for (size_t i = 0; i < text.len; i++) {
    char c = text.ptr[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
  }
  size_t i = 0;
  while (i < text.len) {
    while (i < text.len && !word_byte((unsigned char)lower[i])) i++;
    size_t start = i;
    while (i < text.len && word_byte((unsigned char)lower[i])) i++;
    if (i > start && i - start >= min_length) {
      s.words++;
      add(&s, lower + start, i - start);
    }
  }
  return s;
}

void write_top_words(pb_jw *w, const word_stats *stats, uint32_t top) {
  pb_jw_array_begin(w);
  /* Selection by repeated maximum: `top` is at most 50, so this stays linear in practice. */
  bool *taken = (bool *)pb_calloc(stats->capacity, sizeof(bool));
  for (uint32_t k = 0; k < top && k < stats->distinct; k++) {
    int64_t best = -1;
    for (uint32_t i = 0; i < stats->capacity; i++) {
      const word_entry *e = &stats->table[i];
      if (!e->word.ptr || taken[i]) continue;
      if (best < 0) {
        best = i;
        continue;
      }
      const word_entry *b = &stats->table[best];
      int order = memcmp(e->word.ptr, b->word.ptr, e->word.len < b->word.len ? e->word.len : b->word.len);
      if (e->count > b->count || (e->count == b->count && (order < 0 || (order == 0 && e->word.len < b->word.len))))
        best = i;
    }
    taken[best] = true;
    pb_jw_object_begin(w);
    pb_jw_key(w, "word");
    pb_jw_str(w, stats->table[best].word);
    pb_jw_key(w, "count");
    pb_jw_int(w, stats->table[best].count);
    pb_jw_object_end(w);
  }
  pb_jw_array_end(w);
}
