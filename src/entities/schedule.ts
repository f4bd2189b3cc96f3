import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Installation } from './installation.ts';
import { User } from './user.ts';

/**
 * A cron schedule of an installation: each due time runs `function` once, as an Execution with
 * trigger SCHEDULE. `nextRunAt` is claimed and advanced in one transaction (see
 * `services/schedules`), so a due time is run by one instance only; `leaseOwner` is the instance
 * running it now, so a run never overlaps the previous one.
 */
export const Schedule = defineEntity({
  name: 'Schedule',
  tableName: 'schedules',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    installation: p.manyToOne(Installation).ref().deleteRule('cascade').index(),
    createdBy: p.manyToOne(User).ref(),
    /** A declared function, or `schedule` (the hook's export) when the version declares that hook. */
    function: p.string().length(100),
    input: p.text(),
    cron: p.string().length(100),
    timezone: p.string().length(64),
    paused: p.boolean().default(false),
    /** Why the platform paused it (its function is no longer declared); null when paused by its owner or running. */
    pausedReason: p.string().length(500).nullable(),
    /** Null while paused. */
    nextRunAt: p.datetime().nullable(),
    lastRunAt: p.datetime().nullable(),
    /** No foreign key: executions are never deleted, and schedules and executions refer to each other. */
    lastExecutionId: p.integer().nullable(),
    /** Due times passed over because the previous run was still going. */
    skippedRuns: p.integer().default(0),
    /** The server instance running it now; its lease ends with the run or with that instance. */
    leaseOwner: p.string().length(36).nullable(),
    leasedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
  indexes: [{ properties: ['nextRunAt'] }],
});
export type Schedule = InferEntity<typeof Schedule>;
