import { Migration } from '@mikro-orm/migrations';

/** Tokens get a name, scopes (existing tokens: full), an expiry, last use and revocation; the audit trail. */
export class Migration20261204000600_tokens_audit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`api_tokens\` rename column \`label\` to \`name\`;`);
    this.addSql(`alter table \`api_tokens\` add column \`scopes\` text not null default 'READ,WRITE,PUBLISH';`);
    this.addSql(`alter table \`api_tokens\` add column \`expires_at\` datetime null;`);
    this.addSql(`alter table \`api_tokens\` add column \`last_used_at\` datetime null;`);
    this.addSql(`alter table \`api_tokens\` add column \`revoked_at\` datetime null;`);
    this.addSql(
      `create table \`audit_events\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`actor_id\` integer null, \`actor_handle\` text null, \`token_id\` integer null, \`action\` text not null, \`subject_type\` text not null, \`subject_id\` integer null, \`subject\` text not null, \`details\` json null);`,
    );
    this.addSql(`create index \`audit_events_actor_id_id_index\` on \`audit_events\` (\`actor_id\`, \`id\`);`);
    this.addSql(`create index \`audit_events_action_id_index\` on \`audit_events\` (\`action\`, \`id\`);`);
    this.addSql(
      `create index \`audit_events_subject_type_subject_id_index\` on \`audit_events\` (\`subject_type\`, \`subject_id\`);`,
    );
  }
}
