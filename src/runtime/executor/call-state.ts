import type { LogLevel } from '../abi.ts';
import type { CallLimits, HostState, KvWrite, LogLine } from '../types.ts';

const encoder = new TextEncoder();
const MAX_KV_KEY_BYTES = 256;

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
    if (!this.kvOverlay.has(key) && !this.kvReads.has(key)) this.kvReads.set(key, this.host.kv.get(key) ?? null);
    return this.kvCurrent(key);
  }

  private kvCurrent(key: string): Uint8Array | null {
    return this.kvOverlay.has(key) ? (this.kvOverlay.get(key) ?? null) : (this.host.kv.get(key) ?? null);
  }

  /** 0 stored, 1 quota exceeded, 2 invalid key (the ABI's `kv_set` codes). */
  kvSet(key: string, value: Uint8Array): 0 | 1 | 2 {
    const keyBytes = encoder.encode(key).length;
    if (keyBytes === 0 || keyBytes > MAX_KV_KEY_BYTES) return 2;
    const old = this.kvCurrent(key);
    const total = this.kvUsage() - (old ? keyBytes + old.length : 0) + keyBytes + value.length;
    if (total > this.limits.maxKvBytes) return 1;
    this.kvTotal = total;
    this.kvOverlay.set(key, value);
    return 0;
  }

  /** 1 removed, 0 absent. */
  kvDelete(key: string): 0 | 1 {
    const old = this.kvCurrent(key);
    if (!old) return 0;
    this.kvTotal = this.kvUsage() - encoder.encode(key).length - old.length;
    this.kvOverlay.set(key, null);
    return 1;
  }

  private kvUsage(): number {
    if (this.kvTotal === null) {
      let total = 0;
      for (const [k, v] of this.host.kv) total += encoder.encode(k).length + v.length;
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
