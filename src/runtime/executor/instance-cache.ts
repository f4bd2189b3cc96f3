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
  /** Callable entry points: exported functions outside the runtime's reserved names. */
  functions: Set<string>;
  /** Extism vars the instance keeps between calls (updated by its host functions). */
  held: { varBytes: number };
  /** What it held when last counted: linear memory plus vars. */
  bytes: number;
  lastUsedAt: number;
}

export interface InstanceBudget {
  /** Instances kept, least recently used dropped first. */
  maxInstances: number;
  /** Bytes all kept instances may hold between calls (linear memory plus vars). */
  maxBytes: number;
  /** An instance not called for this long is dropped. */
  idleMs: number;
}

/** Defaults of `InstanceBudget`, per executor (one per worker thread). */
export const DEFAULT_INSTANCE_BUDGET: Readonly<InstanceBudget> = Object.freeze({
  maxInstances: 256,
  // One plugin at the largest memory cap (64 MiB) still stays warm.
  maxBytes: 64 * 1024 * 1024,
  idleMs: 60_000,
});

export interface InstanceStats {
  instances: number;
  /** Bytes the kept instances hold: each one's memory.buffer.byteLength plus its vars. */
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

  constructor(private readonly budget: InstanceBudget) {}

  /** The instance for `key` if it runs `sha256` with `grants`; any other instance there is dropped. */
  take(key: string, sha256: string, grants: string): Instance | null {
    const found = this.instances.get(key);
    if (!found) return null;
    this.instances.delete(key);
    if (found.sha256 !== sha256 || found.grants !== grants) {
      this.release(found);
      return null;
    }
    found.lastUsedAt = performance.now();
    this.instances.set(key, found);
    return found;
  }

  /** Adds or re-counts `key`'s instance after a call, then drops others until the budget holds. */
  keep(key: string, instance: Instance, now = performance.now()): void {
    if (this.instances.get(key) === instance) this.bytes -= instance.bytes;
    else this.drop(key);
    instance.bytes = instance.memory.buffer.byteLength + instance.held.varBytes;
    instance.lastUsedAt = now;
    this.instances.delete(key);
    this.instances.set(key, instance);
    this.bytes += instance.bytes;
    // Oldest first: the instance just used goes last, and only if it alone is over the budget.
    for (const [oldest, victim] of this.instances) {
      if (this.instances.size <= this.budget.maxInstances && this.bytes <= this.budget.maxBytes) break;
      this.instances.delete(oldest);
      this.release(victim);
    }
  }

  drop(key: string): void {
    const instance = this.instances.get(key);
    if (!instance) return;
    this.instances.delete(key);
    this.release(instance);
  }

  /** Drops instances not called since `idleMs` before `now`; returns how many. */
  evictIdle(now = performance.now()): number {
    let dropped = 0;
    for (const [key, instance] of this.instances) {
      // Map order is use order: the first recent one ends the scan.
      if (now - instance.lastUsedAt < this.budget.idleMs) break;
      this.instances.delete(key);
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
