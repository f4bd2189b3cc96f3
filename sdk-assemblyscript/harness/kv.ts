import type { KvInput } from './types.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeKvValue(value: KvInput): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return encoder.encode(value);
  return encoder.encode(JSON.stringify(value));
}

export function toKvMap(entries: Record<string, KvInput>): Map<string, Uint8Array> {
  return new Map(Object.entries(entries).map(([k, v]) => [k, encodeKvValue(v)]));
}

/** A KV store's contents with values decoded as JSON where they parse, else as text. */
export function kvSnapshot(kv: Map<string, Uint8Array>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, bytes] of kv) {
    const text = decoder.decode(bytes);
    try {
      out[key] = JSON.parse(text);
    } catch {
      out[key] = text;
    }
  }
  return out;
}
