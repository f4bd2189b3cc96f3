import { Migration } from '@mikro-orm/migrations';

export class Migration20261122130000_settings extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "settings" ("key" varchar(64) not null, "value" text not null, constraint "settings_pkey" primary key ("key"));`);
  }
}
