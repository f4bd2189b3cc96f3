import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  hookExportName,
  isPermission,
  type CallLimits,
  type CallResult,
  type HostState,
} from '../../src/runtime/index.ts';
import { type HttpMock, mockResponder } from './http.ts';
import { buildPlugin } from '../compiler/build.ts';
import { clipForPlugins, hookInput, readPluginJson, type PluginJson } from '../../src/contracts/index.ts';
import { configChecker, type ConfigCheck } from './config.ts';
import { kvSnapshot, toKvMap } from './kv.ts';
import { createExecutor, manifestLimits, memoryPagesFor, type PreparedExecutor as Executor } from './executor.ts';
import type { CallOptions, HarnessResult } from './types.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface LoadOptions {
  /** Where prepared (instrumented) modules are cached; `load` uses `<dir>/build/prepared`. */
  cacheDir?: string;
  /** The manifest; read from `<dir>/plugin.json` when loading a folder. */
  manifest?: PluginJson;
  /** Initial host state shared by every call until a call overrides it. */
  config?: Record<string, unknown>;
  clip?: Record<string, unknown> | null;
  kv?: CallOptions['kv'];
  /** HTTP mock for every call that gives none itself. */
  http?: HttpMock;
  /**
   * Lets calls without a mock reach the network, through the platform's own checks (granted
   * hosts, internal addresses refused unless named here, caps), e.g. a loopback test server.
   * @default undefined: without a mock, requests fail with HTTP_NO_RESPONSE
   */
  network?: { allowedInternalHosts?: string[] };
}

/**
 * A built plugin loaded into the platform's own local executor (same fuel instrumentation,
 * memory cap, host functions and limits as production) with mocked host state. The KV store
 * persists across calls like an installation's: successful calls' writes are applied to it.
 */
export class PluginHarness {
  config: Record<string, unknown>;
  clip: Record<string, unknown> | null;
  kv: Map<string, Uint8Array>;
  http: HttpMock | undefined;
  private readonly network: boolean;
  private readonly checkConfig: ConfigCheck;

  private constructor(
    readonly manifest: PluginJson,
    /** The module as built, before the platform's rewriting. */
    readonly wasm: Uint8Array,
    private readonly executor: Executor,
    options: LoadOptions,
  ) {
    this.config = options.config ?? {};
    this.clip = options.clip ?? null;
    this.kv = toKvMap(options.kv ?? {});
    this.http = options.http;
    this.network = options.network !== undefined;
    this.checkConfig = configChecker(manifest.configSchema);
  }

  /** Builds (when sources changed) and loads the plugin in `dir`. */
  static async load(dir: string, options: LoadOptions = {}): Promise<PluginHarness> {
    const manifest = options.manifest ?? (await readPluginJson(dir));
    const { bytes } = await buildPlugin(path.resolve(dir));
    return PluginHarness.fromBytes(bytes, manifest, { cacheDir: path.join(dir, 'build', 'prepared'), ...options });
  }

  /** Loads an already built module, e.g. one downloaded for `plugin replay`. */
  static async fromBytes(wasm: Uint8Array, manifest: PluginJson, options: LoadOptions = {}): Promise<PluginHarness> {
    const executor = await createExecutor(wasm, memoryPagesFor(manifest), options.cacheDir, options.network);
    return new PluginHarness(manifest, wasm, executor, options);
  }

  /** Loads `<dir>/build/plugin.wasm` without building. */
  static async fromBuild(dir: string, options: LoadOptions = {}): Promise<PluginHarness> {
    const manifest = options.manifest ?? (await readPluginJson(dir));
    const bytes = new Uint8Array(await readFile(path.join(dir, 'build', 'plugin.wasm')));
    return PluginHarness.fromBytes(bytes, manifest, { cacheDir: path.join(dir, 'build', 'prepared'), ...options });
  }

  /** Memory cap the platform applies to this plugin, in bytes. */
  get memoryMaxBytes(): number {
    return memoryPagesFor(this.manifest) * 65536;
  }

  /** The limits a call gets from the manifest, clamped to the platform caps. */
  get limits(): CallLimits {
    return manifestLimits(this.manifest);
  }

  /**
   * Calls an exported function with JSON or raw input, or a hook export (e.g. `clip_captured`)
   * exactly as the server does: with the current clip and the server's hook input (`input` is
   * then ignored), both built by the server's own definition (`clipForPlugins`, `hookInput`).
   */
  async call(fn: string, input: unknown = '', options: CallOptions = {}): Promise<HarnessResult> {
    // Checked before it becomes the harness's config, so a refused config does not stick.
    const config = this.checkConfig(options.config ?? this.config);
    if (options.config) this.config = options.config;
    if (options.clip !== undefined) this.clip = options.clip;
    if (options.kv) this.kv = toKvMap(options.kv);
    const clip = this.clip === null ? null : clipForPlugins(this.clip);
    // Lifecycle hooks take their payload as `input` (see `lifecycleInput`); clip hooks get the clip.
    const hook = this.manifest.hooks.find((h) => hookExportName(h) === fn && h.startsWith('clip.'));
    const bytes =
      hook && clip
        ? encoder.encode(hookInput(hook, clip))
        : input instanceof Uint8Array
          ? input
          : encoder.encode(typeof input === 'string' ? input : JSON.stringify(input));
    const host: HostState = { config, kv: new Map(this.kv), clip };
    const declared = this.manifest.permissions.filter(isPermission);
    const result = await this.executor.call({
      instanceKey: `harness-${this.manifest.slug}`,
      function: fn,
      input: bytes,
      grants: options.grants ?? declared,
      limits: manifestLimits(this.manifest, options.limits),
      host,
      http: this.responderFor(options.http ?? this.http),
    });
    if (result.status === 'SUCCEEDED') {
      for (const w of result.kvWrites) {
        if (w.value === null) this.kv.delete(w.key);
        else this.kv.set(w.key, w.value);
      }
    }
    return toHarnessResult(result, bytes.length);
  }

  /** A mock's responder; none (the network) when there is no mock and the network is allowed. */
  private responderFor(mock: HttpMock | undefined) {
    return mock === undefined && this.network ? undefined : mockResponder(mock);
  }

  /** The KV store with values decoded (JSON where it parses). */
  kvSnapshot(): Record<string, unknown> {
    return kvSnapshot(this.kv);
  }

  async close(): Promise<void> {
    await this.executor.close();
  }
}

function toHarnessResult(r: CallResult, inputBytes: number): HarnessResult {
  const output = r.output ? decoder.decode(r.output) : null;
  return {
    status: r.status,
    ok: r.status === 'SUCCEEDED',
    error: r.error,
    output,
    outputBytes: r.output,
    json<T>(): T {
      if (output === null) throw new Error(`no output (status ${r.status}${r.error ? `: ${r.error.message}` : ''})`);
      return JSON.parse(output) as T;
    },
    logs: r.logs,
    logsTruncated: r.logsTruncated,
    events: r.events,
    clipPatches: r.clipPatches,
    kvWrites: r.kvWrites,
    httpRequests: r.httpRequests.map(({ method, url, status, error }) => ({ method, url, status, error })),
    usage: {
      // The local runner never stops a call from outside (no deadline), so it always knows.
      fuelUsed: r.fuelUsed ?? Number.NaN,
      peakMemoryBytes: r.peakMemoryBytes,
      durationMs: r.durationMs,
      inputBytes,
      outputBytes: r.output?.length ?? 0,
    },
  };
}
