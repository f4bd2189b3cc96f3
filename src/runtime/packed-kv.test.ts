import { expect, it } from 'vitest';
import { packedEntries, packedGet, packKv } from './packed-kv.ts';

const encoder = new TextEncoder();

/** Keys where UTF-16 order and UTF-8 byte order disagree (astral vs. high BMP), plus edge shapes. */
function keys(seed: number, n: number): string[] {
  const alphabet = ['a', 'z', 'é', '\uffff', '\ue000', '😀', '𝄞', '\u0000', ' ', '中'];
  let x = seed;
  const out = new Set<string>();
  while (out.size < n) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 1;
    let key = '';
    for (let len = 1 + (x % 6), i = 0; i < len; i++) key += alphabet[(x >> (3 * i)) % alphabet.length];
    out.add(key);
  }
  return [...out];
}

it('finds every packed key with its value, and nothing else', () => {
  for (const [seed, n] of [
    [1, 0],
    [2, 1],
    [3, 2],
    [4, 17],
    [5, 500],
  ]) {
    const all = keys(seed, n * 2);
    const stored = all.slice(0, n);
    const kv = packKv(stored.map((k, i) => [k, encoder.encode(`${i}:${k}`)]));
    expect(kv.size).toBe(n);
    expect(kv.bytes).toBe(stored.reduce((sum, k, i) => sum + 2 * encoder.encode(k).length + `${i}:`.length, 0));
    for (const [i, k] of stored.entries()) expect(new TextDecoder().decode(packedGet(kv, k))).toBe(`${i}:${k}`);
    for (const k of all.slice(n)) expect(packedGet(kv, k)).toBeUndefined();
    expect(new Map(packedEntries(kv))).toEqual(new Map(stored.map((k, i) => [k, encoder.encode(`${i}:${k}`)])));
  }
});
