import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginHarness, readTestCases, runCases } from '../../sdk-assemblyscript/harness/index.ts';

const dir = new URL('.', import.meta.url).pathname;
let plugin: PluginHarness;

beforeAll(async () => {
  plugin = await PluginHarness.load(dir);
});
afterAll(() => plugin.close());

const clip = (events: unknown[], durationMs = 45_000) => ({
  id: 1,
  title: 'Ace',
  description: '',
  mediaUrl: 'file:///c.mp4',
  durationMs,
  width: 1920,
  height: 1080,
  fps: 60,
  codec: 'h264',
  sizeBytes: 1,
  game: 'Valorant',
  tags: [],
  status: 'CAPTURED',
  metadata: { events },
});

describe('highlight-detector', () => {
  it('groups nearby events and keeps groups at or above the threshold', async () => {
    const r = await plugin.call(
      'detect',
      {
        durationMs: 60_000,
        events: [
          { t: 7000, type: 'kill' },
          { t: 5000, type: 'kill' },
          { t: 8000, type: 'audio_peak', value: 0.5 },
          { t: 30_000, type: 'kill' },
          { t: 59_000, type: 'kill' },
          { t: 59_500, type: 'kill' },
        ],
      },
      { config: {} },
    );
    expect(r.error).toBeNull();
    expect(r.json()).toEqual({
      threshold: 2,
      highlights: [
        { startMs: 3000, endMs: 10_000, score: 2.5, kills: 2, audioPeaks: 1 },
        { startMs: 57_000, endMs: 60_000, score: 2, kills: 2, audioPeaks: 0 },
      ],
    });
  });

  it('honours threshold, window and weights from config', async () => {
    const events = [
      { t: 1000, type: 'kill' },
      { t: 4000, type: 'kill' },
    ];
    const strict = await plugin.call('detect', { durationMs: 10_000, events }, { config: { threshold: 3 } });
    expect(strict.json()).toMatchObject({ highlights: [] });
    const narrow = await plugin.call(
      'detect',
      { durationMs: 10_000, events },
      { config: { windowMs: 1000, threshold: 1 } },
    );
    expect((narrow.json() as { highlights: unknown[] }).highlights).toHaveLength(2);
    const heavy = await plugin.call(
      'detect',
      { durationMs: 10_000, events },
      { config: { killWeight: 2, threshold: 4, paddingMs: 0 } },
    );
    expect(heavy.json()).toMatchObject({ highlights: [{ startMs: 1000, endMs: 4000, score: 4 }] });
  });

  it('as the clip.captured hook, writes highlights to the clip metadata and tags it', async () => {
    const r = await plugin.call(
      'clip_captured',
      { event: 'clip.captured' },
      {
        config: { threshold: 2 },
        clip: clip([
          { t: 10_000, type: 'kill' },
          { t: 11_000, type: 'kill' },
          { t: 40_000, type: 'audio_peak', value: 1 },
        ]),
      },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.clipPatches).toEqual([
      {
        addTags: ['highlights'],
        metadata: { highlights: [{ startMs: 8000, endMs: 13_000, score: 2, kills: 2, audioPeaks: 0 }], threshold: 2 },
      },
    ]);
    expect(r.logs.map((l) => l.message)).toEqual(['clip 1: 1 highlight(s) in 3 event(s)']);
  });

  it('patches metadata without the tag when nothing qualifies', async () => {
    const r = await plugin.call('clip_captured', {}, { config: {}, clip: clip([]) });
    expect(r.clipPatches).toEqual([{ metadata: { highlights: [], threshold: 2 } }]);
  });

  it('fails clearly on non-JSON input', async () => {
    const r = await plugin.call('detect', '{"events": [', { config: {} });
    expect(r.status).toBe('FAILED');
    expect(r.error?.message).toContain('detect: input must be a JSON object');
  });

  it('passes its own test inputs', async () => {
    const outcomes = await runCases(plugin, await readTestCases(dir));
    expect(outcomes.map((o) => o.mismatch)).toEqual(outcomes.map(() => null));
  });
});
