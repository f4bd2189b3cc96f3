import type { SqlEntityManager } from '@mikro-orm/knex';
import {
  cronProblems,
  DEFAULT_TIMEZONE,
  MAX_SCHEDULE_INPUT_BYTES,
  nextRun,
  SCHEDULE_EXPORT,
  SCHEDULE_HOOK,
} from '../../contracts/index.ts';
import { Installation, type PluginVersion, Schedule, User, type AuditAction } from '../../entities/index.ts';
import { audit, type AuditSubject } from '../audit.ts';
import { lockOwner } from '../dependencies.ts';
import { BadInputError, NotFoundError, type Problem } from '../errors.ts';
import type { Platform } from '../platform/index.ts';
import { selectRows, type ScheduleRecord } from '../read/index.ts';
import type { Viewer } from '../users.ts';

/** Schedules one installation may have. */
export const MAX_SCHEDULES_PER_INSTALLATION = 10;

export interface ScheduleInput {
  cron: string;
  timezone?: string | null;
  /** A declared function; absent: the `schedule` hook's export, when the version declares that hook. */
  function?: string | null;
  input?: string | null;
}

/** An installer's edits of a default schedule: given fields replace the default's. */
export type ScheduleChoice = { [K in keyof ScheduleInput]?: ScheduleInput[K] | null };

export interface CreateScheduleInput extends ScheduleInput {
  installationId: number;
}

/** The functions a schedule of this version may run: its declared functions, and the hook's export. */
export function schedulable(version: { functions: string[]; hooks: string[] }): string[] {
  return version.hooks.includes(SCHEDULE_HOOK) ? [...version.functions, SCHEDULE_EXPORT] : version.functions;
}

/** Whether a schedule's function is the `schedule` hook's export (its runs are recorded with hook `schedule`). */
export function isScheduleHook(fn: string, version: { functions: string[]; hooks: string[] }): boolean {
  return fn === SCHEDULE_EXPORT && !version.functions.includes(fn) && version.hooks.includes(SCHEDULE_HOOK);
}

/** Checks a schedule's fields against the version it will run; fields are `<at>cron`, `<at>function`, …. */
export function scheduleProblems(
  input: ScheduleInput,
  version: { version: string; functions: string[]; hooks: string[] },
  at: string,
): { problems: Problem[]; fn: string; timezone: string } {
  const timezone = input.timezone ?? DEFAULT_TIMEZONE;
  const problems = cronProblems(input.cron, timezone, at);
  const allowed = schedulable(version);
  const fn = input.function ?? (version.hooks.includes(SCHEDULE_HOOK) ? SCHEDULE_EXPORT : '');
  if (!fn)
    problems.push({
      field: `${at}function`,
      code: 'REQUIRED',
      message: `${version.version} declares no "${SCHEDULE_HOOK}" hook: name one of its functions`,
    });
  else if (!allowed.includes(fn))
    problems.push({
      field: `${at}function`,
      code: 'UNKNOWN_FUNCTION',
      message: `${version.version} declares ${allowed.join(', ') || 'no functions'}`,
    });
  if (Buffer.byteLength(input.input ?? '') > MAX_SCHEDULE_INPUT_BYTES)
    problems.push({
      field: `${at}input`,
      code: 'TOO_LONG',
      message: `must be at most ${MAX_SCHEDULE_INPUT_BYTES} bytes`,
    });
  return { problems, fn, timezone };
}

const subjectOf = (
  installation: Installation,
  version: { version: string } = installation.version.getEntity(),
): AuditSubject => ({
  type: 'INSTALLATION',
  id: installation.id,
  name: `${installation.plugin.getEntity().slug}@${version.version}`,
});

/** The parts of a version a schedule is checked against. */
export type ScheduledVersion = Pick<PluginVersion, 'version' | 'functions' | 'hooks'>;

/**
 * Adds a schedule to an installation inside `tx` (the caller owns it and holds the owner's lock),
 * checking it against the installation's version. Used by `createSchedule` and by installs that
 * accept a plugin's default schedule.
 */
