/** Cron schedules of installations: managing them, and the pass that runs the due ones on every instance. */
export {
  addSchedule,
  createSchedule,
  deleteSchedule,
  MAX_SCHEDULES_PER_INSTALLATION,
  pauseSchedule,
  resumeSchedule,
  schedulable,
  type CreateScheduleInput,
  type ScheduleInput,
} from './manage.ts';
export { runDueSchedules, type ScheduledRun } from './run-due.ts';
export { startScheduler, type Scheduler } from './scheduler.ts';
