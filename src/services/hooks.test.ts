import { describe, expect, it } from 'vitest';
import { applyPatch } from './hooks.ts';
import type { ClipRecord } from './read/index.ts';

const clip: ClipRecord = {
  id: 1,
  ownerId: 1,
  title: 'Ace',
  description: '',
  mediaUrl: '/a.mp4',
  durationMs: 1000,
  width: null,
  height: null,
  fps: null,
  codec: null,
  sizeBytes: null,
  game: 'Valorant',
  tags: ['raw'],
  status: 'CAPTURED',
  metadata: { events: [] },
  pending: false,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

describe('applyPatch', () => {
  it('applies tags, status, title and metadata under the plugin slug', () => {
    const { clip: next, dropped } = applyPatch(clip, 'tagger', {
      addTags: ['Clutch', 'raw'],
      status: 'PROCESSED',
      title: 'Ace!',
      metadata: { score: 3 },
    });
    expect(next).toMatchObject({
      tags: ['raw', 'clutch'],
      status: 'PROCESSED',
      title: 'Ace!',
      metadata: { events: [], tagger: { score: 3 } },
    });
    expect(dropped).toEqual([]);
    expect(clip.tags).toEqual(['raw']);
  });

  it('drops invalid parts, not the whole patch, and says what it dropped', () => {
    const { clip: next, dropped } = applyPatch(clip, 'tagger', {
      addTags: ['ok', 'game:x', '****'],
      status: 'DONE',
      title: '',
      metadata: { x: 'y'.repeat(40_000) },
    });
    expect(next.tags).toEqual(['raw', 'ok']);
    expect(next.status).toBe('CAPTURED');
    expect(next.title).toBe('Ace');
    expect(next.metadata).toEqual({ events: [] });
    expect(dropped).toEqual(['addTags: "game:x", "****"', 'title', 'status', 'metadata (over 32 KiB)']);
  });

  it('caps a clip at 20 tags', () => {
    const many = Array.from({ length: 30 }, (_, i) => `t${i}`);
    expect(applyPatch(clip, 'p', { tags: many }).clip.tags).toHaveLength(20);
  });
});
