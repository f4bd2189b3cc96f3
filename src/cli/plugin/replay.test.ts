import { describe, expect, it } from 'vitest';
import { clipAsSeen } from './replay.ts';
import type { RecordedExecution } from './replay-fetch.ts';

const recorded = (input: string, clip: Record<string, unknown> | null = { id: 'now', title: 'Renamed since' }) =>
  ({ input, clip }) as unknown as RecordedExecution;

describe('clipAsSeen', () => {
  it('replays a hook with the clip from its recorded event', () => {
    const event = JSON.stringify({ hook: 'clip.captured', clip: { id: 'then', title: 'As captured' } });
    expect(clipAsSeen(recorded(event))).toEqual({ clip: { id: 'then', title: 'As captured' }, recorded: true });
  });

  it('falls back to the current clip for other calls', () => {
    expect(clipAsSeen(recorded('{"values":[1,2]}'))).toEqual({
      clip: { id: 'now', title: 'Renamed since' },
      recorded: false,
    });
    expect(clipAsSeen(recorded('not json', null))).toEqual({ clip: null, recorded: false });
  });
});
