import { Migration } from '@mikro-orm/migrations';
import { nameSortKey } from '../../../entities/index.ts';

/**
 * Full-text search over listings: a tsvector per listing (`simple` configuration: no stemming,
 * no stop words) in `plugin_search` with a GIN index, kept by triggers in the transaction of
 * every write to a listing or its publisher; and the case-folded name key name sorts use.
 * Weights: A name and slug, B tags, C summary and publisher, D description.
 */
export class Migration20261204000100_plugin_search extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "plugins" add column "name_key" varchar(200) not null default '';`);
    for (const { id, name } of (await this.execute('select id, name from plugins')) as { id: number; name: string }[])
      this.addSql(this.getKnex()('plugins').update({ name_key: nameSortKey(name) }).where('id', id));
    this.addSql('drop index "plugins_name_id_index";');
    this.addSql('create index "plugins_name_key_id_index" on "plugins" ("name_key", "id");');

    this.addSql(
      'create table "plugin_search" ("plugin_id" int primary key references "plugins" ("id") on delete cascade, "document" tsvector not null);',
    );
    this.addSql('create index "plugin_search_document_index" on "plugin_search" using gin ("document");');
    this.addSql(`create function plugin_search_document(listing int) returns tsvector language sql stable as $$
      select setweight(to_tsvector('simple', p.name || ' ' || p.slug), 'A')
          || setweight(to_tsvector('simple', coalesce((select string_agg(t, ' ') from jsonb_array_elements_text(p.tags) t), '')), 'B')
          || setweight(to_tsvector('simple', p.summary || ' ' || u.handle || ' ' || u.display_name), 'C')
          || setweight(to_tsvector('simple', p.description), 'D')
      from plugins p join users u on u.id = p.publisher_id where p.id = listing
    $$;`);
    this.addSql(`create function plugin_search_sync() returns trigger language plpgsql as $$ begin
      insert into plugin_search (plugin_id, document) values (new.id, plugin_search_document(new.id))
        on conflict (plugin_id) do update set document = excluded.document;
      return null;
    end $$;`);
    this.addSql(`create function plugin_search_publisher() returns trigger language plpgsql as $$ begin
      update plugin_search s set document = plugin_search_document(s.plugin_id)
        from plugins p where p.id = s.plugin_id and p.publisher_id = new.id;
      return null;
    end $$;`);
    this.addSql(
      'create trigger plugins_search_sync after insert or update of slug, name, tags, summary, description, publisher_id on plugins for each row execute function plugin_search_sync();',
    );
    this.addSql(
      'create trigger users_search_sync after update of handle, display_name on users for each row execute function plugin_search_publisher();',
    );
    this.addSql('insert into plugin_search (plugin_id, document) select id, plugin_search_document(id) from plugins;');
  }
}
