import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { Setting } from '../../entities/index.ts';
import { migrate, openDatabase, type Database } from '../../db/orm.ts';
import { createTestStorage, type TestStorage } from '../../../test/support/database.ts';
import { atBatchEnd, createGroupCommit, type BatchStep, type Unit } from './group-commit.ts';

let storage: TestStorage;
let db: Database;
/** Every statement and every caller's settlement, in the order they happened. */
let trace: string[] = [];

beforeAll(async () => {
  storage = await createTestStorage();
  db = await openDatabase({ ...storage, onQuery: (sql) => trace.push(sql.replace(/^\[query\]\s*/, '')) });
  await migrate(db);
  await db.fork().insert(Setting, { key: 'taken', value: 'v' });
}, 60_000);
afterAll(async () => {
  await db.close();
  await storage.drop();
});
beforeEach(async () => {
  await db.fork().nativeDelete(Setting, { key: { $like: 'gc-%' } });
  trace = [];
});

const begins = () => trace.filter((s) => /^begin\b/i.test(s)).length;
const savepoints = () => trace.filter((s) => /^savepoint\b/i.test(s)).length;
const keys = async () =>
  (await db.fork().find(Setting, { key: { $like: 'gc-%' } }, { orderBy: { key: 'asc' } })).map((s) => s.key);

/** A plain-statement unit that writes one row and returns its key. */
const write =
  (key: string): Unit<string> =>
  async (tx) => {
    await tx.execute(tx.getKnex()('settings').insert({ key, value: 'v' }));
    return key;
  };
/** An entity unit: left unflushed, the committer flushes it. */
const create =
  (key: string): Unit<string> =>
  async (tx) => {
    tx.create(Setting, { key, value: 'v' });
    return key;
  };
const key = (i: number) => `gc-${String(i).padStart(3, '0')}`;

function settle<T>(label: string, promise: Promise<T>): Promise<T | Error> {
  return promise.then(
    (v) => {
      trace.push(`resolved ${label}`);
      return v;
    },
    (e: Error) => {
      trace.push(`rejected ${label}`);
      return e;
    },
  );
}

