import type { Knex, SqlEntityManager } from '@mikro-orm/knex';
import { Plugin } from '../entities/index.ts';
import { applyKeyset, isPostgres, pageRequest, selectRows, toPage } from './read/index.ts';
import type { KeysetOrder, Page, PageArgs, PluginRecord } from './read/index.ts';
import { jsonArrayContains } from './read/index.ts';
import { normalizeTags } from './validation/validator.ts';

export const PLUGIN_SORTS = ['RELEVANCE', 'DOWNLOADS', 'RATING', 'NEWEST', 'NAME'] as const;
export type PluginSort = (typeof PLUGIN_SORTS)[number];

export interface PluginFilter {
  query?: string | null;
  category?: string | null;
  tags?: string[] | null;
  hook?: string | null;
  permission?: string | null;
  verifiedOnly?: boolean | null;
  featured?: boolean | null;
  sort?: PluginSort | null;
}

/** The filters a facet ignores: its own. */
export type Facet = 'categories' | 'tags' | 'hooks' | 'permissions';

const MAX_TERMS = 16;
const MAX_TERM_LENGTH = 64;

/**
 * The words of a search: runs of Unicode letters, marks and digits, lower-cased, the first 16
 * (each cut to 64 characters). Everything else separates words, so no input reaches the search
 * engine's query syntax: each word is quoted and matched as a prefix, and all must match.
 */
