import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectModule } from '../../src/runtime/index.ts';
import { PluginHarness, readTestCases, runCases } from '../../sdk-assemblyscript/harness/index.ts';
import { detectClang } from '../../sdk-c/compiler/clang.ts';

// Written in C: built with clang when it is installed; CI must have it (.ci/run installs it).
const haveClang = (await detectClang()) !== null;
const dir = new URL('.', import.meta.url).pathname;
let plugin: PluginHarness;

/** The plugin's word rule, in JavaScript: runs of [A-Za-z0-9'] and non-ASCII, lowercased ASCII. */
function reference(text: string, minLength: number, top: number) {
  const bytes = Buffer.from(text, 'utf8');
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const c = bytes[i];
    const isWord = c !== undefined && (/[A-Za-z0-9']/.test(String.fromCharCode(c)) || c >= 0x80);
    if (isWord && start < 0) start = i;
    if (!isWord && start >= 0) {
      if (i - start >= minLength)
        words.push(
          bytes
            .subarray(start, i)
            .toString('utf8')
            .replace(/[A-Z]/g, (m) => m.toLowerCase()),
        );
      start = -1;
    }
  }
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ranked = [...counts].sort(([a, x], [b, y]) => y - x || Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return {
    words: words.length,
    distinct: counts.size,
    top: ranked.slice(0, top).map(([word, count]) => ({ word, count })),
  };
}

describe.skipIf(!haveClang && process.env.CI !== 'true')('word-counter (C)', () => {
  beforeAll(async () => {
    plugin = await PluginHarness.load(dir);
  });
  afterAll(() => plugin?.close());

  it('passes the publish checks: only Extism and declared Plugboard imports, every export present', () => {
    const report = inspectModule(plugin.wasm, plugin.manifest);
    expect(report.problems).toEqual([]);
    const modules = new Set(
      WebAssembly.Module.imports(new WebAssembly.Module(plugin.wasm as BufferSource)).map((i) => i.module),
    );
    expect([...modules].sort()).toEqual(['extism:host/env', 'extism:host/user']);
    // The build gives the module the manifest's memory maximum (4 MiB = 64 pages).
    expect(report.memory).toEqual({ minPages: expect.any(Number), maxPages: 64 });
  });

  it('counts words, ranks the top ones and keeps running totals in KV', async () => {
    const first = await plugin.call('count', { text: 'To be, or not to be' }, { kv: {}, config: { top: 2 } });
    expect(first.json()).toEqual({
      words: 6,
      distinct: 4,
      top: [
        { word: 'be', count: 2 },
        { word: 'to', count: 2 },
      ],
      totals: { words: 6, texts: 1 },
    });
    expect(first.logs.map((l) => l.message)).toEqual(['counted 6 word(s)']);
    const second = await plugin.call('count', { text: 'that is the question' });
    expect(second.json()).toMatchObject({ words: 4, totals: { words: 10, texts: 2 } });
    expect((await plugin.call('totals')).json()).toEqual({ words: 10, texts: 2 });
    expect(plugin.kvSnapshot()).toEqual({ totals: { words: 10, texts: 2 } });
  });

  it('agrees with a reference implementation on generated texts (escapes, UTF-8, punctuation)', async () => {
    const pieces = ['the', 'The', 'THE', "don't", 'naïve', 'Zoë', '東京', '🎮', 'a', 'GG', '42', 'x1'];
    const gaps = [' ', '  ', ', ', '\n', '\t', '"', '\\', '/', '-', '!?', '\u0001', '\u2028', ' — '];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 40; round++) {
      let text = '';
      for (let i = rand(30); i > 0; i--) text += pieces[rand(pieces.length)]! + gaps[rand(gaps.length)]!;
      const minLength = 1 + rand(4);
      const top = rand(5);
      const r = await plugin.call('count', { text }, { kv: {}, config: { minLength, top } });
      expect(r.error, text).toBeNull();
      const { totals, ...counted } = r.json<Record<string, unknown>>();
      expect(counted, JSON.stringify({ text, minLength, top })).toEqual(reference(text, minLength, top));
      expect(totals).toEqual({ words: counted.words, texts: 1 });
    }
  });

  it('counts a captured clip and stores the result in its metadata', async () => {
    const r = await plugin.call(
      'clip_captured',
      {},
      {
        kv: {},
        config: {},
        clip: { id: 3, title: 'Clutch', description: 'one tap, one clutch', tags: [] },
      },
    );
    expect(r.error).toBeNull();
    const counted = {
      words: 5,
      distinct: 3,
      top: [
        { word: 'clutch', count: 2 },
        { word: 'one', count: 2 },
        { word: 'tap', count: 1 },
      ],
      totals: { words: 5, texts: 1 },
    };
    expect(r.json()).toEqual(counted);
    expect(r.clipPatches).toEqual([{ metadata: counted }]);
  });

  it('fails with its message on bad input, and without a clip, leaving KV untouched', async () => {
    for (const input of ['', 'not json', '[1]', '{"text": 3}', '{"text": "a"', '{"text": "\\ud800"}']) {
      const r = await plugin.call('count', input, { kv: { totals: { words: 1, texts: 1 } } });
      expect(r.status, input).toBe('FAILED');
      expect(r.error?.message).toBe('count: input must be { "text": string }');
      expect(plugin.kvSnapshot()).toEqual({ totals: { words: 1, texts: 1 } });
    }
    const noClip = await plugin.call('clip_captured', {}, { clip: null });
    expect(noClip.error?.message).toBe('clip.captured: no clip');
  });

  it('gets no host function it was not granted', async () => {
    const r = await plugin.call('count', { text: 'hi' }, { grants: ['log', 'config'] });
    expect(r.status).toBe('FAILED');
    expect(r.error?.code).toBe('PERMISSION_DENIED');
    expect(r.error?.message).toContain('kv_get');
  });

  it('stops at its fuel budget and at its memory cap', async () => {
    const text = 'word '.repeat(100_000);
    const starved = await plugin.call('count', { text }, { kv: {}, limits: { fuel: 100_000 } });
    expect(starved.status).toBe('FUEL_EXHAUSTED');
    // 120k distinct words (under the 1 MiB input cap) need hash tables past the manifest's 4 MiB.
    const distinct = Array.from({ length: 120_000 }, (_, i) => `w${i}`).join(' ');
    const big = await plugin.call('count', { text: distinct }, { kv: {}, limits: { fuel: 10_000_000_000 } });
    expect(big.status, big.error?.message).toBe('MEMORY_EXCEEDED');
    // The instance is replaced after a trap: the next call runs normally.
    expect((await plugin.call('count', { text: 'still here' }, { kv: {} })).json()).toMatchObject({ words: 2 });
  });

  it('passes its own test inputs', async () => {
    const outcomes = await runCases(plugin, await readTestCases(dir));
    expect(outcomes.map((o) => o.mismatch)).toEqual(outcomes.map(() => null));
  });
});
