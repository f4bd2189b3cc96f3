import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { User } from './user.ts';

/**
 * The key name sorts use: case and accents folded in JavaScript, so SQLite and PostgreSQL (which
 * compare it byte by byte, `collate "C"`) put listings in the same order whatever their locale.
 */
export function nameSortKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .slice(0, 200);
}

/**
 * A marketplace listing. The rating aggregate is kept as exact counters (sum, count and one
 * column per star) updated with the review in one transaction; the average is derived.
 */
export const Plugin = defineEntity({
  name: 'Plugin',
  tableName: 'plugins',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    slug: p.string().length(64).unique(),
    name: p.string().length(100),
    nameKey: p
      .string()
      .length(200)
      .default('')
      .onCreate((plugin: { name: string }) => nameSortKey(plugin.name))
      .onUpdate((plugin: { name: string }) => nameSortKey(plugin.name)),
    summary: p.string().length(200),
    description: p.text().default(''),
    publisher: p.manyToOne(User).ref().index(),
    category: p.string().length(40).index(),
    tags: p.json<string[]>(),
    license: p.string().length(64).nullable(),
    homepageUrl: p.string().length(500).nullable(),
    repositoryUrl: p.string().length(500).nullable(),
    featured: p.boolean().default(false).index(),
    deprecationNotice: p.string().length(500).nullable(),
    downloadCount: p.integer().default(0),
    ratingCount: p.integer().default(0),
    ratingSum: p.integer().default(0),
    /** ratingSum / ratingCount, stored so lists can sort and page on it. */
    ratingAverage: p.double().default(0),
    rating1: p.integer().default(0),
    rating2: p.integer().default(0),
    rating3: p.integer().default(0),
    rating4: p.integer().default(0),
    rating5: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
  indexes: [
    { properties: ['downloadCount', 'id'] },
    { properties: ['ratingAverage', 'id'] },
    { properties: ['nameKey', 'id'] },
  ],
});
export type Plugin = InferEntity<typeof Plugin>;
