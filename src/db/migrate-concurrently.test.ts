import { afterAll, expect, it } from 'vitest';
import { createTestStorage, scaleOutServices, type TestStorage } from '../../test/support/database.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { migrate, openDatabase } from './orm.ts';

// API instances started together on an empty PostgreSQL database (a deployment without a
// separate migrate step) all run migrate() at once.
const services = await scaleOutServices();
const storages: TestStorage[] = [];
afterAll(async () => {
  for (const s of storages) await s.drop();
});

it.skipIf(!services)('instances migrating one PostgreSQL database at once take turns', async () => {
  for (const instances of [2, 4]) {
    const storage = await createTestStorage({ databaseUrl: services?.databaseUrl });
    storages.push(storage);
    const dbs = await Promise.all(
      Array.from({ length: instances }, () =>
        openDatabase({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir }),
      ),
    );
    try {
      const applied = await Promise.all(dbs.map((db) => migrate(db)));
      const all = MIGRATIONS.postgresql.map((m) => m.name);
      expect(applied.filter((names) => names.length > 0)).toEqual([all]);
      expect(applied.filter((names) => names.length === 0)).toHaveLength(instances - 1);
      expect(await migrate(dbs[0])).toEqual([]);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  }
});
