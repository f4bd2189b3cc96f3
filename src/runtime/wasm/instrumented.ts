/**
 * Exports that `prepareModule` adds to every module and the executor drives at call time: the
 * contract between publish-time instrumentation and the instances that run it.
 */

/** Fuel accessors: the counter itself stays an internal global, which V8 reads and writes faster. */
export const FUEL_GET = '__plugboard_fuel_get';
export const FUEL_SET = '__plugboard_fuel_set';
/** The return code of the last entry point called (Extism 1.0.3 discards it). */
export const RC_GLOBAL = '__plugboard_rc';
/** Pages the last `memory.grow` asked for, so a failed grow at the cap can be told from other traps. */
export const GROW_GLOBAL = '__plugboard_grow_request';
export const MEMORY_EXPORT = '__plugboard_memory';

/** Every export a module must carry to be run: without them it would bypass fuel and the memory cap. */
export const INSTRUMENTED_EXPORTS = [FUEL_GET, FUEL_SET, RC_GLOBAL, GROW_GLOBAL, MEMORY_EXPORT] as const;
