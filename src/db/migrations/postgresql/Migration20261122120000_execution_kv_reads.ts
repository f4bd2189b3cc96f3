import { Migration } from '@mikro-orm/migrations';

export class Migration20261122120000_execution_kv_reads extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "executions" add column "kv_reads" jsonb null, add column "kv_reads_truncated" boolean not null default false;`);
  }
}
