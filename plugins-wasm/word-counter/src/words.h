/* Word counting over UTF-8 text: a word is a run of letters, digits, apostrophes or non-ASCII
 * bytes; ASCII letters are lowercased. Counts per distinct word live in an arena hash table. */
#ifndef WORDS_H
#define WORDS_H

#include <plugboard.h>

typedef struct word_entry {
  pb_str word;
  uint32_t count;
} word_entry;

typedef struct word_stats {
  uint32_t words;
  uint32_t distinct;
  word_entry *table;
  uint32_t capacity;
} word_stats;

/** Counts the words of `text` that have at least `min_length` bytes. */
word_stats count_words(pb_str text, uint32_t min_length);

/** Writes the `top` most frequent words as [{ "word", "count" }], ties alphabetically. */
void write_top_words(pb_jw *w, const word_stats *stats, uint32_t top);

#endif
