import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000000_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "blobs" ("sha256" varchar(64) not null, "bytes" bytea not null, "size_bytes" int not null, "created_at" timestamptz not null, constraint "blobs_pkey" primary key ("sha256"));`);

    this.addSql(`create table "users" ("id" serial primary key, "handle" varchar(40) not null, "display_name" varchar(100) not null, "role" text check ("role" in ('ADMIN', 'PUBLISHER', 'MEMBER')) not null default 'MEMBER', "verified_publisher" boolean not null default false, "created_at" timestamptz not null);`);
    this.addSql(`alter table "users" add constraint "users_handle_unique" unique ("handle");`);

    this.addSql(`create table "plugins" ("id" serial primary key, "slug" varchar(64) not null, "name" varchar(100) not null, "summary" varchar(200) not null, "description" text not null default '', "publisher_id" int not null, "category" varchar(40) not null, "tags" jsonb not null, "license" varchar(64) null, "homepage_url" varchar(500) null, "repository_url" varchar(500) null, "featured" boolean not null default false, "deprecation_notice" varchar(500) null, "download_count" int not null default 0, "rating_count" int not null default 0, "rating_sum" int not null default 0, "rating_average" double precision not null default 0, "rating1" int not null default 0, "rating2" int not null default 0, "rating3" int not null default 0, "rating4" int not null default 0, "rating5" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`alter table "plugins" add constraint "plugins_slug_unique" unique ("slug");`);
    this.addSql(`create index "plugins_publisher_id_index" on "plugins" ("publisher_id");`);
    this.addSql(`create index "plugins_category_index" on "plugins" ("category");`);
    this.addSql(`create index "plugins_featured_index" on "plugins" ("featured");`);
    this.addSql(`create index "plugins_download_count_id_index" on "plugins" ("download_count", "id");`);
    this.addSql(`create index "plugins_rating_average_id_index" on "plugins" ("rating_average", "id");`);
    this.addSql(`create index "plugins_name_id_index" on "plugins" ("name", "id");`);

    this.addSql(`create table "reviews" ("id" serial primary key, "plugin_id" int not null, "author_id" int not null, "rating" int not null, "title" varchar(120) not null, "body" text not null default '', "version_reviewed" varchar(64) null, "helpful_count" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`create index "reviews_author_id_index" on "reviews" ("author_id");`);
    this.addSql(`create index "reviews_plugin_id_created_at_index" on "reviews" ("plugin_id", "created_at");`);
    this.addSql(`alter table "reviews" add constraint "reviews_plugin_id_author_id_unique" unique ("plugin_id", "author_id");`);

    this.addSql(`create table "review_votes" ("id" serial primary key, "review_id" int not null, "voter_id" int not null, "helpful" boolean not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "review_votes_voter_id_index" on "review_votes" ("voter_id");`);
    this.addSql(`alter table "review_votes" add constraint "review_votes_review_id_voter_id_unique" unique ("review_id", "voter_id");`);

    this.addSql(`create table "plugin_versions" ("id" serial primary key, "plugin_id" int not null, "version" varchar(64) not null, "latest" boolean not null default false, "manifest" jsonb not null, "sha256" varchar(64) not null, "prepared_sha256" varchar(64) not null, "size_bytes" int not null, "permissions" jsonb not null, "functions" jsonb not null, "hooks" jsonb not null, "host_api" varchar(64) not null, "dependencies" jsonb not null, "config_schema" jsonb null, "limits" jsonb not null, "changelog" text not null default '', "prerelease" boolean not null default false, "yanked" boolean not null default false, "deprecation_reason" varchar(500) null, "published_at" timestamptz not null);`);
    this.addSql(`create index "plugin_versions_plugin_id_index" on "plugin_versions" ("plugin_id");`);
    this.addSql(`create index "plugin_versions_plugin_id_latest_index" on "plugin_versions" ("plugin_id", "latest");`);
    this.addSql(`alter table "plugin_versions" add constraint "plugin_versions_plugin_id_version_unique" unique ("plugin_id", "version");`);

    this.addSql(`create table "installations" ("id" serial primary key, "owner_id" int not null, "plugin_id" int not null, "version_id" int not null, "version_range" varchar(100) not null, "config" jsonb not null, "granted_permissions" jsonb not null, "enabled" boolean not null default true, "priority" int not null default 0, "criticality" text check ("criticality" in ('CRITICAL', 'OPTIONAL')) not null default 'OPTIONAL', "circuit_state" text check ("circuit_state" in ('CLOSED', 'OPEN', 'HALF_OPEN')) not null default 'CLOSED', "consecutive_failures" int not null default 0, "circuit_opened_at" timestamptz null, "last_error" varchar(1000) null, "history" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`create index "installations_owner_id_index" on "installations" ("owner_id");`);
    this.addSql(`create index "installations_plugin_id_index" on "installations" ("plugin_id");`);
    this.addSql(`alter table "installations" add constraint "installations_owner_id_plugin_id_unique" unique ("owner_id", "plugin_id");`);

    this.addSql(`create table "kv_entries" ("id" serial primary key, "installation_id" int not null, "key" varchar(256) not null, "value" bytea not null, "size_bytes" int not null, "updated_at" timestamptz not null);`);
    this.addSql(`alter table "kv_entries" add constraint "kv_entries_installation_id_key_unique" unique ("installation_id", "key");`);

    this.addSql(`create table "clips" ("id" serial primary key, "owner_id" int not null, "title" varchar(200) not null, "description" text not null default '', "media_url" varchar(1000) not null, "duration_ms" int not null, "width" int null, "height" int null, "fps" real null, "codec" varchar(40) null, "size_bytes" int null, "game" varchar(100) null, "tags" jsonb not null, "status" text check ("status" in ('CAPTURED', 'PROCESSING', 'PROCESSED', 'FAILED')) not null default 'CAPTURED', "metadata" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`create index "clips_owner_id_created_at_index" on "clips" ("owner_id", "created_at");`);
    this.addSql(`create index "clips_owner_id_game_index" on "clips" ("owner_id", "game");`);

    this.addSql(`create table "executions" ("id" serial primary key, "installation_id" int not null, "version_id" int not null, "clip_id" int null, "trigger" text check ("trigger" in ('MANUAL', 'HOOK', 'SCHEDULE')) not null, "hook" varchar(40) null, "function" varchar(100) not null, "status" text check ("status" in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'FUEL_EXHAUSTED', 'MEMORY_EXCEEDED', 'REJECTED')) not null default 'QUEUED', "duration_ms" real null, "fuel_used" double precision null, "peak_memory_bytes" int null, "input_size" int not null, "input" text not null, "input_truncated" boolean not null default false, "output_size" int null, "output" text null, "error_code" varchar(64) null, "error_message" text null, "logs" jsonb not null, "logs_truncated" boolean not null default false, "created_at" timestamptz not null, "finished_at" timestamptz null);`);
    this.addSql(`create index "executions_installation_id_created_at_index" on "executions" ("installation_id", "created_at");`);
    this.addSql(`create index "executions_clip_id_index" on "executions" ("clip_id");`);

    this.addSql(`create table "api_tokens" ("id" serial primary key, "user_id" int not null, "token_hash" varchar(64) not null, "label" varchar(100) not null default 'cli', "created_at" timestamptz not null);`);
    this.addSql(`create index "api_tokens_user_id_index" on "api_tokens" ("user_id");`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "plugins" add constraint "plugins_publisher_id_foreign" foreign key ("publisher_id") references "users" ("id") on update cascade;`);

    this.addSql(`alter table "reviews" add constraint "reviews_plugin_id_foreign" foreign key ("plugin_id") references "plugins" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "reviews" add constraint "reviews_author_id_foreign" foreign key ("author_id") references "users" ("id") on update cascade;`);

    this.addSql(`alter table "review_votes" add constraint "review_votes_review_id_foreign" foreign key ("review_id") references "reviews" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "review_votes" add constraint "review_votes_voter_id_foreign" foreign key ("voter_id") references "users" ("id") on update cascade;`);

    this.addSql(`alter table "plugin_versions" add constraint "plugin_versions_plugin_id_foreign" foreign key ("plugin_id") references "plugins" ("id") on update cascade;`);

    this.addSql(`alter table "installations" add constraint "installations_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade;`);
    this.addSql(`alter table "installations" add constraint "installations_plugin_id_foreign" foreign key ("plugin_id") references "plugins" ("id") on update cascade;`);
    this.addSql(`alter table "installations" add constraint "installations_version_id_foreign" foreign key ("version_id") references "plugin_versions" ("id") on update cascade;`);

    this.addSql(`alter table "kv_entries" add constraint "kv_entries_installation_id_foreign" foreign key ("installation_id") references "installations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "clips" add constraint "clips_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade;`);

    this.addSql(`alter table "executions" add constraint "executions_installation_id_foreign" foreign key ("installation_id") references "installations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "executions" add constraint "executions_version_id_foreign" foreign key ("version_id") references "plugin_versions" ("id") on update cascade;`);
    this.addSql(`alter table "executions" add constraint "executions_clip_id_foreign" foreign key ("clip_id") references "clips" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "api_tokens" add constraint "api_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

}
