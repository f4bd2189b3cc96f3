import type { CallLimits, CallStatus, HttpErrorCode, LogLine, RuntimeErrorCode } from '../../src/runtime/index.ts';
import type { HttpMock } from './http.ts';

/** A KV value as tests write it: bytes as-is, strings as UTF-8, anything else as JSON. */
export type KvInput = Uint8Array | string | number | boolean | null | object;

/** Mocked host state and overrides for one call; unset fields keep the harness's current state. */
export interface CallOptions {
  /**
   * Installation config. Like the server, the harness validates it against the manifest's
   * `configSchema` and fills in defaults; a config the server would refuse throws `ConfigError`.
   */
  config?: Record<string, unknown>;
  /** The clip `clip_get` returns; null for calls that are not about a clip. */
  clip?: Record<string, unknown> | null;
  /** Replaces the installation's KV store before the call. */
  kv?: Record<string, KvInput>;
  /** Permissions granted to this call (`http:<host>` ones included). @default every permission the manifest declares */
  grants?: string[];
  /**
   * Answers the plugin's outbound HTTP requests (the harness never goes to the network). Requests
   * still pass the platform's checks: a host the grants do not match is refused as on the server.
   * @default none: every request fails with HTTP_NO_RESPONSE
   */
  http?: HttpMock;
  /** Limits for the call, clamped to the platform caps. @default the manifest's limits */
  limits?: Partial<CallLimits>;
}

export interface Usage {
  /** Instruction budget consumed (fuel units), measured by the same instrumentation as production. */
  fuelUsed: number;
  /** Largest linear memory the instance reached during the call, in bytes. */
  peakMemoryBytes: number;
  durationMs: number;
  inputBytes: number;
  outputBytes: number;
}

export interface HarnessResult {
  status: CallStatus;
  ok: boolean;
  error: { code: RuntimeErrorCode; message: string } | null;
  /** The output decoded as UTF-8, or null when the call produced none. */
  output: string | null;
  outputBytes: Uint8Array | null;
  /** The output parsed as JSON; throws when there is no output or it is not JSON. */
  json<T = unknown>(): T;
  logs: LogLine[];
  logsTruncated: boolean;
  /** Events the call emitted (published by the platform only on success). */
  events: { type: string; data: unknown }[];
  /** Clip patches the call queued (applied by the platform only on success). */
  clipPatches: Record<string, unknown>[];
  /** KV writes of the call; on success the harness applies them to its store, like the platform. */
  kvWrites: { key: string; value: Uint8Array | null }[];
  /** The outbound HTTP requests the call made, in order, with what each got (status 0: refused or failed). */
  httpRequests: {
    method: string;
    url: string;
    status: number;
    error: { code: HttpErrorCode; message: string } | null;
  }[];
  usage: Usage;
}
