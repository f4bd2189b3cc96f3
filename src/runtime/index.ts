/**
 * The Plugboard Wasm runtime: inspect and prepare plugin modules at publish, run calls off the
 * main thread with fuel, memory, time and size limits. Nothing else in `src/runtime` is public.
 *
 * Layers, in the order a module meets them: `wasm/` reads and patches the binary format (no
 * engine); `prepare/` is publish time (inspect, fuel instrumentation in its own thread); `calls/`
 * is where a call enters (createRuntime, the local runner, the compiled-module cache and checks
 * both share); `pool/` is the main thread's side of the worker threads (dispatch, deadlines,
 * stealing, recovery, the wire format, and the thread body that speaks it); `executor/` runs a
 * call in whatever thread it is in (instances, host functions, per-call state). Files at this
 * level are the contracts every layer shares.
 */
export * from './abi.ts';
export type * from './types.ts';
export {
  inspectModule,
  type InspectExpectations,
  type InspectProblem,
  type InspectProblemCode,
  type InspectReport,
} from './prepare/inspect.ts';
export {
  prepareModule,
  sha256Hex,
  INSTRUMENTATION_VERSION,
  type PrepareOptions,
  type PreparedModule,
} from './prepare/prepare.ts';
export {
  createRuntime,
  DEFAULT_WORKERS,
  type PluginRuntime,
  type RuntimeOptions,
  type RuntimeStats,
} from './calls/runtime.ts';
export { createLocalRunner, type LocalCallRequest, type LocalRunner } from './calls/local-runner.ts';
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
export { MAX_KV_KEYS, MAX_KV_WRITES_PER_CALL } from './executor/call-state.ts';
export { packKv, packedEntries } from './packed-kv.ts';
export { importNative } from './prepare/native-import.ts';
export { hostGranted, hostPatternProblem, isHttpPermission, isPermission } from './http/host-pattern.ts';
export { isRefusedAddress } from './http/address-policy.ts';
export {
  HTTP_RECORDED_BODY_BYTES,
  HTTP_RECORDED_BYTES_PER_CALL,
  MAX_HTTP_REDIRECTS,
  MAX_HTTP_REQUEST_BYTES,
  MAX_HTTP_REQUESTS_PER_CALL,
  MAX_HTTP_RESPONSE_BYTES,
} from './http/limits.ts';
