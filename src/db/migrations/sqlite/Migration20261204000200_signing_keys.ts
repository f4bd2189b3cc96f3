import { Migration } from '@mikro-orm/migrations';

export class Migration20261204000200_signing_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table \`signing_keys\` (\`id\` integer not null primary key autoincrement, \`owner_id\` integer not null, \`name\` text not null, \`public_key\` text not null, \`fingerprint\` text not null, \`created_at\` datetime not null, \`revoked_at\` datetime null, constraint \`signing_keys_owner_id_foreign\` foreign key(\`owner_id\`) references \`users\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`signing_keys_owner_id_index\` on \`signing_keys\` (\`owner_id\`);`);
    this.addSql(`create unique index \`signing_keys_fingerprint_unique\` on \`signing_keys\` (\`fingerprint\`);`);
    this.addSql(`alter table \`plugin_versions\` add column \`signing_key_id\` integer null constraint \`plugin_versions_signing_key_id_foreign\` references \`signing_keys\`(\`id\`) on delete set null on update cascade;`);
    this.addSql(`alter table \`plugin_versions\` add column \`signature\` text null;`);
    this.addSql(`alter table \`plugin_versions\` add column \`manifest_sha256\` text null;`);
    this.addSql(`create index \`plugin_versions_signing_key_id_index\` on \`plugin_versions\` (\`signing_key_id\`);`);
  }
}
