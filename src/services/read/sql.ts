import type { Knex, SqlEntityManager } from '@mikro-orm/knex';

export function isPostgres(em: SqlEntityManager): boolean {
  return em.getPlatform().constructor.name.toLowerCase().includes('postgre');
}

/** `column` (a JSON array of strings) contains `value`, on SQLite and PostgreSQL alike. */
export function jsonArrayContains(em: SqlEntityManager, qb: Knex.QueryBuilder, column: string, value: string): void {
  if (isPostgres(em)) qb.whereRaw(`${column}::jsonb \\? ?`, [value]);
  else qb.whereRaw(`exists (select 1 from json_each(${column}) where json_each.value = ?)`, [value]);
}
