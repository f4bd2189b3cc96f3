import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MikroORM as PostgresORM } from '@mikro-orm/postgresql';
import { MikroORM as SqliteORM } from '@mikro-orm/better-sqlite';
import { Migrator } from '@mikro-orm/migrations';
import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { ALL_ENTITIES } from '../entities/index.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { type CheckpointStats, FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer } from './checkpointer.ts';

export type Dialect = 'sqlite' | 'postgresql';

const sqliteFile = (dataDir: string) => path.join(dataDir, 'plugboard.db');

export interface DatabaseOptions {
  /** `postgres://…` selects PostgreSQL; otherwise SQLite under `dataDir`. */
  databaseUrl?: string | null;
  dataDir: string;
  /** Log every SQL statement through this callback (tests count statements with it). */
  onQuery?: (sql: string) => void;
}

export interface Database {
  orm: MikroORM;
  dialect: Dialect;
  /** A fresh EntityManager, isolated from every other request's identity map. */
  fork(): SqlEntityManager;
  /** SQLite: what the write-ahead log's checkpointer thread has done (`checkpointer.ts`); null on PostgreSQL. */
  checkpoints(): CheckpointStats | null;
  close(): Promise<void>;
}

const migrationsDir = (dialect: Dialect) =>
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations', dialect);

function baseOptions(dialect: Dialect, onQuery?: (sql: string) => void) {
  return {
    entities: ALL_ENTITIES,
    extensions: [Migrator],
    migrations: {
      path: migrationsDir(dialect),
      migrationsList: MIGRATIONS[dialect],
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts' as const,
      silent: true,
    },
    discovery: { warnWhenNoEntities: false },
    // The search index is no entity: its migration creates it and triggers keep it (services/search.ts).
    schemaGenerator: { skipTables: [/^plugin_search/] },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    colors: false,
    debug: onQuery ? (['query'] as const as never) : false,
    logger: onQuery ? (message: string) => onQuery(message) : undefined,
  };
}

/** Connects to the configured database. Does not migrate: call `migrate()` for that. */
export async function openDatabase({ databaseUrl, dataDir, onQuery }: DatabaseOptions): Promise<Database> {
  let orm: MikroORM;
  let dialect: Dialect;
  if (databaseUrl) {
    dialect = 'postgresql';
    orm = await PostgresORM.init({
      ...baseOptions(dialect, onQuery),
      clientUrl: databaseUrl,
      pool: { min: 0, max: 10 },
    });
  } else {
    dialect = 'sqlite';
    mkdirSync(dataDir, { recursive: true });
    orm = await SqliteORM.init({
      ...baseOptions(dialect, onQuery),
      dbName: sqliteFile(dataDir),
      // One connection: SQLite serialises writers anyway, and the pragmas below are per connection.
      // better-sqlite3 runs each statement synchronously on the calling thread: a round trip costs
      // ~40 µs here against ~175 µs through sqlite3's thread pool (bench/README.md), and a plugin
      // call is seven of them. Statements of this schema are indexed and short; a lock held by
      // another process (the CLI) is waited for on this thread, up to busy_timeout.
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) => {
          try {
            for (const pragma of [
              'journal_mode = WAL',
              'foreign_keys = ON',
              'busy_timeout = 5000',
              'synchronous = NORMAL',
              `wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`,
            ])
              conn.pragma(pragma);
            keepPreparedStatements(conn);
          } catch (err) {
            done(err as Error, conn);
            return;
          }
          done(null, conn);
        },
      },
    });
  }
  const fork = () => orm.em.fork() as SqlEntityManager;
  if (dialect === 'postgresql') return { orm, dialect, fork, checkpoints: () => null, close: () => orm.close(true) };
  const checkpointer = startCheckpointer(sqliteFile(dataDir));
  return {
    orm,
    dialect,
    fork,
    checkpoints: () => checkpointer.stats(),
    async close() {
      await checkpointer.close();
      await orm.close(true);
    },
  };
}

interface SqliteConnection {
  pragma(source: string): unknown;
  prepare(sql: string): unknown;
}

/** Prepared statements kept per connection, least recently used dropped first. */
const PREPARED_STATEMENTS = 500;

/**
 * Makes the connection's `prepare` answer a statement it prepared before for the same SQL text.
 * knex prepares every statement it runs; the call path's statements are the same few texts with
 * their values bound (`sql-text.ts`), which SQLite would otherwise parse and plan on every call.
 * Reuse is safe: better-sqlite3 runs a statement to completion before returning, knex binds its
 * values on every run, and nothing here iterates a statement lazily.
 */
function keepPreparedStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const kept = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = kept.get(sql);
    if (statement === undefined) statement = prepare(sql);
    else kept.delete(sql); // re-inserted last: the map's order is least recently used first
    kept.set(sql, statement);
    if (kept.size > PREPARED_STATEMENTS) kept.delete(kept.keys().next().value as string);
    return statement;
  };
}

/**
 * The deployment's id: made once, kept in `settings`, the same for every instance on this
 * database. Events are namespaced by it, so deployments sharing a Redis never hear each other.
 */
export async function deploymentId(db: Database): Promise<string> {
  const em = db.fork();
  const knex = em.getKnex();
  await em.execute(knex('settings').insert({ key: 'deployment_id', value: randomUUID() }).onConflict('key').ignore());
  const [row] = await em.execute<{ value: string }[]>(knex('settings').select('value').where('key', 'deployment_id'));
  return row.value;
}

/** Any fixed number: every instance of every deployment on a PostgreSQL server takes this lock to migrate. */
const MIGRATION_LOCK = 0x706c7567626f6172n;

/**
 * Applies pending migrations; returns the names applied. On PostgreSQL, instances starting
 * together take turns under an advisory lock (held by a transaction on a connection of its own
 * while the migrator runs on others): the first applies what is pending, the rest find nothing.
 * Without it, each would create the migrations table and run the same migrations at once.
 */
export async function migrate(db: Database): Promise<string[]> {
  const up = async () => (await db.orm.getMigrator().up()).map((m) => m.name);
  if (db.dialect !== 'postgresql') return up();
  return db
    .fork()
    .getKnex()
    .transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK.toString()]);
      return up();
    });
}