describe('group commit', () => {
  for (const n of [1, 2, 7, 40]) {
    it(`commits ${n} units queued behind an in-flight transaction in one more transaction`, async () => {
      const gc = createGroupCommit({ fork: () => db.fork() });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const first = settle(
        'first',
        gc.submit(async (tx) => {
          await gate;
          return write('gc-first')(tx);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20)); // the first transaction is open and waiting
      const rest = Array.from({ length: n }, (_, i) =>
        settle(key(i), gc.submit(i % 2 ? create(key(i)) : write(key(i)))),
      );
      release();
      expect(await first).toBe('gc-first');
      expect(await Promise.all(rest)).toEqual(Array.from({ length: n }, (_, i) => key(i)));
      expect(begins()).toBe(2);
      expect(savepoints()).toBe(0);
      // Each caller hears back only after the commit of its batch.
      const commits = trace.flatMap((s, at) => (/^commit\b/i.test(s) ? [at] : []));
      expect(commits).toHaveLength(2);
      expect(trace.indexOf('resolved first')).toBeGreaterThan(commits[0]);
      for (let i = 0; i < n; i++) expect(trace.indexOf(`resolved ${key(i)}`)).toBeGreaterThan(commits[1]);
      expect(await keys()).toEqual([...Array.from({ length: n }, (_, i) => key(i)), 'gc-first'].sort());
    });
  }

  it('shares one transaction among units submitted together, and splits past maxBatch', async () => {
    const together = createGroupCommit({ fork: () => db.fork() });
    await Promise.all(Array.from({ length: 10 }, (_, i) => together.submit(write(key(i)))));
    expect(begins()).toBe(1);
    trace = [];
    const capped = createGroupCommit({ fork: () => db.fork(), maxBatch: 4 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => capped.submit(write(key(100 + i)))));
    expect(begins()).toBe(3);
    expect(await keys()).toHaveLength(20);
  });

  // A failing unit writes first and then fails, in each way a unit can fail, at each position.
  const failures: [string, (i: number) => Unit<string>][] = [
    [
      'throws after writing',
      (i) => async (tx) => {
        await write(key(i))(tx);
        throw new Error(`unit ${i} failed`);
      },
    ],
    [
      'breaks a constraint',
      (i) => async (tx) => {
        await write(key(i))(tx);
        await write(key(i))(tx); // the same key again: a database error, which aborts a PostgreSQL transaction
        return key(i);
      },
    ],
    [
      'leaves an invalid entity to flush',
      (i) => async (tx) => {
        await write(key(i))(tx);
        tx.create(Setting, { key: 'taken', value: 'w' }); // flushed by the committer: fails there
        return key(i);
      },
    ],
  ];
  for (const [kind, failing] of failures) {
    for (const bad of [[0], [3], [7], [2, 5]]) {
      it(`fails only the unit that ${kind} (at ${bad.join(' and ')} of 8) and writes none of it`, async () => {
        const gc = createGroupCommit({ fork: () => db.fork() });
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => settle(key(i), gc.submit(bad.includes(i) ? failing(i) : write(key(i))))),
        );
        results.forEach((r, i) => {
          if (bad.includes(i)) expect(r).toBeInstanceOf(Error);
          else expect(r).toBe(key(i));
        });
        const good = Array.from({ length: 8 }, (_, i) => i).filter((i) => !bad.includes(i));
        expect(await keys()).toEqual(good.map(key));
        // The optimistic transaction, then one with a savepoint for each of the 7 units it did not blame.
        expect(begins()).toBe(2);
        expect(savepoints()).toBe(7);
      });
    }
  }

  it('keeps committing after failures, and drain waits for everything submitted', async () => {
    const gc = createGroupCommit({ fork: () => db.fork() });
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      all.push(gc.submit(i % 3 === 0 ? failures[0][1](i) : write(key(i))).catch(() => null));
      if (i % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await gc.drain();
    expect((await keys()).length).toBe(20);
    await Promise.all(all);
  });

  it('hands each unit an EntityManager of its own inside the shared transaction', async () => {
    const gc = createGroupCommit({ fork: () => db.fork() });
    const managers: SqlEntityManager[] = [];
    await Promise.all(
      [0, 1, 2].map((i) =>
        gc.submit(async (tx) => {
          managers.push(tx);
          expect(tx.isInTransaction()).toBe(true);
          return create(key(i))(tx);
        }),
      ),
    );
    expect(new Set(managers).size).toBe(3);
    expect(begins()).toBe(1);
  });

  /** A step that writes one row holding every item it was given. */
  const steps: string[][] = [];
  const joined: BatchStep<string> = async (tx, items) => {
    steps.push(items);
    await tx.execute(
      tx
        .getKnex()('settings')
        .insert({ key: `gc-step-${steps.length}`, value: items.join(',') }),
    );
  };
  const withStep =
    (i: number, fail = false): Unit<string> =>
    async (tx) => {
      await write(key(i))(tx);
      await atBatchEnd(tx, joined, [key(i)]);
      if (fail) throw new Error(`unit ${i} failed`);
      return key(i);
    };

  for (const n of [1, 5, 12]) {
    it(`runs a step left for the end of the batch once for its ${n} units, in their transaction`, async () => {
      steps.length = 0;
      const gc = createGroupCommit({ fork: () => db.fork() });
      await Promise.all(Array.from({ length: n }, (_, i) => gc.submit(withStep(i))));
      expect(steps).toEqual([Array.from({ length: n }, (_, i) => key(i))]);
      expect(begins()).toBe(1);
      const step = trace.findIndex((sql) => sql.includes('gc-step-1'));
      expect(step).toBeLessThan(trace.findIndex((sql) => /^commit\b/i.test(sql)));
    });
  }

  it('runs the steps of a savepoint-isolated retry unit by unit, and none of a failed unit', async () => {
    steps.length = 0;
    const gc = createGroupCommit({ fork: () => db.fork() });
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => settle(key(i), gc.submit(withStep(i, i === 2)))),
    );
    expect(results[2]).toBeInstanceOf(Error);
    // The optimistic batch stopped at unit 2 before any step ran; the retry runs 0, 1 and 3 alone.
    expect(steps).toEqual([[key(0)], [key(1)], [key(3)]]);
    const rows = await db.fork().find(Setting, { key: { $like: 'gc-step-%' } });
    expect(rows.map((r) => r.value).sort()).toEqual([key(0), key(1), key(3)]);
  });

  it('atBatchEnd outside a group commit runs the step at once', async () => {
    steps.length = 0;
    await db.fork().transactional(async (tx) => {
      await atBatchEnd(tx as SqlEntityManager, joined, ['alone']);
      expect(steps).toEqual([['alone']]);
    });
  });
});
