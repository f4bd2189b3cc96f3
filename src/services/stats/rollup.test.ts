import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { ExecutionStatus } from '../../entities/index.ts';
import { migrate, openDatabase, type Database } from '../../db/orm.ts';
import { createTestStorage, type TestStorage } from '../../../test/support/database.ts';
import { HOUR_MS, rollupRows, writeRollup, type FinishedCall } from './rollup.ts';

/**
 * The rollup's upsert keeps its SQL text per dialect and row count: every count it is built for
 * (one row, several, and across the 200 rows a statement holds) must insert and then merge the
 * same numbers that adding the calls up in memory gives, on the database the suite runs on.
 */
let storage: TestStorage;
let db: Database;

beforeAll(async () => {
  storage = await createTestStorage();
  db = await openDatabase(storage);
  await migrate(db);
}, 60_000);
afterAll(async () => {
  await db.close();
  await storage.drop();
});

const STATUSES: ExecutionStatus[] = [
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'FUEL_EXHAUSTED',
  'MEMORY_EXCEEDED',
  'REJECTED',
];

/** `keys` distinct rollup keys (each also adds to its plugin's row), several calls each. */
function calls(pluginId: number, keys: number, seed: number): FinishedCall[] {
  let x = seed;
  const next = () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x;
  };
  return Array.from({ length: keys * 2 }, (_, i) => {
    const key = i % keys;
    const status = STATUSES[next() % STATUSES.length];
    return {
      pluginId,
      record: {
        installationId: 1 + (key % 7),
        createdAt: new Date((490_000 + Math.floor(key / 7)) * HOUR_MS + (next() % HOUR_MS)),
        hook: key % 2 ? 'clip.captured' : null,
        function: key % 2 ? 'on_clip_captured' : `fn${key % 3}`,
        status,
        durationMs: next() % 5 === 0 ? null : (next() % 100_000) / 10,
        fuelUsed: next() % 4 === 0 ? null : next() % 1_000_000,
        peakMemoryBytes: next() % 3 === 0 ? null : 65_536 * (1 + (next() % 40)),
      },
    };
  });
}

const stored = async (pluginId: number) =>
  (
    await db
      .fork()
      .execute<Record<string, unknown>[]>(
        'select * from "execution_stats" where "plugin_id" = ? order by "installation_id", "hour", "kind", "name"',
        [pluginId],
      )
  ).map(({ id: _, ...row }) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v) || v])));

it.each([1, 2, 3, 40, 150, 230])('writes and merges %i keys as adding them up in memory does', async (keys) => {
  const pluginId = 1000 + keys;
  const first = calls(pluginId, keys, keys);
  const second = calls(pluginId, keys, keys + 7);
  await db.fork().transactional((tx) => writeRollup(tx as SqlEntityManager, first));
  await db.fork().transactional((tx) => writeRollup(tx as SqlEntityManager, second));
  const expected = rollupRows([...first, ...second]).map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v) || v])),
  );
  const sort = (rows: Record<string, unknown>[]) =>
    rows.sort((a, b) =>
      JSON.stringify([a.installation_id, a.hour, a.kind, a.name]).localeCompare(
        JSON.stringify([b.installation_id, b.hour, b.kind, b.name]),
      ),
    );
  const rows = sort(await stored(pluginId));
  expect(rows.length).toBe(expected.length);
  for (const [i, row] of sort(expected).entries()) {
    const got = rows[i];
    for (const [column, value] of Object.entries(row)) {
      if (typeof value === 'number') expect(got[column], column).toBeCloseTo(value, 6);
      else expect(got[column], column).toBe(value);
    }
  }
});
