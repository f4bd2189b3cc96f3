/* Hostile behaviours written in C, one export each: the platform's limits must hold for them. */
#include <plugboard.h>

static volatile uint64_t counter;

PB_EXPORT(spin) {
  for (;;) counter++;
  return 0;
}

/* Grows linear memory 1 MiB at a time, touching each block, until the cap stops it. */
PB_EXPORT(allocate_forever) {
  for (;;) {
    char *block = (char *)pb_alloc(1 << 20);
    block[0] = 1;
    counter += (uintptr_t)block;
  }
  return 0;
}

/* Asks the host for 1 MiB blocks without end: the per-call host buffer budget stops it. */
PB_EXPORT(host_alloc_forever) {
  for (;;) counter += pb_abi_alloc(1 << 20);
  return 0;
}

/* Recursion without end is the point here. */
#pragma clang diagnostic ignored "-Winfinite-recursion"
static uint64_t down(volatile uint64_t n) {
  volatile char frame[256];
  frame[n % 256] = (char)n;
  return down(n + 1) + frame[0];
}

PB_EXPORT(recurse) {
  counter = down(0);
  return 0;
}

PB_EXPORT(trap) {
  __builtin_trap();
  return 0;
}

/* Writes past the end of linear memory. */
PB_EXPORT(scribble) {
  volatile char *far = (volatile char *)(uintptr_t)(__builtin_wasm_memory_size(0) * 65536u + 16u);
  *far = 1;
  return 0;
}

PB_EXPORT(ok) {
  pb_output_cstr("ok");
  return 0;
}
