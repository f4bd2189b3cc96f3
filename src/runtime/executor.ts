import createPlugin, { type Plugin } from '@extism/extism';
import type { Permission } from './abi.ts';
import { callableExports } from './exports.ts';
import { CallState } from './call-state.ts';
import { buildHostFunctions, HostMemoryExceeded } from './host-functions.ts';
import { FUEL_GET, FUEL_SET, GROW_GLOBAL, MEMORY_EXPORT, RC_GLOBAL } from './instrument.ts';
import { WASM_PAGE_BYTES } from './memory-cap.ts';
import { emptyResult, failedResult, failure } from './results.ts';
import type { CallLimits, CallResult, HostState, LogLine } from './types.ts';

/** One call as the executor sees it: the module is already compiled, verified and permitted. */
export interface ExecTask {
  sha256: string;
  module: WebAssembly.Module;
  memoryMaxPages: number;
  instanceKey: string;
  function: string;
  input: Uint8Array;
  grants: readonly Permission[];
  limits: CallLimits;
  host: HostState;
  onLog?: (line: LogLine) => void;
}

interface Slot {
  sha256: string;
  grants: string;
  plugin: Plugin;
  fuelGet: () => bigint;
  fuelSet: (fuel: bigint) => void;
  rc: WebAssembly.Global;
  grow: WebAssembly.Global;
  memory: WebAssembly.Memory;
  initialBytes: number;
  /** Callable entry points: exported functions outside the runtime's reserved names. */
  functions: Set<string>;
}

const silentLogger = { info() {}, debug() {}, warn() {}, error() {}, log() {}, trace() {} } as unknown as Console;

/**
 * Runs calls in the current thread: one Extism instance per `instanceKey`, reused while it stays
 * healthy, one call at a time. The worker pool runs one of these per thread; the local runner
 * runs one in the caller's thread. It enforces fuel, memory and size limits, not wall time.
 */
export class Executor {
  private readonly slots = new Map<string, Slot>();
  private current: CallState | null = null;
  private readonly state = () => {
    if (!this.current) throw new Error('host function called outside a call');
    return this.current;
  };

  /** @param maxInstances instances kept per executor, least recently used dropped first. @default 256 */
  constructor(private readonly maxInstances = 256) {}

  async run(task: ExecTask): Promise<CallResult> {
    const started = performance.now();
    const memoryCap = task.memoryMaxPages * WASM_PAGE_BYTES;
    const state = new CallState(task.host, task.limits, memoryCap, task.input.length, task.onLog);
    let slot = this.reuse(task);
    if (!slot) {
      // A start function runs during instantiation and may call host functions: give it this
      // call's state (its logs and host allocations count against this call).
      this.current = state;
      try {
        slot = await this.create(task);
      } catch (err) {
        return { ...instantiationFailure(err, state), durationMs: performance.now() - started };
      } finally {
        this.current = null;
      }
    }
    if (!slot.functions.has(task.function)) {
      return {
        ...failedResult('FAILED', 'PLUGIN_FUNCTION_NOT_FOUND', `the module exports no function "${task.function}"`),
        durationMs: performance.now() - started,
      };
    }
    // Extism adopts the buffer of a Uint8Array whole: hand it an exact copy, never a view into
    // a larger (possibly pooled) buffer.
    const input =
      task.input.byteOffset === 0 && task.input.byteLength === task.input.buffer.byteLength
        ? task.input
        : task.input.slice();
    slot.fuelSet(BigInt(task.limits.fuel));
    slot.rc.value = 0;
    slot.grow.value = 0n;
    this.current = state;
    let output: Uint8Array | null = null;
    let thrown: unknown = null;
    try {
      // [module name, function]: Extism then skips scanning the module's exports on every call.
      await slot.plugin.call(['0', task.function], input);
      output = state.output;
    } catch (err) {
      thrown = err;
    } finally {
      this.current = null;
      await slot.plugin.reset();
    }
    const remaining = slot.fuelGet();
    const bytes = slot.memory.buffer.byteLength;
    const result = emptyResult();
    result.fuelUsed = remaining < 0n ? task.limits.fuel : task.limits.fuel - Number(remaining);
    result.peakMemoryBytes = bytes;
    result.logs = state.logs;
    result.logsTruncated = state.logsTruncated;
    result.kvReads = state.kvReadList();
    if (thrown !== null || bytes > slot.initialBytes) this.drop(task.instanceKey);
    const outcome =
      thrown !== null ? classifyTrap(thrown, state, slot, remaining, memoryCap) : classifyReturn(state, slot, output);
    Object.assign(result, outcome);
    if (result.status === 'SUCCEEDED') {
      result.output = output;
      result.kvWrites = state.kvWrites();
      result.clipPatches = state.clipPatches;
      result.events = state.events;
    }
    result.durationMs = performance.now() - started;
    return result;
  }

  /** The cached instance for this key, if it runs the same module with the same grants. */
  private reuse(task: ExecTask): Slot | null {
    const existing = this.slots.get(task.instanceKey);
    if (!existing) return null;
    if (existing.sha256 !== task.sha256 || existing.grants !== grantsKey(task.grants)) {
      this.drop(task.instanceKey);
      return null;
    }
    this.slots.delete(task.instanceKey);
    this.slots.set(task.instanceKey, existing);
    return existing;
  }

