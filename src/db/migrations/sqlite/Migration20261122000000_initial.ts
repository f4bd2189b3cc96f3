import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000000_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`blobs\` (\`sha256\` text not null, \`bytes\` blob not null, \`size_bytes\` integer not null, \`created_at\` datetime not null, primary key (\`sha256\`));`);

    this.addSql(`create table \`users\` (\`id\` integer not null primary key autoincrement, \`handle\` text not null, \`display_name\` text not null, \`role\` text check (\`role\` in ('ADMIN', 'PUBLISHER', 'MEMBER')) not null default 'MEMBER', \`verified_publisher\` integer not null default false, \`created_at\` datetime not null);`);
    this.addSql(`create unique index \`users_handle_unique\` on \`users\` (\`handle\`);`);

    this.addSql(`create table \`plugins\` (\`id\` integer not null primary key autoincrement, \`slug\` text not null, \`name\` text not null, \`summary\` text not null, \`description\` text not null default '', \`publisher_id\` integer not null, \`category\` text not null, \`tags\` json not null, \`license\` text null, \`homepage_url\` text null, \`repository_url\` text null, \`featured\` integer not null default false, \`deprecation_notice\` text null, \`download_count\` integer not null default 0, \`rating_count\` integer not null default 0, \`rating_sum\` integer not null default 0, \`rating_average\` double not null default 0, \`rating1\` integer not null default 0, \`rating2\` integer not null default 0, \`rating3\` integer not null default 0, \`rating4\` integer not null default 0, \`rating5\` integer not null default 0, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`plugins_publisher_id_foreign\` foreign key(\`publisher_id\`) references \`users\`(\`id\`) on update cascade);`);
    this.addSql(`create unique index \`plugins_slug_unique\` on \`plugins\` (\`slug\`);`);
    this.addSql(`create index \`plugins_publisher_id_index\` on \`plugins\` (\`publisher_id\`);`);
    this.addSql(`create index \`plugins_category_index\` on \`plugins\` (\`category\`);`);
    this.addSql(`create index \`plugins_featured_index\` on \`plugins\` (\`featured\`);`);
    this.addSql(`create index \`plugins_download_count_id_index\` on \`plugins\` (\`download_count\`, \`id\`);`);
    this.addSql(`create index \`plugins_rating_average_id_index\` on \`plugins\` (\`rating_average\`, \`id\`);`);
    this.addSql(`create index \`plugins_name_id_index\` on \`plugins\` (\`name\`, \`id\`);`);

    this.addSql(`create table \`reviews\` (\`id\` integer not null primary key autoincrement, \`plugin_id\` integer not null, \`author_id\` integer not null, \`rating\` integer not null, \`title\` text not null, \`body\` text not null default '', \`version_reviewed\` text null, \`helpful_count\` integer not null default 0, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`reviews_plugin_id_foreign\` foreign key(\`plugin_id\`) references \`plugins\`(\`id\`) on delete cascade on update cascade, constraint \`reviews_author_id_foreign\` foreign key(\`author_id\`) references \`users\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`reviews_plugin_id_index\` on \`reviews\` (\`plugin_id\`);`);
    this.addSql(`create index \`reviews_author_id_index\` on \`reviews\` (\`author_id\`);`);
    this.addSql(`create index \`reviews_plugin_id_created_at_index\` on \`reviews\` (\`plugin_id\`, \`created_at\`);`);
    this.addSql(`create unique index \`reviews_plugin_id_author_id_unique\` on \`reviews\` (\`plugin_id\`, \`author_id\`);`);

    this.addSql(`create table \`review_votes\` (\`id\` integer not null primary key autoincrement, \`review_id\` integer not null, \`voter_id\` integer not null, \`helpful\` integer not null, \`created_at\` datetime not null, constraint \`review_votes_review_id_foreign\` foreign key(\`review_id\`) references \`reviews\`(\`id\`) on delete cascade on update cascade, constraint \`review_votes_voter_id_foreign\` foreign key(\`voter_id\`) references \`users\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`review_votes_review_id_index\` on \`review_votes\` (\`review_id\`);`);
    this.addSql(`create index \`review_votes_voter_id_index\` on \`review_votes\` (\`voter_id\`);`);
    this.addSql(`create unique index \`review_votes_review_id_voter_id_unique\` on \`review_votes\` (\`review_id\`, \`voter_id\`);`);

    this.addSql(`create table \`plugin_versions\` (\`id\` integer not null primary key autoincrement, \`plugin_id\` integer not null, \`version\` text not null, \`latest\` integer not null default false, \`manifest\` json not null, \`sha256\` text not null, \`prepared_sha256\` text not null, \`size_bytes\` integer not null, \`permissions\` json not null, \`functions\` json not null, \`hooks\` json not null, \`host_api\` text not null, \`dependencies\` json not null, \`config_schema\` json null, \`limits\` json not null, \`changelog\` text not null default '', \`prerelease\` integer not null default false, \`yanked\` integer not null default false, \`deprecation_reason\` text null, \`published_at\` datetime not null, constraint \`plugin_versions_plugin_id_foreign\` foreign key(\`plugin_id\`) references \`plugins\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`plugin_versions_plugin_id_index\` on \`plugin_versions\` (\`plugin_id\`);`);
    this.addSql(`create index \`plugin_versions_plugin_id_latest_index\` on \`plugin_versions\` (\`plugin_id\`, \`latest\`);`);
    this.addSql(`create unique index \`plugin_versions_plugin_id_version_unique\` on \`plugin_versions\` (\`plugin_id\`, \`version\`);`);

    this.addSql(`create table \`installations\` (\`id\` integer not null primary key autoincrement, \`owner_id\` integer not null, \`plugin_id\` integer not null, \`version_id\` integer not null, \`version_range\` text not null, \`config\` json not null, \`granted_permissions\` json not null, \`enabled\` integer not null default true, \`priority\` integer not null default 0, \`criticality\` text check (\`criticality\` in ('CRITICAL', 'OPTIONAL')) not null default 'OPTIONAL', \`circuit_state\` text check (\`circuit_state\` in ('CLOSED', 'OPEN', 'HALF_OPEN')) not null default 'CLOSED', \`consecutive_failures\` integer not null default 0, \`circuit_opened_at\` datetime null, \`last_error\` text null, \`history\` json not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`installations_owner_id_foreign\` foreign key(\`owner_id\`) references \`users\`(\`id\`) on update cascade, constraint \`installations_plugin_id_foreign\` foreign key(\`plugin_id\`) references \`plugins\`(\`id\`) on update cascade, constraint \`installations_version_id_foreign\` foreign key(\`version_id\`) references \`plugin_versions\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`installations_owner_id_index\` on \`installations\` (\`owner_id\`);`);
    this.addSql(`create index \`installations_plugin_id_index\` on \`installations\` (\`plugin_id\`);`);
    this.addSql(`create index \`installations_version_id_index\` on \`installations\` (\`version_id\`);`);
    this.addSql(`create unique index \`installations_owner_id_plugin_id_unique\` on \`installations\` (\`owner_id\`, \`plugin_id\`);`);

    this.addSql(`create table \`kv_entries\` (\`id\` integer not null primary key autoincrement, \`installation_id\` integer not null, \`key\` text not null, \`value\` blob not null, \`size_bytes\` integer not null, \`updated_at\` datetime not null, constraint \`kv_entries_installation_id_foreign\` foreign key(\`installation_id\`) references \`installations\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`kv_entries_installation_id_index\` on \`kv_entries\` (\`installation_id\`);`);
    this.addSql(`create unique index \`kv_entries_installation_id_key_unique\` on \`kv_entries\` (\`installation_id\`, \`key\`);`);

    this.addSql(`create table \`clips\` (\`id\` integer not null primary key autoincrement, \`owner_id\` integer not null, \`title\` text not null, \`description\` text not null default '', \`media_url\` text not null, \`duration_ms\` integer not null, \`width\` integer null, \`height\` integer null, \`fps\` real null, \`codec\` text null, \`size_bytes\` integer null, \`game\` text null, \`tags\` json not null, \`status\` text check (\`status\` in ('CAPTURED', 'PROCESSING', 'PROCESSED', 'FAILED')) not null default 'CAPTURED', \`metadata\` json not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`clips_owner_id_foreign\` foreign key(\`owner_id\`) references \`users\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`clips_owner_id_index\` on \`clips\` (\`owner_id\`);`);
    this.addSql(`create index \`clips_owner_id_created_at_index\` on \`clips\` (\`owner_id\`, \`created_at\`);`);
    this.addSql(`create index \`clips_owner_id_game_index\` on \`clips\` (\`owner_id\`, \`game\`);`);

    this.addSql(`create table \`executions\` (\`id\` integer not null primary key autoincrement, \`installation_id\` integer not null, \`version_id\` integer not null, \`clip_id\` integer null, \`trigger\` text check (\`trigger\` in ('MANUAL', 'HOOK', 'SCHEDULE')) not null, \`hook\` text null, \`function\` text not null, \`status\` text check (\`status\` in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'FUEL_EXHAUSTED', 'MEMORY_EXCEEDED', 'REJECTED')) not null default 'QUEUED', \`duration_ms\` real null, \`fuel_used\` double null, \`peak_memory_bytes\` integer null, \`input_size\` integer not null, \`input\` text not null, \`input_truncated\` integer not null default false, \`output_size\` integer null, \`output\` text null, \`error_code\` text null, \`error_message\` text null, \`logs\` json not null, \`logs_truncated\` integer not null default false, \`created_at\` datetime not null, \`finished_at\` datetime null, constraint \`executions_installation_id_foreign\` foreign key(\`installation_id\`) references \`installations\`(\`id\`) on delete cascade on update cascade, constraint \`executions_version_id_foreign\` foreign key(\`version_id\`) references \`plugin_versions\`(\`id\`) on update cascade, constraint \`executions_clip_id_foreign\` foreign key(\`clip_id\`) references \`clips\`(\`id\`) on delete set null on update cascade);`);
    this.addSql(`create index \`executions_installation_id_index\` on \`executions\` (\`installation_id\`);`);
    this.addSql(`create index \`executions_version_id_index\` on \`executions\` (\`version_id\`);`);
    this.addSql(`create index \`executions_installation_id_created_at_index\` on \`executions\` (\`installation_id\`, \`created_at\`);`);
    this.addSql(`create index \`executions_clip_id_index\` on \`executions\` (\`clip_id\`);`);

    this.addSql(`create table \`api_tokens\` (\`id\` integer not null primary key autoincrement, \`user_id\` integer not null, \`token_hash\` text not null, \`label\` text not null default 'cli', \`created_at\` datetime not null, constraint \`api_tokens_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`api_tokens_user_id_index\` on \`api_tokens\` (\`user_id\`);`);
    this.addSql(`create unique index \`api_tokens_token_hash_unique\` on \`api_tokens\` (\`token_hash\`);`);
  }

}
