import { Migration } from '@mikro-orm/migrations';

/** Cron schedules of installations, and the schedule that started an execution. */
export class Migration20261205000100_schedules extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "schedules" ("id" serial primary key, "installation_id" int not null, "created_by_id" int not null, "function" varchar(100) not null, "input" text not null, "cron" varchar(100) not null, "timezone" varchar(64) not null, "paused" boolean not null default false, "paused_reason" varchar(500) null, "next_run_at" timestamptz null, "last_run_at" timestamptz null, "last_execution_id" int null, "skipped_runs" int not null default 0, "lease_owner" varchar(36) null, "leased_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "schedules_installation_id_index" on "schedules" ("installation_id");`);
    this.addSql(`create index "schedules_next_run_at_index" on "schedules" ("next_run_at");`);
    this.addSql(
      `alter table "schedules" add constraint "schedules_installation_id_foreign" foreign key ("installation_id") references "installations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "schedules" add constraint "schedules_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade;`,
    );
    this.addSql(`alter table "executions" add column "schedule_id" int null;`);
    this.addSql(
      `alter table "executions" add constraint "executions_schedule_id_foreign" foreign key ("schedule_id") references "schedules" ("id") on update cascade on delete set null;`,
    );
    this.addSql(`create index "executions_schedule_id_index" on "executions" ("schedule_id");`);
  }
}
