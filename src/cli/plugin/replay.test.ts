import { describe, expect, it } from 'vitest';
import type { HarnessResult } from '../../../sdk-assemblyscript/harness/types.ts';
import { clipAsSeen, replayDifferences } from './replay.ts';
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

describe('replayDifferences', () => {
  const base = {
    status: 'SUCCEEDED',
    output: '{"ok":true}',
    fuelUsed: 1234,
    peakMemoryBytes: 65536,
    logs: [{ level: 'INFO', message: 'hi' }],
  };
  const local = (over: Record<string, unknown> = {}) =>
    ({
      status: 'SUCCEEDED',
      output: '{"ok":true}',
      usage: { fuelUsed: 1234, peakMemoryBytes: 65536 },
      logs: [{ level: 'info', message: 'hi', at: 0 }],
      ...over,
    }) as unknown as HarnessResult;
  const rec = (over: Record<string, unknown> = {}) => ({ ...base, ...over }) as unknown as RecordedExecution;

  it('finds none when every measured part matches', () => {
    expect(replayDifferences(rec(), local())).toEqual([]);
  });

  it('names each part that differs, fuel and memory to the unit', () => {
    expect(replayDifferences(rec({ fuelUsed: 1235 }), local())).toEqual(['fuel']);
    expect(replayDifferences(rec({ peakMemoryBytes: 131072 }), local())).toEqual(['peak memory']);
    expect(replayDifferences(rec({ status: 'FAILED', output: null }), local())).toEqual(['status', 'output']);
    expect(replayDifferences(rec({ logs: [] }), local())).toEqual(['logs']);
  });

  it('does not compare fuel the server could not know', () => {
    expect(replayDifferences(rec({ fuelUsed: null }), local())).toEqual([]);
  });
});
