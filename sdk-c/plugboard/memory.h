/*
 * What a plugin needs from a C library, without one: mem* and strlen (weak, so several
 * translation units may include this header; clang emits calls to them), and a per-call arena.
 *
 * The arena hands out 8-byte aligned memory from __heap_base upwards, growing linear memory with
 * memory.grow. Exported functions declared with PB_EXPORT reset it on entry, so everything
 * allocated during a call lives until the call returns and a pooled instance never grows across
 * calls. Growing past the installation's memory cap traps: the call ends MEMORY_EXCEEDED.
 */
#ifndef PLUGBOARD_MEMORY_H
#define PLUGBOARD_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Needs -mbulk-memory (the toolchain passes it): the builtins then lower to memory.copy/fill. */
__attribute__((weak)) void *memcpy(void *dst, const void *src, size_t n) {
  __builtin_memcpy(dst, src, n);
  return dst;
}
__attribute__((weak)) void *memmove(void *dst, const void *src, size_t n) {
  __builtin_memmove(dst, src, n);
  return dst;
}
__attribute__((weak)) void *memset(void *dst, int c, size_t n) {
  __builtin_memset(dst, c, n);
  return dst;
}
__attribute__((weak, no_builtin("memcmp"))) int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}
__attribute__((weak, no_builtin("strlen"))) size_t strlen(const char *s) {
  const char *p = s;
  while (*p) p++;
  return (size_t)(p - s);
}

extern unsigned char __heap_base;

/* The arena's next free byte; 0 until first use. Weak: one arena for every translation unit. */
__attribute__((weak)) uintptr_t pb_arena_next_ = 0;

/** Forgets every arena allocation. PB_EXPORT calls it on entry. */
static inline void pb_arena_reset(void) { pb_arena_next_ = (uintptr_t)&__heap_base; }

/** Bytes allocated from the arena in this call. */
static inline size_t pb_arena_used(void) {
  return pb_arena_next_ == 0 ? 0 : (size_t)(pb_arena_next_ - (uintptr_t)&__heap_base);
}

/** `size` bytes, 8-byte aligned, valid until the call returns; traps past the memory cap. */
static inline void *pb_alloc(size_t size) {
  if (pb_arena_next_ == 0) pb_arena_reset();
  uintptr_t start = (pb_arena_next_ + 7u) & ~(uintptr_t)7u;
  uintptr_t end = start + size;
  if (end < start) __builtin_trap();
  uintptr_t have = __builtin_wasm_memory_size(0) * 65536u;
  if (end > have) {
    size_t pages = (end - have + 65535u) / 65536u;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) __builtin_trap();
  }
  pb_arena_next_ = end;
  return (void *)start;
}

/** Zeroed memory for `count` items of `size` bytes. */
static inline void *pb_calloc(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) __builtin_trap();
  void *p = pb_alloc(count * size);
  __builtin_memset(p, 0, count * size);
  return p;
}

/**
 * Resizes the block `old` of `old_size` bytes: in place when it is the arena's last allocation,
 * otherwise by copying.
 */
static inline void *pb_realloc(void *old, size_t old_size, size_t new_size) {
  if (old && (uintptr_t)old + old_size == pb_arena_next_ && (uintptr_t)old + new_size >= (uintptr_t)old) {
    pb_arena_next_ = (uintptr_t)old;
    void *p = pb_alloc(new_size);
    return p; /* same address: start was already aligned */
  }
  void *p = pb_alloc(new_size);
  if (old) __builtin_memcpy(p, old, old_size < new_size ? old_size : new_size);
  return p;
}

#ifdef __cplusplus
}
#endif

#endif
