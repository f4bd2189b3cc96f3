import type { SqlEntityManager } from '@mikro-orm/knex';
import { Installation } from '../../entities/index.ts';
import { commitKv } from '../execute/kv-store.ts';
import type { Platform } from '../platform/index.ts';
import { isPostgres } from '../read/index.ts';
import { announceRuns, completeRuns, runLifecycleHook, type LifecycleIntent, type LifecycleRun } from './call.ts';
import { LifecycleConflictError, LifecycleHookFailedError } from './errors.ts';

const failure = ({ intent, record }: LifecycleRun) =>
  new LifecycleHookFailedError(intent.plugin.slug, intent.hook, record);

/** Thrown at the end of a plan pass that found hooks to run: it rolls that pass back. */
class Planned extends Error {}

const keyOf = (i: Pick<LifecycleIntent, 'hook' | 'plugin'>) => `${i.hook}:${i.plugin.id}`;
/** What makes a hook's run valid for the commit pass: the same call, over the same KV. */
const fingerprint = (i: LifecycleIntent) =>
  JSON.stringify([i.version.id, i.config, [...i.grants].sort(), i.enabled, i.kvRevision, i.details]);

/**
 * The lifecycle hooks of one operation (see `withLifecycle`). The operation calls `hook` where a
 * hook belongs: in the plan pass it notes the call; in the commit pass it hands back the run,
 * applies its KV writes and throws if it failed.
 */
export class Lifecycle {
  private readonly planned: { intent: LifecycleIntent; blocking: boolean }[] = [];
  /** The blocking hook that failed between the passes: those after it were not run. */
  private failed: LifecycleRun | null = null;
  private runs: Map<string, LifecycleRun> | null = null;
  private readonly used = new Set<string>();
  private readonly reserved = new Map<number, number>();

  constructor(private readonly platform: Platform) {}

  /** The first pass, which only notes the hooks (and is rolled back when there are any). */
  get planning(): boolean {
    return this.runs === null;
  }

  /** The id reserved for the installation of `pluginId` this operation creates, once a hook of it has run. */
  idFor(pluginId: number): number | undefined {
    return this.reserved.get(pluginId);
  }

  /**
   * The hook of `intent`. A disabled installation's hooks do not run (null). A refused one
   * (revoked version, open circuit) is recorded REJECTED and returned without blocking. With
   * `blocking`, a failure throws LIFECYCLE_HOOK_FAILED and the run must match the operation as
   * it commits (else CONFLICT); its KV writes are applied in `tx`.
   */
  async hook(tx: SqlEntityManager, intent: LifecycleIntent, { blocking = true } = {}): Promise<LifecycleRun | null> {
    if (!intent.enabled) return null;
    const key = keyOf(intent);
    if (this.runs === null) {
      this.planned.push({ intent, blocking });
      return null;
    }
    const run = this.runs.get(key);
    if (!run && this.failed) throw failure(this.failed);
    if (!run || (blocking && fingerprint(run.intent) !== fingerprint({ ...intent })))
      throw new LifecycleConflictError(intent.plugin.slug, intent.hook);
    this.used.add(key);
    if (!blocking || run.record.status === 'REJECTED') return run;
    if (run.record.status !== 'SUCCEEDED') throw failure(run);
    const writes = run.result?.kvWrites ?? [];
    if (writes.length) {
      const moved = await tx.nativeUpdate(
        Installation,
        { id: intent.installationId, kvRevision: intent.kvRevision },
        { kvRevision: intent.kvRevision + 1 },
      );
      if (moved !== 1) throw new LifecycleConflictError(intent.plugin.slug, intent.hook);
      await commitKv(tx, intent.installationId, writes);
    }
    if (intent.creates) run.record.installationId = intent.installationId;
    return run;
  }

