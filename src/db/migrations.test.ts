import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestStorage, type TestStorage } from '../../test/support/database.ts';
import { listPlugins } from '../services/search.ts';
import { migrate, openDatabase, type Database } from './orm.ts';

let storage: TestStorage;
let db: Database;

beforeAll(async () => {
  storage = await createTestStorage();
  db = await openDatabase({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir });
});
afterAll(async () => {
  await db?.close();
  await storage?.drop();
});

/**
 * Tables, columns and indexes of a SQLite database, in an order that does not depend on history.
 * The full-text index (`plugin_search*`) is no entity: test/e2e/search.test.ts covers it.
 */
async function describeSqlite(target: Database): Promise<unknown> {
  const connection = target.fork().getConnection();
  const tables = await connection.execute<{ name: string }[]>(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'mikro_orm_%' and name not like 'plugin_search%' order by name",
  );
  const described: Record<string, unknown> = {};
  for (const { name } of tables) {
    const columns = await connection.execute<Record<string, unknown>[]>(
      `select name, type, "notnull", dflt_value, pk from pragma_table_info('${name}') order by name`,
    );
    const indexes = await connection.execute<{ name: string; unique: number }[]>(
      `select name, "unique" from pragma_index_list('${name}') order by name`,
    );
    const withColumns = [];
    for (const index of indexes) {
      const on = await connection.execute<{ name: string }[]>(
        `select name from pragma_index_info('${index.name}') order by seqno`,
      );
      withColumns.push({ ...index, columns: on.map((c) => c.name) });
    }
    described[name] = { columns, indexes: withColumns };
  }
  return described;
}

it('builds exactly the schema the entities describe', async () => {
  expect(await migrate(db)).not.toHaveLength(0);
  expect(await migrate(db)).toEqual([]);
  if (db.dialect === 'postgresql') {
    const drift = await db.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    expect(drift.trim()).toBe('');
    return;
  }
  // MikroORM's SQLite diff rebuilds tables over check constraints it cannot read back, so on
  // SQLite compare the migrated database with one created straight from the entities.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plugboard-schema-'));
  const fresh = await openDatabase({ dataDir });
  try {
    await fresh.orm.getSchemaGenerator().createSchema();
    expect(await describeSqlite(db)).toEqual(await describeSqlite(fresh));
  } finally {
    await fresh.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it('indexes the listings that exist when the search migration runs', async () => {
  const old = await createTestStorage();
  const target = await openDatabase({ databaseUrl: old.databaseUrl, dataDir: old.dataDir });
  try {
    await target.orm.getMigrator().up({ to: 'Migration20261124000000_review_verified_install' });
    const knex = target.fork().getKnex();
    const now = new Date();
    const [user] = await knex('users')
      .insert({ handle: 'oldtimer', display_name: 'Old Timer', role: 'PUBLISHER', created_at: now })
      .returning('id');
    const names = ['Écho Chamber', 'zebra Tool', 'Alpha Finder'];
    for (const [i, name] of names.entries())
      await knex('plugins').insert({
        slug: `old-${i}`,
        name,
        summary: 'Made before search existed',
        description: 'Indexed by the migration',
        publisher_id: typeof user === 'object' ? user.id : user,
        category: 'other',
        tags: JSON.stringify(['legacy', `tag${i}`]),
        created_at: now,
        updated_at: now,
      });
    await migrate(target);
    const em = target.fork();
    const found = async (query: string | null, sort: 'NAME' | null = null) =>
      (await listPlugins(em, { query, sort }, { first: 10 })).nodes.map((p) => p.slug);
    expect((await found('legacy')).sort()).toEqual(['old-0', 'old-1', 'old-2']);
    expect(await found('tag1')).toEqual(['old-1']);
    expect((await found('oldtim migration')).length).toBe(3);
    expect(await found('echo cham')).toEqual(db.dialect === 'sqlite' ? ['old-0'] : []);
    expect(await found(null, 'NAME')).toEqual(['old-2', 'old-0', 'old-1']);
  } finally {
    await target.close();
    await old.drop();
  }
});
