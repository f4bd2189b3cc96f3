import type { SqlEntityManager } from '@mikro-orm/knex';

/**
 * One caller's database work. It runs inside a transaction shared with other callers' units, on
 * an EntityManager of its own (a clean identity map bound to that transaction; pending changes are
 * flushed when it returns), so it may use entities or plain statements. It may run more than once
 * (see `GroupCommit`): it must do nothing but database work through `tx`, and keep side effects
 * such as events for after its promise resolves.
 */
export type Unit<T> = (tx: SqlEntityManager) => Promise<T>;

export interface GroupCommitOptions {
  /** A fresh EntityManager for each batch's transaction, e.g. `() => db.fork()`. */
  fork: () => SqlEntityManager;
  /** Most units committed in one transaction; the rest wait for the next. @default 64 */
  maxBatch?: number;
}

export interface GroupCommit {
  /**
   * Runs `unit` in the next transaction and resolves with its result once that transaction has
   * committed (its work is as durable as any other committed write); rejects with the unit's own
   * error, having written nothing of it, if it throws.
   */
  submit<T>(unit: Unit<T>): Promise<T>;
  /** Resolves when every unit submitted so far has committed or failed. */
  drain(): Promise<void>;
}

/** Work that units hand to the end of their transaction, done once for all of them (see `atBatchEnd`). */
export type BatchStep<T> = (tx: SqlEntityManager, items: T[]) => Promise<void>;

type Tail = Map<BatchStep<never>, unknown[]>;
/** The tail of the batch a unit's EntityManager belongs to, while the batch runs without savepoints. */
const tails = new WeakMap<SqlEntityManager, Tail>();

/**
 * Runs `step(tx, items)` before `tx` commits. When `tx` is the EntityManager of a group-commit
 * unit, the step waits for the end of the batch and runs once with every unit's items (so a
 * batch of N units costs one statement for it, not N); in a savepoint-isolated retry or any
 * other transaction it runs at once, inside the caller's own work.
 */
export async function atBatchEnd<T>(tx: SqlEntityManager, step: BatchStep<T>, items: T[]): Promise<void> {
  const tail = tails.get(tx);
  if (!tail) return step(tx, items);
  const queued = tail.get(step as BatchStep<never>);
  if (queued) queued.push(...items);
  else tail.set(step as BatchStep<never>, [...items]);
}

interface Pending {
  unit: Unit<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit: while one batch's transaction is in flight, newly submitted units queue, and the
 * next batch commits all of them in one transaction; an idle committer starts at the next turn of the
 * event loop (so units submitted before it, such as outcomes already back from the workers, share
 * it). A batch costs begin + its units' own
 * statements + commit, however many units it holds.
 *
 * Units may leave work for the end of the transaction (`atBatchEnd`), merged across the batch.
 *
 * Failure isolation, without savepoints on the common path: when a unit throws, the batch is
 * rolled back, that unit alone is rejected, and the others run again in a new transaction where
 * each unit has a savepoint, so a second failure again fails only its own caller. If a commit
 * itself fails (no unit to blame), each unit of that batch is retried in the savepoint mode once;
 * a failing commit there fails every unit of that batch with its error.
 */
export function createGroupCommit({ fork, maxBatch = 64 }: GroupCommitOptions): GroupCommit {
  const queue: Pending[] = [];
  let running: Promise<void> | null = null;

  const runUnit = async (tx: SqlEntityManager, unit: Unit<unknown>, tail?: Tail) => {
    const em = tx.fork({ keepTransactionContext: true });
    if (tail) tails.set(em, tail);
    const value = await unit(em);
    await em.flush();
    return value;
  };

  /** One transaction, no savepoints; the index of the unit that threw, if one did. */
  const optimistic = async (batch: Pending[]): Promise<{ failed: number; error: unknown } | null> => {
    let failed = -1;
    let failure: unknown;
    const values: unknown[] = [];
    try {
      await fork().transactional(async (tx) => {
        const tail: Tail = new Map();
        for (const [i, p] of batch.entries()) {
          try {
            values.push(await runUnit(tx as SqlEntityManager, p.unit, tail));
          } catch (error) {
            [failed, failure] = [i, error];
            throw error;
          }
        }
        // A failing step has no unit to blame: the batch is retried with savepoints, where each
        // unit runs its steps itself.
        for (const [step, items] of tail) await step(tx as SqlEntityManager, items as never[]);
      });
    } catch (error) {
      return { failed, error: failed >= 0 ? failure : error };
    }
    for (const [i, p] of batch.entries()) p.resolve(values[i]);
    return null;
  };

  /** One transaction with a savepoint per unit: each failure is its own caller's. */
  const isolated = async (batch: Pending[]): Promise<void> => {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await fork().transactional(async (tx) => {
        for (const p of batch) {
          try {
            const value = await tx.transactional((inner) => runUnit(inner as SqlEntityManager, p.unit));
            outcomes.push({ ok: true, value });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    for (const [i, p] of batch.entries()) {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    }
  };

  const commitBatch = async (batch: Pending[]): Promise<void> => {
    const failure = await optimistic(batch);
    if (!failure) return;
    if (failure.failed >= 0) batch[failure.failed].reject(failure.error);
    const rest = batch.filter((_, i) => i !== failure.failed);
    if (rest.length > 0) await isolated(rest);
  };

  const pump = async (): Promise<void> => {
    // Let units submitted before the next turn of the event loop join the first's batch: the
    // outcomes of other calls that already came back from their workers are waiting in this
    // turn's I/O callbacks. On SQLite statements run synchronously, so a batch in flight never
    // yields to the loop, and without this wait every call would commit alone.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      await commitBatch(batch).catch((error) => {
        for (const p of batch) p.reject(error); // settling twice is harmless; leaving one hanging is not
      });
    }
    running = null;
  };

  return {
    submit<T>(unit: Unit<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ unit, resolve: resolve as (value: unknown) => void, reject });
        running ??= pump();
      });
    },
    async drain() {
      while (running) await running;
    },
  };
}
