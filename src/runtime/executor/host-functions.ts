import type { CallContext } from '@extism/extism';
import { EXTISM_ENV_MODULE, HOST_FUNCTIONS, HOST_MODULE, LOG_LEVELS, type LogLevel } from '../abi.ts';
import { readBytes, readJsonObject, readString, store } from './blocks.ts';
import type { CallState } from './call-state.ts';
import { httpHostFunctions } from './host-http.ts';
import { isHttpPermission } from '../http/host-pattern.ts';
import type { HttpResponder } from '../types.ts';

// Extism passes i32 arguments as numbers and i64 ones as bigints; each function below narrows them.
// biome-ignore lint/suspicious/noExplicitAny: each host function narrows its own arguments.
type HostFn = (ctx: CallContext, ...args: any[]) => unknown;
export type HostFunctionTable = Record<string, Record<string, HostFn>>;

/** Thrown from the kernel's `alloc` when a call passes its host allocation budget: it stops the call. */
export class HostMemoryExceeded extends Error {}

/** Total bytes of Extism vars one call may hold. */
const MAX_VAR_BYTES = 1024 * 1024;

/**
 * Builds the import table for one plugin instance: the Plugboard host functions the
 * installation granted (and no others), plus overrides of Extism kernel functions that route
 * logs and errors into the call and meter host allocations. Every Plugboard host function
 * catches everything and answers with an error code: nothing it does can throw into the engine.
 */
