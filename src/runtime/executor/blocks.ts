import type { CallContext } from '@extism/extism';
import type { CallState } from './call-state.ts';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function readString(
  ctx: CallContext,
  addr: bigint,
  maxBytes = Infinity,
): { text: string; bytes: number } | null {
  const block = addr === 0n ? null : ctx.read(addr);
  if (!block) return null;
  const all = block.bytes();
  const bytes = all.length;
  const view = bytes > maxBytes ? all.subarray(0, maxBytes) : all;
  return { text: decoder.decode(view), bytes };
}

export function readBytes(ctx: CallContext, addr: bigint): Uint8Array | null {
  const block = addr === 0n ? null : ctx.read(addr);
  // Copy: the block belongs to the plugin's call and is dropped by reset().
  return block ? block.bytes().slice() : null;
}

export function readJsonObject(
  ctx: CallContext,
  addr: bigint,
): { value: Record<string, unknown>; bytes: number } | null {
  const s = readString(ctx, addr);
  if (!s) return null;
  try {
    const value: unknown = JSON.parse(s.text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    return { value: value as Record<string, unknown>, bytes: s.bytes };
  } catch {
    return null;
  }
}

/**
 * Hands bytes to the plugin as a new Extism block (a fresh copy: Extism adopts the buffer of a
 * stored Uint8Array whole). Blocks live until the call ends, so they count against the call's
 * host allocation budget: past it the plugin gets 0 (absent) and the call ends MEMORY_EXCEEDED.
 */
export function store(ctx: CallContext, state: CallState, value: string | Uint8Array): bigint {
  const bytes = typeof value === 'string' ? encoder.encode(value) : value.slice();
  state.hostAllocBytes += bytes.length;
  if (state.hostAllocBytes > state.hostAllocBudget) {
    state.hostMemoryExceeded = true;
    return 0n;
  }
  return ctx.store(bytes);
}
