import type { Knex, SqlEntityManager } from '@mikro-orm/knex';
import { isPostgres } from '../read/sql.ts';

/**
 * SQL text of the call path's statements, built once per dialect and shape and kept: knex would
 * rebuild it on every call (the usage rollup's upsert alone cost ~0.76 ms of query building per
 * commit). Values are never part of the text, only `?` parameters, bound when it runs (`runSql`).
 */
const texts = new Map<string, string>();

export function sqlText(key: string, build: () => string): string {
  let text = texts.get(key);
  if (text === undefined) {
    text = build();
    texts.set(key, text);
  }
  return text;
}

/** An identifier, quoted as both SQLite and PostgreSQL read it. */
export const quoted = (name: string) => `"${name}"`;

/** `(?, ?, …), (?, ?, …)`: `rows` rows of `columns` parameters. */
export function valueRows(columns: number, rows: number): string {
  const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}

export const dialectOf = (em: SqlEntityManager): 'pg' | 'sqlite' => (isPostgres(em) ? 'pg' : 'sqlite');

/** The protected parts of MikroORM's connection that `runSql` goes through, so it logs like the rest. */
interface LoggingConnection {
  executeQuery<T>(
    query: string,
    run: () => Promise<T>,
    context?: { query: string; params: readonly unknown[] },
  ): Promise<T>;
  transformRawResult<T>(result: unknown, method: 'all'): T;
}

/**
 * Runs a kept SQL text with its values bound, in `em`'s transaction when it has one, and answers
 * its rows (none for a statement that returns none). MikroORM's `execute` writes every value into
 * the SQL text before it runs (its `formatQuery`), so each run was a statement never seen before:
 * escaped value by value, parsed and planned again, never reused. Bound, the text is the same
 * every time: SQLite answers it from the prepared statements the connection keeps (`db/orm.ts`),
 * and escaping costs nothing. Logged like every statement.
 */
export async function runSql<T = Record<string, unknown>>(
  em: SqlEntityManager,
  sql: string,
  values: readonly unknown[],
): Promise<T[]> {
  const connection = em.getConnection() as unknown as LoggingConnection;
  const query = em.getKnex().raw(sql, values as Knex.RawBinding[]);
  const transaction = em.getTransactionContext<Knex.Transaction>();
  if (transaction) query.transacting(transaction);
  return connection.executeQuery(
    sql,
    async () => {
      // A statement that returns no rows answers the driver's run summary on SQLite.
      const rows = connection.transformRawResult<unknown>(await query, 'all');
      return Array.isArray(rows) ? (rows as T[]) : [];
    },
    { query: sql, params: values },
  );
}

/** `runSql` for a statement built with knex, its values bound rather than written into the text. */
export function runQuery<T = Record<string, unknown>>(em: SqlEntityManager, builder: Knex.QueryBuilder): Promise<T[]> {
  const { sql, bindings } = builder.toSQL();
  return runSql<T>(em, sql, bindings);
}
