import { encodeGlobalID } from '@pothos/plugin-relay';
import { createReview, deleteReview, updateReview, voteReview } from '../../services/reviews.ts';
import { writes } from '../auth.ts';
import { builder } from '../builder.ts';
import { reload } from '../reload.ts';
import { parseRowId } from '../ids.ts';
import { PluginRef, ReviewRef, UserRef } from '../refs.ts';

builder.node(ReviewRef, {
  id: { resolve: (r) => r.id, parse: parseRowId },
  loadMany: (ids, ctx) => ids.map((id) => ctx.loaders.review.load(id)),
  fields: (t) => ({
    rating: t.exposeInt('rating', { description: '1 to 5' }),
    title: t.exposeString('title'),
    body: t.exposeString('body'),
    versionReviewed: t.exposeString('versionReviewed', {
      nullable: true,
      description: 'A published version of the plugin, as the author named it',
    }),
    verifiedInstall: t.exposeBoolean('verifiedInstall', {
      description: 'The author had the plugin installed when writing (or last updating) the review',
    }),
    helpfulCount: t.exposeInt('helpfulCount'),
    viewerVote: t.boolean({
      nullable: true,
      description: "The viewer's vote (`voteReview`): true helpful, false not; null signed out or not voted",
      resolve: (r, _args, ctx) =>
        ctx.viewer ? ctx.loaders.reviewVote.load({ reviewId: r.id, voterId: ctx.viewer.id }) : null,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    author: t.field({ type: UserRef, resolve: async (r, _args, ctx) => (await ctx.loaders.user.load(r.authorId))! }),
    plugin: t.field({
      type: PluginRef,
      resolve: async (r, _args, ctx) => (await ctx.loaders.plugin.load(r.pluginId))!,
    }),
  }),
});

const CreateReviewInput = builder.inputType('CreateReviewInput', {
  fields: (t) => ({
    slug: t.string({ required: true, description: 'The plugin reviewed' }),
    rating: t.int({ required: true, description: '1 to 5' }),
    title: t.string({ required: true }),
    body: t.string(),
    versionReviewed: t.string(),
  }),
});

const UpdateReviewInput = builder.inputType('UpdateReviewInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: ReviewRef }),
    rating: t.int(),
    title: t.string(),
    body: t.string(),
    versionReviewed: t.string(),
  }),
});

const DeleteReviewPayload = builder
  .objectRef<{ deletedReviewId: string; pluginId: number }>('DeleteReviewPayload')
  .implement({
    fields: (t) => ({
      deletedReviewId: t.exposeID('deletedReviewId'),
      plugin: t.field({
        type: PluginRef,
        resolve: async (p, _args, ctx) => (await ctx.loaders.plugin.load(p.pluginId))!,
      }),
    }),
  });

builder.mutationFields((t) => ({
  createReview: t.field({
    type: ReviewRef,
    authScopes: writes,
    args: { input: t.arg({ type: CreateReviewInput, required: true }) },
    resolve: async (_root, { input: { slug, ...fields } }, ctx) =>
      reload(ctx.loaders.review, await createReview(ctx.app.platform, ctx.viewer!, slug, fields)),
  }),
  updateReview: t.field({
    type: ReviewRef,
    authScopes: writes,
    args: { input: t.arg({ type: UpdateReviewInput, required: true }) },
    resolve: async (_root, { input: { id, ...fields } }, ctx) =>
      reload(ctx.loaders.review, await updateReview(ctx.app.platform, ctx.viewer!, id.id, fields)),
  }),
  deleteReview: t.field({
    type: DeleteReviewPayload,
    authScopes: writes,
    args: { id: t.arg.globalID({ required: true, for: ReviewRef }) },
    resolve: async (_root, { id }, ctx) => ({
      deletedReviewId: encodeGlobalID('Review', id.id),
      pluginId: await deleteReview(ctx.app.platform, ctx.viewer!, id.id),
    }),
  }),
  voteReview: t.field({
    type: ReviewRef,
    authScopes: writes,
    args: { id: t.arg.globalID({ required: true, for: ReviewRef }), helpful: t.arg.boolean({ required: true }) },
    resolve: async (_root, { id, helpful }, ctx) =>
      reload(ctx.loaders.review, await voteReview(ctx.app.platform, ctx.viewer!, id.id, helpful)),
  }),
}));
