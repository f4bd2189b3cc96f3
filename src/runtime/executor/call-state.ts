import type { LogLevel } from '../abi.ts';
import { packedGet } from '../packed-kv.ts';
import type { CallLimits, HostState, HttpExchange, KvWrite, LogLine } from '../types.ts';

const encoder = new TextEncoder();
const MAX_KV_KEY_BYTES = 256;
/**
 * Keys one installation may hold. The byte quota alone let ~170,000 tiny keys in, and every key
 * costs a row to commit and to read back.
 */
export const MAX_KV_KEYS = 10_000;
/** Distinct keys one call may set or delete: bounds the work of committing a call. */
export const MAX_KV_WRITES_PER_CALL = 1_000;

/**
 * Everything one call produces besides its output: captured logs, buffered KV writes, clip
 * patches and events, the error message a plugin set, and host-side allocation accounting.
 * One instance per call; host functions reach it through the executor (Extism 1.0.3's `call()`
 * has no per-call host context).
 */
export class CallState {
  readonly started = performance.now();
  readonly logs: LogLine[] = [];
  logsTruncated = false;
  private logBytes = 0;
  readonly kvOverlay = new Map<string, Uint8Array | null>();
  /** Each key the plugin read from the installation's store (not its own writes), as it read it: what a replay needs. */
  readonly kvReads = new Map<string, Uint8Array | null>();
  private kvTotal: number | null = null;
  private kvKeys: number;
  /** Set when the call passed a KV count limit: the call fails with PLUGIN_KV_LIMIT, whatever the plugin does next. */
  kvLimit: string | null = null;
  readonly clipPatches: Record<string, unknown>[] = [];
  readonly events: { type: string; data: unknown }[] = [];
  private effectBytes = 0;
  /** Buffered patches/events went past the output cap; the call fails with PLUGIN_OUTPUT_TOO_LARGE. */
  effectsOverflow = false;
  /** What the plugin passed to `output_set`: exactly `length` bytes, copied out of its block. */
  output: Uint8Array | null = null;
  /** Size of an output refused for passing `maxOutputBytes` (it is never copied). */
  oversizedOutput = 0;
  /** Set through Extism's `error_set` (the SDK's error path and our abort handler). */
  errorMessage: string | null = null;
  hostAllocBytes = 0;
  hostMemoryExceeded = false;
  /** Extism vars (`var_set`/`var_get`): they last one call, so no call sees another's. */
  readonly vars = new Map<string, Uint8Array>();
  varBytes = 0;
  /** Outbound HTTP: the last response's status and headers (what `http_status_code`/`http_headers` answer) and the record. */
  httpStatus = 0;
  httpHeaders: Record<string, string> | null = null;
  readonly httpExchanges: HttpExchange[] = [];
  httpRecordedBytes = 0;
  /** Told of each exchange as it is recorded. */
  onHttp: ((exchange: HttpExchange) => void) | null = null;
  /** The deadline passed while the host waited on an HTTP response: the call ends TIMED_OUT. */
  deadlinePassed = false;
  /** Host bytes (Extism blocks) a call may allocate; beyond it the call stops with MEMORY_EXCEEDED. */
  readonly hostAllocBudget: number;

  constructor(
    readonly host: HostState,
    readonly limits: CallLimits,
    memoryCapBytes: number,
    inputBytes: number,
    private readonly onLog?: (line: LogLine) => void,
  ) {
    this.hostAllocBudget = Math.max(memoryCapBytes, 2 * limits.maxOutputBytes) + inputBytes;
    this.kvKeys = host.kv.size;
  }

  /** Bytes of log text still accepted before truncation. */
  get logRoom(): number {
    return this.logsTruncated ? 0 : Math.max(0, this.limits.maxLogBytes - this.logBytes);
  }

  log(level: LogLevel, message: string, originalBytes: number): void {
    if (this.logsTruncated) return;
    const at = performance.now() - this.started;
    if (this.logBytes + originalBytes > this.limits.maxLogBytes) {
      this.logsTruncated = true;
      this.push({
        level: 'warn',
        message: `[log truncated: more than ${this.limits.maxLogBytes} bytes of log in this call]`,
        at,
      });
      return;
    }
    this.logBytes += originalBytes;
    this.push({ level, message, at });
  }

