import { Cron } from 'croner';
import { hookExportName } from '../runtime/index.ts';
import type { Problem } from './problem.ts';

/** The hook a plugin declares to run on a schedule; its export (`schedule`) is what a default schedule runs. */
export const SCHEDULE_HOOK = 'schedule';
/** The export a schedule runs when it names no function. */
export const SCHEDULE_EXPORT = hookExportName(SCHEDULE_HOOK);
export const DEFAULT_TIMEZONE = 'UTC';
export const MAX_CRON_LENGTH = 100;
export const MAX_TIMEZONE_LENGTH = 64;
/** A schedule's input (and a manifest's default input) is at most this many bytes: what an Execution keeps whole. */
export const MAX_SCHEDULE_INPUT_BYTES = 64 * 1024;
/**
 * Patterns have five fields (minute precision: no seconds field), so no schedule runs more often
 * than once a minute.
 */
export const MIN_INTERVAL_MS = 60_000;

/** A manifest's `schedule`: the default schedule an installer accepts, edits or declines. */
export interface ScheduleSpec {
  cron: string;
  timezone: string;
  /** A declared function; absent runs the `schedule` hook's export. */
  function?: string;
  input?: string;
}

/** A five-field cron pattern read in an IANA timezone; throws on either being invalid. */
export function cronOf(cron: string, timezone: string): Cron {
  return new Cron(cron, { timezone, paused: true, mode: '5-part' });
}

/** Whether `timezone` is an IANA name (or `UTC`) this runtime knows. */
export function isTimezone(timezone: string): boolean {
  if (timezone.length === 0 || timezone.length > MAX_TIMEZONE_LENGTH) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Problems of a cron pattern and timezone: INVALID_TIMEZONE, INVALID_CRON (unparsable, not five
 * fields, or never due). `at` prefixes the fields (`input.` or `manifest.schedule.`).
 */
export function cronProblems(cron: string, timezone: string, at: string): Problem[] {
  const problems: Problem[] = [];
  const tzOk = isTimezone(timezone);
  if (!tzOk)
    problems.push({
      field: `${at}timezone`,
      code: 'INVALID_TIMEZONE',
      message: `"${timezone.slice(0, MAX_TIMEZONE_LENGTH)}" is not an IANA timezone (e.g. "Europe/Berlin", "UTC")`,
    });
  if (cron.length === 0 || cron.length > MAX_CRON_LENGTH) {
    problems.push({
      field: `${at}cron`,
      code: 'INVALID_CRON',
      message: `must be a cron pattern of 1 to ${MAX_CRON_LENGTH} characters`,
    });
    return problems;
  }
  try {
    const pattern = cronOf(cron, tzOk ? timezone : DEFAULT_TIMEZONE);
    if (pattern.nextRun() === null)
      problems.push({ field: `${at}cron`, code: 'INVALID_CRON', message: 'is never due (no date matches it)' });
  } catch (err) {
    problems.push({
      field: `${at}cron`,
      code: 'INVALID_CRON',
      message: `is not a five-field cron pattern (minute hour day-of-month month day-of-week): ${(err as Error).message.replace(/^CronPattern: /, '')}`,
    });
  }
  return problems;
}

/** The next `count` due times strictly after `after`. */
export function nextRuns(cron: string, timezone: string, count: number, after: Date): Date[] {
  return cronOf(cron, timezone).nextRuns(count, after);
}

/** The next due time strictly after `after`, or null when the pattern is never due again. */
export function nextRun(cron: string, timezone: string, after: Date): Date | null {
  return cronOf(cron, timezone).nextRun(after);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a manifest's `schedule` against the functions and hooks it declares; the spec is null
 * when there is a problem (each one is added) or no schedule.
 */
export function checkManifestSchedule(
  raw: unknown,
  declared: { functions: string[]; hooks: string[] },
  add: (field: string, code: string, message: string) => void,
): ScheduleSpec | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) {
    add('schedule', 'TYPE', 'must be an object { cron, timezone?, function?, input? }');
    return null;
  }
  let ok = true;
  const fail = (field: string, code: string, message: string) => {
    ok = false;
    add(field, code, message);
  };
  for (const key of Object.keys(raw))
    if (!['cron', 'timezone', 'function', 'input'].includes(key))
      fail(
        `schedule.${key.slice(0, 64)}`,
        'UNKNOWN_FIELD',
        'is not a schedule field (cron, timezone, function, input)',
      );
  if (!declared.hooks.includes(SCHEDULE_HOOK))
    fail('schedule', 'SCHEDULE_HOOK_MISSING', `a default schedule needs "${SCHEDULE_HOOK}" in hooks`);
  const str = (key: string, required: boolean): string | undefined => {
    const value = raw[key];
    if (value === undefined && !required) return undefined;
    if (typeof value === 'string') return value;
    fail(`schedule.${key}`, 'TYPE', 'must be a string');
    return undefined;
  };
  const cron = str('cron', true);
  const timezone = str('timezone', false) ?? DEFAULT_TIMEZONE;
  const fn = str('function', false);
  const input = str('input', false);
  if (cron !== undefined) for (const p of cronProblems(cron, timezone, 'schedule.')) fail(p.field!, p.code, p.message);
  if (fn !== undefined && !declared.functions.includes(fn))
    fail('schedule.function', 'UNKNOWN_FUNCTION', `"${fn.slice(0, 64)}" is not one of the declared functions`);
  if (input !== undefined && Buffer.byteLength(input) > MAX_SCHEDULE_INPUT_BYTES)
    fail('schedule.input', 'TOO_LONG', `must be at most ${MAX_SCHEDULE_INPUT_BYTES} bytes`);
  if (!ok || cron === undefined) return null;
  return {
    cron,
    timezone,
    ...(fn === undefined ? {} : { function: fn }),
    ...(input === undefined ? {} : { input }),
  };
}
