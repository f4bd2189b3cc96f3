import { Migration } from '@mikro-orm/migrations';

const COLUMNS =
  '`id`, `installation_id`, `owner_id`, `version_id`, `clip_id`, `trigger`, `hook`, `function`, `status`, `duration_ms`, `fuel_used`, `peak_memory_bytes`, `input_size`, `input`, `input_truncated`, `output_size`, `output`, `error_code`, `error_message`, `logs`, `logs_truncated`, `kv_reads`, `kv_reads_truncated`, `instance_id`, `created_at`, `finished_at`';

/**
 * Executions outlive their installation (the audit trail) and record who owns them and which
 * instance ran them; output is kept as bytes; clips can be pending while their hooks run;
 * instances hold leases. SQLite cannot change a foreign key in place: the table is rebuilt.
 */
export class Migration20261123000000_execution_audit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table \`executions_next\` (\`id\` integer not null primary key autoincrement, \`installation_id\` integer null, \`owner_id\` integer not null, \`version_id\` integer not null, \`clip_id\` integer null, \`trigger\` text check (\`trigger\` in ('MANUAL', 'HOOK', 'SCHEDULE')) not null, \`hook\` text null, \`function\` text not null, \`status\` text check (\`status\` in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'FUEL_EXHAUSTED', 'MEMORY_EXCEEDED', 'REJECTED')) not null default 'QUEUED', \`duration_ms\` real null, \`fuel_used\` double null, \`peak_memory_bytes\` integer null, \`input_size\` integer not null, \`input\` text not null, \`input_truncated\` integer not null default false, \`output_size\` integer null, \`output\` blob null, \`error_code\` text null, \`error_message\` text null, \`logs\` json not null, \`logs_truncated\` integer not null default false, \`kv_reads\` json null, \`kv_reads_truncated\` integer not null default false, \`instance_id\` text null, \`created_at\` datetime not null, \`finished_at\` datetime null, constraint \`executions_installation_id_foreign\` foreign key(\`installation_id\`) references \`installations\`(\`id\`) on delete set null on update cascade, constraint \`executions_owner_id_foreign\` foreign key(\`owner_id\`) references \`users\`(\`id\`) on update cascade, constraint \`executions_version_id_foreign\` foreign key(\`version_id\`) references \`plugin_versions\`(\`id\`) on update cascade, constraint \`executions_clip_id_foreign\` foreign key(\`clip_id\`) references \`clips\`(\`id\`) on delete set null on update cascade);`);
    this.addSql(
      `insert into \`executions_next\` (${COLUMNS}) select e.\`id\`, e.\`installation_id\`, i.\`owner_id\`, e.\`version_id\`, e.\`clip_id\`, e.\`trigger\`, e.\`hook\`, e.\`function\`, e.\`status\`, e.\`duration_ms\`, e.\`fuel_used\`, e.\`peak_memory_bytes\`, e.\`input_size\`, e.\`input\`, e.\`input_truncated\`, e.\`output_size\`, cast(e.\`output\` as blob), e.\`error_code\`, e.\`error_message\`, e.\`logs\`, e.\`logs_truncated\`, e.\`kv_reads\`, e.\`kv_reads_truncated\`, null, e.\`created_at\`, e.\`finished_at\` from \`executions\` e join \`installations\` i on i.\`id\` = e.\`installation_id\`;`,
    );
    this.addSql(`drop table \`executions\`;`);
    this.addSql(`alter table \`executions_next\` rename to \`executions\`;`);
    this.addSql(`create index \`executions_installation_id_index\` on \`executions\` (\`installation_id\`);`);
    this.addSql(`create index \`executions_owner_id_index\` on \`executions\` (\`owner_id\`);`);
    this.addSql(`create index \`executions_version_id_index\` on \`executions\` (\`version_id\`);`);
    this.addSql(`create index \`executions_installation_id_created_at_index\` on \`executions\` (\`installation_id\`, \`created_at\`);`);
    this.addSql(`create index \`executions_clip_id_index\` on \`executions\` (\`clip_id\`);`);
    this.addSql(`create index \`executions_owner_id_created_at_index\` on \`executions\` (\`owner_id\`, \`created_at\`);`);
    this.addSql(`create index \`executions_status_instance_id_index\` on \`executions\` (\`status\`, \`instance_id\`);`);
    this.addSql(`alter table \`clips\` add column \`pending\` integer not null default false;`);
    this.addSql(`create table \`instances\` (\`id\` text not null, \`started_at\` datetime not null, \`lease_expires_at\` datetime not null, primary key (\`id\`));`);
  }
}
