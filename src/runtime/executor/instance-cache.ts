import type { Plugin } from '@extism/extism';

/** A live plugin instance, kept between calls of one `instanceKey`. */
export interface Instance {
  sha256: string;
  /** Sorted granted permissions: an instance is reused only with the same host functions linked. */
  grants: string;
  plugin: Plugin;
  fuelGet: () => bigint;
  fuelSet: (fuel: bigint) => void;
  rc: WebAssembly.Global;
  grow: WebAssembly.Global;
  memory: WebAssembly.Memory;
  initialBytes: number;
  /**
   * Puts the instance back as it was right after instantiation (linear memory and mutable
   * globals), or null when the module cannot be reset: then it serves one call only.
   */
  reset: (() => void) | null;
  /** Callable entry points: exported functions outside the runtime's reserved names. */
  functions: Set<string>;
  /** What it held when last counted: linear memory plus its saved copy. */
  bytes: number;
  lastUsedAt: number;
}

export interface InstanceBudget {
  /** Instances kept, least recently used dropped first. */
  maxInstances: number;
  /** Bytes all kept instances may hold between calls (linear memory plus its saved copy). */
  maxBytes: number;
  /** An instance not called for this long is dropped. */
  idleMs: number;
}

/** Defaults of `InstanceBudget`, per executor (one per worker thread). */
export const DEFAULT_INSTANCE_BUDGET: Readonly<InstanceBudget> = Object.freeze({
  maxInstances: 256,
  // An instance holds its memory twice (live, and the copy each call starts from): one plugin
  // that starts with 32 MiB still stays warm.
  maxBytes: 64 * 1024 * 1024,
  idleMs: 60_000,
});

export interface InstanceStats {
  instances: number;
  /** Bytes the kept instances hold: each one's memory.buffer.byteLength plus its saved copy. */
  bytes: number;
}

/**
 * Instances per key, least recently used first, bounded by count and by the bytes they hold.
 * Memory goes back to the system only when an instance is dropped (there is no shrinking a
 * Wasm memory), so the bound is enforced by dropping whole instances.
 */
export class InstanceCache {
  private readonly instances = new Map<string, Instance>();
  private bytes = 0;
  /**
   * The key last moved to the end of the map. A worker calling one installation again and again
   * (the common case under load) then skips the delete and re-insert that keep the use order:
   * two of them per call were ~5% of a worker's time in a profile of pipelined calls.
   */
  private newest: string | null = null;

  constructor(private readonly budget: InstanceBudget) {}

  /** The instance for `key` if it runs `sha256` with `grants`; any other instance there is dropped. */
  take(key: string, sha256: string, grants: string): Instance | null {
    const found = this.instances.get(key);
    if (!found) return null;
    if (found.sha256 !== sha256 || found.grants !== grants) {
      this.drop(key);
      return null;
    }
    found.lastUsedAt = performance.now();
    this.touch(key, found);
    return found;
  }

  /** Adds or re-counts `key`'s instance after a call, then drops others until the budget holds. */
  keep(key: string, instance: Instance, now = performance.now()): void {
    if (this.instances.get(key) === instance) this.bytes -= instance.bytes;
    else this.drop(key);
    // Kept instances have been reset: their memory is its initial size, and the copy as large.
    instance.bytes = 2 * instance.initialBytes;
    instance.lastUsedAt = now;
    this.touch(key, instance);
    this.bytes += instance.bytes;
    if (this.instances.size <= this.budget.maxInstances && this.bytes <= this.budget.maxBytes) return;
    // Oldest first: the instance just used goes last, and only if it alone is over the budget.
    for (const [oldest, victim] of this.instances) {
      if (this.instances.size <= this.budget.maxInstances && this.bytes <= this.budget.maxBytes) break;
      this.forget(oldest);
      this.release(victim);
    }
  }

  drop(key: string): void {
    const instance = this.instances.get(key);
    if (!instance) return;
    this.forget(key);
    this.release(instance);
  }

  /** Moves `key` to the end of the map (most recently used), unless it is there already. */
  private touch(key: string, instance: Instance): void {
    if (this.newest === key && this.instances.get(key) === instance) return;
    this.instances.delete(key);
    this.instances.set(key, instance);
    this.newest = key;
  }

  private forget(key: string): void {
    this.instances.delete(key);
    if (this.newest === key) this.newest = null;
  }

  /** Drops instances not called since `idleMs` before `now`; returns how many. */
  evictIdle(now = performance.now()): number {
    let dropped = 0;
    for (const [key, instance] of this.instances) {
      // Map order is use order: the first recent one ends the scan.
      if (now - instance.lastUsedAt < this.budget.idleMs) break;
      this.forget(key);
      this.release(instance);
      dropped++;
    }
    return dropped;
  }

  stats(): InstanceStats {
    return { instances: this.instances.size, bytes: this.bytes };
  }

  clear(): void {
    for (const key of [...this.instances.keys()]) this.drop(key);
  }

  /** Forgets an instance already out of the map; its memory goes once nothing references it. */
  private release(instance: Instance): void {
    this.bytes -= instance.bytes;
    instance.bytes = 0;
    void instance.plugin.close().catch(() => {});
  }
}
