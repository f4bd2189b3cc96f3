import type { LogLevel, Permission } from './abi.ts';

/** Limits applied to one call. The platform caps them; a manifest may ask for less. */
export interface CallLimits {
  /** Instruction budget (fuel units) for the call. @default 100_000_000 */
  fuel: number;
  /** Wall-clock deadline; the call is stopped, not abandoned. @default 1000 */
  timeoutMs: number;
  /** Largest accepted input. @default 1 MiB */
  maxInputBytes: number;
  /** Largest accepted output. @default 256 KiB */
  maxOutputBytes: number;
  /** Log bytes kept per call; the rest is dropped with a truncation marker. @default 16 KiB */
  maxLogBytes: number;
  /** Total KV bytes (keys + values) an installation may hold. @default 1 MiB */
  maxKvBytes: number;
}

/** State the host functions read during a call; nothing is written back until the call succeeds. */
export interface HostState {
  /** Validated installation config (`config_get`). */
  config: Record<string, unknown>;
  /**
   * The installation's KV entries at call start (`kv_get`); values are raw bytes. A `PackedKv`
   * (from `packKv`) reaches the worker without a copy and is read per key.
   */
  kv: Map<string, Uint8Array> | PackedKv;
  /** The clip the call is about (`clip_get`), or null. */
  clip: Record<string, unknown> | null;
}

/** KV entries packed into shared memory by `packKv`, sorted by key. */
export interface PackedKv {
  packed: SharedArrayBuffer;
  /** Number of keys. */
  size: number;
  /** Bytes of keys and values, as the KV quota counts them. */
  bytes: number;
}

export interface CallRequest {
  /** Instances are reused per key (an installation id): one call at a time per instance. */
  instanceKey: string;
  /** The prepared (fuel-instrumented, memory-capped) module. */
  module: { sha256: string; load(): Promise<Uint8Array> };
  function: string;
  input: Uint8Array;
  /** Permissions granted by the installation: only their host functions are linked. */
  grants: readonly Permission[];
  limits: CallLimits;
  host: HostState;
  /** Called for each log line as it is produced (best effort, for live streaming). */
  onLog?: (line: LogLine) => void;
}

export type CallStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'FUEL_EXHAUSTED' | 'MEMORY_EXCEEDED';

export type RuntimeErrorCode =
  | 'PLUGIN_TIMEOUT'
  | 'PLUGIN_FUEL_EXHAUSTED'
  | 'PLUGIN_MEMORY_EXCEEDED'
  | 'PLUGIN_TRAP'
  | 'PLUGIN_FAILED'
  | 'PLUGIN_OUTPUT_TOO_LARGE'
  | 'PLUGIN_INPUT_TOO_LARGE'
  | 'PERMISSION_DENIED'
  | 'PLUGIN_INTEGRITY'
  | 'PLUGIN_REJECTED'
  /** Set by the host, not the runtime: the call's KV writes could not be applied over what it read. */
  | 'PLUGIN_KV_CONFLICT'
  /** The call passed `MAX_KV_KEYS` keys in the installation or `MAX_KV_WRITES_PER_CALL` writes; none applied. */
  | 'PLUGIN_KV_LIMIT'
  /** The module cannot run here: not prepared by `prepareModule`, refused imports, or link failure. */
  | 'PLUGIN_INVALID_MODULE'
  /** The requested function is not exported by the module. */
  | 'PLUGIN_FUNCTION_NOT_FOUND'
  /** The worker running the call died twice (killed for another call's deadline, or crashed). */
  | 'RUNTIME_WORKER_LOST';

export interface LogLine {
  level: LogLevel;
  message: string;
  /** Milliseconds since the call started. */
  at: number;
}

export interface KvWrite {
  key: string;
  /** null deletes the key. */
  value: Uint8Array | null;
}

export interface CallResult {
  status: CallStatus;
  error: { code: RuntimeErrorCode; message: string } | null;
  output: Uint8Array | null;
  /** Instruction budget consumed; null when it cannot be known (the worker was stopped mid-call: a timeout or a crash). */
  fuelUsed: number | null;
  peakMemoryBytes: number;
  durationMs: number;
  logs: LogLine[];
  logsTruncated: boolean;
  /** Buffered effects, to be applied atomically by the caller only when status is SUCCEEDED. */
  kvWrites: KvWrite[];
  /** Keys the call read from the stored KV, with the values it got (null: absent), whatever the outcome. */
  kvReads: KvWrite[];
  clipPatches: Record<string, unknown>[];
  events: { type: string; data: unknown }[];
}
