import { Migration } from '@mikro-orm/migrations';

/** Tokens get a name, scopes (existing tokens: full), an expiry, last use and revocation; the audit trail. */
export class Migration20261204000600_tokens_audit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "api_tokens" rename column "label" to "name";`);
    this.addSql(
      `alter table "api_tokens" add column "scopes" varchar(100) not null default 'READ,WRITE,PUBLISH', add column "expires_at" timestamptz null, add column "last_used_at" timestamptz null, add column "revoked_at" timestamptz null;`,
    );
    this.addSql(
      `create table "audit_events" ("id" serial primary key, "at" timestamptz not null, "actor_id" int null, "actor_handle" varchar(40) null, "token_id" int null, "action" varchar(40) not null, "subject_type" varchar(40) not null, "subject_id" int null, "subject" varchar(200) not null, "details" jsonb null);`,
    );
    this.addSql(`create index "audit_events_actor_id_id_index" on "audit_events" ("actor_id", "id");`);
    this.addSql(`create index "audit_events_action_id_index" on "audit_events" ("action", "id");`);
    this.addSql(
      `create index "audit_events_subject_type_subject_id_index" on "audit_events" ("subject_type", "subject_id");`,
    );
  }
}
