import { Migration } from '@mikro-orm/migrations';

export class Migration20261204000200_signing_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "signing_keys" ("id" serial primary key, "owner_id" int not null, "name" varchar(100) not null, "public_key" varchar(44) not null, "fingerprint" varchar(64) not null, "created_at" timestamptz not null, "revoked_at" timestamptz null);`);
    this.addSql(`create index "signing_keys_owner_id_index" on "signing_keys" ("owner_id");`);
    this.addSql(`alter table "signing_keys" add constraint "signing_keys_fingerprint_unique" unique ("fingerprint");`);
    this.addSql(`alter table "signing_keys" add constraint "signing_keys_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade;`);
    this.addSql(`alter table "plugin_versions" add column "signing_key_id" int null, add column "signature" varchar(88) null, add column "manifest_sha256" varchar(64) null;`);
    this.addSql(`alter table "plugin_versions" add constraint "plugin_versions_signing_key_id_foreign" foreign key ("signing_key_id") references "signing_keys" ("id") on update cascade on delete set null;`);
    this.addSql(`create index "plugin_versions_signing_key_id_index" on "plugin_versions" ("signing_key_id");`);
  }
}
