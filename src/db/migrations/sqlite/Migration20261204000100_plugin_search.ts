import { Migration } from '@mikro-orm/migrations';
import { nameSortKey } from '../../../entities/index.ts';

/** The text one listing is found by, in the search table's column order. */
const DOCUMENT = (p: string) =>
  `${p}.id, ${p}.slug, ${p}.name, (select group_concat(value, ' ') from json_each(${p}.tags)), ${p}.summary, (select handle || ' ' || display_name from users where users.id = ${p}.publisher_id), ${p}.description`;

/**
 * Full-text search (FTS5) over listings, kept by triggers in the transaction of every write to a
 * listing or its publisher; and the case-folded name key name sorts use.
 */
export class Migration20261204000100_plugin_search extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`plugins\` add column \`name_key\` text not null default '';`);
    for (const { id, name } of (await this.execute('select id, name from plugins')) as { id: number; name: string }[])
      this.addSql(this.getKnex()('plugins').update({ name_key: nameSortKey(name) }).where('id', id));
    this.addSql('drop index `plugins_name_id_index`;');
    this.addSql('create index `plugins_name_key_id_index` on `plugins` (`name_key`, `id`);');

    this.addSql(
      `create virtual table plugin_search using fts5(slug, name, tags, summary, publisher, description, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');`,
    );
    this.addSql(
      `insert into plugin_search (rowid, slug, name, tags, summary, publisher, description) select ${DOCUMENT('p')} from plugins p;`,
    );
    this.addSql(
      `create trigger plugins_search_insert after insert on plugins begin insert into plugin_search (rowid, slug, name, tags, summary, publisher, description) select ${DOCUMENT('new')}; end;`,
    );
    this.addSql(
      `create trigger plugins_search_update after update of slug, name, tags, summary, description, publisher_id on plugins begin delete from plugin_search where rowid = old.id; insert into plugin_search (rowid, slug, name, tags, summary, publisher, description) select ${DOCUMENT('new')}; end;`,
    );
    this.addSql(
      'create trigger plugins_search_delete after delete on plugins begin delete from plugin_search where rowid = old.id; end;',
    );
    this.addSql(
      `create trigger users_search_update after update of handle, display_name on users begin update plugin_search set publisher = new.handle || ' ' || new.display_name where rowid in (select id from plugins where publisher_id = new.id); end;`,
    );
  }
}