export function searchTerms(query: string | null | undefined): string[] {
  if (!query) return [];
  const words =
    query
      .normalize('NFC')
      .toLowerCase()
      .match(/[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu) ?? [];
  return [...new Set(words.map((w) => w.slice(0, MAX_TERM_LENGTH)))].slice(0, MAX_TERMS);
}

/** Column weights, in `plugin_search`'s column order: slug, name, tags, summary, publisher, description. */
const BM25 = 'bm25(plugin_search, 10.0, 10.0, 5.0, 3.0, 2.0, 1.0)';

/**
 * Joins the listings matching every term, as `search` with its `rank`: FTS5's bm25 on SQLite
 * (lower is better), ts_rank on PostgreSQL (higher is better). Terms are bound parameters.
 */
function joinSearch(em: SqlEntityManager, qb: Knex.QueryBuilder, terms: string[]): void {
  const knex = em.getKnex();
  const matches = isPostgres(em)
    ? knex.raw(
        `(select plugin_id, ts_rank(document, q)::float8 as rank from plugin_search, to_tsquery('simple', ?) q where document @@ q)`,
        [terms.map((t) => `'${t}':*`).join(' & ')],
      )
    : knex.raw(`(select rowid as plugin_id, ${BM25} as rank from plugin_search where plugin_search match ?)`, [
        terms.map((t) => `"${t}"*`).join(' AND '),
      ]);
  qb.join(knex.raw('? as search', [matches]), 'search.plugin_id', 'plugins.id');
}

/** Applies every filter but the one a facet ignores. */
function applyFilter(em: SqlEntityManager, qb: Knex.QueryBuilder, filter: PluginFilter, except?: Facet): void {
  const terms = searchTerms(filter.query);
  if (terms.length) joinSearch(em, qb, terms);
  // Text with no word in it ("%", "***") finds nothing; blank text is no query at all.
  else if (filter.query?.trim()) qb.whereRaw('1 = 0');
  if (filter.category && except !== 'categories') qb.andWhere('plugins.category', filter.category);
  if (except !== 'tags')
    for (const tag of normalizeTags(filter.tags ?? [])) jsonArrayContains(em, qb, 'plugins.tags', tag);
  if (filter.featured) qb.andWhere('plugins.featured', true);
  if (filter.verifiedOnly) {
    qb.whereExists((sub) =>
      sub
        .select(1)
        .from('users')
        .whereRaw('users.id = plugins.publisher_id')
        .andWhere('users.verified_publisher', true),
    );
  }
  for (const [column, value, facet] of [
    ['hooks', filter.hook, 'hooks'],
    ['permissions', filter.permission, 'permissions'],
  ] as const) {
    if (!value || except === facet) continue;
    qb.whereExists((sub) => {
      sub
        .select(1)
        .from('plugin_versions')
        .whereRaw('plugin_versions.plugin_id = plugins.id')
        .andWhere('plugin_versions.latest', true);
      jsonArrayContains(em, sub, `plugin_versions.${column}`, value);
    });
  }
}

function sortOrder(
  em: SqlEntityManager,
  sort: PluginSort,
): { order: KeysetOrder[]; key: (p: Ranked) => string | number } {
  const byId = (direction: 'asc' | 'desc'): KeysetOrder => ({ sql: 'plugins.id', direction, type: 'number' });
  switch (sort) {
    case 'RELEVANCE':
      // Equal ranks fall back to the id, so paging over relevance is a keyset like any other.
      return {
        order: [{ sql: 'search.rank', direction: isPostgres(em) ? 'desc' : 'asc', type: 'number' }, byId('asc')],
        key: (p) => p.searchRank as number,
      };
    case 'RATING':
      return {
        order: [{ sql: 'plugins.rating_average', direction: 'desc', type: 'number' }, byId('desc')],
        key: (p) => p.ratingAverage,
      };
    case 'NEWEST':
      return { order: [byId('desc')], key: (p) => p.id };
    case 'NAME':
      // The key is folded in JavaScript; "C" makes PostgreSQL compare it byte by byte, as SQLite does.
      return {
        order: [
          {
            sql: isPostgres(em) ? 'plugins.name_key collate "C"' : 'plugins.name_key',
            direction: 'asc',
            type: 'string',
          },
          byId('asc'),
        ],
        key: (p) => p.nameKey,
      };
    default:
      return {
        order: [{ sql: 'plugins.download_count', direction: 'desc', type: 'number' }, byId('desc')],
        key: (p) => p.downloadCount,
      };
  }
}

type Ranked = PluginRecord & { searchRank: number | null };

/**
 * One page of listings. `sort` defaults to RELEVANCE when the query has words, DOWNLOADS
 * otherwise (RELEVANCE without words sorts as DOWNLOADS). Ranks depend on every listing (term
 * frequencies), so a RELEVANCE cursor is exact while the listings stay as they were; a write in
 * between can move a listing across a page boundary, as with any sort on a changing value.
 */
export async function listPlugins(
  em: SqlEntityManager,
  filter: PluginFilter,
  page: PageArgs,
): Promise<Page<PluginRecord>> {
  const request = pageRequest(page);
  const searching = searchTerms(filter.query).length > 0;
  const sort = filter.sort ?? (searching ? 'RELEVANCE' : 'DOWNLOADS');
  const { order, key } = sortOrder(em, sort === 'RELEVANCE' && !searching ? 'DOWNLOADS' : sort);
  const rows = await selectRows<PluginRecord, { searchRank: number | null }>(
    em,
    Plugin,
    (qb) => {
      applyFilter(em, qb, filter);
      if (searching) qb.select('search.rank as search_rank');
      applyKeyset(qb, order, request);
      return qb;
    },
    (row) => ({
      searchRank: row.search_rank === undefined || row.search_rank === null ? null : Number(row.search_rank),
    }),
  );
  return toPage(rows, request, (p) => [key(p), p.id]);
}

export interface FacetCount {
  name: string;
  count: number;
}

/** Most values a facet lists (the most frequent first). */
export const MAX_FACET_VALUES = 100;

/**
 * Counts of one facet over the listings the filter finds, ignoring the facet's own filter:
 * one GROUP BY statement.
 */
export async function pluginFacet(em: SqlEntityManager, filter: PluginFilter, facet: Facet): Promise<FacetCount[]> {
  const knex = em.getKnex();
  const pg = isPostgres(em);
  const qb = knex('plugins');
  applyFilter(em, qb, filter, facet);
  const elements = (column: string) =>
    pg
      ? `cross join lateral jsonb_array_elements_text(${column}) as facet(value)`
      : `join json_each(${column}) as facet`;
  if (facet === 'tags') qb.joinRaw(elements('plugins.tags'));
  else if (facet !== 'categories')
    qb.join('plugin_versions as latest', (on) =>
      on.on('latest.plugin_id', 'plugins.id').andOnVal('latest.latest', true),
    ).joinRaw(elements(`latest.${facet}`));
  // Grouped by the expression, not an alias: SQLite would read `name` as plugins.name.
  const value = facet === 'categories' ? 'plugins.category' : 'facet.value';
  qb.select(`${value} as facet_value`)
    .count({ count: knex.raw('distinct plugins.id') })
    .groupBy(value)
    .orderBy([{ column: 'count', order: 'desc' }, { column: value }])
    .limit(MAX_FACET_VALUES);
  const rows = await em
    .getConnection()
    .execute<{ facet_value: string; count: number | string }[]>(qb, [], 'all', em.getTransactionContext());
  return rows.map((r) => ({ name: String(r.facet_value), count: Number(r.count) }));
}
