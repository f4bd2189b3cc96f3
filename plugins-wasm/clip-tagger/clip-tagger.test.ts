import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginHarness, readTestCases, runCases } from '../../sdk-assemblyscript/harness/index.ts';

const dir = new URL('.', import.meta.url).pathname;
let plugin: PluginHarness;

beforeAll(async () => {
  plugin = await PluginHarness.load(dir);
});
afterAll(() => plugin.close());

describe('clip-tagger', () => {
  it('derives game, resolution, fps and duration tags', async () => {
    const r = await plugin.call(
      'suggest',
      { game: 'Counter-Strike 2', width: 3840, height: 2160, fps: 60, durationMs: 12_000 },
      { config: {} },
    );
    expect(r.json()).toEqual({ tags: ['counter-strike-2', '4k', '60fps', 'short'] });
    const r2 = await plugin.call('suggest', {
      game: 'Rocket League',
      width: 1280,
      height: 720,
      fps: 144,
      durationMs: 60_000,
    });
    expect(r2.json()).toEqual({ tags: ['rocket-league', '720p', 'high-fps', 'medium'] });
  });

  it('as a hook, adds only the missing tags, with the configured prefix', async () => {
    const r = await plugin.call(
      'clip_captured',
      {},
      {
        config: { prefix: 'auto-', longMinMs: 100_000 },
        clip: {
          id: 1,
          game: 'Fortnite',
          width: 1080,
          height: 1920,
          fps: 30,
          durationMs: 150_000,
          tags: ['auto-30fps'],
          metadata: {},
        },
      },
    );
    expect(r.clipPatches).toEqual([{ addTags: ['auto-fortnite', 'auto-1080p', 'auto-long', 'auto-vertical'] }]);
    expect(r.json()).toMatchObject({ added: ['auto-fortnite', 'auto-1080p', 'auto-long', 'auto-vertical'] });
  });

  it('keeps tags within the 40-character limit of the server', async () => {
    const r = await plugin.call(
      'suggest',
      { game: 'The Legend of Zelda: Tears of the Kingdom — Deluxe Edition', width: 0, height: 0 },
      { config: { prefix: 'auto-' } },
    );
    expect(r.json()).toEqual({ tags: ['auto-the-legend-of-zelda-tears-of-the-ki'] });
  });

  it('does not patch a clip that already has every tag', async () => {
    const r = await plugin.call(
      'clip_captured',
      {},
      {
        config: {},
        clip: { id: 2, game: '', width: 0, height: 0, fps: 0, durationMs: 0, tags: [], metadata: {} },
      },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.clipPatches).toEqual([]);
  });

  it('passes its own test inputs', async () => {
    const outcomes = await runCases(plugin, await readTestCases(dir));
    expect(outcomes.map((o) => o.mismatch)).toEqual(outcomes.map(() => null));
  });
});
