import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreatePluginDocument,
  FeaturedDocument,
  PluginBySlugDocument,
  PluginsDocument,
  type PluginsQuery,
  SetFeaturedDocument,
  UpdatePluginDocument,
  ViewerDocument,
} from '../generated/graphql.ts';
import { startTestServer, type TestServer, expectCode } from '../support/server.ts';

let server: TestServer;
let alice: string; // publisher
let bob: string; // another publisher
let admin: string;
let member: string;

const listing = (slug: string, extra: Record<string, unknown> = {}) => ({
  input: { slug, name: `Plugin ${slug}`, summary: `Summary of ${slug}`, category: 'tagging', ...extra },
});

beforeAll(async () => {
  server = await startTestServer();
  alice = await server.user('alice', 'PUBLISHER', { verified: true });
  bob = await server.user('bob', 'PUBLISHER');
  admin = await server.user('root', 'ADMIN');
  member = await server.user('mia', 'MEMBER');
});
afterAll(() => server.stop());

describe('listings', () => {
  it('creates a listing owned by the publisher, with normalised tags', async () => {
    const { createPlugin } = await server.ok(
      CreatePluginDocument,
      listing('auto-tagger', { tags: ['Video', 'video', ' AI '] }),
      alice,
    );
    expect(createPlugin).toMatchObject({
      slug: 'auto-tagger',
      tags: ['video', 'ai'],
      featured: false,
      downloadCount: 0,
      rating: { average: 0, count: 0, histogram: [0, 0, 0, 0, 0] },
      publisher: { handle: 'alice', verifiedPublisher: true },
    });
  });

  it('reports every invalid field at once and writes nothing', async () => {
    const result = await server.gql(
      CreatePluginDocument,
      listing('Not A Slug', {
        name: '',
        category: 'weather',
        homepageUrl: 'ftp://example.com',
        tags: Array(11).fill('x'),
        license: 'not spdx!',
      }),
      alice,
    );
    expectCode(result, 'BAD_USER_INPUT');
    const fields = result.errors?.[0].extensions?.problems?.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['slug', 'name', 'category', 'homepageUrl', 'tags', 'license']));
    const { plugins } = await server.ok(PluginsDocument, { first: 100 });
    expect(plugins.edges.map((e) => e.node.slug)).toEqual(['auto-tagger']);
  });

  it('refuses a taken slug with CONFLICT', async () => {
    expect(await server.code(CreatePluginDocument, listing('auto-tagger'), bob)).toBe('CONFLICT');
  });

  it('requires a publisher to create and the owner or an admin to update', async () => {
    expect(await server.code(CreatePluginDocument, listing('anon-plugin'))).toBe('UNAUTHENTICATED');
    expect(await server.code(CreatePluginDocument, listing('member-plugin'), member)).toBe('FORBIDDEN');
    expect(await server.code(UpdatePluginDocument, { input: { slug: 'auto-tagger', name: 'Hijacked' } }, bob)).toBe(
      'FORBIDDEN',
    );
    expect(await server.code(UpdatePluginDocument, { input: { slug: 'no-such-plugin', name: 'X' } }, alice)).toBe(
      'NOT_FOUND',
    );
    const { updatePlugin } = await server.ok(
      UpdatePluginDocument,
      { input: { slug: 'auto-tagger', summary: 'Tags clips', deprecationNotice: 'Use v2' } },
      alice,
    );
    expect(updatePlugin).toMatchObject({
      summary: 'Tags clips',
      deprecationNotice: 'Use v2',
      name: 'Plugin auto-tagger',
    });
    const byAdmin = await server.ok(
      UpdatePluginDocument,
      { input: { slug: 'auto-tagger', deprecationNotice: null } },
      admin,
    );
    expect(byAdmin.updatePlugin.deprecationNotice).toBeNull();
  });

  it('lets only admins feature listings', async () => {
    expect(await server.code(SetFeaturedDocument, { slug: 'auto-tagger', featured: true }, alice)).toBe('FORBIDDEN');
    expect(await server.code(SetFeaturedDocument, { slug: 'auto-tagger', featured: true })).toBe('UNAUTHENTICATED');
    await server.ok(SetFeaturedDocument, { slug: 'auto-tagger', featured: true }, admin);
    const { featuredPlugins, categories } = await server.ok(FeaturedDocument);
    expect(featuredPlugins.edges.map((e) => e.node.slug)).toEqual(['auto-tagger']);
    expect(categories.find((c) => c.name === 'tagging')?.count).toBe(1);
    expect(categories.find((c) => c.name === 'analytics')?.count).toBe(0);
  });

  it('answers viewer from the token, null without one, and UNAUTHENTICATED for a bad token', async () => {
    expect((await server.ok(ViewerDocument, {}, alice)).viewer?.handle).toBe('alice');
    expect((await server.ok(ViewerDocument)).viewer).toBeNull();
    expect(await server.code(ViewerDocument, {}, 'pb_not-a-real-token')).toBe('UNAUTHENTICATED');
  });
});

describe('search and paging', () => {
  beforeAll(async () => {
    for (const [slug, category, tags] of [
      ['clip-cutter', 'utilities', ['video', 'editing']],
      ['stat-tracker', 'analytics', ['stats']],
      ['profanity-guard', 'moderation', ['chat', 'video']],
      ['zeta-metrics', 'analytics', ['stats', 'graphs']],
    ] as const) {
      await server.ok(
        CreatePluginDocument,
        listing(slug, { category, tags: [...tags], name: slug.replace('-', ' ') }),
        bob,
      );
    }
  });

  it('filters by text, category, tags and verified publisher', async () => {
    const slugs = async (vars: Record<string, unknown>) =>
      (await server.ok(PluginsDocument, { first: 50, sort: 'NAME', ...vars })).plugins.edges.map((e) => e.node.slug);
    expect(await slugs({ query: 'METRICS' })).toEqual(['zeta-metrics']);
    expect(await slugs({ query: '%' })).toEqual([]);
    expect(await slugs({ category: 'analytics' })).toEqual(['stat-tracker', 'zeta-metrics']);
    // Names sort without regard to case: "clip cutter" before "Plugin auto-tagger".
    expect(await slugs({ tags: ['video'] })).toEqual(['clip-cutter', 'auto-tagger', 'profanity-guard']);
    expect(await slugs({ tags: ['video', 'chat'] })).toEqual(['profanity-guard']);
    expect(await slugs({ verifiedOnly: true })).toEqual(['auto-tagger']);
  });

  it('pages with cursors without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null | undefined = null;
    let pages = 0;
    do {
      const { plugins }: PluginsQuery = await server.ok(PluginsDocument, { first: 2, after, sort: 'NAME' });
      seen.push(...plugins.edges.map((e) => e.node.slug));
      expect(plugins.pageInfo.hasPreviousPage).toBe(after !== null);
      after = plugins.pageInfo.hasNextPage ? plugins.pageInfo.endCursor : undefined;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(['clip-cutter', 'auto-tagger', 'profanity-guard', 'stat-tracker', 'zeta-metrics']);
  });

  it('caps first at 100 and rejects foreign cursors', async () => {
    expect(await server.code(PluginsDocument, { first: 101 })).toBe('BAD_USER_INPUT');
    expect(await server.code(PluginsDocument, { first: 1, after: 'bm90LWEtY3Vyc29y' })).toBe('BAD_USER_INPUT');
  });

  it('returns null for an unknown slug', async () => {
    expect((await server.ok(PluginBySlugDocument, { slug: 'nope' })).plugin).toBeNull();
  });
});
