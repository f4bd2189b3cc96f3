import { Migration } from '@mikro-orm/migrations';

export class Migration20261122100000_kv_revision extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "installations" add column "kv_revision" int not null default 0;`);
  }
}
