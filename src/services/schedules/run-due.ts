import type { SqlEntityManager } from '@mikro-orm/knex';
import { nextRun, SCHEDULE_HOOK } from '../../contracts/index.ts';
import type { ExecutionStatus } from '../../entities/index.ts';
import { loadCallTarget } from '../execute/target.ts';
import { runLoadedCall } from '../execute/run-call.ts';
import type { Platform } from '../platform/index.ts';
import { isPostgres } from '../read/index.ts';
import { isScheduleHook, schedulable } from './manage.ts';

/** Due schedules one instance claims per pass; the rest wait for its next pass (or another instance's). */
const CLAIM_BATCH = 50;

/**
 * The scheduler's statements are left out of statement logs, as the instance lease's are: they
 * belong to no request and would be counted at random by tests that count a request's statements.
 */
const BACKGROUND = { enabled: false };

/** What became of one due schedule in a pass. */
export interface ScheduledRun {
  scheduleId: number;
  /** RAN: an Execution was recorded (whatever its status); SKIPPED: its previous run was still going; PAUSED: its function is gone. */
  outcome: 'RAN' | 'SKIPPED' | 'PAUSED';
  executionId: number | null;
  status: ExecutionStatus | null;
  /** The due time it ran for. */
  dueAt: Date;
}

interface DueRow {
  id: number | string;
  installation_id: number | string;
  function: string;
  input: string;
  cron: string;
  timezone: string;
  next_run_at: string | number | Date;
  lease_owner: string | null;
}

interface Claim {
  id: number;
  installationId: number;
  function: string;
  input: string;
  dueAt: Date;
}

/** Schedules this process is running now: never started again until their run ends. */
const runningHere = new WeakMap<Platform, Set<number>>();

/**
 * Runs every schedule due at `now`, once each across all instances. In one transaction it takes
 * the due rows (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so instances polling together share them
 * out and never wait on each other; SQLite has one writer) and moves each row's `next_run_at` to
 * its first time after `now` — a due time is claimed by exactly one transaction, and however many
 * times were missed (the server was down), the schedule runs once and resumes from now. A row whose
 * previous run still holds its lease (the instance running it is alive) is not started again: the
 * time is counted in `skipped_runs` and passed over. The claimed runs then go through the same call
 * path as `executePlugin` (breaker, revocation, disabled installation, fair share), recorded as
 * Executions with trigger SCHEDULE, and release their lease when done.
 */
export async function runDueSchedules(platform: Platform, now = new Date()): Promise<ScheduledRun[]> {
  const { claims, skipped } = await claimDue(platform, now);
  const ran = await Promise.all(claims.map((claim) => runClaimed(platform, claim)));
  return [...skipped, ...ran];
}

/** Whether any schedule is due: one indexed statement, outside any transaction, for the idle poll. */
async function anyDue(platform: Platform, now: Date): Promise<boolean> {
  const em = platform.db.fork();
  const at = em.getPlatform().processDateProperty(now);
  const query = em
    .getKnex()('schedules')
    .select('id')
    .where('paused', false)
    .andWhere('next_run_at', '<=', at)
    .limit(1);
  return (await em.execute<unknown[]>(query, [], 'all', BACKGROUND)).length > 0;
}

