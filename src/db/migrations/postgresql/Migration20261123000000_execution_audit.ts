import { Migration } from '@mikro-orm/migrations';

/**
 * Executions outlive their installation (the audit trail) and record who owns them and which
 * instance ran them; output is kept as bytes; clips can be pending while their hooks run;
 * instances hold leases.
 */
export class Migration20261123000000_execution_audit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "executions" add column "owner_id" int null;`);
    this.addSql(`update "executions" e set "owner_id" = i."owner_id" from "installations" i where i."id" = e."installation_id";`);
    this.addSql(`alter table "executions" alter column "owner_id" set not null;`);
    this.addSql(`alter table "executions" add constraint "executions_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade;`);
    this.addSql(`alter table "executions" alter column "installation_id" drop not null;`);
    this.addSql(`alter table "executions" drop constraint "executions_installation_id_foreign";`);
    this.addSql(`alter table "executions" add constraint "executions_installation_id_foreign" foreign key ("installation_id") references "installations" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "executions" alter column "output" type bytea using convert_to("output", 'UTF8');`);
    this.addSql(`alter table "executions" add column "instance_id" varchar(36) null;`);
    this.addSql(`create index "executions_owner_id_created_at_index" on "executions" ("owner_id", "created_at");`);
    this.addSql(`create index "executions_status_instance_id_index" on "executions" ("status", "instance_id");`);
    this.addSql(`alter table "clips" add column "pending" boolean not null default false;`);
    this.addSql(`create table "instances" ("id" varchar(36) not null, "started_at" timestamptz not null, "lease_expires_at" timestamptz not null, constraint "instances_pkey" primary key ("id"));`);
  }
}
