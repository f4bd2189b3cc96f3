import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, RuntimeClosedError, type PluginRuntime, type PreparedModule } from '../index.ts';
import { buildFixture, preparedFixture } from '../testing/fixtures.ts';
import { request, text } from '../testing/requests.ts';

let runtime: PluginRuntime;
let echo: PreparedModule, hostile: PreparedModule, hostApi: PreparedModule;

beforeAll(async () => {
  [echo, hostile, hostApi] = await Promise.all([
    preparedFixture('echo'),
    preparedFixture('hostile'),
    preparedFixture('host-api'),
  ]);
  runtime = createRuntime({ workers: 2 });
});
afterAll(() => runtime?.close());

describe('PluginRuntime: each hostile plugin gets its typed status', () => {
  it('runs a healthy JSON echo and reports usage', async () => {
    const r = await runtime.call(request(echo, 'echo', '{"hello":"world"}'));
    expect(r.status).toBe('SUCCEEDED');
    expect(JSON.parse(text(r.output)!)).toEqual({ echo: { hello: 'world' } });
    expect(r.fuelUsed).toBeGreaterThan(0);
    expect(r.peakMemoryBytes).toBeGreaterThanOrEqual(65536);
  });

  it('stops an infinite loop when its fuel runs out', async () => {
    const r = await runtime.call(request(hostile, 'spin', '', { limits: { fuel: 20_000_000 } }));
    expect(r.status).toBe('FUEL_EXHAUSTED');
    expect(r.error?.code).toBe('PLUGIN_FUEL_EXHAUSTED');
    expect(r.fuelUsed).toBe(20_000_000);
  });

  it('meters call-heavy code without loops (exponential recursion runs out of fuel)', async () => {
    const r = await runtime.call(request(echo, 'fibonacci', '45', { limits: { fuel: 5_000_000 } }));
    expect(r.status).toBe('FUEL_EXHAUSTED');
  });

  // A status decided by a race between the deadline and another limit flakes on a loaded
  // machine: calls that must end TIMED_OUT spin on a host call (host time is not metered, so
  // their fuel cannot run out first), and calls that must end by fuel or memory get the longest
  // deadline.
  it('stops an infinite loop at its wall-clock deadline when fuel would last longer', async () => {
    const r = await runtime.call(request(hostile, 'spin_on_host', '', { limits: { fuel: 1e10, timeoutMs: 250 } }));
    expect(r.status).toBe('TIMED_OUT');
    expect(r.error?.code).toBe('PLUGIN_TIMEOUT');
    expect(r.durationMs).toBeGreaterThanOrEqual(250);
    // The worker was stopped mid-call: the fuel it used is unknown, reported as null (never 0).
    expect(r.fuelUsed).toBeNull();
  });

  it('stops an unbounded allocator at the memory cap', async () => {
    const r = await runtime.call(request(hostile, 'allocate_forever', '', { limits: { timeoutMs: 10_000 } }));
    expect(r.status).toBe('MEMORY_EXCEEDED');
    expect(r.error?.code).toBe('PLUGIN_MEMORY_EXCEEDED');
    expect(r.peakMemoryBytes).toBeLessThanOrEqual(16 * 1024 * 1024);
  });

  it('reports traps with the engine message', async () => {
    const trap = await runtime.call(request(hostile, 'trap'));
    expect(trap).toMatchObject({
      status: 'FAILED',
      error: { code: 'PLUGIN_TRAP', message: expect.stringMatching(/unreachable/) },
    });
    const abort = await runtime.call(request(hostile, 'abort_with_message'));
    expect(abort.error).toMatchObject({ code: 'PLUGIN_TRAP', message: expect.stringContaining('the plugin gave up') });
    const recursion = await runtime.call(request(hostile, 'recurse'));
    expect(recursion.error).toMatchObject({ code: 'PLUGIN_TRAP', message: expect.stringMatching(/stack/i) });
  });

  it('refuses an 8 MiB output', async () => {
    const r = await runtime.call(request(hostile, 'big_output', '', { limits: { fuel: 2e9, timeoutMs: 5000 } }));
    expect(r.error).toMatchObject({
      code: 'PLUGIN_OUTPUT_TOO_LARGE',
      message: expect.stringContaining(`${8 << 20} bytes`),
    });
    expect(r.output).toBeNull();
  });

  it('truncates a log flood with one marker line', async () => {
    const lines: string[] = [];
    const r = await runtime.call(
      request(hostile, 'log_flood', '', {
        limits: { fuel: 2e9, timeoutMs: 5000 },
        onLog: (l) => lines.push(l.message),
      }),
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.logsTruncated).toBe(true);
    const bytes = r.logs.slice(0, -1).reduce((n, l) => n + Buffer.byteLength(l.message), 0);
    expect(bytes).toBeLessThanOrEqual(16 * 1024);
    expect(r.logs.at(-1)?.message).toMatch(/log truncated/);
    expect(r.logs.filter((l) => /log truncated/.test(l.message))).toHaveLength(1);
    expect(lines).toEqual(r.logs.map((l) => l.message));
  });

  it('reports errors set by the plugin and non-zero return codes as PLUGIN_FAILED', async () => {
    const set = await runtime.call(request(hostile, 'fail_with_error'));
    expect(set.error).toEqual({ code: 'PLUGIN_FAILED', message: 'bad input: expected a clip' });
    const rc = await runtime.call(request(hostile, 'return_nonzero'));
    expect(rc.error).toMatchObject({ code: 'PLUGIN_FAILED', message: expect.stringContaining('7') });
  });

  it('checks input size and the function name before running', async () => {
    const big = await runtime.call(request(echo, 'echo', new Uint8Array(1024 * 1024 + 1)));
    expect(big.error?.code).toBe('PLUGIN_INPUT_TOO_LARGE');
    const missing = await runtime.call(request(echo, 'nope'));
    expect(missing.error?.code).toBe('PLUGIN_FUNCTION_NOT_FOUND');
  });

  it('fails a tampered blob with PLUGIN_INTEGRITY', async () => {
    const tampered = echo.bytes.slice();
    tampered[tampered.length - 10] ^= 0xff;
    // A fresh runtime: the shared one already holds the verified module compiled, and a cached
    // module is never reloaded.
    const fresh = createRuntime({ workers: 1 });
    try {
      const r = await fresh.call({
        ...request(echo, 'echo', '{}'),
        module: { sha256: echo.sha256, load: async () => tampered },
      });
      expect(r.status).toBe('FAILED');
      expect(r.error?.code).toBe('PLUGIN_INTEGRITY');
      expect(r.error?.message).toContain(echo.sha256);
      // Failures are not cached: the intact blob loads afterwards.
      const ok = await fresh.call(request(echo, 'echo', '{}'));
      expect(ok.status).toBe('SUCCEEDED');
    } finally {
      await fresh.close();
    }
  });

  it('refuses an ungranted permission before instantiation, naming function and permission', async () => {
    const r = await runtime.call(
      request(hostApi, 'kv_roundtrip', '1', { grants: ['log', 'config', 'clips:read', 'clips:write', 'events'] }),
    );
    expect(r.status).toBe('FAILED');
    expect(r.error?.code).toBe('PERMISSION_DENIED');
    expect(r.error?.message).toMatch(/kv_get.*"kv"/);
  });

  it('refuses modules it cannot control: unprepared, or importing WASI', async () => {
    const raw = await buildFixture('echo');
    const { sha256Hex } = await import('../index.ts');
    const r = await runtime.call(request({ bytes: raw, sha256: sha256Hex(raw) }, 'echo', '{}'));
    expect(r.error).toMatchObject({ code: 'PLUGIN_INVALID_MODULE', message: expect.stringMatching(/not prepared/) });
    const wasi = await preparedFixture('wasi');
    const w = await runtime.call(request(wasi, 'roll'));
    expect(w.error).toMatchObject({
      code: 'PLUGIN_INVALID_MODULE',
      message: expect.stringMatching(/wasi_snapshot_preview1\.random_get/),
    });
  });

  it('stops a module that spins in its start function (at instantiation) with its start fuel', async () => {
    const r = await runtime.call(request(await preparedFixture('start-spin'), 'run'));
    expect(r).toMatchObject({
      status: 'FAILED',
      error: { code: 'PLUGIN_TRAP', message: expect.stringMatching(/while starting/) },
    });
  });

  it('returns no effects when a call fails after writing KV, patching and emitting', async () => {
    const r = await runtime.call(request(hostApi, 'kv_then_fail', '', { host: { clip: { id: 'c1' } } }));
    expect(r.status).toBe('FAILED');
    expect(r.kvWrites).toEqual([]);
    expect(r.clipPatches).toEqual([]);
    expect(r.events).toEqual([]);
  });

  it('replaces an instance that hit its memory cap with a fresh one', async () => {
    const key = { instanceKey: 'reused' };
    const first = await runtime.call(
      request(hostile, 'allocate_forever', '', { ...key, limits: { timeoutMs: 10_000 } }),
    );
    expect(first.status).toBe('MEMORY_EXCEEDED');
    // The same key on both workers: each must answer from a fresh, small instance.
    const next = await Promise.all([1, 2, 3, 4].map(() => runtime.call(request(hostile, 'fail_with_error', '', key))));
    for (const r of next) {
      expect(r.error?.code).toBe('PLUGIN_FAILED');
      expect(r.peakMemoryBytes).toBeLessThan(1024 * 1024);
    }
  });
});

