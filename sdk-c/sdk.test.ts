import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectModule } from '../src/runtime/index.ts';
import { PluginHarness } from '../sdk-assemblyscript/harness/index.ts';
import { buildPlugin } from '../sdk-assemblyscript/compiler/build.ts';
import { detectClang } from './compiler/clang.ts';

// Needs clang and lld; skipped without them, except under CI, where a missing compiler fails.
const haveClang = (await detectClang()) !== null;
const fixture = (name: string) => path.join(path.dirname(new URL(import.meta.url).pathname), 'test', name);

describe.skipIf(!haveClang && process.env.CI !== 'true')('C SDK', () => {
  let probe: PluginHarness;
  let hostile: PluginHarness;
  beforeAll(async () => {
    probe = await PluginHarness.load(fixture('probe'));
    hostile = await PluginHarness.load(fixture('hostile'));
  });
  afterAll(async () => {
    await probe?.close();
    await hostile?.close();
  });

  describe('JSON reader and writer', () => {
    it('round-trips generated values member by member', async () => {
      const strings = [
        '',
        'plain',
        'quote " and \\ slash /',
        'ctl \u0000\u0001\u001f\t\n\r\b\f',
        'Zoë 東京 🎮',
        '\u2028\ud83d\ude00',
      ];
      const numbers = [
        0,
        -0,
        1,
        -1,
        42,
        2 ** 53 - 1,
        -(2 ** 53) + 1,
        0.5,
        0.1,
        1.25e-3,
        Math.E,
        1e21,
        1e-7,
        -2.5e300,
        123456.789,
      ];
      let seed = 11;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const gen = (depth: number): unknown => {
        switch (rand(depth > 3 ? 4 : 6)) {
          case 0:
            return strings[rand(strings.length)];
          case 1:
            return numbers[rand(numbers.length)];
          case 2:
            return [true, false, null][rand(3)];
          case 3:
            return strings[rand(strings.length)]! + rand(1000);
          case 4:
            return Array.from({ length: rand(4) }, () => gen(depth + 1));
          default:
            return Object.fromEntries(
              Array.from({ length: rand(4) }, (_, i) => [`${strings[rand(strings.length)]}${i}`, gen(depth + 1)]),
            );
        }
      };
      for (let i = 0; i < 60; i++) {
        const value = gen(0);
        const r = await probe.call('roundtrip', JSON.stringify(value));
        expect(r.error, JSON.stringify(value)).toBeNull();
        const back = JSON.parse(r.output!);
        // Non-integers keep 15 significant digits.
        expect(JSON.stringify(back, (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(15)) : v))).toBe(
          JSON.stringify(value, (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(15)) : v)),
        );
      }
    });

    it('formats numbers as JSON: integers exactly, others to 15 digits, non-finite as null', async () => {
      const r = await probe.call(
        'numbers',
        '[0, -0, 7, -12, 9007199254740991, 0.1, 2.5, 1e21, 1.5e-7, 0.00001, 123.456, 1e400, -1e400]',
      );
      expect(r.output).toBe('0 -0 7 -12 9007199254740991 0.1 2.5 1e+21 1.5e-7 0.00001 123.456 null null');
    });

    it('refuses malformed JSON with the reason and offset', async () => {
      const cases: [string, string][] = [
        ['', 'unexpected end of input at offset 0'],
        ['{"a" 1}', "expected ':' at offset 5"],
        ['[1,]', 'unexpected character at offset 3'],
        ['01', 'leading zero at offset 1'],
        ['"\\x"', 'bad escape at offset 3'],
        ['"\\udc00"', 'lone surrogate at offset 7'],
        ['[1] x', 'trailing characters at offset 4'],
        ['"a\nb"', 'control character in a string at offset 3'],
        [`${'['.repeat(70)}${']'.repeat(70)}`, 'nested too deeply at offset 65'],
      ];
      for (const [text, why] of cases) expect((await probe.call('parse_error', text)).output, text).toBe(why);
    });
  });

  it('reaches every host capability through the wrappers', async () => {
    const r = await probe.call(
      'capabilities',
      {},
      {
        config: {},
        kv: { counter: 'first', old: 'x' },
        clip: { id: 9, title: 'Ace', tags: [] },
      },
    );
    expect(r.error).toBeNull();
    expect(r.json()).toEqual({
      label: 'none',
      limit: -1,
      enabled: false,
      missing: null,
      previous: 'first',
      kvSet: 0,
      kvInvalid: 2,
      deleted: true,
      clipTitle: 'Ace',
      patch: 0,
      emit: 0,
    });
    expect(r.logs.map((l) => [l.level, l.message])).toEqual([
      ['debug', 'debug line'],
      ['info', 'info line'],
      ['warn', 'warn line'],
      ['error', 'error line'],
    ]);
    expect(r.clipPatches).toEqual([{ addTags: ['probed'] }]);
    expect(r.events).toEqual([{ type: 'probe.done', data: { n: 1 } }]);
    expect(probe.kvSnapshot()).toEqual({ counter: 'bumped' });
    const noClip = await probe.call('capabilities', {}, { clip: null });
    expect(noClip.json()).toMatchObject({ clipTitle: '', patch: 2 });
  });

  it('moves bytes of every length through input, output and KV unchanged', async () => {
    for (const n of [0, 1, 7, 8, 9, 15, 16, 17, 255, 4096, 65_537]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) % 256);
      const echoed = await probe.call('echo', bytes);
      expect(echoed.error, `echo ${n}`).toBeNull();
      expect(Buffer.from(echoed.outputBytes ?? [])).toEqual(Buffer.from(bytes));
      const stored = await probe.call('kv_echo', bytes, { kv: {} });
      expect(stored.error, `kv_echo ${n}`).toBeNull();
      expect(Buffer.from(stored.outputBytes ?? [])).toEqual(Buffer.from(bytes));
    }
  });

  it('resets the arena on every exported call', async () => {
    const first = (await probe.call('arena')).json<{ before: number; after: number; kept: number }>();
    const again = (await probe.call('arena')).json<{ before: number; after: number; kept: number }>();
    expect(again).toEqual(first);
    expect(first.kept).toBe(1);
    // pb_realloc grew the last block in place: 200000 bytes, not 300000.
    expect(first.after - first.before).toBeLessThan(200_100);
  });

  describe('limits hold for hostile C', () => {
    it('stops an infinite loop with the fuel budget', async () => {
      const r = await hostile.call('spin', '', { limits: { fuel: 1_000_000 } });
      expect(r.status).toBe('FUEL_EXHAUSTED');
    });

    it('stops unbounded allocation at the memory cap, then serves the next call', async () => {
      const r = await hostile.call('allocate_forever');
      expect(r.status).toBe('MEMORY_EXCEEDED');
      expect(r.error?.message).toContain('2 MiB');
      expect((await hostile.call('ok')).output).toBe('ok');
    });

    it('stops unbounded host allocations at the per-call host budget', async () => {
      expect((await hostile.call('host_alloc_forever')).status).toBe('MEMORY_EXCEEDED');
    });

    it('fails traps, stack overflow and out-of-bounds writes as PLUGIN_TRAP', async () => {
      for (const fn of ['trap', 'recurse', 'scribble']) {
        const r = await hostile.call(fn);
        expect([fn, r.status, r.error?.code]).toEqual([fn, 'FAILED', 'PLUGIN_TRAP']);
      }
      expect((await hostile.call('ok')).output).toBe('ok');
    });

    it('is refused at publish when it imports a host function its manifest does not declare', () => {
      const report = inspectModule(probe.wasm, { ...probe.manifest, permissions: ['log', 'config'] });
      expect(report.problems.map((p) => p.code)).toContain('IMPORT_NOT_DECLARED');
    });
  });

  it('builds C++ without its standard library against the same header', async () => {
    const cpp = await PluginHarness.load(fixture('cpp'));
    try {
      const r = await cpp.call('summarize', { values: [3, 1.5, -2, 10] });
      expect(r.json()).toEqual({ count: 4, sum: 12.5, min: -2, max: 10, mean: 3.125 });
      expect(r.logs.map((l) => l.message)).toEqual(['summarized']);
      expect((await cpp.call('summarize', '{}')).error?.message).toBe(
        'summarize: input must be { "values": number[] }',
      );
    } finally {
      await cpp.close();
    }
  });

  describe('build', () => {
    let dir: string;
    beforeAll(async () => {
      dir = path.join(await mkdtemp(path.join(tmpdir(), 'plugboard-c-build-')), 'hostile');
      await cp(fixture('hostile'), dir, { recursive: true, filter: (f) => !f.includes(`${path.sep}build`) });
    });
    afterAll(() => rm(path.dirname(dir), { recursive: true, force: true }));

    it('reuses an unchanged build and rebuilds for a source or memory limit change', async () => {
      expect((await buildPlugin(dir)).cached).toBe(false);
      expect((await buildPlugin(dir)).cached).toBe(true);
      const manifest = {
        ...probe.manifest,
        slug: 'c-hostile',
        functions: ['ok'],
        permissions: [],
        hooks: [],
        limits: { memoryMiB: 3 },
      };
      await writeFile(path.join(dir, 'plugin.json'), JSON.stringify(manifest));
      const rebuilt = await buildPlugin(dir);
      expect(rebuilt.cached).toBe(false);
      expect(inspectModule(rebuilt.bytes, manifest).memory).toEqual({ minPages: expect.any(Number), maxPages: 48 });
    });

    it('reports compiler errors with file and line, and calls to undeclared functions as errors', async () => {
      await writeFile(path.join(dir, 'src', 'broken.c'), 'int32_t broken(void) { return missing_function(); }\n');
      await expect(buildPlugin(dir)).rejects.toThrow(/broken\.c:1:\d+: error: .*missing_function/);
      await rm(path.join(dir, 'src', 'broken.c'));
    });

    it('returns the compiler warnings of a build that succeeds', async () => {
      await writeFile(path.join(dir, 'src', 'warn.c'), 'int warned(void) { int unused; return 0; }\n');
      const built = await buildPlugin(dir);
      expect(built.warnings).toMatch(/warn\.c:1:\d+: warning: unused variable 'unused'/);
      expect((await buildPlugin(dir)).cached).toBe(true);
    });
  });
});
