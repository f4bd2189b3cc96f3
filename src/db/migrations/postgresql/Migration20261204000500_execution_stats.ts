import { Migration } from '@mikro-orm/migrations';

const BINS = Array.from({ length: 72 }, (_, i) => `"d${i}" int not null default 0`).join(', ');

/** Hourly rollups of completed executions (usage numbers), with a 72-bin duration histogram. */
export class Migration20261204000500_execution_stats extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "execution_stats" ("id" serial primary key, "plugin_id" int not null, "installation_id" int not null, "hour" int not null, "kind" text check ("kind" in ('FUNCTION', 'HOOK')) not null, "name" varchar(100) not null, "calls" int not null default 0, "succeeded" int not null default 0, "failed" int not null default 0, "timed_out" int not null default 0, "fuel_exhausted" int not null default 0, "memory_exceeded" int not null default 0, "rejected" int not null default 0, "timed" int not null default 0, "duration_sum" double precision not null default 0, "duration_max" double precision not null default 0, "fuel_calls" int not null default 0, "fuel_sum" double precision not null default 0, "fuel_max" double precision not null default 0, "memory_calls" int not null default 0, "memory_sum" double precision not null default 0, "memory_max" double precision not null default 0, ${BINS});`,
    );
    this.addSql(
      `alter table "execution_stats" add constraint "execution_stats_key_unique" unique ("plugin_id", "installation_id", "hour", "kind", "name");`,
    );
  }
}
