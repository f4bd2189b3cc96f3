import { describe, expect, it } from 'vitest';
import { validateManifest } from './manifest.ts';
import { cronProblems, nextRun, nextRuns } from './schedule.ts';

/** Due times as local wall-clock text in `timezone`, with the UTC instant. */
const local = (dates: Date[], timezone: string) =>
  dates.map((d) => `${d.toLocaleString('sv-SE', { timeZone: timezone })} = ${d.toISOString()}`);

describe('cron patterns across daylight-saving changes (croner, IANA zones)', () => {
  const berlin = 'Europe/Berlin';

  it('spring forward: a fixed time inside the skipped hour runs once, at the first valid minute after it', () => {
    // 2026-03-29 02:00 CET jumps to 03:00 CEST: 02:30 does not exist that day.
    expect(local(nextRuns('30 2 * * *', berlin, 3, new Date('2026-03-27T12:00:00Z')), berlin)).toEqual([
      '2026-03-28 02:30:00 = 2026-03-28T01:30:00.000Z',
      '2026-03-29 03:00:00 = 2026-03-29T01:00:00.000Z',
      '2026-03-30 02:30:00 = 2026-03-30T00:30:00.000Z',
    ]);
  });

  it('spring forward: an interval pattern skips the times that do not exist', () => {
    expect(local(nextRuns('*/30 * * * *', berlin, 3, new Date('2026-03-29T00:00:00Z')), berlin)).toEqual([
      '2026-03-29 01:30:00 = 2026-03-29T00:30:00.000Z',
      '2026-03-29 03:00:00 = 2026-03-29T01:00:00.000Z',
      '2026-03-29 03:30:00 = 2026-03-29T01:30:00.000Z',
    ]);
  });

  it('fall back: a fixed time inside the repeated hour runs once, at its first occurrence', () => {
    // 2026-10-25 03:00 CEST goes back to 02:00 CET: 02:30 happens twice.
    const runs = nextRuns('30 2 * * *', berlin, 3, new Date('2026-10-24T12:00:00Z'));
    expect(local(runs, berlin)).toEqual([
      '2026-10-25 02:30:00 = 2026-10-25T00:30:00.000Z',
      '2026-10-26 02:30:00 = 2026-10-26T01:30:00.000Z',
      '2026-10-27 02:30:00 = 2026-10-27T01:30:00.000Z',
    ]);
  });

  it('fall back: an interval pattern runs in both occurrences of the repeated hour (every 30 real minutes)', () => {
    const runs = nextRuns('*/30 * * * *', berlin, 5, new Date('2026-10-24T23:59:00Z'));
    expect(runs.map((d) => d.toISOString())).toEqual([
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T01:30:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ]);
    expect(local(runs, berlin).map((s) => s.slice(11, 16))).toEqual(['02:00', '02:30', '02:00', '02:30', '03:00']);
  });

  it('reads the pattern in the schedule’s zone, not the server’s', () => {
    const after = new Date('2026-12-04T20:00:00Z');
    expect(nextRun('0 9 * * 1-5', 'America/New_York', after)?.toISOString()).toBe('2026-12-07T14:00:00.000Z');
    expect(nextRun('0 9 * * 1-5', 'Asia/Tokyo', after)?.toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(nextRun('0 9 * * 1-5', 'UTC', after)?.toISOString()).toBe('2026-12-07T09:00:00.000Z');
  });
});

describe('cronProblems', () => {
  it('accepts five-field patterns, names and nicknames in known zones', () => {
    for (const cron of ['* * * * *', '*/5 9-17 * * MON-FRI', '0 0 1 JAN *', '@daily', '0 12 L * *'])
      expect(cronProblems(cron, 'Europe/Berlin', ''), cron).toEqual([]);
  });

  it('refuses anything else with INVALID_CRON or INVALID_TIMEZONE', () => {
    const bad: [string, string, string[]][] = [
      ['* * * * * *', 'UTC', ['INVALID_CRON']],
      ['* * * *', 'UTC', ['INVALID_CRON']],
      ['60 * * * *', 'UTC', ['INVALID_CRON']],
      ['* 24 * * *', 'UTC', ['INVALID_CRON']],
      ['0 0 30 2 *', 'UTC', ['INVALID_CRON']],
      ['', 'UTC', ['INVALID_CRON']],
      ['x'.repeat(101), 'UTC', ['INVALID_CRON']],
      ['0 * * * *', 'Nowhere/City', ['INVALID_TIMEZONE']],
      ['0 * * * *', 'x'.repeat(65), ['INVALID_TIMEZONE']],
      ['nope', 'Nowhere/City', ['INVALID_TIMEZONE', 'INVALID_CRON']],
    ];
    for (const [cron, tz, codes] of bad)
      expect(
        cronProblems(cron, tz, 'input.').map((p) => p.code),
        `${cron.slice(0, 20)} ${tz.slice(0, 20)}`,
      ).toEqual(codes);
  });
});

describe('a manifest’s default schedule', () => {
  const base = {
    slug: 'ticker',
    version: '1.0.0',
    hostApi: '^1.0.0',
    functions: ['tick'],
    hooks: ['schedule'],
  };

  it('is kept when valid, with UTC as the default zone', () => {
    const { manifest, problems } = validateManifest({ ...base, schedule: { cron: '0 * * * *', function: 'tick' } });
    expect(problems).toEqual([]);
    expect(manifest?.schedule).toEqual({ cron: '0 * * * *', timezone: 'UTC', function: 'tick' });
  });

  it('reports each problem with its field', () => {
    const cases: [unknown, Record<string, unknown>, string, string][] = [
      [{ cron: '0 * * * *' }, { hooks: [] }, 'manifest.schedule', 'SCHEDULE_HOOK_MISSING'],
      ['hourly', {}, 'manifest.schedule', 'TYPE'],
      [{}, {}, 'manifest.schedule.cron', 'TYPE'],
      [{ cron: '0 * * *' }, {}, 'manifest.schedule.cron', 'INVALID_CRON'],
      [{ cron: '0 * * * *', timezone: 'Moon/Base' }, {}, 'manifest.schedule.timezone', 'INVALID_TIMEZONE'],
      [{ cron: '0 * * * *', function: 'tock' }, {}, 'manifest.schedule.function', 'UNKNOWN_FUNCTION'],
      [{ cron: '0 * * * *', input: 7 }, {}, 'manifest.schedule.input', 'TYPE'],
      [{ cron: '0 * * * *', every: 5 }, {}, 'manifest.schedule.every', 'UNKNOWN_FIELD'],
    ];
    for (const [schedule, extra, field, code] of cases) {
      const { manifest, problems } = validateManifest({ ...base, ...extra, schedule });
      expect(manifest, JSON.stringify(schedule)).toBeNull();
      expect(problems).toContainEqual(expect.objectContaining({ field, code }));
    }
  });

  it('is optional: a schedule hook alone declares no default', () => {
    const { manifest, problems } = validateManifest(base);
    expect(problems).toEqual([]);
    expect(manifest).not.toHaveProperty('schedule');
  });
});