async function claimDue(platform: Platform, now: Date): Promise<{ claims: Claim[]; skipped: ScheduledRun[] }> {
  const here = runningSet(platform);
  if (!(await anyDue(platform, now))) return { claims: [], skipped: [] };
  const claimed = await platform.db.fork().transactional(
    async (em) => {
      const tx = em as SqlEntityManager;
      const knex = tx.getKnex();
      // Dates bound as the ORM writes them (SQLite keeps them as numbers), so comparisons hold.
      const at = (d: Date | null) => (d === null ? null : tx.getPlatform().processDateProperty(d));
      let due = knex('schedules')
        .select('id', 'installation_id', 'function', 'input', 'cron', 'timezone', 'next_run_at', 'lease_owner')
        .where('paused', false)
        .andWhere('next_run_at', '<=', at(now))
        .orderBy('next_run_at')
        .limit(CLAIM_BATCH);
      if (isPostgres(tx)) due = due.forUpdate().skipLocked();
      const rows = await tx.execute<DueRow[]>(due, [], 'all', BACKGROUND);
      if (rows.length === 0) return { claims: [], skipped: [] };
      const leased = rows.filter((r) => r.lease_owner !== null).map((r) => r.lease_owner!);
      // Instance liveness is judged by the clock, not `now` (which tests move ahead), bound as instances.ts writes it.
      const alive = new Set(
        leased.length === 0
          ? []
          : (
              await tx.execute<{ id: string }[]>(
                knex('instances').select('id').whereIn('id', leased).andWhere('lease_expires_at', '>', new Date()),
                [],
                'all',
                BACKGROUND,
              )
            ).map((r) => r.id),
      );
      const claims: Claim[] = [];
      const skipped: ScheduledRun[] = [];
      for (const row of rows) {
        const id = Number(row.id);
        const dueAt = new Date(row.next_run_at);
        const next = nextRun(row.cron, row.timezone, now);
        const owner = row.lease_owner;
        const busy = owner !== null && (owner === platform.instanceId ? here.has(id) : alive.has(owner));
        const update = busy
          ? { next_run_at: at(next), skipped_runs: knex.raw('skipped_runs + 1') }
          : { next_run_at: at(next), last_run_at: at(now), lease_owner: platform.instanceId, leased_at: at(now) };
        await tx.execute(knex('schedules').where('id', id).update(update), [], 'run', BACKGROUND);
        if (busy) skipped.push({ scheduleId: id, outcome: 'SKIPPED', executionId: null, status: null, dueAt });
        else
          claims.push({
            id,
            installationId: Number(row.installation_id),
            function: row.function,
            input: row.input,
            dueAt,
          });
      }
      return { claims, skipped };
    },
    { loggerContext: BACKGROUND },
  );
  // Marked running once the claim is committed: a claim rolled back must not leave its schedule marked.
  for (const claim of claimed.claims) here.add(claim.id);
  return claimed;
}

function runningSet(platform: Platform): Set<number> {
  const set = runningHere.get(platform) ?? new Set<number>();
  runningHere.set(platform, set);
  return set;
}

async function runClaimed(platform: Platform, claim: Claim): Promise<ScheduledRun> {
  const result: ScheduledRun = {
    scheduleId: claim.id,
    outcome: 'RAN',
    executionId: null,
    status: null,
    dueAt: claim.dueAt,
  };
  let pausedReason: string | null = null;
  try {
    const target = await loadCallTarget(platform.db.fork(), claim.installationId);
    // Uninstalled since the claim: its schedules went with it.
    if (!target) return { ...result, outcome: 'PAUSED' };
    const { version } = target;
    if (!schedulable(version).includes(claim.function)) {
      pausedReason = `${version.version} no longer declares "${claim.function}"`;
      return { ...result, outcome: 'PAUSED' };
    }
    const outcome = await runLoadedCall(platform, target, {
      installationId: claim.installationId,
      function: claim.function,
      input: claim.input,
      trigger: 'SCHEDULE',
      hook: isScheduleHook(claim.function, version) ? SCHEDULE_HOOK : null,
      scheduleId: claim.id,
    });
    result.executionId = outcome.executionId;
    result.status = outcome.status;
    return result;
  } catch (err) {
    platform.logger.error({ err, scheduleId: claim.id }, 'a scheduled run failed');
    return result;
  } finally {
    runningSet(platform).delete(claim.id);
    await release(platform, claim.id, result.executionId, pausedReason).catch((err: unknown) =>
      platform.logger.error({ err, scheduleId: claim.id }, 'could not release a schedule'),
    );
  }
}

/** Ends this instance's lease on a schedule, noting its last execution (or pausing it when its function is gone). */
async function release(platform: Platform, id: number, executionId: number | null, pausedReason: string | null) {
  const em = platform.db.fork();
  const knex = em.getKnex();
  await em.execute(
    knex('schedules')
      .where({ id, lease_owner: platform.instanceId })
      .update({
        lease_owner: null,
        leased_at: null,
        ...(executionId === null ? {} : { last_execution_id: executionId }),
        ...(pausedReason === null ? {} : { paused: true, paused_reason: pausedReason, next_run_at: null }),
      }),
    [],
    'run',
    BACKGROUND,
  );
}