  /** End of a pass: a plan pass with hooks to run is rolled back; a commit pass writes the runs. */
  async close(tx: SqlEntityManager): Promise<void> {
    if (this.runs === null) {
      if (this.planned.length) throw new Planned();
      return;
    }
    for (const [key, run] of this.runs)
      if (!this.used.has(key)) throw new LifecycleConflictError(run.intent.plugin.slug, run.intent.hook);
    await completeRuns(tx, this.platform, [...this.runs.values()]);
  }

  /**
   * Between the passes: reserves the ids of installations to create, then runs the hooks in
   * turn, stopping at the first blocking one that fails (the operation will not commit).
   */
  async run(): Promise<void> {
    const runs = new Map<string, LifecycleRun>();
    for (const { intent, blocking } of this.planned) {
      if (intent.creates) {
        intent.installationId = await reserveInstallationId(this.platform);
        this.reserved.set(intent.plugin.id, intent.installationId);
      }
      const run = await runLifecycleHook(this.platform, intent);
      runs.set(keyOf(intent), run);
      if (blocking && !['SUCCEEDED', 'REJECTED'].includes(run.record.status)) {
        this.failed = run;
        break;
      }
    }
    this.runs = runs;
  }

  /** After a commit pass that failed: the runs are recorded all the same, in a transaction of their own. */
  async recordAlone(): Promise<void> {
    const runs = [...(this.runs?.values() ?? [])];
    for (const run of runs) if (run.intent.creates) run.record.installationId = null;
    try {
      await this.platform.db.fork().transactional((tx) => completeRuns(tx as SqlEntityManager, this.platform, runs));
    } catch (err) {
      this.platform.logger.error({ err }, 'could not record lifecycle hook executions');
    }
  }

  announce(committed: boolean): void {
    announceRuns(this.platform, [...(this.runs?.values() ?? [])], committed);
  }
}

/**
 * Runs an operation that may trigger lifecycle hooks, atomically with them. Hooks cannot run
 * inside its transaction (SQLite has one connection, which the call's own records need, and a
 * plugin call must not hold locks), so the operation runs twice: a plan pass that notes the hooks
 * and is rolled back, the hooks run outside any transaction (their Executions written at once,
 * so kept whatever happens), and a commit pass that checks the operation still means the same
 * calls, applies their KV writes and completions, and commits or fails with them. An operation
 * that triggers no hook runs once: no extra statement.
 */
export async function withLifecycle<T>(
  platform: Platform,
  operation: (tx: SqlEntityManager, lifecycle: Lifecycle) => Promise<T>,
): Promise<T> {
  const lifecycle = new Lifecycle(platform);
  const pass = () =>
    platform.db.fork().transactional(async (tx) => {
      const value = await operation(tx as SqlEntityManager, lifecycle);
      await lifecycle.close(tx as SqlEntityManager);
      return value;
    });
  try {
    return await pass();
  } catch (err) {
    if (!(err instanceof Planned)) throw err;
  }
  await lifecycle.run();
  let value: T;
  try {
    value = await pass();
  } catch (err) {
    await lifecycle.recordAlone();
    lifecycle.announce(false);
    throw err;
  }
  lifecycle.announce(true);
  return value;
}

/**
 * Takes the next installation id now, outside the operation's transaction, so the hook that runs
 * before the installation exists can be told its id (a failed install leaves a gap).
 */
async function reserveInstallationId(platform: Platform): Promise<number> {
  const em = platform.db.fork();
  if (isPostgres(em)) {
    const [row] = await em.execute<{ id: string }[]>(
      `select nextval(pg_get_serial_sequence('installations', 'id')) as id`,
    );
    return Number(row.id);
  }
  return em.transactional(async (tx) => {
    await tx.execute(
      `insert into sqlite_sequence (name, seq) select 'installations', coalesce((select max(id) from installations), 0)
       where not exists (select 1 from sqlite_sequence where name = 'installations')`,
    );
    const [row] = await tx.execute<{ seq: number }[]>(
      `update sqlite_sequence set seq = seq + 1 where name = 'installations' returning seq`,
    );
    return Number(row.seq);
  });
}
