import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CallRequest,
  type CallResult,
  createLocalRunner,
  createRuntime,
  type PreparedModule,
  prepareModule,
} from '../index.ts';
import { preparedFixture } from '../testing/fixtures.ts';
import { request, text } from '../testing/requests.ts';
import { wat } from '../testing/wat.ts';
import { STATE_RESTORE } from '../wasm/instrumented.ts';

let echo: PreparedModule, hostApi: PreparedModule;

beforeAll(async () => {
  [echo, hostApi] = await Promise.all([preparedFixture('echo'), preparedFixture('host-api')]);
});

/** Everything a call reports that must not depend on earlier calls (all but its timings). */
const observed = (r: CallResult) => ({
  status: r.status,
  error: r.error,
  fuel: r.fuelUsed,
  memory: r.peakMemoryBytes,
  output: text(r.output),
  logs: r.logs.map((l) => `${l.level}:${l.message}`),
  kvWrites: r.kvWrites.map((w) => [w.key, text(w.value)]),
  kvReads: r.kvReads.map((w) => [w.key, text(w.value)]),
  clipPatches: r.clipPatches,
  events: r.events,
});

/** mulberry32: a small seeded generator, so a failing variant can be run again. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A JSON value of random shape and size: arrays, objects, strings and numbers, nested. */
function jsonValue(next: () => number, depth = 0): unknown {
  const kind = depth > 3 ? 2 + Math.floor(next() * 2) : Math.floor(next() * 4);
  const n = Math.floor(next() * 40);
  if (kind === 0) return Array.from({ length: n }, () => jsonValue(next, depth + 1));
  if (kind === 1) return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, jsonValue(next, depth + 1)]));
  if (kind === 2) return 'x'.repeat(Math.floor(next() * 500));
  return next() * 1e6 - 5e5;
}

/**
 * Calls that leave the instance's allocator (and its garbage collector) in different states:
 * JSON of many shapes and sizes, recursion, loops; now and then one that grows memory or runs
 * out of fuel, after which the instance is replaced.
 */
function perturbations(seed: number, count: number, instanceKey: string): CallRequest[] {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    const pick = next();
    if (pick < 0.45) return request(echo, 'json_stats', JSON.stringify(jsonValue(next)), { instanceKey });
    if (pick < 0.65) return request(echo, 'echo', JSON.stringify({ s: 'y'.repeat(next() * 3000) }), { instanceKey });
    if (pick < 0.8) return request(echo, 'fibonacci', String(Math.floor(next() * 18)), { instanceKey });
    if (pick < 0.9) return request(echo, 'loop_sum', String(Math.floor(next() * 5000)), { instanceKey });
    if (pick < 0.95) {
      const big = JSON.stringify(Array.from({ length: 40_000 }, (_, i) => ({ i, s: 'z'.repeat(i % 7) })));
      return request(echo, 'json_stats', big, { instanceKey, limits: { fuel: 1e9 } });
    }
    return request(echo, 'fibonacci', '30', { instanceKey, limits: { fuel: 200_000 } });
  });
}

/** The calls whose results are compared: the same request each time. */
const probes = (instanceKey: string): CallRequest[] => [
  request(echo, 'json_stats', JSON.stringify({ clips: [{ id: 1, tags: ['fps', 'ranked'] }], score: 0.75 }), {
    instanceKey,
  }),
  request(echo, 'echo', '{"hello":"world"}', { instanceKey }),
];

