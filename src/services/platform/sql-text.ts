import type { SqlEntityManager } from '@mikro-orm/knex';
import { isPostgres } from '../read/sql.ts';

/**
 * SQL text of the call path's statements, built once per dialect and shape and kept: knex would
 * rebuild it on every call (the usage rollup's upsert alone cost ~0.76 ms of query building per
 * commit). Values are never part of the text, only `?` parameters, bound when it runs.
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
