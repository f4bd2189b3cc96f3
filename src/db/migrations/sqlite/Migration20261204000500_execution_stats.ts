import { Migration } from '@mikro-orm/migrations';

const BINS = Array.from({ length: 72 }, (_, i) => `\`d${i}\` integer not null default 0`).join(', ');

/** Hourly rollups of completed executions (usage numbers), with a 72-bin duration histogram. */
export class Migration20261204000500_execution_stats extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`execution_stats\` (\`id\` integer not null primary key autoincrement, \`plugin_id\` integer not null, \`installation_id\` integer not null, \`hour\` integer not null, \`kind\` text check (\`kind\` in ('FUNCTION', 'HOOK')) not null, \`name\` text not null, \`calls\` integer not null default 0, \`succeeded\` integer not null default 0, \`failed\` integer not null default 0, \`timed_out\` integer not null default 0, \`fuel_exhausted\` integer not null default 0, \`memory_exceeded\` integer not null default 0, \`rejected\` integer not null default 0, \`timed\` integer not null default 0, \`duration_sum\` double not null default 0, \`duration_max\` double not null default 0, \`fuel_calls\` integer not null default 0, \`fuel_sum\` double not null default 0, \`fuel_max\` double not null default 0, \`memory_calls\` integer not null default 0, \`memory_sum\` double not null default 0, \`memory_max\` double not null default 0, ${BINS});`,
    );
    this.addSql(
      `create unique index \`execution_stats_key_unique\` on \`execution_stats\` (\`plugin_id\`, \`installation_id\`, \`hour\`, \`kind\`, \`name\`);`,
    );
  }
}