export function buildHostFunctions(
  grants: readonly string[],
  current: () => CallState,
  http: () => HttpResponder,
): HostFunctionTable {
  const granted = new Set(grants);
  const user: Record<string, HostFn> = {};
  const guard = <A extends unknown[]>(
    _name: string,
    fallback: unknown,
    fn: (ctx: CallContext, state: CallState, ...args: A) => unknown,
  ): HostFn =>
    ((ctx: CallContext, ...args: A) => {
      try {
        return fn(ctx, current(), ...args);
      } catch {
        return fallback;
      }
    }) as unknown as HostFn;

  const impls: Record<keyof typeof HOST_FUNCTIONS, HostFn> = {
    log: guard('log', undefined, (ctx, state, level: number, addr: bigint) => {
      const s = readString(ctx, addr, state.logRoom + 1);
      if (s) state.log(LOG_LEVELS[level] ?? 'info', s.text, s.bytes);
    }),
    config_get: guard('config_get', 0n, (ctx, state, addr: bigint) => {
      const key = readString(ctx, addr)?.text;
      if (key === undefined || !Object.hasOwn(state.host.config, key)) return 0n;
      const value = state.host.config[key];
      return value === undefined ? 0n : store(ctx, state, JSON.stringify(value));
    }),
    kv_get: guard('kv_get', 0n, (ctx, state, addr: bigint) => {
      const key = readString(ctx, addr)?.text;
      const value = key === undefined ? null : state.kvGet(key);
      return value ? store(ctx, state, value) : 0n;
    }),
    kv_set: guard('kv_set', 2, (ctx, state, keyAddr: bigint, valueAddr: bigint) => {
      const key = readString(ctx, keyAddr)?.text;
      const value = readBytes(ctx, valueAddr) ?? new Uint8Array(0);
      return key === undefined ? 2 : state.kvSet(key, value);
    }),
    kv_delete: guard('kv_delete', 0, (ctx, state, addr: bigint) => {
      const key = readString(ctx, addr)?.text;
      return key === undefined ? 0 : state.kvDelete(key);
    }),
    clip_get: guard('clip_get', 0n, (ctx, state) =>
      state.host.clip ? store(ctx, state, JSON.stringify(state.host.clip)) : 0n,
    ),
    clip_patch: guard('clip_patch', 1, (ctx, state, addr: bigint) => {
      const patch = readJsonObject(ctx, addr);
      if (!patch) return 1;
      if (!state.host.clip) return 2;
      if (!state.chargeEffect(patch.bytes)) return 1;
      state.clipPatches.push(patch.value);
      return 0;
    }),
    emit: guard('emit', 1, (ctx, state, addr: bigint) => {
      const event = readJsonObject(ctx, addr);
      if (!event || typeof event.value.type !== 'string' || !state.chargeEffect(event.bytes)) return 1;
      state.events.push({ type: event.value.type, data: event.value.data ?? null });
      return 0;
    }),
  };
  for (const [name, spec] of Object.entries(HOST_FUNCTIONS)) {
    if (granted.has(spec.permission)) user[name] = impls[name as keyof typeof HOST_FUNCTIONS];
  }

  const kernelLog = (level: LogLevel): HostFn =>
    guard(`log_${level}`, undefined, (ctx, state, addr: bigint) => {
      // Kernel logs obey the same permission and cap as Plugboard's `log`.
      if (!granted.has('log')) return;
      const s = readString(ctx, addr, state.logRoom + 1);
      if (s) state.log(level, s.text, s.bytes);
    });
  // Extism vars live for one call here, not for the instance's life: what a call computes may
  // depend only on its module, input, config and host state, never on an earlier call that
  // happened to run on the same instance. Their total size is capped per call.
  const env: Record<string, HostFn> = {
    var_get: guard('var_get', 0n, (ctx, state, addr: bigint) => {
      const key = readString(ctx, addr)?.text;
      const value = key === undefined ? undefined : state.vars.get(key);
      return value ? store(ctx, state, value) : 0n;
    }),
    var_set: guard('var_set', undefined, (ctx, state, keyAddr: bigint, valueAddr: bigint) => {
      const key = readString(ctx, keyAddr, MAX_VAR_BYTES)?.text;
      if (key === undefined) return;
      const old = state.vars.get(key);
      if (old) state.varBytes -= key.length + old.length;
      state.vars.delete(key);
      const value = valueAddr === 0n ? null : readBytes(ctx, valueAddr);
      if (!value) return;
      if (state.varBytes + key.length + value.length > MAX_VAR_BYTES) {
        state.hostMemoryExceeded = true;
        return;
      }
      state.varBytes += key.length + value.length;
      state.vars.set(key, value);
    }),
    alloc: ((ctx: CallContext, n: bigint) => {
      const state = current();
      state.hostAllocBytes += Number(n);
      if (n < 0n || state.hostAllocBytes > state.hostAllocBudget) {
        state.hostMemoryExceeded = true;
        throw new HostMemoryExceeded(`host allocations passed ${state.hostAllocBudget} bytes in one call`);
      }
      return ctx.alloc(n);
    }) as HostFn,
    // Recorded instead of forwarded, honouring `length` (Extism 1.0.3 returns the whole block),
    // and an output over the cap is refused without being copied.
    output_set: guard('output_set', undefined, (ctx, state, addr: bigint, length: bigint) => {
      const block = addr === 0n ? null : ctx.read(addr)?.bytes();
      const n = Math.max(0, Math.min(Number(length), block ? block.length : 0));
      state.output = null;
      state.oversizedOutput = 0;
      if (n > state.limits.maxOutputBytes) state.oversizedOutput = n;
      else if (block) state.output = block.slice(0, n);
    }),
    // Recorded instead of forwarded: the call's outcome is decided from CallState, and the
    // message survives a trap that follows it (the SDK's abort path).
    error_set: guard('error_set', undefined, (ctx, state, addr: bigint) => {
      state.errorMessage = readString(ctx, addr, 4096)?.text ?? '(invalid error block)';
    }),
    log_trace: kernelLog('debug'),
    log_debug: kernelLog('debug'),
    log_info: kernelLog('info'),
    log_warn: kernelLog('warn'),
    log_error: kernelLog('error'),
    get_log_level: (() => 0) as HostFn,
  };
  if (grants.some(isHttpPermission)) Object.assign(env, httpHostFunctions(grants, current, http));
  return { [HOST_MODULE]: user, [EXTISM_ENV_MODULE]: env };
}
