import type { SqlEntityManager } from '@mikro-orm/knex';

/**
 * The read version: a counter in `settings` that triggers move in the same transaction as every
 * write to the tables below, whoever writes (this instance, another one, the CLI). A read that
 * found version N saw every write that moved it to N, so an answer computed at N may be reused
 * by any read that finds N again.
 */
export const READ_VERSION_KEY = 'read_version';

/** Every write to these moves the version. */
export const VERSIONED_TABLES = ['users', 'plugins', 'plugin_versions', 'reviews', 'review_votes', 'signing_keys'];

/** Only inserts, deletes and changes of these columns move it (calls update the breaker columns). */
export const VERSIONED_INSTALLATION_COLUMNS = ['owner_id', 'plugin_id', 'version_id', 'enabled'];

/**
 * Tables whose writes do not move the version: written by plugin calls, clips and sessions, and
 * read only for a viewer (or never through GraphQL). A read that touches them is never reused
 * (see `useSharedReads`). Every other table must be versioned: a test checks the list.
 */
export const UNVERSIONED_TABLES = [
  'api_tokens',
  'audit_events',
  'blobs',
  'clips',
  'execution_stats',
  'executions',
  'instances',
  'kv_entries',
  // Written by the scheduler on every run (leases, last run); read only through the owner's installation.
  'schedules',
  'settings',
];

const SELECT = `select value from settings where key = '${READ_VERSION_KEY}'`;

/** The current read version: one statement. */
export async function readVersion(em: SqlEntityManager): Promise<string> {
  const rows = await em.getConnection().execute<{ value: string }[]>(SELECT, [], 'all', em.getTransactionContext());
  return rows[0]?.value ?? '';
}
