import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginHarness } from './harness/index.ts';

let probe: PluginHarness;

beforeAll(async () => {
  probe = await PluginHarness.load(new URL('./test/probe', import.meta.url).pathname);
});
afterAll(() => probe.close());

describe('input, output and log', () => {
  it('round-trip non-ASCII text as UTF-8 and log at every level', async () => {
    const text = 'Zoë — 日本語 🎮 \u0000end';
    const r = await probe.call('echo', text);
    expect(r.output).toBe(text);
    expect(r.usage.outputBytes).toBe(Buffer.byteLength(text));
    expect(r.logs.map((l) => [l.level, l.message])).toEqual([
      ['debug', `d:${text}`],
      ['info', `i:${text}`],
      ['warn', `w:${text}`],
      ['error', `e:${text}`],
    ]);
  });

  it('handle outputs larger than a few words (the 8-byte copy path and its tail)', async () => {
    const text = `${'x'.repeat(20_003)}é`;
    const r = await probe.call('echo', text);
    expect(r.error).toBeNull();
    expect(r.output === text).toBe(true);
    // Four 20 KB log lines pass the 16 KiB per-call log cap: the runtime truncates with a marker.
    expect(r.logsTruncated).toBe(true);
  });
});

describe('json', () => {
  it('parses and serialises nested values, escapes and numbers', async () => {
    const doc = {
      a: [1, -2.5, 1e21, 0.1, 123456789012],
      s: 'quote " backslash \\ newline \n tab \t ctrl \u0001 é 🎮',
      t: true,
      f: false,
      n: null,
      o: { deep: [[], {}] },
    };
    const r = await probe.call('json_roundtrip', JSON.stringify(doc));
    expect(JSON.parse(r.output!)).toEqual(doc);
  });

  it('decodes \\u escapes including surrogate pairs and keeps key order', async () => {
    const r = await probe.call('json_roundtrip', '{"z":"\\u00e9\\ud83c\\udfae","a":1}');
    expect(r.output).toBe('{"z":"é🎮","a":1}');
  });

  it.each([
    ['{"a":1,}', 'expected a key'],
    ['[1 2]', "expected ',' or ']'"],
    ['01', 'leading zero'],
    ['1.', "expected digits after '.'"],
    ['"open', 'unterminated string'],
    ['{"a":tru}', 'unexpected token'],
    ['', 'unexpected end'],
    ['[1] x', 'trailing characters'],
  ])('refuses malformed %j with a message', async (text, message) => {
    const r = await probe.call('json_roundtrip', text);
    expect(r.status).toBe('FAILED');
    expect(r.error?.message).toContain(`parse error: ${message}`);
  });

  it('costs fuel linear in the document size, not quadratic', async () => {
    const doc = (n: number) =>
      JSON.stringify({
        items: Array.from({ length: n }, (_, i) => ({
          id: `item-${i}`,
          title: 'A clip title',
          n: i * 1.5,
          tags: ['a', 'bb'],
        })),
      });
    const fuel = async (n: number) => {
      const r = await probe.call('json_roundtrip', doc(n), { limits: { fuel: 5_000_000_000 } });
      expect(r.error).toBeNull();
      return r.usage.fuelUsed;
    };
    const small = await fuel(100);
    const large = await fuel(400);
    // 4x the input: linear costs ~4x; the Array<string>-based writer this replaced cost ~14x.
    expect(large / small).toBeLessThan(5);
    expect(large / doc(400).length).toBeLessThan(3000);
  });

  it('offers typed accessors with fallbacks and member removal', async () => {
    const r = await probe.call('json_query', { s: 'x', n: 4.5, b: true, list: ['p', 2, 'q'], nested: { k: 'v' } });
    expect(r.json()).toEqual({ s: 'x', n: 4.5, b: true, list: ['p', 'q'], k: 'v', kind: 5, removed: true });
    const empty = await probe.call('json_query', { s: 3 });
    expect(empty.json()).toMatchObject({ s: 'missing', n: -1, b: false, list: [], k: 'none' });
  });
});

