import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginHarness, readTestCases, runCases } from '../../sdk-assemblyscript/harness/index.ts';

const dir = new URL('.', import.meta.url).pathname;
let plugin: PluginHarness;

beforeAll(async () => {
  plugin = await PluginHarness.load(dir);
});
afterAll(() => plugin.close());

const clip = (game: string, durationMs: number) => ({
  id: durationMs,
  game,
  durationMs,
  tags: [],
  metadata: {},
});

describe('game-stats', () => {
  it('accumulates counts and durations per game in KV across calls', async () => {
    await plugin.call('reset', '', { kv: {} });
    await plugin.call('clip_captured', {}, { clip: clip('Valorant', 30_000) });
    await plugin.call('clip_captured', {}, { clip: clip('CS2', 10_000) });
    const r = await plugin.call('clip_captured', {}, { clip: clip('Valorant', 15_000) });
    expect(r.json()).toEqual({
      games: { Valorant: { count: 2, totalDurationMs: 45_000 }, CS2: { count: 1, totalDurationMs: 10_000 } },
      clips: 3,
      totalDurationMs: 55_000,
      game: 'Valorant',
    });
    expect(plugin.kvSnapshot()).toEqual({
      games: ['Valorant', 'CS2'],
      'game:Valorant': { count: 2, totalDurationMs: 45_000 },
      'game:CS2': { count: 1, totalDurationMs: 10_000 },
    });
  });

  it('reports and resets the totals on demand', async () => {
    const stats = await plugin.call('stats', '', { kv: { games: ['A'], 'game:A': { count: 4, totalDurationMs: 8 } } });
    expect(stats.json()).toEqual({ games: { A: { count: 4, totalDurationMs: 8 } }, clips: 4, totalDurationMs: 8 });
    const reset = await plugin.call('reset');
    expect(reset.json()).toEqual({ removed: 1 });
    expect(plugin.kvSnapshot()).toEqual({});
  });

  it('counts clips without a game under "unknown"', async () => {
    const r = await plugin.call('clip_captured', {}, { kv: {}, clip: clip('', 1000) });
    expect(r.json()).toMatchObject({ game: 'unknown', games: { unknown: { count: 1, totalDurationMs: 1000 } } });
  });

  it('keeps a numbered digest of the totals on each scheduled run', async () => {
    const kv = { games: ['A'], 'game:A': { count: 2, totalDurationMs: 9 } };
    const first = await plugin.call('schedule', '', { kv });
    expect(first.json()).toEqual({
      games: { A: { count: 2, totalDurationMs: 9 } },
      clips: 2,
      totalDurationMs: 9,
      run: 1,
    });
    const second = await plugin.call('schedule');
    expect(second.json()).toMatchObject({ clips: 2, run: 2 });
    expect(plugin.kvSnapshot()).toMatchObject({ digest: { run: 2, clips: 2 } });
  });

  it('passes its own test inputs', async () => {
    const outcomes = await runCases(plugin, await readTestCases(dir));
    expect(outcomes.map((o) => o.mismatch)).toEqual(outcomes.map(() => null));
  });
});
