import { HOOKS, PERMISSIONS } from '../../runtime/index.ts';
import { CATEGORIES, createPlugin, pluginCategories, setPluginFeatured, updatePlugin } from '../../services/plugins.ts';
import { pageDirection } from '../../services/read/index.ts';
import {
  type Facet,
  listPlugins,
  MAX_FACET_VALUES,
  PLUGIN_SORTS,
  pluginFacet,
  type PluginFilter,
} from '../../services/search.ts';
import { adminPublishes, publishes } from '../auth.ts';
import { builder } from '../builder.ts';
import { parseRowId } from '../ids.ts';
import { reload } from '../reload.ts';
import { arrayConnection, offsetConnection, offsetWindow, tailConnection, toConnection } from '../connection.ts';
import { PluginRef, PluginVersionRef, ReviewRef, UserRef } from '../refs.ts';

const PluginSortEnum = builder.enumType('PluginSort', { values: PLUGIN_SORTS });

const RatingRef = builder.objectRef<{ average: number; count: number; histogram: number[] }>('Rating').implement({
  description: 'Exact rating aggregate, updated in the same transaction as each review',
  fields: (t) => ({
    average: t.exposeFloat('average', { description: '0 when there are no reviews' }),
    count: t.exposeInt('count'),
    histogram: t.exposeIntList('histogram', { description: 'Review counts for 1, 2, 3, 4 and 5 stars' }),
  }),
});

const CategoryRef = builder.objectRef<{ name: string; count: number }>('Category').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    count: t.exposeInt('count', { description: 'Listings in this category' }),
  }),
});

const FacetCountRef = builder.objectRef<{ name: string; count: number }>('FacetCount').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    count: t.exposeInt('count', { description: 'Listings the search finds with this value' }),
  }),
});

const PluginFacetsRef = builder.objectRef<PluginFilter>('PluginFacets').implement({
  description: 'Facet counts of a search, each computed with one GROUP BY statement when selected',
  fields: (t) => {
    const facet = (name: Facet, description: string) =>
      t.field({
        type: [FacetCountRef],
        description: `${description}; most frequent first, at most ${MAX_FACET_VALUES}`,
        resolve: (filter, _args, ctx) => pluginFacet(ctx.em, filter, name),
      });
    return {
      categories: facet('categories', 'Categories of the listings found, whatever the category filter'),
      tags: facet('tags', 'Tags of the listings found, whatever the tags filter'),
      hooks: facet('hooks', "Hooks the found listings' latest versions declare, whatever the hook filter"),
      permissions: facet(
        'permissions',
        "Permissions the found listings' latest versions ask for, whatever the permission filter",
      ),
    };
  },
});

builder.node(PluginRef, {
  description: 'A marketplace listing',
  id: { resolve: (plugin) => plugin.id, parse: parseRowId },
  loadMany: (ids, ctx) => ids.map((id) => ctx.loaders.plugin.load(id)),
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    summary: t.exposeString('summary'),
    description: t.exposeString('description'),
    category: t.exposeString('category'),
    tags: t.exposeStringList('tags'),
    license: t.exposeString('license', { nullable: true }),
    homepageUrl: t.exposeString('homepageUrl', { nullable: true }),
    repositoryUrl: t.exposeString('repositoryUrl', { nullable: true }),
    featured: t.exposeBoolean('featured'),
    deprecationNotice: t.exposeString('deprecationNotice', { nullable: true }),
    downloadCount: t.exposeInt('downloadCount', { description: 'Installations ever made' }),
    activeInstalls: t.int({
      description: 'Installations that exist and are enabled now',
      resolve: (plugin, _args, ctx) => ctx.loaders.activeInstalls.load(plugin.id),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    publisher: t.field({
      type: UserRef,
      resolve: async (plugin, _args, ctx) => (await ctx.loaders.user.load(plugin.publisherId))!,
    }),
    rating: t.field({
      type: RatingRef,
      resolve: (p) => ({
        average: p.ratingAverage,
        count: p.ratingCount,
        histogram: [p.rating1, p.rating2, p.rating3, p.rating4, p.rating5],
      }),
    }),
    latestVersion: t.field({
      type: PluginVersionRef,
      nullable: true,
      description: 'The highest stable version that is neither yanked nor revoked',
      resolve: (plugin, _args, ctx) => ctx.loaders.latestVersion.load(plugin.id),
    }),
    versions: t.connection({
      type: PluginVersionRef,
      description: 'Every published version, newest first',
      resolve: async (plugin, args, ctx) => {
        return arrayConnection(await ctx.loaders.versionsOfPlugin.load(plugin.id), args);
      },
    }),
    viewerReview: t.field({
      type: ReviewRef,
      nullable: true,
      description: "The viewer's review of this plugin (one per user); null signed out or not reviewed",
      resolve: (plugin, _args, ctx) =>
        ctx.viewer ? ctx.loaders.reviewByAuthor.load({ pluginId: plugin.id, authorId: ctx.viewer.id }) : null,
    }),
    reviews: t.connection({
      type: ReviewRef,
      description: 'Newest first',
      resolve: async (plugin, args, ctx) => {
        // One windowed statement loads the first N reviews of every plugin on the page (the last
        // N for `last` alone; the rating count is the number of reviews).
        if (args.last != null && args.before == null) {
          const { size } = pageDirection(args);
          const fromEnd = await ctx.loaders.oldestReviews.load({ pluginId: plugin.id, limit: size + 1 });
          return tailConnection(fromEnd, plugin.ratingCount, size);
        }
        const window = offsetWindow(args);
        const reviews = await ctx.loaders.recentReviews.load({ pluginId: plugin.id, limit: window.end + 1 });
        return offsetConnection(reviews, window);
      },
    }),
  }),
});

