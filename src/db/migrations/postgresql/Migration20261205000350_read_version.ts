import { Migration } from '@mikro-orm/migrations';

// As src/services/read/read-version.ts lists them when this migration was written.
const READ_VERSION_KEY = 'read_version';
const VERSIONED_TABLES = ['users', 'plugins', 'plugin_versions', 'reviews', 'review_votes', 'signing_keys'];
const VERSIONED_INSTALLATION_COLUMNS = ['owner_id', 'plugin_id', 'version_id', 'enabled'];

/**
 * The read version (src/services/read/read-version.ts): a counter every write to public data
 * moves. The triggers are deferred to commit, so a transaction takes the counter's row lock last,
 * after every other lock it needs: two writers cannot deadlock over it.
 */
export class Migration20261205000350_read_version extends Migration {
  override async up(): Promise<void> {
    this.addSql(`insert into "settings" ("key", "value") values ('${READ_VERSION_KEY}', '0');`);
    this.addSql(`create function read_version_bump() returns trigger language plpgsql as $$ begin
      update settings set value = (value::bigint + 1)::text where key = '${READ_VERSION_KEY}';
      return null;
    end $$;`);
    const on = (table: string, events: string) =>
      this.addSql(
        `create constraint trigger read_version_${table} after ${events} on "${table}" deferrable initially deferred for each row execute function read_version_bump();`,
      );
    for (const table of VERSIONED_TABLES) on(table, 'insert or update or delete');
    on('installations', `insert or delete or update of ${VERSIONED_INSTALLATION_COLUMNS.join(', ')}`);
  }
}
