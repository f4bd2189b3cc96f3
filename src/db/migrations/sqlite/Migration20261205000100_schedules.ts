import { Migration } from '@mikro-orm/migrations';

/** Cron schedules of installations, and the schedule that started an execution. */
export class Migration20261205000100_schedules extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`schedules\` (\`id\` integer not null primary key autoincrement, \`installation_id\` integer not null, \`created_by_id\` integer not null, \`function\` text not null, \`input\` text not null, \`cron\` text not null, \`timezone\` text not null, \`paused\` integer not null default false, \`paused_reason\` text null, \`next_run_at\` datetime null, \`last_run_at\` datetime null, \`last_execution_id\` integer null, \`skipped_runs\` integer not null default 0, \`lease_owner\` text null, \`leased_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`schedules_installation_id_foreign\` foreign key(\`installation_id\`) references \`installations\`(\`id\`) on delete cascade on update cascade, constraint \`schedules_created_by_id_foreign\` foreign key(\`created_by_id\`) references \`users\`(\`id\`) on update cascade);`,
    );
    this.addSql(`create index \`schedules_installation_id_index\` on \`schedules\` (\`installation_id\`);`);
    this.addSql(`create index \`schedules_created_by_id_index\` on \`schedules\` (\`created_by_id\`);`);
    this.addSql(`create index \`schedules_next_run_at_index\` on \`schedules\` (\`next_run_at\`);`);
    this.addSql(
      `alter table \`executions\` add column \`schedule_id\` integer null constraint \`executions_schedule_id_foreign\` references \`schedules\` (\`id\`) on update cascade on delete set null;`,
    );
    this.addSql(`create index \`executions_schedule_id_index\` on \`executions\` (\`schedule_id\`);`);
  }
}