builder.queryFields((t) => ({
  plugin: t.field({
    type: PluginRef,
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: (_root, { slug }, ctx) => ctx.loaders.pluginBySlug.load(slug),
  }),
  plugins: t.connection(
    {
      type: PluginRef,
      description: 'Search the marketplace',
      args: {
        query: t.arg.string({
          description:
            'Words matched as prefixes in name, slug, tags, summary, publisher and description; every word must match',
        }),
        category: t.arg.string(),
        tags: t.arg.stringList({ description: 'Listings carrying every one of these tags' }),
        hook: t.arg.string({ description: `Latest version declares this hook (${HOOKS.join(', ')})` }),
        permission: t.arg.string({
          description: `Latest version asks for this permission (${PERMISSIONS.join(', ')})`,
        }),
        verifiedOnly: t.arg.boolean(),
        sort: t.arg({ type: PluginSortEnum, description: 'RELEVANCE when the query has words, DOWNLOADS otherwise' }),
      },
      resolve: async (_root, args, ctx) => ({
        ...toConnection(await listPlugins(ctx.em, args, args)),
        filter: args as PluginFilter,
      }),
    },
    {
      fields: (t) => ({
        facets: t.field({
          type: PluginFacetsRef,
          description: 'Counts over every listing this search finds; each facet ignores its own filter',
          resolve: (connection) => (connection as unknown as { filter: PluginFilter }).filter,
        }),
      }),
    },
  ),
  featuredPlugins: t.connection({
    type: PluginRef,
    resolve: async (_root, args, ctx) => toConnection(await listPlugins(ctx.em, { featured: true }, args)),
  }),
  categories: t.field({
    type: [CategoryRef],
    description: `Every category (${CATEGORIES.join(', ')}) with its listing count`,
    resolve: (_root, _args, ctx) => pluginCategories(ctx.em),
  }),
}));

const PluginFieldsInput = {
  name: 'String',
  summary: 'String',
  description: 'String',
  category: 'String',
  license: 'String',
  homepageUrl: 'String',
  repositoryUrl: 'String',
} as const;

const CreatePluginInput = builder.inputType('CreatePluginInput', {
  fields: (t) => ({
    slug: t.string({ required: true }),
    name: t.string({ required: true }),
    summary: t.string({ required: true }),
    category: t.string({ required: true, description: CATEGORIES.join(', ') }),
    description: t.string(),
    tags: t.stringList(),
    license: t.string(),
    homepageUrl: t.string(),
    repositoryUrl: t.string(),
  }),
});

const UpdatePluginInput = builder.inputType('UpdatePluginInput', {
  fields: (t) => ({
    slug: t.string({ required: true }),
    ...Object.fromEntries(Object.keys(PluginFieldsInput).map((k) => [k, t.string()])),
    tags: t.stringList(),
    deprecationNotice: t.string({ description: 'Shown on the listing; null clears it' }),
  }),
});

builder.mutationFields((t) => ({
  createPlugin: t.field({
    type: PluginRef,
    authScopes: publishes,
    args: { input: t.arg({ type: CreatePluginInput, required: true }) },
    resolve: async (_root, { input }, ctx) =>
      reload(ctx.loaders.plugin, await createPlugin(ctx.app.platform, ctx.viewer!, input)),
  }),
  updatePlugin: t.field({
    type: PluginRef,
    authScopes: publishes,
    args: { input: t.arg({ type: UpdatePluginInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { slug, ...fields } = input as { slug: string } & Record<string, never>;
      return reload(ctx.loaders.plugin, await updatePlugin(ctx.app.platform, ctx.viewer!, slug, fields));
    },
  }),
  setPluginFeatured: t.field({
    type: PluginRef,
    authScopes: adminPublishes,
    args: { slug: t.arg.string({ required: true }), featured: t.arg.boolean({ required: true }) },
    resolve: async (_root, { slug, featured }, ctx) =>
      reload(ctx.loaders.plugin, await setPluginFeatured(ctx.app.platform, ctx.viewer!, slug, featured)),
  }),
}));
