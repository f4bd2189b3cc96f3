import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginHarness, readTestCases, runCases } from '../../sdk-assemblyscript/harness/index.ts';

const dir = new URL('.', import.meta.url).pathname;
let plugin: PluginHarness;

beforeAll(async () => {
  plugin = await PluginHarness.load(dir);
});
afterAll(() => plugin.close());

interface Normalized {
  method: string;
  series: Record<string, number[]>;
  stats: Record<string, Record<string, number>>;
}

describe('data-normalizer', () => {
  it('z-scores with the population standard deviation by default', async () => {
    const r = await plugin.call('normalize', { values: [2, 4, 4, 4, 5, 5, 7, 9] }, { config: {} });
    const out = r.json<Normalized>();
    expect(out.method).toBe('zscore');
    expect(out.series.values).toEqual([-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2]);
    expect(out.stats.values).toEqual({ count: 8, mean: 5, std: 2, min: 2, max: 9, median: 4.5, iqr: 1.5 });
  });

  it('min-max scales several named series to 0..1', async () => {
    const r = await plugin.call(
      'normalize',
      { series: { kills: [0, 5, 10], fps: [30, 60, 144] } },
      { config: { method: 'minmax', precision: 3 } },
    );
    expect(r.json<Normalized>().series).toEqual({ kills: [0, 0.5, 1], fps: [0, 0.263, 1] });
  });

  it('robust scaling centres on the median and divides by the IQR', async () => {
    const r = await plugin.call('normalize', { values: [1, 2, 3, 4, 100] }, { config: { method: 'robust' } });
    expect(r.json<Normalized>().series.values).toEqual([-1, -0.5, 0, 0.5, 48.5]);
  });

  it('scales a constant series to zeros, never NaN', async () => {
    const r = await plugin.call('normalize', { values: [3, 3, 3] }, { config: { method: 'zscore' } });
    expect(r.json<Normalized>().series.values).toEqual([0, 0, 0]);
  });

  it('has an unknown method refused by its config schema, and fails non-numeric items with a message', async () => {
    await expect(plugin.call('normalize', { values: [1] }, { config: { method: 'log' } })).rejects.toThrow(
      /config\.method must be equal to one of the allowed values/,
    );
    const item = await plugin.call('normalize', { series: { a: [1, 'x'] } }, { config: {} });
    expect(item.error?.message).toContain("series 'a' item 1 is not a number");
  });

  it('passes its own test inputs', async () => {
    const outcomes = await runCases(plugin, await readTestCases(dir));
    expect(outcomes.map((o) => o.mismatch)).toEqual(outcomes.map(() => null));
  });
});
