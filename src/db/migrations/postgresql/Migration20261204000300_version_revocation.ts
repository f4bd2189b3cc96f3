import { Migration } from '@mikro-orm/migrations';

/** The kill switch: a version revoked by its publisher or an admin, when, why and by whom. */
export class Migration20261204000300_version_revocation extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "plugin_versions" add column "revoked_at" timestamptz null, add column "revoked_reason" varchar(500) null, add column "revoked_by_id" int null;`,
    );
    this.addSql(
      `alter table "plugin_versions" add constraint "plugin_versions_revoked_by_id_foreign" foreign key ("revoked_by_id") references "users" ("id") on update cascade on delete set null;`,
    );
    this.addSql(`create index "plugin_versions_revoked_at_index" on "plugin_versions" ("revoked_at");`);
  }
}
