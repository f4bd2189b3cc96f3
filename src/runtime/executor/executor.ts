import createPlugin, { type Plugin } from '@extism/extism';
import { blockingResponder } from '../http/blocking-responder.ts';
import { isHttpPermission } from '../http/host-pattern.ts';
import { type HttpChannel, HttpHelper } from '../http/helper-thread.ts';
import { callableExports } from '../wasm/exports.ts';
import { CallState } from './call-state.ts';
import { buildHostFunctions, HostMemoryExceeded } from './host-functions.ts';
import {
  DEFAULT_INSTANCE_BUDGET,
  type Instance,
  InstanceCache,
  type InstanceBudget,
  type InstanceStats,
} from './instance-cache.ts';
import {
  FUEL_GET,
  FUEL_SET,
  GROW_GLOBAL,
  MEMORY_EXPORT,
  RC_GLOBAL,
  STATE_RESTORE,
  STATE_SAVE,
} from '../wasm/instrumented.ts';
import { WASM_PAGE_BYTES } from '../wasm/memory-cap.ts';
import { emptyResult, failedResult, failure } from '../results.ts';
import type { CallRequest, CallResult, HostState, HttpExchange, HttpResponder } from '../types.ts';

/** A verified, compiled module: what an executor (or a worker, once per module) receives. */
export interface CompiledModule {
  sha256: string;
  module: WebAssembly.Module;
  memoryMaxPages: number;
}

/** One call as the executor sees it: the request, with its module compiled, verified and permitted. */
export type ExecTask = Omit<CallRequest, 'module'> & {
  module: CompiledModule;
  /** Answers the call's HTTP requests instead of the network (the harness's mocks, replay's recording). */
  http?: HttpResponder;
  /** Told of each outbound request as it completes (the pool keeps them for a call its deadline stops). */
  onHttp?: (exchange: HttpExchange) => void;
};

export interface ExecutorOptions {
  /** The line to the runtime's HTTP helper thread; without it the executor starts its own when a call needs one. */
  http?: HttpChannel;
  /** For an executor's own helper: host names whose requests skip the internal-address check. @default [] */
  allowedInternalHosts?: readonly string[];
}

/** What a start function sees: nothing of any installation or call. */
const START_HOST: HostState = Object.freeze({ config: Object.freeze({}), kv: new Map(), clip: null });

const silentLogger = { info() {}, debug() {}, warn() {}, error() {}, log() {}, trace() {} } as unknown as Console;

/**
 * Runs calls in the current thread: one Extism instance per `instanceKey`, reused while it stays
 * healthy and reset to its post-instantiation state after each call (so fuel, memory and output
 * depend only on the module, input, config and host state), one call at a time. The worker pool runs one of these per thread; the local runner
 * runs one in the caller's thread. It enforces fuel, memory and size limits, not wall time.
 */
export class Executor {
  private readonly instances: InstanceCache;
  private current: CallState | null = null;
  private readonly state = () => {
    if (!this.current) throw new Error('host function called outside a call');
    return this.current;
  };

  private readonly network: HttpResponder;
  private ownHelper: HttpHelper | null = null;
  private channel: HttpChannel | null;
  private responder: HttpResponder;
  private readonly http = () => this.responder;
  private readonly startHelper: () => HttpChannel;

  constructor(budget: Partial<InstanceBudget> = {}, { http, allowedInternalHosts = [] }: ExecutorOptions = {}) {
    this.instances = new InstanceCache({ ...DEFAULT_INSTANCE_BUDGET, ...budget });
    this.channel = http ?? null;
    this.startHelper = () => {
      if (!this.channel) {
        this.ownHelper = new HttpHelper(allowedInternalHosts);
        this.channel = this.ownHelper.connect();
      }
      return this.channel;
    };
    this.network = blockingResponder(this.startHelper);
    this.responder = this.network;
  }

