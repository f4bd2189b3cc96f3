/*
 * Plugboard's C and C++ plugin SDK: one header, no C library. Include it and write exports:
 *
 *   #include <plugboard.h>
 *
 *   PB_EXPORT(greet) {
 *     pb_json *in = pb_input_json();
 *     if (!pb_json_is(in, PB_JSON_OBJECT)) return pb_fail("greet: input must be a JSON object");
 *     ...
 *     return 0;
 *   }
 *
 * See sdk-c/README.md. Build with `npx plugboard plugin build` (clang --target=wasm32).
 */
#ifndef PLUGBOARD_H
#define PLUGBOARD_H

#include "plugboard/abi.h"
#include "plugboard/memory.h"
#include "plugboard/text.h"
#include "plugboard/json-read.h"
#include "plugboard/json-write.h"
#include "plugboard/host.h"
#include "plugboard/http.h"

/**
 * Defines the exported function `name` (a manifest function, or a hook's export such as
 * clip_captured): no arguments, returns 0 on success. The arena is reset on entry, so memory
 * allocated in one call is reused by the next.
 */
#define PB_EXPORT(name)                                                  \
  static int32_t pb_export_body_##name(void);                            \
  __attribute__((export_name(#name))) int32_t name(void);                \
  int32_t name(void) {                                                   \
    pb_arena_reset();                                                    \
    return pb_export_body_##name();                                      \
  }                                                                      \
  static int32_t pb_export_body_##name(void)

#endif