describe('PluginRuntime under hostile load', () => {
  it('keeps healthy calls correct and the event loop responsive while hostile plugins run', async () => {
    const lags: number[] = [];
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      lags.push(now - last - 5);
      last = now;
    }, 5);
    const hostileCalls = Promise.all([
      runtime.call(request(hostile, 'spin_on_host', '', { instanceKey: 's1', limits: { fuel: 1e10, timeoutMs: 300 } })),
      runtime.call(request(hostile, 'spin_on_host', '', { instanceKey: 's2', limits: { fuel: 1e10, timeoutMs: 300 } })),
      runtime.call(request(hostile, 'allocate_forever', '', { instanceKey: 'a1', limits: { timeoutMs: 10_000 } })),
      runtime.call(request(hostile, 'recurse', '', { instanceKey: 'r1', limits: { timeoutMs: 10_000 } })),
      runtime.call(request(hostile, 'spin', '', { instanceKey: 's3', limits: { timeoutMs: 10_000 } })),
    ]);
    const healthy = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        runtime.call(request(echo, 'echo', JSON.stringify({ i }), { instanceKey: `h${i % 7}` })),
      ),
    );
    const [spin1, spin2, alloc, recursion, fuel] = await hostileCalls;
    clearInterval(ticker);
    healthy.forEach((r, i) => {
      expect(r.status).toBe('SUCCEEDED');
      expect(JSON.parse(text(r.output)!)).toEqual({ echo: { i } });
    });
    expect([spin1.status, spin2.status, alloc.status, recursion.error?.code, fuel.status]).toEqual([
      'TIMED_OUT',
      'TIMED_OUT',
      'MEMORY_EXCEEDED',
      'PLUGIN_TRAP',
      'FUEL_EXHAUSTED',
    ]);
    // Generous: this checks the main thread never blocks on a plugin (a blocked loop would lag
    // for the spinners' whole 300 ms at least), not timing precision on a shared machine.
    lags.sort((a, b) => a - b);
    expect(lags[Math.floor(lags.length * 0.95)]).toBeLessThan(100);
    expect(lags.at(-1)).toBeLessThan(1000);
  });

  it("re-runs calls caught on a worker killed for another call's deadline", async () => {
    const single = createRuntime({ workers: 1 });
    try {
      // Load both modules first, so the calls below queue in order without waiting on a load.
      await Promise.all([single.call(request(echo, 'echo', '{}')), single.call(request(hostile, 'return_nonzero'))]);
      // Same tick: all seven travel to the one worker in one batch, the spinner in the middle.
      const calls = [0, 1, 2, 3, 4, 5, 6].map((i) =>
        i === 3
          ? single.call(request(hostile, 'spin_on_host', '', { limits: { fuel: 1e10, timeoutMs: 200 } }))
          : single.call(
              request(echo, 'echo', JSON.stringify({ i }), {
                onLog: () => {
                  throw new Error('listener bug');
                },
              }),
            ),
      );
      const results = await Promise.all(calls);
      expect(results[3].status).toBe('TIMED_OUT');
      for (const i of [0, 1, 2, 4, 5, 6]) {
        expect(results[i].status).toBe('SUCCEEDED');
        expect(JSON.parse(text(results[i].output)!)).toEqual({ echo: { i } });
      }
    } finally {
      await single.close();
    }
  });

  it('enforces a short deadline that follows a call with a long one on the same worker', async () => {
    const single = createRuntime({ workers: 1 });
    try {
      await Promise.all([single.call(request(echo, 'echo', '{}')), single.call(request(hostile, 'return_nonzero'))]);
      const started = performance.now();
      // The spinner arrives while the long call runs (and the worker is marked stalled), so it is
      // sent only after that call's deadline check was scheduled far ahead.
      const [, spin] = await Promise.all([
        single.call(request(echo, 'fibonacci', '32', { limits: { timeoutMs: 5000, fuel: 1e9 } })),
        new Promise<void>((r) => setTimeout(r, 25)).then(() =>
          single.call(request(hostile, 'spin_on_host', '', { limits: { fuel: 1e10, timeoutMs: 150 } })),
        ),
      ]);
      expect(spin.status).toBe('TIMED_OUT');
      expect(performance.now() - started).toBeLessThan(1500);
    } finally {
      await single.close();
    }
  });

  it('takes calls queued behind a long-running one back for another worker', async () => {
    const two = createRuntime({ workers: 2 });
    try {
      // Both workers up and both modules loaded, so the only wait left is the one under test.
      await two.ready();
      await Promise.all([two.call(request(echo, 'echo', '{}')), two.call(request(hostile, 'return_nonzero'))]);
      // Spinning on a host call, its fuel cannot run out before its deadline, however late the
      // deadline check runs on a loaded machine: it ends TIMED_OUT, never FUEL_EXHAUSTED.
      let spinnerDone = false;
      const spinner = two
        .call(request(hostile, 'spin_on_host', '', { instanceKey: 'long', limits: { fuel: 1e10, timeoutMs: 1000 } }))
        .finally(() => {
          spinnerDone = true;
        });
      const healthy = await Promise.all(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => two.call(request(echo, 'echo', `${i}`))),
      );
      expect(healthy.map((r) => text(r.output))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `{"echo":${i}}`));
      // Without stealing, the calls sent behind the spinner would answer only after its deadline
      // killed the worker (the spinner's result settles first).
      expect(spinnerDone).toBe(false);
      expect((await spinner).status).toBe('TIMED_OUT');
    } finally {
      await two.close();
    }
  });

  it('settles every pending call on close() and refuses calls afterwards', async () => {
    // No spare worker: the queued call must still be waiting behind the spinner when close() comes.
    const own = createRuntime({ workers: 1, spareWorker: false });
    // The echo module is loaded first, and the echo call is sent only once the spinner has had
    // time to start: a worker may run a call whose module is ready while another's still loads,
    // so sent together, the echo could answer before the spinner began (seen under load).
    await own.call(request(echo, 'echo', '{}'));
    const running = own.call(request(hostile, 'spin_on_host', '', { limits: { fuel: 1e10, timeoutMs: 10_000 } }));
    await new Promise((r) => setTimeout(r, 300));
    const queued = own.call(request(echo, 'echo', '{}'));
    const settled = Promise.allSettled([running, queued]);
    await new Promise((r) => setTimeout(r, 50));
    await own.close();
    const [a, b] = await settled;
    expect(a).toMatchObject({ status: 'rejected', reason: expect.any(RuntimeClosedError) });
    expect(b).toMatchObject({ status: 'rejected', reason: expect.any(RuntimeClosedError) });
    await expect(own.call(request(echo, 'echo', '{}'))).rejects.toMatchObject({ code: 'RUNTIME_CLOSED' });
  });
});
