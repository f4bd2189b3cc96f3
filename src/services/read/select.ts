import type { EntitySchema } from '@mikro-orm/core';
import type { Knex, SqlEntityManager } from '@mikro-orm/knex';
import { rowMapper } from './rows.ts';
import { isPostgres } from './sql.ts';

/**
 * Runs a knex select through MikroORM's connection (so it is logged, counted and joins the
 * current transaction) and maps the rows to plain records; `extra` adds what the entity does not
 * describe (a computed column the query selected).
 */
export async function selectRows<T, X = unknown>(
  em: SqlEntityManager,
  // biome-ignore lint/suspicious/noExplicitAny: any entity schema; rows are mapped by its metadata
  entity: EntitySchema<any, any>,
  build: (qb: Knex.QueryBuilder) => Knex.QueryBuilder,
  extra?: (row: Record<string, unknown>) => X,
): Promise<(T & X)[]> {
  const meta = em.getMetadata().get(entity.meta.className);
  const qb = build(em.getKnex().select(`${meta.tableName}.*`).from(meta.tableName));
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(qb, [], 'all', em.getTransactionContext());
  const map = rowMapper<T>(em.getMetadata(), entity);
  return rows.map((row) => (extra ? { ...map(row), ...extra(row) } : map(row)) as T & X);
}

/** `LIKE` that ignores case on both backends. */
export function ilike(em: SqlEntityManager): 'like' | 'ilike' {
  return isPostgres(em) ? 'ilike' : 'like';
}

/** Escapes `%`, `_` and `\` for a LIKE pattern used with `escape '\'`. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
