import { Migration } from '@mikro-orm/migrations';

// As src/services/read/read-version.ts lists them when this migration was written.
const READ_VERSION_KEY = 'read_version';
const VERSIONED_TABLES = ['users', 'plugins', 'plugin_versions', 'reviews', 'review_votes', 'signing_keys'];
const VERSIONED_INSTALLATION_COLUMNS = ['owner_id', 'plugin_id', 'version_id', 'enabled'];

const BUMP = `update settings set value = cast(value as integer) + 1 where key = '${READ_VERSION_KEY}';`;

/** The read version (src/services/read/read-version.ts): a counter every write to public data moves. */
export class Migration20261205000350_read_version extends Migration {
  override async up(): Promise<void> {
    this.addSql(`insert into settings (key, value) values ('${READ_VERSION_KEY}', '0');`);
    const on = (name: string, event: string, table: string) =>
      this.addSql(`create trigger read_version_${table}_${name} after ${event} on ${table} begin ${BUMP} end;`);
    for (const table of VERSIONED_TABLES) {
      on('insert', 'insert', table);
      on('update', 'update', table);
      on('delete', 'delete', table);
    }
    on('insert', 'insert', 'installations');
    on('update', `update of ${VERSIONED_INSTALLATION_COLUMNS.join(', ')}`, 'installations');
    on('delete', 'delete', 'installations');
  }
}
