import type { Executor } from '../executor/executor.ts';
import { normalizeLimits } from '../limits.ts';
import { type LoadedModule, loadFailure, ModuleCache, preflight } from './module-cache.ts';
import type { CallLimits, CallRequest, CallResult, HttpResponder } from '../types.ts';

/** A call for the local runner: `limits` may be partial (defaults fill the rest). */
export type LocalCallRequest = Omit<CallRequest, 'limits'> & {
  limits?: Partial<CallLimits>;
  /** Answers the call's HTTP requests (mocks, a recording) instead of the network. */
  http?: HttpResponder;
};

export interface LocalRunner {
  /**
   * Runs one call in the current thread with the same module checks, instrumentation, host
   * functions and limits as `PluginRuntime.call`, so fuel used and peak memory match it exactly.
   * The wall-clock deadline is NOT enforced: a runaway plugin is stopped by its fuel budget only.
   * Calls are serialised (one at a time), as they are per worker in the runtime.
   */
  run(req: LocalCallRequest): Promise<CallResult>;
  close(): void;
}

/**
 * In-thread executor for the SDK's Node test harness and tools: run a prepared plugin locally
 * with mocked host state (`host.config`, `host.kv`, `host.clip`) and inspect the buffered effects.
 */
export function createLocalRunner({
  allowedInternalHosts = [],
}: {
  allowedInternalHosts?: readonly string[];
} = {}): LocalRunner {
  const modules = new ModuleCache();
  // Loaded on first use: @extism/extism is only needed where plugins actually run, and the
  // main thread of the server never does.
  let executor: Executor | null = null;
  let tail: Promise<unknown> = Promise.resolve();

  async function runOne(req: LocalCallRequest): Promise<CallResult> {
    const limits = normalizeLimits(req.limits);
    let loaded: LoadedModule;
    try {
      loaded = await modules.get(req.module);
    } catch (err) {
      return loadFailure(err);
    }
    const refused = preflight(req, limits, loaded);
    if (refused) return refused;
    executor ??= new (await import('../executor/executor.ts')).Executor({}, { allowedInternalHosts });
    return executor.run({ ...req, limits, module: loaded.compiled });
  }

  return {
    run(req) {
      const next = tail.then(() => runOne(req));
      tail = next.catch(() => {});
      return next;
    },
    close: () => executor?.close(),
  };
}