export async function addSchedule(
  tx: SqlEntityManager,
  viewer: Viewer,
  installation: Installation,
  version: ScheduledVersion,
  input: ScheduleInput,
  at: string,
  now = new Date(),
): Promise<Schedule> {
  const { problems, fn, timezone } = scheduleProblems(input, version, at);
  if (problems.length) throw new BadInputError(problems);
  const existing = await tx.count(Schedule, { installation: installation.id });
  if (existing >= MAX_SCHEDULES_PER_INSTALLATION)
    throw new BadInputError([
      {
        field: `${at}installationId`,
        code: 'TOO_MANY_SCHEDULES',
        message: `an installation has at most ${MAX_SCHEDULES_PER_INSTALLATION} schedules`,
      },
    ]);
  const schedule = tx.create(Schedule, {
    installation,
    createdBy: tx.getReference(User, viewer.id),
    function: fn,
    input: input.input ?? '',
    cron: input.cron,
    timezone,
    nextRunAt: nextRun(input.cron, timezone, now),
  });
  await tx.flush();
  audit(tx, viewer, 'SCHEDULE_CREATE', subjectOf(installation, version), {
    scheduleId: schedule.id,
    cron: schedule.cron,
    timezone,
    function: fn,
  });
  return schedule;
}

/** Creates a schedule on one of the viewer's installations; returns its id. */
export async function createSchedule(
  { db }: Pick<Platform, 'db'>,
  viewer: Viewer,
  input: CreateScheduleInput,
): Promise<number> {
  return db.fork().transactional(async (tx) => {
    const sqlTx = tx as SqlEntityManager;
    await lockOwner(sqlTx, viewer.id);
    const installation = await tx.findOne(Installation, input.installationId, { populate: ['version', 'plugin'] });
    if (!installation || installation.owner.id !== viewer.id)
      throw new NotFoundError('Installation', input.installationId);
    return (await addSchedule(sqlTx, viewer, installation, installation.version.getEntity(), input, 'input.')).id;
  });
}

/** One of the viewer's schedules, in `tx`; NOT_FOUND for anyone else's. */
async function ownSchedule(tx: SqlEntityManager, viewer: Viewer, id: number) {
  const schedule = await tx.findOne(Schedule, id, { populate: ['installation.plugin', 'installation.version'] });
  if (!schedule || schedule.installation.getEntity().owner.id !== viewer.id) throw new NotFoundError('Schedule', id);
  return schedule;
}

async function change(
  { db }: Pick<Platform, 'db'>,
  viewer: Viewer,
  id: number,
  action: AuditAction,
  apply: (schedule: Schedule, tx: SqlEntityManager) => void,
): Promise<ScheduleRecord> {
  return db.fork().transactional(async (tx) => {
    const sqlTx = tx as SqlEntityManager;
    const schedule = await ownSchedule(sqlTx, viewer, id);
    const before = (await selectRows<ScheduleRecord>(sqlTx, Schedule, (qb) => qb.where('id', id)))[0];
    audit(tx, viewer, action, subjectOf(schedule.installation.getEntity()), { scheduleId: id });
    apply(schedule, sqlTx);
    await tx.flush();
    return action === 'SCHEDULE_DELETE' ? before : { ...before, ...recordOf(schedule) };
  });
}

const recordOf = (s: Schedule): Partial<ScheduleRecord> => ({
  paused: s.paused,
  pausedReason: s.pausedReason ?? null,
  nextRunAt: s.nextRunAt ?? null,
  updatedAt: s.updatedAt,
});

/** Stops a schedule's runs (a run going on finishes); pausing a paused schedule changes nothing. */
export const pauseSchedule = (platform: Pick<Platform, 'db'>, viewer: Viewer, id: number) =>
  change(platform, viewer, id, 'SCHEDULE_PAUSE', (s) => {
    s.paused = true;
    s.nextRunAt = null;
  });

/**
 * Restarts a paused schedule from now: times that passed while it was paused are not run. Also
 * clears a pause the platform made, once the function is declared again (else BAD_USER_INPUT).
 */
export const resumeSchedule = (platform: Pick<Platform, 'db'>, viewer: Viewer, id: number) =>
  change(platform, viewer, id, 'SCHEDULE_RESUME', (s) => {
    const version = s.installation.getEntity().version.getEntity();
    if (!schedulable(version).includes(s.function))
      throw new BadInputError([
        {
          field: 'id',
          code: 'UNKNOWN_FUNCTION',
          message: `${version.version} no longer declares "${s.function}": delete this schedule and create another`,
        },
      ]);
    if (!s.paused) return;
    s.paused = false;
    s.pausedReason = null;
    s.nextRunAt = nextRun(s.cron, s.timezone, new Date());
  });

/** Deletes a schedule; its executions are kept (their `schedule` becomes null). Returns it as it was. */
export const deleteSchedule = (platform: Pick<Platform, 'db'>, viewer: Viewer, id: number) =>
  change(platform, viewer, id, 'SCHEDULE_DELETE', (s, tx) => tx.remove(s));
