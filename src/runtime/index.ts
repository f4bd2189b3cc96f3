/**
 * The Plugboard Wasm runtime: inspect and prepare plugin modules at publish, run calls off the
 * main thread with fuel, memory, time and size limits. Nothing else in `src/runtime` is public.
 */
export * from './abi.ts';
export type * from './types.ts';
export {
  inspectModule,
  type InspectExpectations,
  type InspectProblem,
  type InspectProblemCode,
  type InspectReport,
} from './inspect.ts';
export {
  prepareModule,
  sha256Hex,
  INSTRUMENTATION_VERSION,
  type PrepareOptions,
  type PreparedModule,
} from './prepare.ts';
export { createRuntime, type PluginRuntime, type RuntimeOptions } from './runtime.ts';
export { createLocalRunner, type LocalCallRequest, type LocalRunner } from './local-runner.ts';
export { DEFAULT_LIMITS, PLATFORM_CAPS, DEFAULT_MEMORY_PAGES, MAX_MEMORY_PAGES, normalizeLimits } from './limits.ts';
export {
  InvalidModuleError,
  PermissionDeniedError,
  PluginIntegrityError,
  PluginRuntimeError,
  RuntimeClosedError,
} from './errors.ts';
export {
  admit,
  recordOutcome,
  DEFAULT_BREAKER,
  type BreakerPolicy,
  type CircuitSnapshot,
  type CircuitState,
} from './circuit-breaker.ts';
export { failedResult } from './results.ts';
export { MAX_KV_KEYS, MAX_KV_WRITES_PER_CALL } from './call-state.ts';
export { packKv, packedEntries } from './packed-kv.ts';
export { importNative } from './native-import.ts';
