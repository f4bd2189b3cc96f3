/**
 * Runtime benchmark: `npx tsx bench/runtime.ts`. Measures, in one run and on the same module and
 * input, a raw WebAssembly call (minimal kernel), a bare Extism in-thread call and a Plugboard
 * runtime call; the cost of fuel/memory-cap instrumentation; the cost of resetting an instance
 * between calls (what makes fuel reproducible); and main event-loop lag while plugins spin. Prints ratios against the issue's targets. Not part of the test suite.
 */
import createPlugin, { type Plugin } from '@extism/extism';
import {
  type CallRequest,
  createRuntime,
  type PluginRuntime,
  prepareModule,
  type PreparedModule,
} from '../src/runtime/index.ts';
import { startLoopbackServer } from '../src/runtime/testing/loopback-server.ts';
import { buildFixture } from '../src/runtime/testing/fixtures.ts';
import { request } from '../src/runtime/testing/requests.ts';
import { rawInstance } from './runtime-raw-host.ts';

const enc = new TextEncoder();
const INPUT = enc.encode(
  JSON.stringify({
    clip: { id: 'c_123', title: 'Ace clutch', tags: ['fps', 'ranked'], durationMs: 41250, fps: 60 },
    threshold: 0.75,
  }),
);
const FUEL_SET = '__plugboard_fuel_set';
const MEMORY_EXPORT = '__plugboard_memory';
const STATE_SAVE = '__plugboard_state_save';
const STATE_RESTORE = '__plugboard_state_restore';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');

async function bareExtism(bytes: Uint8Array): Promise<{ plugin: Plugin; refuel(): void }> {
  const plugin = await createPlugin(
    { wasm: [{ module: await WebAssembly.compile(bytes as BufferSource) }] },
    { useWasi: false, logger: console },
  );
  const setFuel = (await plugin.getInstance()).exports[FUEL_SET] as ((fuel: bigint) => void) | undefined;
  return { plugin, refuel: () => setFuel?.(1n << 62n) };
}

/** Sequential calls for about `ms`; returns per-call latencies in ms. */
async function timeCalls(ms: number, call: () => Promise<unknown> | unknown): Promise<number[]> {
  const lat: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t = performance.now();
    await call();
    lat.push(performance.now() - t);
  }
  return lat;
}

async function extismCall(p: { plugin: Plugin; refuel(): void }, fn: string, input: Uint8Array) {
  p.refuel();
  const out = await p.plugin.call(fn, input);
  await p.plugin.reset();
  return out;
}

/** A bare Extism instance plus the reset the executor runs after each call (memory copy + globals). */
async function withReset(bytes: Uint8Array) {
  const bare = await bareExtism(bytes);
  const exports = (await bare.plugin.getInstance()).exports;
  const memory = exports[MEMORY_EXPORT] as WebAssembly.Memory;
  (exports[STATE_SAVE] as () => void)();
  const snapshot = new Uint8Array(memory.buffer.slice(0));
  const restore = exports[STATE_RESTORE] as () => void;
  const reset = () => {
    new Uint8Array(memory.buffer).set(snapshot);
    restore();
  };
  return { ...bare, reset, kib: snapshot.length / 1024 };
}

/**
 * What a call costs with the reset against the bare call (same instance, same input), and what
 * the other way to reproducible fuel would cost: a fresh instance per call from the compiled
 * module. Rounds alternate the three, so load on the machine hits each alike.
 */
async function resetCost(echo: PreparedModule, json: Uint8Array) {
  console.log('\n## Reset between calls (reproducible fuel) vs the same calls without it (bare Extism in-thread)');
  const hog = await prepareModule(await buildFixture('memory-hog'));
  const cases: [string, PreparedModule, string, Uint8Array][] = [
    ['echo, 185-byte JSON', echo, 'echo', INPUT],
    ['JSON scan (4 KB)', echo, 'json_stats', json],
    ['module starting with 12 MiB', hog, 'run', new Uint8Array(0)],
  ];
  for (const [label, module, fn, input] of cases) {
    const p = await withReset(module.bytes);
    // Without the reset, garbage piles up in the instance: AssemblyScript's collector waits for
    // twice the live heap, so a module holding 12 MiB under a 16 MiB cap traps at the cap. Like
    // the runtime, the bare side then starts a fresh instance.
    let plain = await bareExtism(module.bytes);
    let traps = 0;
    const bareCall = async () => {
      try {
        return await extismCall(plain, fn, input);
      } catch {
        traps++;
        plain = await bareExtism(module.bytes);
      }
    };
    const compiled = await WebAssembly.compile(module.bytes as BufferSource);
    const fresh = async () => {
      const plugin = await createPlugin({ wasm: [{ module: compiled }] }, { useWasi: false, logger: console });
      const out = await plugin.call(fn, input);
      await plugin.close();
      return out;
    };
    const bare: number[] = [];
    const reset: number[] = [];
    const perCall: number[] = [];
    for (let round = 0; round < 7; round++) {
      bare.push(median(await timeCalls(250, bareCall)));
      reset.push(
        median(
          await timeCalls(250, async () => {
            await extismCall(p, fn, input);
            p.reset();
          }),
        ),
      );
      perCall.push(median(await timeCalls(250, fresh)));
    }
    const [b, r, f] = [median(bare), median(reset), median(perCall)];
    console.log(
      `${label.padEnd(30)} memory ${`${p.kib} KiB`.padStart(10)}  bare ${us(b).padStart(10)}  with reset ${us(r).padStart(10)} ${(b / r).toFixed(2)}x calls/s  fresh instance ${us(f).padStart(10)} ${(b / f).toFixed(2)}x calls/s${traps ? `  (bare instance trapped ${traps}x, replaced)` : ''}`,
    );
  }
}

