import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRuntime, type PluginRuntime, type PreparedModule } from '../index.ts';
import { preparedFixture } from '../testing/fixtures.ts';
import { request } from '../testing/requests.ts';

const MiB = 1024 * 1024;
let echo: PreparedModule, hostile: PreparedModule, hog: PreparedModule;
const runtimes: PluginRuntime[] = [];

beforeAll(async () => {
  [echo, hostile, hog] = await Promise.all([
    preparedFixture('echo'),
    preparedFixture('hostile', { memoryMaxPages: 1024 }),
    preparedFixture('memory-hog'),
  ]);
});
afterAll(() => Promise.all(runtimes.map((r) => r.close())));

function runtime(options: Parameters<typeof createRuntime>[0]): PluginRuntime {
  const r = createRuntime({ workers: 2, spareWorker: false, ...options });
  runtimes.push(r);
  return r;
}

const held = (r: PluginRuntime) => r.stats().workers.map((w) => w.instanceBytes);
const total = (r: PluginRuntime) => held(r).reduce((a, b) => a + b, 0);

// These tests are about memory, not time: the longest deadline, so a loaded machine cannot turn
// a slow instantiation into TIMED_OUT.
const limits = { fuel: 1e9, timeoutMs: 10_000 };

/** A deterministic mix of installations: hogs that keep 12+ MiB, small echoes, one-off growers. */
function calls(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const key = { instanceKey: `installation-${i % 17}`, limits };
    if (i % 3 === 0) return request(echo, 'echo', `${i}`, key);
    if (i % 5 === 1) return request(hostile, 'touch_memory', `${8 + (i % 4) * 8}`, key);
    return request(hog, 'run', '', key);
  });
}

describe('memory held by idle plugin instances', () => {
  for (const boundMiB of [26, 30, 64]) {
    it(`stays within ${boundMiB} MiB per worker across many installations, each touching memory once`, async () => {
      const bound = boundMiB * MiB;
      const rt = runtime({ maxInstanceBytesPerWorker: bound });
      let peakHeld = 0;
      for (const [i, req] of calls(40).entries()) {
        // Sequential and in parallel pairs alike: both workers fill up.
        const results = await Promise.all(
          i % 2 ? [rt.call(req)] : [rt.call(req), rt.call({ ...req, instanceKey: `${req.instanceKey}:b` })],
        );
        for (const r of results) expect(r.status).toBe('SUCCEEDED');
        for (const bytes of held(rt)) expect(bytes).toBeLessThanOrEqual(bound);
        peakHeld = Math.max(peakHeld, total(rt));
      }
      // The accounting is real: hogs that fit were kept (each holds over 12 MiB, and as much
      // again in the copy its memory is reset from).
      expect(peakHeld).toBeGreaterThan(24 * MiB);
      // Each call may instantiate a 12 MiB plugin afresh: slow on a loaded machine, not wrong.
    }, 120_000);
  }

  it('keeps no instance that alone holds more than the bound, and serves it afresh next time', async () => {
    const rt = runtime({ maxInstanceBytesPerWorker: 4 * MiB });
    for (let i = 0; i < 4; i++) {
      const r = await rt.call(request(hog, 'run', '', { instanceKey: 'big', limits }));
      expect(r.status).toBe('SUCCEEDED');
      expect(r.peakMemoryBytes).toBeGreaterThan(12 * MiB);
      expect(held(rt).every((b) => b <= 4 * MiB)).toBe(true);
    }
    const small = await rt.call(request(echo, 'echo', '1', { instanceKey: 'small', limits }));
    expect(small.status).toBe('SUCCEEDED');
    expect(total(rt)).toBeGreaterThan(0);
  });

  it('drops instances left idle past instanceIdleMs, with their memory', async () => {
    const rt = runtime({ instanceIdleMs: 200 });
    await Promise.all([0, 1, 2, 3].map((i) => rt.call(request(hog, 'run', '', { instanceKey: `idle-${i}`, limits }))));
    expect(total(rt)).toBeGreaterThan(12 * MiB);
    await vi.waitFor(() => expect(total(rt)).toBe(0), { timeout: 10_000, interval: 50 });
    expect(rt.stats().workers.every((w) => w.instances === 0)).toBe(true);
  });
});