describe('config, kv, events, clip', () => {
  it('reads typed config values', async () => {
    const r = await probe.call('config_types', '', {
      config: { str: 'héllo', num: 42, flag: true, list: ['a', 'b'], obj: { x: [1] } },
    });
    // "unset" is not in the config: the schema's default is filled in, as the server does.
    expect(r.json()).toEqual({
      str: 'héllo',
      num: 42,
      flag: true,
      list: ['a', 'b'],
      obj: { x: [1] },
      unset: 'schema default',
    });
  });

  it('refuses a config the server would refuse, before calling the plugin', async () => {
    await expect(probe.call('config_types', '', { config: { num: 'forty-two' } })).rejects.toThrow(
      /config\.num must be number/,
    );
  });

  it('reads and buffers KV writes, applied only on success', async () => {
    const r = await probe.call('kv_roundtrip', 'counter', { kv: { counter: 'n', gone: 'bye' } });
    expect(r.json()).toEqual({ before: 'n', removed: true });
    expect(probe.kvSnapshot()).toMatchObject({ counter: 'n!' });
    expect(probe.kv.has('gone')).toBe(false);
    expect([...probe.kv.get('bytes')!]).toEqual([0, 255, 7]);
    const failed = await probe.call('fail_with', 'nope');
    expect(failed.kvWrites).toEqual([]);
    expect(probe.kv.has('written-before-failing')).toBe(false);
  });

  it('kv.set aborts the call with a clear message when the installation quota is exceeded', async () => {
    const r = await probe.call('kv_roundtrip', 'counter', { kv: { counter: 'n' }, limits: { maxKvBytes: 12 } });
    expect(r.status).toBe('FAILED');
    // 'counter' (7 + 2 bytes) fits in 12; the second write, 'bytes' (5 + 3), does not.
    expect(r.error?.message).toContain("kv: installation quota exceeded writing 'bytes'");
    expect(r.kvWrites).toEqual([]);
  });

  it('emits events as { type, data }', async () => {
    const r = await probe.call('emit', { score: 3, who: 'Zoë' });
    expect(r.events).toEqual([{ type: 'probe.emitted', data: { score: 3, who: 'Zoë' } }]);
  });

  it('parses the clip and sends a patch with every field', async () => {
    // The id as the server sends it: the clip's number, which the SDK hands over as its text.
    const clip = {
      id: 42,
      title: 'T',
      description: '',
      mediaUrl: 'u',
      durationMs: 1500,
      width: 1920,
      height: 1080,
      fps: 59.94,
      codec: 'h264',
      sizeBytes: 10,
      game: 'G',
      tags: ['x', 'y'],
      status: 'CAPTURED',
      metadata: { other: { a: 1 } },
    };
    const r = await probe.call('clip_echo', '', { clip });
    expect(r.json()).toEqual({
      id: '42',
      title: 'T',
      durationMs: 1500,
      width: 1920,
      height: 1080,
      fps: 59.94,
      game: 'G',
      tags: ['x', 'y'],
      status: 'CAPTURED',
      metadata: { other: { a: 1 } },
    });
    expect(r.clipPatches).toEqual([
      { tags: ['a'], addTags: ['b'], metadata: { seen: 2 }, status: 'PROCESSED', title: 'T!', description: 'd' },
    ]);
    const none = await probe.call('clip_echo', '', { clip: null });
    expect(none.output).toBe('no clip');
  });
});

describe('fail and abort', () => {
  it('fail(message) fails the call with that message', async () => {
    const r = await probe.call('fail_with', 'the threshold must be positive ✗');
    expect(r.status).toBe('FAILED');
    expect(r.error).toEqual({ code: 'PLUGIN_FAILED', message: 'the threshold must be positive ✗' });
  });

  it('an assertion reports its message, file and line', async () => {
    const r = await probe.call('abort_with', 'boom');
    expect(r.status).toBe('FAILED');
    expect(r.error?.message).toMatch(/probe assertion: boom \(assembly\/index\.ts:\d+:\d+\)/);
  });

  it('a call without a grant the module needs is refused with PERMISSION_DENIED, not a crash', async () => {
    const r = await probe.call('echo', 'x', { grants: ['config'] });
    expect(r.status).toBe('FAILED');
    expect(r.error?.code).toBe('PERMISSION_DENIED');
    expect(r.error?.message).toContain('log');
  });
});
