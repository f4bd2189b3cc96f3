import type { PackedKv } from './types.ts';

const encoder = new TextEncoder();

/**
 * Packs KV entries into one SharedArrayBuffer, sorted by the UTF-8 bytes of their keys:
 * `[count, bytes, offsets (2 × count + 1)…]` as Uint32, then each key followed by its value.
 * A worker receives it without a copy and looks keys up by binary search, so a call that reads
 * one key of an installation holding thousands pays for that key, not for the store.
 */
export function packKv(entries: Iterable<readonly [string, Uint8Array]>): PackedKv {
  const rows = [...entries].map(([key, value]) => ({ key: encoder.encode(key), value }));
  rows.sort((a, b) => compareBytes(a.key, b.key));
  const header = (2 + 2 * rows.length + 1) * 4;
  let bytes = 0;
  for (const r of rows) bytes += r.key.length + r.value.length;
  const buffer = new SharedArrayBuffer(header + bytes);
  const words = new Uint32Array(buffer, 0, header / 4);
  const data = new Uint8Array(buffer);
  words[0] = rows.length;
  words[1] = bytes;
  let at = header;
  rows.forEach((r, i) => {
    words[2 + 2 * i] = at;
    data.set(r.key, at);
    at += r.key.length;
    words[3 + 2 * i] = at;
    data.set(r.value, at);
    at += r.value.length;
  });
  words[2 + 2 * rows.length] = at;
  return { packed: buffer, size: rows.length, bytes };
}

/** The value stored under `key` (a copy), or undefined. O(log n) comparisons. */
export function packedGet(kv: PackedKv, key: string): Uint8Array | undefined {
  const words = new Uint32Array(kv.packed, 0, 2 + 2 * kv.size + 1);
  const data = new Uint8Array(kv.packed);
  const wanted = encoder.encode(key);
  let lo = 0;
  let hi = kv.size - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const cmp = compareBytes(wanted, data.subarray(words[2 + 2 * mid], words[3 + 2 * mid]));
    if (cmp === 0) return data.slice(words[3 + 2 * mid], words[4 + 2 * mid]);
    if (cmp > 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** Every entry, in key order (for tests and for merging a commit into a cached snapshot). */
export function* packedEntries(kv: PackedKv): Generator<[string, Uint8Array]> {
  const words = new Uint32Array(kv.packed, 0, 2 + 2 * kv.size + 1);
  const data = new Uint8Array(kv.packed);
  const decoder = new TextDecoder();
  for (let i = 0; i < kv.size; i++) {
    const keyStart = words[2 + 2 * i];
    const valueStart = words[3 + 2 * i];
    yield [decoder.decode(data.subarray(keyStart, valueStart)), data.slice(valueStart, words[4 + 2 * i])];
  }
}

/** Sign of `a` against `b`, bytewise. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
