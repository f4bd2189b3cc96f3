import { nextRuns, type ScheduleSpec } from '../../contracts/index.ts';
import type { ScheduleRecord } from '../../services/read/index.ts';
import {
  createSchedule,
  deleteSchedule,
  MAX_SCHEDULES_PER_INSTALLATION,
  pauseSchedule,
  resumeSchedule,
} from '../../services/schedules/index.ts';
import { BadInputError } from '../../services/errors.ts';
import { defaultScheduleOf } from '../../services/schedules/defaults.ts';
import { writes } from '../auth.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { parseRowId } from '../ids.ts';
import { ExecutionRef, InstallationRef, PluginVersionRef, ScheduleRef } from '../refs.ts';
import { reload } from '../reload.ts';

const MAX_NEXT_RUNS = 50;

/** Schedules are private to the owner of their installation. */
async function visible(ctx: Context, s: ScheduleRecord | null): Promise<ScheduleRecord | null> {
  if (!s || !ctx.viewer) return null;
  const installation = await ctx.loaders.installation.load(s.installationId);
  return installation?.ownerId === ctx.viewer.id ? s : null;
}

builder.node(ScheduleRef, {
  description:
    'A cron schedule of an installation: each due time runs its function once (across every API instance), recorded as an Execution with trigger SCHEDULE',
  id: { resolve: (s) => s.id, parse: parseRowId },
  loadMany: (ids, ctx) => ids.map(async (id) => visible(ctx, await ctx.loaders.schedule.load(id))),
  fields: (t) => ({
    installation: t.field({
      type: InstallationRef,
      resolve: async (s, _a, ctx) => (await ctx.loaders.installation.load(s.installationId))!,
    }),
    cron: t.exposeString('cron', { description: 'Five fields: minute hour day-of-month month day-of-week' }),
    timezone: t.exposeString('timezone', { description: 'IANA timezone the pattern is read in' }),
    function: t.exposeString('function', {
      description: 'A declared function, or `schedule` (the hook’s export) for a version declaring the schedule hook',
    }),
    input: t.exposeString('input', { description: 'Passed to each run as is' }),
    paused: t.exposeBoolean('paused'),
    pausedReason: t.exposeString('pausedReason', {
      nullable: true,
      description: 'Why the platform paused it (an upgrade dropped its function); null when paused by its owner',
    }),
    nextRunAt: t.expose('nextRunAt', { type: 'DateTime', nullable: true, description: 'Null while paused' }),
    nextRuns: t.field({
      type: ['DateTime'],
      description: `The next due times (at most ${MAX_NEXT_RUNS}); empty while paused`,
      args: { count: t.arg.int({ defaultValue: 5 }) },
      resolve: (s, { count }) => {
        const n = count ?? 5;
        if (!Number.isInteger(n) || n < 1 || n > MAX_NEXT_RUNS)
          throw new BadInputError([
            { field: 'count', code: 'RANGE', message: `must be an integer from 1 to ${MAX_NEXT_RUNS}` },
          ]);
        if (s.paused || s.nextRunAt === null) return [];
        return [s.nextRunAt, ...nextRuns(s.cron, s.timezone, n - 1, s.nextRunAt)];
      },
    }),
    lastRunAt: t.expose('lastRunAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When its last run was started',
    }),
    lastExecution: t.field({
      type: ExecutionRef,
      nullable: true,
      description:
        'The Execution of its last finished run (REJECTED when the installation was disabled, revoked or its circuit open)',
      resolve: (s, _a, ctx) => (s.lastExecutionId === null ? null : ctx.loaders.execution.load(s.lastExecutionId)),
    }),
    running: t.boolean({
      description: 'A run is going on now; a due time reached meanwhile is skipped (see skippedRuns)',
      resolve: (s) => s.leaseOwner !== null,
    }),
    skippedRuns: t.exposeInt('skippedRuns', {
      description: 'Due times passed over because the previous run was still going',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.objectField(InstallationRef, 'schedules', (t) =>
  t.field({
    type: [ScheduleRef],
    description: `Its schedules, oldest first (at most ${MAX_SCHEDULES_PER_INSTALLATION})`,
    resolve: (i, _a, ctx) => ctx.loaders.schedulesOfInstallation.load(i.id),
  }),
);

builder.objectField(ExecutionRef, 'schedule', (t) =>
  t.field({
    type: ScheduleRef,
    nullable: true,
    description: 'The schedule that started it (trigger SCHEDULE); null otherwise, and once the schedule is deleted',
    resolve: (e, _a, ctx) => (e.scheduleId === null ? null : ctx.loaders.schedule.load(e.scheduleId)),
  }),
);

const CreateScheduleInput = builder.inputType('CreateScheduleInput', {
  fields: (t) => ({
    installationId: t.globalID({ required: true, for: InstallationRef }),
    cron: t.string({
      required: true,
      description: 'Five fields (minute hour day-of-month month day-of-week): at most one run a minute',
    }),
    timezone: t.string({ description: 'IANA timezone, default "UTC"' }),
    function: t.string({
      description:
        'One of the version’s functions; default `schedule`, the hook’s export, when the version declares that hook',
    }),
    input: t.string({ description: 'Passed to each run as is (usually JSON); at most 64 KiB' }),
  }),
});

builder.mutationFields((t) => ({
  createSchedule: t.field({
    type: ScheduleRef,
    description: 'Runs a function of one of your installations on a cron schedule',
    authScopes: writes,
    args: { input: t.arg({ type: CreateScheduleInput, required: true }) },
    resolve: async (_root, { input }, ctx) =>
      reload(
        ctx.loaders.schedule,
        await createSchedule(ctx.app.platform, ctx.viewer!, { ...input, installationId: input.installationId.id }),
      ),
  }),
  pauseSchedule: t.field({
    type: ScheduleRef,
    description: 'Stops its runs until resumed (a run going on finishes)',
    authScopes: writes,
    args: { id: t.arg.globalID({ required: true, for: ScheduleRef }) },
    resolve: (_root, { id }, ctx) => pauseSchedule(ctx.app.platform, ctx.viewer!, id.id),
  }),
  resumeSchedule: t.field({
    type: ScheduleRef,
    description: 'Restarts a paused schedule from now: times passed while paused are not run',
    authScopes: writes,
    args: { id: t.arg.globalID({ required: true, for: ScheduleRef }) },
    resolve: (_root, { id }, ctx) => resumeSchedule(ctx.app.platform, ctx.viewer!, id.id),
  }),
  deleteSchedule: t.field({
    type: ScheduleRef,
    description: 'Deletes a schedule (its executions are kept); returns it as it was',
    authScopes: writes,
    args: { id: t.arg.globalID({ required: true, for: ScheduleRef }) },
    resolve: (_root, { id }, ctx) => deleteSchedule(ctx.app.platform, ctx.viewer!, id.id),
  }),
}));

const DefaultScheduleRef = builder.objectRef<ScheduleSpec>('DefaultSchedule').implement({
  description: 'The schedule a version proposes (its manifest’s `schedule`); installPlugin creates it unless declined',
  fields: (t) => ({
    cron: t.exposeString('cron'),
    timezone: t.exposeString('timezone'),
    function: t.exposeString('function', { nullable: true, description: 'Null: the `schedule` hook’s export' }),
    input: t.exposeString('input', { nullable: true }),
    nextRuns: t.field({
      type: ['DateTime'],
      description: 'The next five due times from now',
      resolve: (s) => nextRuns(s.cron, s.timezone, 5, new Date()),
    }),
  }),
});

builder.objectField(PluginVersionRef, 'schedule', (t) =>
  t.field({
    type: DefaultScheduleRef,
    nullable: true,
    description: 'The default schedule it proposes to installers, when it declares the schedule hook with one',
    resolve: (v) => defaultScheduleOf(v),
  }),
);

/** installPlugin's choice about the plugin's default schedule. */
export const ScheduleChoiceInput = builder.inputType('ScheduleChoiceInput', {
  description: 'Edits the plugin’s default schedule at install: given fields replace the default’s',
  fields: (t) => ({
    cron: t.string({ description: 'Required when the version proposes no default schedule' }),
    timezone: t.string(),
    function: t.string(),
    input: t.string(),
  }),
});
