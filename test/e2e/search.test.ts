import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../src/entities/index.ts';
import { seedDatabase } from '../../src/seed/seed.ts';
import { createPlugin } from '../../src/services/plugins.ts';
import type { UserRecord } from '../../src/services/read/index.ts';
import { createUser } from '../../src/services/users.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface Listing {
  slug: string;
  name: string;
  category: string;
  tags: string[];
  publisher: { handle: string; verifiedPublisher: boolean };
  latestVersion: { hooks: string[]; permissions: string[] } | null;
}
interface Connection {
  edges: { cursor: string; node: Listing }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  facets?: Record<Facet, { name: string; count: number }[]>;
}
type Facet = 'categories' | 'tags' | 'hooks' | 'permissions';
type Filter = {
  query?: string;
  category?: string;
  tags?: string[];
  hook?: string;
  permission?: string;
  verifiedOnly?: boolean;
  sort?: string;
};

const NODE = 'slug name category tags publisher { handle verifiedPublisher } latestVersion { hooks permissions }';
const FACETS =
  'facets { categories { name count } tags { name count } hooks { name count } permissions { name count } }';
const SEARCH = `query ($query: String, $category: String, $tags: [String!], $hook: String, $permission: String,
  $verifiedOnly: Boolean, $sort: PluginSort, $first: Int, $after: String, $last: Int, $before: String) {
  plugins(query: $query, category: $category, tags: $tags, hook: $hook, permission: $permission,
    verifiedOnly: $verifiedOnly, sort: $sort, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { ${NODE} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } FACETS_HERE
  }
}`;

let server: TestServer;
let statements: string[] | null = null;
let publisher: UserRecord;
let other: UserRecord;
let otherToken: string;

const search = async (vars: Filter & Record<string, unknown>, facets = false) =>
  (
    await server.ok<{ plugins: Connection }, Record<string, unknown>>(
      SEARCH.replace('FACETS_HERE', facets ? FACETS : ''),
      vars,
    )
  ).plugins;
const slugs = async (vars: Filter & Record<string, unknown>) =>
  (await search({ first: 100, ...vars })).edges.map((e) => e.node.slug);

beforeAll(async () => {
  server = await startTestServer({ onQuery: (sql) => statements?.push(sql) });
  await seedDatabase(server.app.platform);
  publisher = (await createUser(server.app.platform, { handle: 'quasarhq', displayName: 'Q', role: 'PUBLISHER' })).user;
  ({ user: other, token: otherToken } = await createUser(server.app.platform, {
    handle: 'plainco',
    displayName: 'P',
    role: 'PUBLISHER',
  }));
  // One word, "quasar", in exactly one field of each listing; everything else the same length.
  const filler = { summary: 'lorem ipsum dolor', description: 'sit amet consectetur', tags: ['misc'] };
  const ranked: [string, UserRecord, Record<string, unknown>][] = [
    ['rank-desc', other, { description: 'sit amet quasar' }],
    ['rank-pub', publisher, {}],
    ['rank-summary', other, { summary: 'lorem ipsum quasar' }],
    ['rank-tags', other, { tags: ['quasar'] }],
    ['rank-name', other, { name: 'Quasar' }],
  ];
  for (const [slug, owner, fields] of ranked)
    await createPlugin(server.app.platform, owner, {
      slug,
      name: 'Neutral',
      category: 'other',
      ...filler,
      ...fields,
    });
}, 180_000);
afterAll(() => server.stop());

