import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Plugin } from './plugin.ts';
import { User } from './user.ts';

export const Review = defineEntity({
  name: 'Review',
  tableName: 'reviews',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    plugin: p.manyToOne(Plugin).ref().deleteRule('cascade'),
    author: p.manyToOne(User).ref().index(),
    rating: p.integer(),
    title: p.string().length(120),
    body: p.text().default(''),
    versionReviewed: p.string().length(64).nullable(),
    verifiedInstall: p.boolean().default(false),
    helpfulCount: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
  uniques: [{ properties: ['plugin', 'author'] }],
  indexes: [{ properties: ['plugin', 'createdAt'] }],
});
export type Review = InferEntity<typeof Review>;

export const ReviewVote = defineEntity({
  name: 'ReviewVote',
  tableName: 'review_votes',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    review: p.manyToOne(Review).ref().deleteRule('cascade'),
    voter: p.manyToOne(User).ref().index(),
    helpful: p.boolean(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
  uniques: [{ properties: ['review', 'voter'] }],
});
export type ReviewVote = InferEntity<typeof ReviewVote>;