describe('a call reports the same fuel, memory and output whatever ran before it', () => {
  it('on one reused instance, between calls that perturb its allocator', async () => {
    const runner = createLocalRunner();
    try {
      const seen: ReturnType<typeof observed>[][] = [];
      for (let round = 0; round < 10; round++) {
        seen.push(await Promise.all(probes('same').map(async (p) => observed(await runner.run(p)))));
        for (const call of perturbations(round, 8, 'same')) await runner.run(call);
      }
      expect(seen[0].map((o) => o.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      for (const round of seen) expect(round).toEqual(seen[0]);
      // Host functions too: KV, config and logs, between calls that fill KV and hoard memory.
      const kv = () => new Map([['old', new TextEncoder().encode('x')]]);
      const roundtrip = () => request(hostApi, 'kv_roundtrip', '42', { instanceKey: 'host', host: { kv: kv() } });
      const first = observed(await runner.run(roundtrip()));
      for (let i = 0; i < 6; i++) {
        const value = 'v'.repeat(1 + ((i * 37) % 300));
        await runner.run(request(hostApi, 'kv_fill', value, { instanceKey: 'host', limits: { maxKvBytes: 4000 } }));
        await runner.run(request(hostApi, 'var_count', String(i * 3), { instanceKey: 'host' }));
        expect(observed(await runner.run(roundtrip()))).toEqual(first);
      }
    } finally {
      runner.close();
    }
  });

  it('across instances and worker threads, with calls in flight together', async () => {
    const fresh = createLocalRunner();
    const expected = await Promise.all(probes('fresh').map(async (p) => observed(await fresh.run(p))));
    fresh.close();
    const runtime = createRuntime({ workers: 2, spareWorker: false });
    try {
      const keys = ['a', 'b', 'c', 'd', 'e'];
      const calls = keys.flatMap((key, k) =>
        Array.from({ length: 6 }, (_, round) => [...probes(key), ...perturbations(100 * k + round, 5, key)]),
      );
      const results = await Promise.all(calls.map((batch) => Promise.all(batch.map((c) => runtime.call(c)))));
      for (const batch of results) expect([observed(batch[0]), observed(batch[1])]).toEqual(expected);
      // Instances were kept and reused, not created per call.
      expect(runtime.stats().workers.reduce((n, w) => n + w.instances, 0)).toBeGreaterThan(0);
    } finally {
      await runtime.close();
    }
  }, 120_000);
});

/** State in a plain global and in memory: each call adds to both and returns what it sees. */
const counter = (extra = { decl: '', body: '' }) => `
  (module
    (memory 1)
    ${extra.decl}
    (global $calls (mut i32) (i32.const 0))
    (func (export "count") (result i32)
      ${extra.body}
      (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
      (i32.store (i32.const 64) (i32.add (i32.load (i32.const 64)) (i32.const 100)))
      (i32.add (global.get $calls) (i32.load (i32.const 64)))))`;

describe('what an instance may keep between calls', () => {
  const variants = {
    'globals and memory (reset after each call)': { wasm: counter(), resettable: true },
    'a table entry too (a fresh instance per call)': {
      wasm: counter({ decl: '(table 1 funcref)', body: '(table.set (i32.const 0) (ref.null func))' }),
      resettable: false,
    },
    'a dropped data segment too (a fresh instance per call)': {
      wasm: counter({ decl: '(data $d "abc")', body: '(data.drop $d)' }),
      resettable: false,
    },
  };
  for (const [name, { wasm, resettable }] of Object.entries(variants)) {
    it(`starts every call afresh when a module keeps state in ${name}`, async () => {
      const prepared = await prepareModule(await wat(wasm));
      const exports = WebAssembly.Module.exports(new WebAssembly.Module(prepared.bytes as BufferSource));
      expect(exports.some((e) => e.name === STATE_RESTORE)).toBe(resettable);
      const runtime = createRuntime({ workers: 1, spareWorker: false });
      try {
        for (let i = 0; i < 4; i++) {
          const r = await runtime.call(request(prepared, 'count', '', { instanceKey: 'counter' }));
          // The return code is what the call saw: 1 call, 100 in memory.
          expect(r.error).toEqual({ code: 'PLUGIN_FAILED', message: 'the plugin function returned 101' });
        }
        expect(runtime.stats().workers[0].instances).toBe(resettable ? 1 : 0);
      } finally {
        await runtime.close();
      }
    }, 60_000);
  }

  it("runs a module's start function with no config, KV or clip, and keeps its logs out of calls", async () => {
    const prepared = await prepareModule(
      await wat(`
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "length" (func $length (param i64) (result i64)))
          (import "extism:host/user" "config_get" (func $config_get (param i64) (result i64)))
          (import "extism:host/user" "log" (func $log (param i32 i64)))
          (memory 1)
          (global $seen (mut i32) (i32.const 0))
          (func $start (local $key i64) (local $value i64)
            (local.set $key (call $alloc (i64.const 1)))
            (call $store_u8 (local.get $key) (i32.const 107))
            (call $log (i32.const 1) (local.get $key))
            (local.set $value (call $config_get (local.get $key)))
            (if (i64.ne (local.get $value) (i64.const 0))
              (then (global.set $seen (i32.wrap_i64 (call $length (local.get $value)))))))
          (start $start)
          (func (export "seen") (result i32) (global.get $seen)))`),
    );
    const runner = createLocalRunner();
    try {
      for (const config of [{ k: 'abc' }, { k: 'a much longer value' }]) {
        // With the first call's config, the instance would answer "returned 5" from then on.
        const r = await runner.run(request(prepared, 'seen', '', { instanceKey: 'start', host: { config } }));
        expect(observed(r)).toMatchObject({ status: 'SUCCEEDED', error: null, logs: [] });
      }
    } finally {
      runner.close();
    }
  });
});
