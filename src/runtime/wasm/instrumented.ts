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
/**
 * Copy every mutable global of the module into a shadow global, and back. The executor saves
 * once after instantiation and restores (with the linear memory) after every call, so each call
 * starts from the same state. Absent when the module can change state the runtime cannot put
 * back (`table.set`, `data.drop` outside the start function): such a module gets a fresh
 * instance per call. Modules prepared before they existed get one too.
 */
export const STATE_SAVE = '__plugboard_state_save';
export const STATE_RESTORE = '__plugboard_state_restore';

/** Every export a module must carry to be run: without them it would bypass fuel and the memory cap. */
export const INSTRUMENTED_EXPORTS = [FUEL_GET, FUEL_SET, RC_GLOBAL, GROW_GLOBAL, MEMORY_EXPORT] as const;