  private async create(task: ExecTask): Promise<Slot> {
    const grants = grantsKey(task.grants);
    const plugin = await createPlugin(
      { wasm: [{ module: task.module }] },
      { functions: buildHostFunctions(task.grants, this.state), logger: silentLogger, useWasi: false },
    );
    const exports = (await plugin.getInstance()).exports;
    const memory = exports[MEMORY_EXPORT] as WebAssembly.Memory;
    const slot: Slot = {
      sha256: task.sha256,
      grants,
      plugin,
      fuelGet: exports[FUEL_GET] as () => bigint,
      fuelSet: exports[FUEL_SET] as (fuel: bigint) => void,
      rc: exports[RC_GLOBAL] as WebAssembly.Global,
      grow: exports[GROW_GLOBAL] as WebAssembly.Global,
      memory,
      initialBytes: memory.buffer.byteLength,
      functions: callableExports(task.module),
    };
    this.slots.set(task.instanceKey, slot);
    while (this.slots.size > this.maxInstances) this.drop(this.slots.keys().next().value as string);
    return slot;
  }

  private drop(key: string): void {
    const slot = this.slots.get(key);
    this.slots.delete(key);
    void slot?.plugin.close().catch(() => {});
  }

  close(): void {
    for (const key of [...this.slots.keys()]) this.drop(key);
  }
}

/** Instantiation runs the module's start function, which is metered by its own start budget. */
function instantiationFailure(err: unknown, state: CallState): CallResult {
  const message = err instanceof Error ? err.message : String(err);
  if (state.hostMemoryExceeded) {
    return failedResult(
      'MEMORY_EXCEEDED',
      'PLUGIN_MEMORY_EXCEEDED',
      `the module's start function allocated more than ${state.hostAllocBudget} bytes of host buffers`,
    );
  }
  if (err instanceof WebAssembly.RuntimeError || err instanceof RangeError) {
    return failedResult(
      'FAILED',
      'PLUGIN_TRAP',
      `the module trapped while starting (its start function failed or ran out of its start fuel): ${message}`,
    );
  }
  return failedResult('FAILED', 'PLUGIN_INVALID_MODULE', `the module could not be instantiated: ${message}`);
}

function grantsKey(grants: readonly Permission[]): string {
  return grants.length === 0 ? '' : [...grants].sort().join(',');
}

function classifyTrap(err: unknown, state: CallState, slot: Slot, fuelLeft: bigint, memoryCap: number) {
  const message = err instanceof Error ? err.message : String(err);
  if (state.hostMemoryExceeded || err instanceof HostMemoryExceeded) {
    return failure(
      'MEMORY_EXCEEDED',
      'PLUGIN_MEMORY_EXCEEDED',
      `the plugin allocated more than ${state.hostAllocBudget} bytes of host buffers in one call`,
    );
  }
  // The SDK aborts when `kv_set` refuses a write: the limit, not the abort, is the cause.
  if (state.kvLimit !== null) return failure('FAILED', 'PLUGIN_KV_LIMIT', state.kvLimit);
  if (fuelLeft < 0n) {
    return failure(
      'FUEL_EXHAUSTED',
      'PLUGIN_FUEL_EXHAUSTED',
      `the plugin used its whole budget of ${state.limits.fuel} fuel`,
    );
  }
  const requestedPages = Number(slot.grow.value as bigint);
  const pages = slot.memory.buffer.byteLength / WASM_PAGE_BYTES;
  if (requestedPages > pages) {
    return failure(
      'MEMORY_EXCEEDED',
      'PLUGIN_MEMORY_EXCEEDED',
      `memory.grow to ${requestedPages} pages failed at the cap of ${memoryCap / WASM_PAGE_BYTES} pages (${memoryCap / 1048576} MiB)`,
    );
  }
  if (err instanceof RangeError && /call stack/i.test(message)) {
    return failure('FAILED', 'PLUGIN_TRAP', `stack overflow: ${message}`);
  }
  const detail = state.errorMessage ? `${message}: ${state.errorMessage}` : message;
  return failure('FAILED', 'PLUGIN_TRAP', detail);
}

function classifyReturn(state: CallState, slot: Slot, output: Uint8Array | null) {
  const rc = slot.rc.value as number;
  if (state.hostMemoryExceeded) {
    return failure(
      'MEMORY_EXCEEDED',
      'PLUGIN_MEMORY_EXCEEDED',
      `the plugin moved more than ${state.hostAllocBudget} bytes through host buffers in one call`,
    );
  }
  if (state.kvLimit !== null) return failure('FAILED', 'PLUGIN_KV_LIMIT', state.kvLimit);
  if (state.errorMessage !== null) return failure('FAILED', 'PLUGIN_FAILED', state.errorMessage);
  if (rc !== 0) return failure('FAILED', 'PLUGIN_FAILED', `the plugin function returned ${rc}`);
  if (state.effectsOverflow) {
    return failure(
      'FAILED',
      'PLUGIN_OUTPUT_TOO_LARGE',
      `clip patches and events passed ${state.limits.maxOutputBytes} bytes`,
    );
  }
  if (state.oversizedOutput > 0 || (output && output.length > state.limits.maxOutputBytes)) {
    const size = state.oversizedOutput || output!.length;
    return failure(
      'FAILED',
      'PLUGIN_OUTPUT_TOO_LARGE',
      `output of ${size} bytes exceeds the limit of ${state.limits.maxOutputBytes}`,
    );
  }
  return { status: 'SUCCEEDED' as const, error: null };
}
