import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifecycleInput, PluginHarness, readTestCases, runCases } from '../../sdk-assemblyscript/harness/index.ts';

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

  describe('lifecycle hooks', () => {
    const payload = (hook: string, extra: Record<string, unknown> = {}) =>
      lifecycleInput({ hook, installationId: 7, plugin: 'game-stats', version: '1.1.0', config: {}, ...extra });

    it('plugin.installed starts an empty index at the current layout with the configured label', async () => {
      const r = await plugin.call(
        'plugin_installed',
        payload('plugin.installed', { config: { unknownGame: 'misc' } }),
        {
          kv: {},
        },
      );
      expect(r.status).toBe('SUCCEEDED');
      expect(plugin.kvSnapshot()).toEqual({ games: [], layout: 2, label: 'misc' });
    });

    it('plugin.upgraded moves layout-1 counts of game-less clips under the label', async () => {
      const kv = {
        games: ['', 'CS2'],
        'game:': { count: 2, totalDurationMs: 9 },
        'game:CS2': { count: 1, totalDurationMs: 1 },
      };
      const r = await plugin.call(
        'plugin_upgraded',
        payload('plugin.upgraded', { previousVersion: '0.9.0', reason: 'UPGRADE' }),
        { kv },
      );
      expect(r.status).toBe('SUCCEEDED');
      expect(plugin.kvSnapshot()).toEqual({
        games: ['CS2', 'unknown'],
        'game:unknown': { count: 2, totalDurationMs: 9 },
        'game:CS2': { count: 1, totalDurationMs: 1 },
        layout: 2,
        label: 'unknown',
      });
      // Already current: nothing moves.
      const again = await plugin.call('plugin_upgraded', payload('plugin.upgraded', { previousVersion: '1.0.0' }));
      expect(again.status).toBe('SUCCEEDED');
      expect(plugin.kvSnapshot()['game:unknown']).toEqual({ count: 2, totalDurationMs: 9 });
    });

    it("config.changed hands the old label's counts to the new one, which new clips then use", async () => {
      const kv = { games: ['misc'], 'game:misc': { count: 3, totalDurationMs: 30 }, layout: '2', label: 'misc' };
      const r = await plugin.call(
        'config_changed',
        payload('config.changed', { previousConfig: { unknownGame: 'misc' }, config: { unknownGame: 'other' } }),
        { kv },
      );
      expect(r.status).toBe('SUCCEEDED');
      expect(plugin.kvSnapshot()).toMatchObject({ games: ['other'], 'game:other': { count: 3, totalDurationMs: 30 } });
      const counted = await plugin.call('clip_captured', {}, { clip: clip('', 5) });
      expect(counted.json()).toMatchObject({ game: 'other', games: { other: { count: 4, totalDurationMs: 35 } } });
    });

    it('refuses a lifecycle call without its payload', async () => {
      expect((await plugin.call('plugin_installed', 'not json', { clip: null })).status).toBe('FAILED');
    });
  });

  it('passes its own test inputs', async () => {
    const outcomes = await runCases(plugin, await readTestCases(dir));
    expect(outcomes.map((o) => o.mismatch)).toEqual(outcomes.map(() => null));
  });
});
