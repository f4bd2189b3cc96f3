import type { Platform } from '../platform/index.ts';
import { runDueSchedules } from './run-due.ts';

export interface Scheduler {
  /** Stops polling and waits for the runs this instance started. */
  close(): Promise<void>;
}

/**
 * Polls for due schedules every `pollMs` on this instance. Every instance may run one: each due
 * time is claimed by one of them (see `runDueSchedules`). A pass still going when the next poll
 * comes is not doubled: that poll is passed over.
 */
export function startScheduler(platform: Platform, { pollMs = 5000 }: { pollMs?: number } = {}): Scheduler {
  let pass: Promise<void> | null = null;
  const poll = () => {
    if (pass) return;
    pass = runDueSchedules(platform)
      .then(() => undefined)
      .catch((err: unknown) => platform.logger.error({ err }, 'could not run due schedules'))
      .finally(() => {
        pass = null;
      });
  };
  const timer = setInterval(poll, pollMs);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await pass;
    },
  };
}
