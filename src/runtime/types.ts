import type { LogLevel } from './abi.ts';

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
  /**
   * Permissions granted by the installation (`Permission`s and `http:<host pattern>`s): only
   * their host functions are linked, and HTTP reaches only hosts a granted pattern matches.
   */
  grants: readonly string[];
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
  /** Outbound HTTP requests the call made, in order, whatever the outcome. */
  httpRequests: HttpExchange[];
}

/** Why the host refused or failed an outbound HTTP request (status 0 for the plugin). */
export type HttpErrorCode =
  /** The URL (or a redirect's) names a host no granted `http:` pattern matches. */
  | 'HTTP_HOST_NOT_GRANTED'
  /** The host resolves to a loopback, private, link-local, metadata or otherwise internal address. */
  | 'HTTP_ADDRESS_REFUSED'
  /** The call already made `MAX_HTTP_REQUESTS_PER_CALL` requests. */
  | 'HTTP_TOO_MANY_REQUESTS'
  /** The response body passed `MAX_HTTP_RESPONSE_BYTES`. */
  | 'HTTP_RESPONSE_TOO_LARGE'
  /** The request body passed `MAX_HTTP_REQUEST_BYTES`. */
  | 'HTTP_REQUEST_TOO_LARGE'
  /** More than `MAX_HTTP_REDIRECTS` redirects. */
  | 'HTTP_TOO_MANY_REDIRECTS'
  /** The call's deadline came before the response. */
  | 'HTTP_TIMEOUT'
  /** The request JSON, URL, method or headers are not valid. */
  | 'HTTP_INVALID_REQUEST'
  /** DNS, connection, TLS or protocol failure. */
  | 'HTTP_FAILED'
  /** The SDK harness or replay: no mocked or recorded response for this request. */
  | 'HTTP_NO_RESPONSE';

/** An outbound request as the host performs it. */
export interface HttpOutbound {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
}

/** The answer to an outbound request: a response, or an error (status 0). */
export interface HttpInbound {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  /** Redirects followed to get here. */
  redirects: number;
  error: { code: HttpErrorCode; message: string } | null;
}

/** What the host lets a request do; the responder must honour it. */
export interface HttpPolicy {
  /** Host patterns granted (`api.example.com`, `*.example.com`): every redirect hop is checked too. */
  patterns: readonly string[];
  /** Time left before the call's deadline. */
  timeoutMs: number;
  maxResponseBytes: number;
  /** Position of this request in the call (0-based): what a replay answers by. */
  index: number;
}

/**
 * Performs a call's outbound requests, synchronously (host functions cannot await). The runtime's
 * default goes to the network from a helper thread; the SDK harness passes mocks and replay the
 * recorded responses.
 */
export type HttpResponder = (req: HttpOutbound, policy: HttpPolicy) => HttpInbound;

/** One outbound request as recorded on the Execution. */
export interface HttpExchange {
  method: string;
  url: string;
  /** Final status; 0 when the host refused or failed the request (see `error`). */
  status: number;
  requestBytes: number;
  responseBytes: number;
  durationMs: number;
  redirects: number;
  error: { code: HttpErrorCode; message: string } | null;
  /** The response as the plugin got it, kept for replay (the body capped, see `responseBodyTruncated`). */
  responseHeaders: Record<string, string>;
  responseBody: Uint8Array | null;
  responseBodyTruncated: boolean;
}