describe('full-text search', () => {
  it('finds by tag, by word prefixes across fields, and by publisher handle', async () => {
    expect((await slugs({ query: 'fps' })).sort()).toEqual(['highlight-detector', 'kill-counter']);
    expect(await slugs({ query: 'highlights det' })).toEqual(['highlight-detector']);
    expect(await slugs({ query: 'HIGH DETECT' })).toEqual(['highlight-detector']);
    const everything = (await search({ first: 100 })).edges.map((e) => e.node);
    const ofStreamkit = everything.filter((n) => n.publisher.handle === 'streamkit').map((n) => n.slug);
    expect(ofStreamkit.length).toBeGreaterThan(0);
    expect((await slugs({ query: 'streamk' })).sort()).toEqual(ofStreamkit.sort());
    // Every word must match.
    expect(await slugs({ query: 'fps nosuchword' })).toEqual([]);
    // Blank text is no query; text without a word finds nothing.
    expect(await slugs({ query: '   ' })).toEqual(await slugs({}));
    expect(await slugs({ query: '%' })).toEqual([]);
  });

  it('ranks name over tags over summary and publisher over description, RELEVANCE by default', async () => {
    const order = await slugs({ query: 'quasar' });
    expect(order).toHaveLength(5);
    expect(order[0]).toBe('rank-name');
    expect(order[1]).toBe('rank-tags');
    expect(order.slice(2, 4).sort()).toEqual(['rank-pub', 'rank-summary']);
    expect(order[4]).toBe('rank-desc');
    expect(await slugs({ query: 'quasar', sort: 'RELEVANCE' })).toEqual(order);
    // Another sort on the same search keeps its matches.
    expect((await slugs({ query: 'quasar', sort: 'NAME' })).sort()).toEqual([...order].sort());
  });

  it('pages over RELEVANCE forwards and backwards without gaps or repeats', async () => {
    for (const query of ['quasar', 'clip', 'stats', 'a']) {
      const all = (await search({ query, first: 100 })).edges.map((e) => e.cursor);
      const forward: string[] = [];
      let after: string | null = null;
      do {
        const page: Connection = await search({ query, first: 2, after });
        forward.push(...page.edges.map((e) => e.cursor));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(forward, query).toEqual(all);
      const backward: string[] = [];
      let before: string | null = null;
      let first = true;
      while (first || before) {
        first = false;
        const page: Connection = await search({ query, last: 2, before });
        backward.unshift(...page.edges.map((e) => e.cursor));
        before = page.pageInfo.hasPreviousPage ? page.pageInfo.startCursor : null;
      }
      expect(backward, query).toEqual(all);
    }
  });

  it('makes a listing edit and a publisher rename searchable at once', async () => {
    expect(await slugs({ query: 'xylophone' })).toEqual([]);
    await server.ok(
      'mutation ($input: UpdatePluginInput!) { updatePlugin(input: $input) { slug } }',
      { input: { slug: 'rank-desc', summary: 'Tunes a xylophone', tags: ['music'] } },
      otherToken,
    );
    expect(await slugs({ query: 'xylophone' })).toEqual(['rank-desc']);
    expect(await slugs({ query: 'xyloph' })).toEqual(['rank-desc']);
    expect(await slugs({ query: 'music' })).toEqual(['rank-desc']);
    expect(await slugs({ query: 'lorem', tags: ['misc'] })).not.toContain('rank-desc');
    // A handle changed behind the API (no mutation renames users yet) is indexed by the same write.
    const em = server.app.platform.db.fork();
    await em.nativeUpdate(User, { id: publisher.id }, { handle: 'nebulahq' });
    expect(await slugs({ query: 'nebula' })).toEqual(['rank-pub']);
    expect(await slugs({ query: 'quasarhq' })).toEqual([]);
  });

  it('never fails on hostile query text', async () => {
    const fragments = [
      '"',
      '""',
      "'",
      '*',
      '**',
      '"fps"*',
      'NEAR',
      'NEAR(fps det)',
      'AND',
      'OR',
      'NOT',
      '(',
      ')',
      '()',
      ':',
      ':*',
      'name:',
      '{name}:',
      '&',
      '|',
      '!',
      '&|!',
      '<->',
      '^',
      '-',
      '+',
      '\\',
      '%',
      '_',
      ';',
      '--',
      '/*',
      '$1',
      '?',
      'é',
      'ß',
      'İ',
      '中文',
      '🚀',
      '\u200b',
      'e\u0301',
      'ﷺ',
      'a'.repeat(5000),
      'word '.repeat(300),
    ];
    const variants = fragments.flatMap((f) => [f, `fps ${f}`, `${f}fps${f}`, `${f} ${f} det${f}${f}`]);
    for (const [i, query] of variants.entries()) {
      const result = await server.gql<{ plugins: Connection }, Record<string, unknown>>(
        SEARCH.replace('FACETS_HERE', FACETS),
        { query, sort: i % 2 ? 'RELEVANCE' : 'NAME', first: 3 },
      );
      expect(result.errors, JSON.stringify(query.slice(0, 40))).toBeUndefined();
    }
    // Punctuation around a word is no syntax: the word is searched for.
    const fps = await slugs({ query: 'fps' });
    for (const f of ['"', '*', ':', '(', ')', '&|!', ':*', '^', '-', "'"])
      expect(await slugs({ query: `${f}fps${f}`, sort: 'RELEVANCE' }), f).toEqual(fps);
  }, 120_000);
});

describe('facets', () => {
  it('count each value over the listings found, honouring every other filter', async () => {
    const everything = (await search({ first: 100 })).edges.map((e) => e.node);
    const pick = <T>(values: T[], i: number) => values[i % values.length];
    const queries = [undefined, 'clip', 'stats', 'fps', undefined, 'a', 'quasar'];
    const categories = [undefined, 'highlights', undefined, 'analytics', 'utilities'];
    const tags = [undefined, ['stats'], undefined, ['fps'], ['misc']];
    const hooks = [undefined, 'clip.captured', undefined];
    const permissions = [undefined, 'log', undefined, 'clips:write'];
    const values = (node: Listing, facet: Facet): string[] =>
      facet === 'categories'
        ? [node.category]
        : facet === 'tags'
          ? node.tags
          : (node.latestVersion?.[facet === 'hooks' ? 'hooks' : 'permissions'] ?? []);
    let nonEmpty = 0;
    for (let i = 0; i < 24; i++) {
      // A spread of filter combinations (co-prime strides visit different pairings).
      const filter: Filter = {
        query: pick(queries, i),
        category: pick(categories, i * 3 + 1),
        tags: pick(tags, i * 5 + 2),
        hook: pick(hooks, i * 7),
        permission: pick(permissions, i * 11 + 1),
        verifiedOnly: i % 4 === 3,
      };
      const { facets } = await search({ ...filter, first: 1 }, true);
      const own: Record<Facet, keyof Filter> = {
        categories: 'category',
        tags: 'tags',
        hooks: 'hook',
        permissions: 'permission',
      };
      for (const facet of Object.keys(own) as Facet[]) {
        // The listings the search finds without this facet's own filter, counted here.
        const found = new Set(await slugs({ ...filter, [own[facet]]: undefined }));
        const expected = new Map<string, number>();
        for (const node of everything.filter((n) => found.has(n.slug)))
          for (const value of new Set(values(node, facet))) expected.set(value, (expected.get(value) ?? 0) + 1);
        const got = new Map(facets![facet].map((f) => [f.name, f.count]));
        if (got.size) nonEmpty++;
        expect(got, `${facet} of ${JSON.stringify(filter)}`).toEqual(expected);
        const counts = facets![facet].map((f) => f.count);
        expect(counts).toEqual([...counts].sort((a, b) => b - a));
      }
    }
    expect(everything.length).toBeGreaterThan(10);
    // The combinations are not vacuous: most facets of most of them count something.
    expect(nonEmpty).toBeGreaterThan(48);
  }, 120_000);

  it('cost one GROUP BY statement per facet selected, and nothing when none is', async () => {
    const count = async (selection: string) => {
      statements = [];
      await server.ok(`{ plugins(query: "clip", first: 50) { edges { node { slug } } ${selection} } }`);
      // Only reads of listings: background work (instance leases) may run meanwhile.
      const n = statements.filter((sql) => /\bfrom [`"]?plugins[`"]?\s/i.test(sql)).length;
      statements = null;
      return n;
    };
    const none = await count('');
    expect(none).toBe(1);
    expect(await count('facets { tags { name } }')).toBe(none + 1);
    expect(await count(FACETS)).toBe(none + 4);
  });
});

describe('sorting and paging', () => {
  it('sorts names without regard to case or accents, the same on every database', async () => {
    const names = ['alpha one', 'Beta two', 'GAMMA three', 'delta four', 'Épsilon five', 'zulu six', 'Yankee seven'];
    for (const [i, name] of names.entries())
      await createPlugin(server.app.platform, other, { slug: `case-${i}`, name, summary: 's', category: 'other' });
    const listed = (await search({ first: 100, sort: 'NAME' })).edges.map((e) => e.node.name);
    const expected = [...listed].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
    expect(listed).toEqual(expected);
    expect(listed.filter((n) => names.includes(n))).toEqual([
      'alpha one',
      'Beta two',
      'delta four',
      'Épsilon five',
      'GAMMA three',
      'Yankee seven',
      'zulu six',
    ]);
  });

  it('pages backwards with last and before on every sort, and refuses mixed directions', async () => {
    for (const sort of ['DOWNLOADS', 'RATING', 'NEWEST', 'NAME', 'RELEVANCE']) {
      const all = (await search({ first: 100, sort })).edges.map((e) => e.cursor);
      const tail = await search({ last: 3, sort });
      expect(
        tail.edges.map((e) => e.cursor),
        sort,
      ).toEqual(all.slice(-3));
      expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
      const before = await search({ last: 2, before: all[5], sort });
      expect(
        before.edges.map((e) => e.cursor),
        sort,
      ).toEqual(all.slice(3, 5));
      expect(before.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
      const head = await search({ last: 10, before: all[2], sort });
      expect(head.edges.map((e) => e.cursor)).toEqual(all.slice(0, 2));
      expect(head.pageInfo.hasPreviousPage).toBe(false);
    }
    expect(await server.code(SEARCH.replace('FACETS_HERE', ''), { first: 2, last: 2 })).toBe('BAD_USER_INPUT');
    // A cursor of another sort is refused, not compared (text against a number).
    const byName = (await search({ first: 1, sort: 'NAME' })).pageInfo.endCursor;
    for (const sort of ['DOWNLOADS', 'RATING', 'RELEVANCE'])
      for (const direction of [
        { first: 1, after: byName },
        { last: 1, before: byName },
      ])
        expect(await server.code(SEARCH.replace('FACETS_HERE', ''), { sort, query: 'clip', ...direction })).toBe(
          'BAD_USER_INPUT',
        );
    expect(await server.code(SEARCH.replace('FACETS_HERE', ''), { last: 101 })).toBe('BAD_USER_INPUT');
    expect(await server.code(SEARCH.replace('FACETS_HERE', ''), { last: 1, before: 'bm9wZQ' })).toBe('BAD_USER_INPUT');
  });
});
