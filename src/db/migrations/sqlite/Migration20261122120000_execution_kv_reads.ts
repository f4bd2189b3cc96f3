import { Migration } from '@mikro-orm/migrations';

export class Migration20261122120000_execution_kv_reads extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`executions\` add column \`kv_reads\` json null;`);
    this.addSql(`alter table \`executions\` add column \`kv_reads_truncated\` integer not null default false;`);
  }
}