/**
 * A plugin call that makes one outbound GET to a loopback server (the helper thread performs it
 * while the plugin's worker blocks), against a plain call and against the same GET made directly
 * with fetch from this thread. Rounds alternate the three.
 */
async function httpCost(runtime: PluginRuntime, plain: CallRequest, targets: string[]) {
  console.log('\n## Outbound HTTP: a call making one GET to a loopback server vs a plain call');
  const server = await startLoopbackServer();
  const client = await prepareModule(await buildFixture('http-client'));
  const url = `${server.origin}/bench`;
  const http = request(client, 'fetch', JSON.stringify({ url }), {
    instanceKey: 'bench-http',
    grants: ['http:127.0.0.1'],
  });
  const first = await runtime.call(http);
  if (first.status !== 'SUCCEEDED' || !new TextDecoder().decode(first.output!).startsWith('200'))
    throw new Error(`bench HTTP call failed: ${first.error?.message ?? new TextDecoder().decode(first.output!)}`);
  const plainLat: number[] = [];
  const httpLat: number[] = [];
  const fetchLat: number[] = [];
  for (let round = 0; round < 5; round++) {
    plainLat.push(...(await timeCalls(400, () => runtime.call(plain))));
    httpLat.push(...(await timeCalls(400, () => runtime.call(http))));
    fetchLat.push(...(await timeCalls(400, async () => (await fetch(url)).arrayBuffer())));
  }
  await server.close();
  const ratio = median(httpLat) / median(plainLat);
  console.log(`plain call                          median ${us(median(plainLat))}`);
  console.log(`call with one GET (helper thread)   median ${us(median(httpLat))}   p99 ${us(pct(httpLat, 0.99))}`);
  console.log(`the same GET with fetch, no plugin  median ${us(median(fetchLat))}`);
  targets.push(
    `HTTP call / plain call: ${ratio.toFixed(1)}x; the GET alone (fetch) is ${(median(fetchLat) / median(plainLat)).toFixed(1)}x (informational)`,
  );
}

