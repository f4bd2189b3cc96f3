import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestStorage, type TestStorage } from '../../../test/support/database.ts';
import { migrate, openDatabase, type Database } from '../../db/orm.ts';
import { renewLease, sweepLostInstances } from './instances.ts';

let storage: TestStorage;
let db: Database;
const logged: string[] = [];

beforeAll(async () => {
  storage = await createTestStorage();
  db = await openDatabase({
    databaseUrl: storage.databaseUrl,
    dataDir: storage.dataDir,
    onQuery: (sql) => logged.push(sql),
  });
  await migrate(db);
});
afterAll(async () => {
  await db?.close();
  await storage?.drop();
});

it('keeps the lease tick out of statement logs when nothing was lost, so counted requests never see it', async () => {
  const before = logged.length;
  for (const now of [new Date(), new Date(Date.now() + 1_000)]) {
    await renewLease(db, 'instance-a', now);
    expect(await sweepLostInstances(db, now)).toBe(0);
  }
  expect(logged.slice(before)).toEqual([]);
  // The control: other statements on this connection are logged.
  await db.fork().execute('select 1');
  expect(logged.length).toBe(before + 1);
});
