import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000_initial as PostgresInitial } from './postgresql/Migration20261122000000_initial.ts';
import { Migration20261122100000_kv_revision as PostgresKvRevision } from './postgresql/Migration20261122100000_kv_revision.ts';
import { Migration20261122120000_execution_kv_reads as PostgresKvReads } from './postgresql/Migration20261122120000_execution_kv_reads.ts';
import { Migration20261122130000_settings as PostgresSettings } from './postgresql/Migration20261122130000_settings.ts';
import { Migration20261123000000_execution_audit as PostgresExecutionAudit } from './postgresql/Migration20261123000000_execution_audit.ts';
import { Migration20261124000000_review_verified_install as PostgresReviewVerifiedInstall } from './postgresql/Migration20261124000000_review_verified_install.ts';
import { Migration20261204000600_tokens_audit as PostgresTokensAudit } from './postgresql/Migration20261204000600_tokens_audit.ts';
import { Migration20261204000300_version_revocation as PostgresVersionRevocation } from './postgresql/Migration20261204000300_version_revocation.ts';
import { Migration20261204000100_plugin_search as PostgresPluginSearch } from './postgresql/Migration20261204000100_plugin_search.ts';
import { Migration20261204000200_signing_keys as PostgresSigningKeys } from './postgresql/Migration20261204000200_signing_keys.ts';
import { Migration20261204000500_execution_stats as PostgresExecutionStats } from './postgresql/Migration20261204000500_execution_stats.ts';
import { Migration20261205000100_schedules as PostgresSchedules } from './postgresql/Migration20261205000100_schedules.ts';
import { Migration20261205000200_execution_http as PostgresExecutionHttp } from './postgresql/Migration20261205000200_execution_http.ts';
import { Migration20261205000350_read_version as PostgresReadVersion } from './postgresql/Migration20261205000350_read_version.ts';
import { Migration20261122000000_initial as SqliteInitial } from './sqlite/Migration20261122000000_initial.ts';
import { Migration20261122100000_kv_revision as SqliteKvRevision } from './sqlite/Migration20261122100000_kv_revision.ts';
import { Migration20261122120000_execution_kv_reads as SqliteKvReads } from './sqlite/Migration20261122120000_execution_kv_reads.ts';
import { Migration20261122130000_settings as SqliteSettings } from './sqlite/Migration20261122130000_settings.ts';
import { Migration20261123000000_execution_audit as SqliteExecutionAudit } from './sqlite/Migration20261123000000_execution_audit.ts';
import { Migration20261124000000_review_verified_install as SqliteReviewVerifiedInstall } from './sqlite/Migration20261124000000_review_verified_install.ts';
import { Migration20261204000600_tokens_audit as SqliteTokensAudit } from './sqlite/Migration20261204000600_tokens_audit.ts';
import { Migration20261204000300_version_revocation as SqliteVersionRevocation } from './sqlite/Migration20261204000300_version_revocation.ts';
import { Migration20261204000100_plugin_search as SqlitePluginSearch } from './sqlite/Migration20261204000100_plugin_search.ts';
import { Migration20261204000200_signing_keys as SqliteSigningKeys } from './sqlite/Migration20261204000200_signing_keys.ts';
import { Migration20261204000500_execution_stats as SqliteExecutionStats } from './sqlite/Migration20261204000500_execution_stats.ts';
import { Migration20261205000100_schedules as SqliteSchedules } from './sqlite/Migration20261205000100_schedules.ts';
import { Migration20261205000200_execution_http as SqliteExecutionHttp } from './sqlite/Migration20261205000200_execution_http.ts';
import { Migration20261205000350_read_version as SqliteReadVersion } from './sqlite/Migration20261205000350_read_version.ts';

/**
 * Migrations are listed here rather than discovered from disk, so they load the same way under
 * tsx, vitest and any bundler. A new migration is written per dialect and added to both lists;
 * `src/db/migrations.test.ts` fails while the migrated schema differs from the entities.
 */
export const MIGRATIONS: Record<'sqlite' | 'postgresql', MigrationObject[]> = {
  sqlite: [
    { name: 'Migration20261122000000_initial', class: SqliteInitial },
    { name: 'Migration20261122100000_kv_revision', class: SqliteKvRevision },
    { name: 'Migration20261122120000_execution_kv_reads', class: SqliteKvReads },
    { name: 'Migration20261122130000_settings', class: SqliteSettings },
    { name: 'Migration20261123000000_execution_audit', class: SqliteExecutionAudit },
    { name: 'Migration20261124000000_review_verified_install', class: SqliteReviewVerifiedInstall },
    { name: 'Migration20261204000600_tokens_audit', class: SqliteTokensAudit },
    { name: 'Migration20261204000300_version_revocation', class: SqliteVersionRevocation },
    { name: 'Migration20261204000100_plugin_search', class: SqlitePluginSearch },
    { name: 'Migration20261204000200_signing_keys', class: SqliteSigningKeys },
    { name: 'Migration20261204000500_execution_stats', class: SqliteExecutionStats },
    { name: 'Migration20261205000100_schedules', class: SqliteSchedules },
    { name: 'Migration20261205000200_execution_http', class: SqliteExecutionHttp },
    { name: 'Migration20261205000350_read_version', class: SqliteReadVersion },
  ],
  postgresql: [
    { name: 'Migration20261122000000_initial', class: PostgresInitial },
    { name: 'Migration20261122100000_kv_revision', class: PostgresKvRevision },
    { name: 'Migration20261122120000_execution_kv_reads', class: PostgresKvReads },
    { name: 'Migration20261122130000_settings', class: PostgresSettings },
    { name: 'Migration20261123000000_execution_audit', class: PostgresExecutionAudit },
    { name: 'Migration20261124000000_review_verified_install', class: PostgresReviewVerifiedInstall },
    { name: 'Migration20261204000600_tokens_audit', class: PostgresTokensAudit },
    { name: 'Migration20261204000300_version_revocation', class: PostgresVersionRevocation },
    { name: 'Migration20261204000100_plugin_search', class: PostgresPluginSearch },
    { name: 'Migration20261204000200_signing_keys', class: PostgresSigningKeys },
    { name: 'Migration20261204000500_execution_stats', class: PostgresExecutionStats },
    { name: 'Migration20261205000100_schedules', class: PostgresSchedules },
    { name: 'Migration20261205000200_execution_http', class: PostgresExecutionHttp },
    { name: 'Migration20261205000350_read_version', class: PostgresReadVersion },
  ],
};