async function main() {
  console.log(
    `# Plugboard runtime bench (Node ${process.version}, ${(await import('node:os')).availableParallelism()} cores)\n`,
  );
  const raw = await buildFixture('echo');
  const prepared: PreparedModule = await prepareModule(raw);

  // 1. Same module (prepared), same input: raw Wasm, bare Extism, Plugboard runtime.
  const rawHost = await rawInstance(prepared.bytes);
  const extism = await bareExtism(prepared.bytes);
  const runtime = createRuntime({ allowedInternalHosts: ['127.0.0.1'] });
  const req = request(prepared, 'echo', INPUT, { instanceKey: 'bench', grants: [] });
  await runtime.call(req);
  for (let i = 0; i < 2000; i++) {
    rawHost.call('echo', INPUT);
    await extismCall(extism, 'echo', INPUT);
  }
  const rawLat = await timeCalls(1500, () => rawHost.call('echo', INPUT));
  const extLat = await timeCalls(1500, () => extismCall(extism, 'echo', INPUT));
  const rtLat = await timeCalls(2000, () => runtime.call(req));
  // Throughput rounds alternate bare Extism and the runtime, so load from other processes on
  // this machine hits both sides of each ratio alike.
  const inFlight = 512;
  const rounds: { bare: number; runtime: number }[] = [];
  // Round 0 warms both paths (JIT, worker instances) and is not reported.
  for (let round = 0; round <= 5; round++) {
    const bare = (await timeCalls(1000, () => extismCall(extism, 'echo', INPUT))).length;
    let done = 0;
    const t0 = performance.now();
    const until = t0 + 1000;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (performance.now() < until) {
          const r = await runtime.call(req);
          if (r.status !== 'SUCCEEDED') throw new Error(`bench call failed: ${r.error?.message}`);
          done++;
        }
      }),
    );
    if (round > 0) rounds.push({ bare, runtime: done / ((performance.now() - t0) / 1000) });
  }
  const ratios = rounds.map((r) => r.runtime / r.bare);
  const ratio = median(ratios);
  console.log('## Call cost, echo plugin, 185-byte JSON input (same prepared module)');
  console.log(`raw WebAssembly (minimal kernel)  median ${us(median(rawLat))}`);
  console.log(`bare Extism in-thread             median ${us(median(extLat))}`);
  console.log(`Plugboard runtime, one at a time  median ${us(median(rtLat))}   p99 ${us(pct(rtLat, 0.99))}`);
  console.log(`\nthroughput rounds (bare Extism sequential vs runtime with ${inFlight} in flight), calls/s:`);
  for (const r of rounds)
    console.log(
      `  bare ${r.bare.toFixed(0).padStart(6)}   runtime ${r.runtime.toFixed(0).padStart(6)}   ${(r.runtime / r.bare).toFixed(2)}x`,
    );
  const targets: string[] = [];
  targets.push(
    `pipelined throughput >= 0.75x bare Extism: median ${ratio.toFixed(2)}x (rounds ${ratios.map((x) => x.toFixed(2)).join(', ')}) ${verdict(ratio >= 0.75)}`,
  );
  targets.push(`single-call median within 200 µs: ${us(median(rtLat))} ${verdict(median(rtLat) <= 0.2)}`);

  // 2. Instrumentation cost: uninstrumented vs prepared, bare Extism in-thread, same inputs.
  console.log('\n## Fuel + memory-cap instrumentation vs the same module without it (bare Extism in-thread)');
  const plain = await bareExtism(raw);
  const json = enc.encode(
    JSON.stringify(
      Array.from({ length: 60 }, (_, i) => ({ id: i, name: `clip ${i}`, score: i * 1.5, tags: ['a', 'b'] })),
    ),
  );
  const workloads: [string, string, Uint8Array, number, number][] = [
    ['JSON scan (4 KB)', 'json_stats', json, 0.1, 1.1],
    ['loop-heavy (1e6 iterations)', 'loop_sum', enc.encode('1000000'), 0.1, 1.1],
    ['call-heavy (fib 25)', 'fibonacci', enc.encode('25'), 0.5, 1.5],
  ];
  for (const [label, fn, input, , limit] of workloads) {
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < 7; round++) {
      a.push(median(await timeCalls(250, () => extismCall(plain, fn, input))));
      b.push(median(await timeCalls(250, () => extismCall(extism, fn, input))));
    }
    const ratio = median(b) / median(a);
    console.log(
      `${label.padEnd(30)} plain ${us(median(a)).padStart(12)}  instrumented ${us(median(b)).padStart(12)}  ${ratio.toFixed(2)}x`,
    );
    targets.push(
      `instrumentation on ${label} <= ${limit.toFixed(2)}x: ${ratio.toFixed(2)}x ${verdict(ratio <= limit)}`,
    );
  }
  console.log(
    `module size: ${raw.length} -> ${prepared.bytes.length} bytes (${((prepared.bytes.length / raw.length - 1) * 100).toFixed(0)}%)`,
  );

  // 3. The reset that makes fuel reproducible, against the same calls without it.
  await resetCost(prepared, json);

  await httpCost(runtime, req, targets);

  // 4. Event-loop lag while four plugins spin to their fuel budget, again and again.
  console.log('\n## Main event-loop lag while four plugins spin to their budget');
  const hostile = await prepareModule(await buildFixture('hostile'));
  const lags: number[] = [];
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    lags.push(now - last - 1);
    last = now;
  }, 1);
  const spins: string[] = [];
  const until = performance.now() + 3000;
  await Promise.all(
    [1, 2, 3, 4].map(async (i) => {
      while (performance.now() < until) {
        const r = await runtime.call(request(hostile, 'spin', '', { instanceKey: `spin${i}` }));
        spins.push(r.status);
      }
    }),
  );
  clearInterval(ticker);
  const p99 = pct(lags, 0.99);
  console.log(
    `${spins.length} spin calls (${[...new Set(spins)].join(', ')}), timer lag p50 ${pct(lags, 0.5).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${Math.max(...lags).toFixed(2)} ms`,
  );
  targets.push(`event-loop lag p99 < 50 ms while four plugins spin: ${p99.toFixed(2)} ms ${verdict(p99 < 50)}`);

  console.log('\n## Targets (issue 3)');
  for (const t of targets) console.log(`- ${t}`);
  await runtime.close();
}

await main();