  async run(task: ExecTask): Promise<CallResult> {
    const started = performance.now();
    const memoryCap = task.module.memoryMaxPages * WASM_PAGE_BYTES;
    const grants = grantsKey(task.grants);
    let instance = this.instances.take(task.instanceKey, task.module.sha256, grants);
    if (!instance) {
      const created = await this.create(task, grants, memoryCap);
      if ('status' in created) return { ...created, durationMs: performance.now() - started };
      instance = created;
    }
    if (!instance.functions.has(task.function)) {
      this.instances.keep(task.instanceKey, instance);
      return {
        ...failedResult('FAILED', 'PLUGIN_FUNCTION_NOT_FOUND', `the module exports no function "${task.function}"`),
        durationMs: performance.now() - started,
      };
    }
    const state = new CallState(task.host, task.limits, memoryCap, task.input.length, task.onLog);
    state.onHttp = task.onHttp ?? null;
    // Extism adopts the buffer of a Uint8Array whole: hand it an exact copy, never a view into
    // a larger (possibly pooled) buffer.
    const input =
      task.input.byteOffset === 0 && task.input.byteLength === task.input.buffer.byteLength
        ? task.input
        : task.input.slice();
    this.responder = task.http ?? this.network;
    instance.fuelSet(BigInt(task.limits.fuel));
    instance.rc.value = 0;
    instance.grow.value = 0n;
    this.current = state;
    let output: Uint8Array | null = null;
    let thrown: unknown = null;
    try {
      // [module name, function]: Extism then skips scanning the module's exports on every call.
      await instance.plugin.call(['0', task.function], input);
      output = state.output;
    } catch (err) {
      thrown = err;
    } finally {
      this.current = null;
      await instance.plugin.reset();
    }
    const remaining = instance.fuelGet();
    const bytes = instance.memory.buffer.byteLength;
    const result = emptyResult();
    result.fuelUsed = remaining < 0n ? task.limits.fuel : task.limits.fuel - Number(remaining);
    result.peakMemoryBytes = bytes;
    result.logs = state.logs;
    result.logsTruncated = state.logsTruncated;
    result.kvReads = state.kvReadList();
    result.httpRequests = state.httpExchanges;
    const outcome =
      thrown !== null
        ? classifyTrap(thrown, state, instance, remaining, memoryCap)
        : classifyReturn(state, instance, output);
    Object.assign(result, outcome);
    if (result.status === 'SUCCEEDED') {
      result.output = output;
      result.kvWrites = state.kvWrites();
      result.clipPatches = state.clipPatches;
      result.events = state.events;
    }
    // The next call must start where this one did: put memory and globals back. A trap may have
    // left the allocator broken, grown memory never shrinks, and some modules cannot be reset:
    // those instances are dropped and the next call gets a fresh one.
    if (thrown === null && bytes === instance.initialBytes && instance.reset) {
      instance.reset();
      this.instances.keep(task.instanceKey, instance);
    } else this.instances.drop(task.instanceKey);
    result.durationMs = performance.now() - started;
    return result;
  }

  /**
   * Instantiates the module. Its start function (top-level code) runs here, once per instance,
   * with no config, KV or clip and its own log: the state it leaves must not depend on which
   * call happened to create the instance. Then memory and globals are saved for `reset`.
   */
  private async create(task: ExecTask, grants: string, memoryCap: number): Promise<Instance | CallResult> {
    const state = new CallState(START_HOST, task.limits, memoryCap, 0);
    this.current = state;
    // An executor's own helper thread takes a few hundred ms to start: begin while instantiating.
    if (!task.http && task.grants.some(isHttpPermission)) this.startHelper();
    let plugin: Plugin;
    try {
      plugin = await createPlugin(
        { wasm: [{ module: task.module.module }] },
        { functions: buildHostFunctions(task.grants, this.state, this.http), logger: silentLogger, useWasi: false },
      );
    } catch (err) {
      return instantiationFailure(err, state);
    } finally {
      this.current = null;
    }
    if (state.hostMemoryExceeded) return instantiationFailure(null, state);
    const exports = (await plugin.getInstance()).exports;
    const memory = exports[MEMORY_EXPORT] as WebAssembly.Memory;
    const save = exports[STATE_SAVE] as (() => void) | undefined;
    const restore = exports[STATE_RESTORE] as (() => void) | undefined;
    let reset: (() => void) | null = null;
    if (save && restore) {
      save();
      const snapshot = new Uint8Array(memory.buffer.slice(0));
      reset = () => {
        new Uint8Array(memory.buffer).set(snapshot);
        restore();
      };
    }
    return {
      sha256: task.module.sha256,
      grants,
      plugin,
      fuelGet: exports[FUEL_GET] as () => bigint,
      fuelSet: exports[FUEL_SET] as (fuel: bigint) => void,
      rc: exports[RC_GLOBAL] as WebAssembly.Global,
      grow: exports[GROW_GLOBAL] as WebAssembly.Global,
      memory,
      initialBytes: memory.buffer.byteLength,
      reset,
      functions: callableExports(task.module.module),
      bytes: 0,
      lastUsedAt: performance.now(),
    };
  }

  /** Drops instances idle past the budget's `idleMs`; the worker calls it on a timer. */
  evictIdle(): number {
    return this.instances.evictIdle();
  }

  /** Instances kept between calls and the bytes they hold. */
  stats(): InstanceStats {
    return this.instances.stats();
  }

  close(): void {
    this.instances.clear();
    void this.ownHelper?.close();
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

function grantsKey(grants: readonly string[]): string {
  return grants.length === 0 ? '' : [...grants].sort().join(',');
}

const timedOut = (state: CallState) =>
  failure(
    'TIMED_OUT',
    'PLUGIN_TIMEOUT',
    `the call passed its deadline of ${state.limits.timeoutMs} ms while waiting on an HTTP response`,
  );

function classifyTrap(err: unknown, state: CallState, instance: Instance, fuelLeft: bigint, memoryCap: number) {
  const message = err instanceof Error ? err.message : String(err);
  if (state.deadlinePassed) return timedOut(state);
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
  const requestedPages = Number(instance.grow.value as bigint);
  const pages = instance.memory.buffer.byteLength / WASM_PAGE_BYTES;
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

function classifyReturn(state: CallState, instance: Instance, output: Uint8Array | null) {
  const rc = instance.rc.value as number;
  if (state.deadlinePassed) return timedOut(state);
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