  private push(line: LogLine): void {
    this.logs.push(line);
    try {
      this.onLog?.(line);
    } catch {
      // Live streaming is best effort; a failing listener must not fail the call.
    }
  }

  /** `kv_get`: the call's own write if it made one, else the stored value (recorded in `kvReads`). */
  kvGet(key: string): Uint8Array | null {
    if (!this.kvOverlay.has(key) && !this.kvReads.has(key)) this.kvReads.set(key, this.kvStored(key));
    return this.kvCurrent(key);
  }

  private kvStored(key: string): Uint8Array | null {
    const kv = this.host.kv;
    return (kv instanceof Map ? kv.get(key) : packedGet(kv, key)) ?? null;
  }

  private kvCurrent(key: string): Uint8Array | null {
    if (this.kvOverlay.has(key)) return this.kvOverlay.get(key) ?? null;
    if (this.kvReads.has(key)) return this.kvReads.get(key) ?? null;
    return this.kvStored(key);
  }

  /** Marks the call failed by a KV count limit (the first one passed is reported). */
  private overLimit(message: string): 1 {
    this.kvLimit ??= message;
    return 1;
  }

  /** Whether writing `key` would pass the per-call write limit. */
  private tooManyWrites(key: string): boolean {
    return !this.kvOverlay.has(key) && this.kvOverlay.size >= MAX_KV_WRITES_PER_CALL;
  }

  /** 0 stored, 1 quota exceeded, 2 invalid key (the ABI's `kv_set` codes). */
  kvSet(key: string, value: Uint8Array): 0 | 1 | 2 {
    const keyBytes = encoder.encode(key).length;
    if (keyBytes === 0 || keyBytes > MAX_KV_KEY_BYTES) return 2;
    if (this.kvLimit !== null) return 1;
    const old = this.kvCurrent(key);
    if (this.tooManyWrites(key))
      return this.overLimit(`the call wrote more than ${MAX_KV_WRITES_PER_CALL} KV keys; none of its writes were kept`);
    if (!old && this.kvKeys >= MAX_KV_KEYS)
      return this.overLimit(
        `the installation would hold more than ${MAX_KV_KEYS} KV keys; none of the call's writes were kept`,
      );
    const total = this.kvUsage() - (old ? keyBytes + old.length : 0) + keyBytes + value.length;
    if (total > this.limits.maxKvBytes) return 1;
    this.kvTotal = total;
    if (!old) this.kvKeys++;
    this.kvOverlay.set(key, value);
    return 0;
  }

  /** 1 removed, 0 absent. */
  kvDelete(key: string): 0 | 1 {
    const old = this.kvCurrent(key);
    if (!old) return 0;
    if (this.kvLimit !== null) return 0;
    if (this.tooManyWrites(key)) {
      this.overLimit(`the call wrote more than ${MAX_KV_WRITES_PER_CALL} KV keys; none of its writes were kept`);
      return 0;
    }
    this.kvTotal = this.kvUsage() - encoder.encode(key).length - old.length;
    this.kvKeys--;
    this.kvOverlay.set(key, null);
    return 1;
  }

  private kvUsage(): number {
    if (this.kvTotal === null) {
      const kv = this.host.kv;
      let total = 0;
      if (kv instanceof Map) for (const [k, v] of kv) total += encoder.encode(k).length + v.length;
      else total = kv.bytes;
      this.kvTotal = total;
    }
    return this.kvTotal;
  }

  kvWrites(): KvWrite[] {
    return [...this.kvOverlay].map(([key, value]) => ({ key, value }));
  }

  kvReadList(): KvWrite[] {
    return [...this.kvReads].map(([key, value]) => ({ key, value }));
  }

  /** Charges buffered effect bytes against the output cap; false once the cap is passed. */
  chargeEffect(bytes: number): boolean {
    this.effectBytes += bytes;
    if (this.effectBytes > this.limits.maxOutputBytes) this.effectsOverflow = true;
    return !this.effectsOverflow;
  }
}
