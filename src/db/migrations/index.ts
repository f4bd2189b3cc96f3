import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000_initial as PostgresInitial } from './postgresql/Migration20261122000000_initial.ts';
import { Migration20261122000000_initial as SqliteInitial } from './sqlite/Migration20261122000000_initial.ts';

/**
 * Migrations are listed here rather than discovered from disk, so they load the same way under
 * tsx, vitest and any bundler. A new migration is generated per dialect and added to both lists.
 */
export const MIGRATIONS: Record<'sqlite' | 'postgresql', MigrationObject[]> = {
  sqlite: [{ name: 'Migration20261122000000_initial', class: SqliteInitial }],
  postgresql: [{ name: 'Migration20261122000000_initial', class: PostgresInitial }],
};
