import { grantsCover } from '../http/host-pattern.ts';
import { InvalidModuleError, PermissionDeniedError, PluginIntegrityError } from '../errors.ts';
import { callableExports } from '../wasm/exports.ts';
import { classifyImport } from '../wasm/imports.ts';
import { INSTRUMENTED_EXPORTS } from '../wasm/instrumented.ts';
import { MAX_MEMORY_PAGES } from '../limits.ts';
import { sha256Hex } from '../prepare/prepare.ts';
import { failedResult } from '../results.ts';
import type { CallLimits, CallRequest, CallResult } from '../types.ts';
import { readWasmSummary } from '../wasm/wasm-binary.ts';
import type { CompiledModule } from '../executor/executor.ts';

/** A verified, compiled module and what the runtime needs to know about it before a call. */
export interface LoadedModule {
  /** What an executor runs, and what a worker receives the first time it runs this module. */
  compiled: CompiledModule;
  functions: Set<string>;
  /** Plugboard host functions the module imports, with the permission each needs. */
  hostImports: { name: string; permission: string }[];
}

/**
 * Compiled modules keyed by sha256: the bytes are loaded, hashed and compiled once, so a call
 * never pays for compilation after the first. Failures are not cached (a blob may be repaired).
 */
export class ModuleCache {
  private readonly entries = new Map<string, Promise<LoadedModule>>();
  private readonly ready = new Map<string, LoadedModule>();

  /** @param maxModules compiled modules kept, least recently used dropped first. @default 128 */
  constructor(private readonly maxModules = 128) {}

  /** The module if it is loaded already: lets a call skip a promise hop on the hot path. */
  peek(sha256: string): LoadedModule | undefined {
    return this.ready.get(sha256);
  }

  get(ref: CallRequest['module']): Promise<LoadedModule> {
    let entry = this.entries.get(ref.sha256);
    if (entry) {
      this.entries.delete(ref.sha256);
    } else {
      const loading = load(ref);
      entry = loading;
      loading.then(
        (loaded) => this.entries.get(ref.sha256) === loading && this.ready.set(ref.sha256, loaded),
        () => this.entries.get(ref.sha256) === loading && this.entries.delete(ref.sha256),
      );
    }
    this.entries.set(ref.sha256, entry);
    while (this.entries.size > this.maxModules) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.ready.delete(oldest);
    }
    return entry;
  }
}

/** A blob store that never answers must not leave calls pending forever. */
const LOAD_TIMEOUT_MS = 30_000;

function loadBytes(ref: CallRequest['module']): Promise<Uint8Array> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`loading module ${ref.sha256} took longer than ${LOAD_TIMEOUT_MS} ms`)),
      LOAD_TIMEOUT_MS,
    );
  });
  return Promise.race([ref.load(), timeout]).finally(() => clearTimeout(timer));
}

async function load(ref: CallRequest['module']): Promise<LoadedModule> {
  const bytes = await loadBytes(ref);
  const actual = sha256Hex(bytes);
  if (actual !== ref.sha256) throw new PluginIntegrityError(ref.sha256, actual);
  let summary: ReturnType<typeof readWasmSummary>;
  try {
    summary = readWasmSummary(bytes);
  } catch (err) {
    throw new InvalidModuleError(`the module cannot be read: ${(err as Error).message}`);
  }
  const refused = summary.imports.map(classifyImport).flatMap((v) => (v.ok ? [] : [v.message]));
  if (refused.length > 0)
    throw new InvalidModuleError(`the module has imports the runtime refuses: ${refused.join('; ')}`);
  const exported = new Set(summary.exports.map((e) => e.name));
  // Running an unprepared module would bypass fuel and the memory cap.
  if (!INSTRUMENTED_EXPORTS.every((n) => exported.has(n))) {
    throw new InvalidModuleError('the module was not prepared by prepareModule (no fuel instrumentation)');
  }
  const max = summary.memories[0]?.max ?? null;
  if (summary.memories.length !== 1 || max === null || max > MAX_MEMORY_PAGES) {
    throw new InvalidModuleError(`the module's memory must have a maximum of at most ${MAX_MEMORY_PAGES} pages`);
  }
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes as BufferSource);
  } catch (err) {
    throw new InvalidModuleError(`the module does not compile: ${(err as Error).message}`);
  }
  const hostImports = summary.imports.flatMap((imp) => {
    const v = classifyImport(imp);
    return v.ok && v.permission ? [{ name: imp.name, permission: v.permission }] : [];
  });
  return {
    compiled: { sha256: ref.sha256, module, memoryMaxPages: max },
    functions: callableExports(module),
    hostImports,
  };
}

/** Maps a load failure to the result the caller records. */
export function loadFailure(err: unknown): CallResult {
  if (err instanceof PluginIntegrityError) return failedResult('FAILED', 'PLUGIN_INTEGRITY', err.message);
  if (err instanceof InvalidModuleError) return failedResult('FAILED', 'PLUGIN_INVALID_MODULE', err.message);
  return failedResult(
    'FAILED',
    'PLUGIN_INVALID_MODULE',
    `the module could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
  );
}

/**
 * Checks made before a call is queued, identical for the worker pool and the local runner:
 * input size, granted permissions (refused before instantiation, never a link crash) and the
 * function's existence. Returns the failed result, or null when the call may run.
 */
export function preflight(
  req: Pick<CallRequest, 'function' | 'input' | 'grants'>,
  limits: CallLimits,
  loaded: LoadedModule,
): CallResult | null {
  if (req.input.length > limits.maxInputBytes) {
    return failedResult(
      'FAILED',
      'PLUGIN_INPUT_TOO_LARGE',
      `input of ${req.input.length} bytes exceeds the limit of ${limits.maxInputBytes}`,
    );
  }
  const missing =
    loaded.hostImports.length === 0
      ? []
      : loaded.hostImports
          .filter((i) => !grantsCover(req.grants, i.permission))
          .map((i) => ({ function: i.name, permission: i.permission }));
  if (missing.length > 0)
    return failedResult('FAILED', 'PERMISSION_DENIED', new PermissionDeniedError(missing).message);
  if (!loaded.functions.has(req.function)) {
    return failedResult('FAILED', 'PLUGIN_FUNCTION_NOT_FOUND', `the module exports no function "${req.function}"`);
  }
  return null;
}
