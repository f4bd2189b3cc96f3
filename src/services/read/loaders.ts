import DataLoader from 'dataloader';
import type { EntitySchema } from '@mikro-orm/core';
import type { Knex, SqlEntityManager } from '@mikro-orm/knex';
import {
  Clip,
  Execution,
  Installation,
  Plugin,
  PluginVersion,
  Review,
  SigningKey,
  User,
} from '../../entities/index.ts';
import { type OwnedVersion, ownedVersionsOf } from './owner-lists.ts';
import { usageLoader } from '../stats/usage.ts';
import { activeInstallsLoader } from './active-installs.ts';
import { selectRows } from './select.ts';
import type {
  ClipRecord,
  ExecutionRecord,
  InstallationRecord,
  PluginRecord,
  PluginVersionRecord,
  ReviewRecord,
  SigningKeyRecord,
  UserRecord,
} from './records.ts';

function byId<T extends { id: number }>(
  em: SqlEntityManager,
  // biome-ignore lint/suspicious/noExplicitAny: any entity schema; rows are mapped by its metadata
  entity: EntitySchema<any, any>,
  only: (qb: Knex.QueryBuilder) => Knex.QueryBuilder = (qb) => qb,
) {
  return new DataLoader<number, T | null>(async (ids) => {
    const rows = await selectRows<T>(em, entity, (qb) => only(qb.whereIn('id', [...ids])));
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

/**
 * Reviews of many plugins in one statement: the first `limit` of each, newest first, or from the
 * oldest when `oldest` is set (the end of the list, for backward pages).
 */
function recentReviews(em: SqlEntityManager, oldest: boolean) {
  const dir = oldest ? 'asc' : 'desc';
  return new DataLoader<{ pluginId: number; limit: number }, ReviewRecord[], string>(
    async (keys) => {
      const limit = Math.max(...keys.map((k) => k.limit));
      const ids = [...new Set(keys.map((k) => k.pluginId))];
      const knex = em.getKnex();
      const ranked = knex('reviews')
        .select(
          'reviews.*',
          knex.raw(`row_number() over (partition by plugin_id order by created_at ${dir}, id ${dir}) as rn`),
        )
        .whereIn('plugin_id', ids);
      const rows = await selectRows<ReviewRecord>(em, Review, (qb) =>
        qb
          .clearSelect()
          .select('r.*')
          .from(ranked.as('r'))
          .where('r.rn', '<=', limit)
          .orderBy([{ column: 'r.plugin_id' }, { column: 'r.rn' }]),
      );
      const grouped = groupBy(rows, (r) => r.pluginId);
      return keys.map((k) => (grouped.get(k.pluginId) ?? []).slice(0, k.limit));
    },
    { cacheKeyFn: (k) => `${k.pluginId}:${k.limit}` },
  );
}

/**
 * Per-request loaders: every relation a resolver reads goes through one of these, so a page
 * costs the same number of statements whatever its size.
 */
export function createLoaders(em: SqlEntityManager) {
  return {
    user: byId<UserRecord>(em, User),
    plugin: byId<PluginRecord>(em, Plugin),
    pluginBySlug: new DataLoader<string, PluginRecord | null>(async (slugs) => {
      const rows = await selectRows<PluginRecord>(em, Plugin, (qb) => qb.whereIn('slug', [...slugs]));
      const map = new Map(rows.map((r) => [r.slug, r]));
      return slugs.map((s) => map.get(s) ?? null);
    }),
    version: byId<PluginVersionRecord>(em, PluginVersion),
    latestVersion: new DataLoader<number, PluginVersionRecord | null>(async (pluginIds) => {
      const rows = await selectRows<PluginVersionRecord>(em, PluginVersion, (qb) =>
        qb.whereIn('plugin_id', [...pluginIds]).andWhere('latest', true),
      );
      const map = new Map(rows.map((r) => [r.pluginId, r]));
      return pluginIds.map((id) => map.get(id) ?? null);
    }),
    versionsOfPlugin: new DataLoader<number, PluginVersionRecord[]>(async (pluginIds) => {
      const rows = await selectRows<PluginVersionRecord>(em, PluginVersion, (qb) =>
        qb.whereIn('plugin_id', [...pluginIds]).orderBy('id', 'desc'),
      );
      const grouped = groupBy(rows, (r) => r.pluginId);
      return pluginIds.map((id) => grouped.get(id) ?? []);
    }),
    recentReviews: recentReviews(em, false),
    oldestReviews: recentReviews(em, true),
    review: byId<ReviewRecord>(em, Review),
    reviewByAuthor: new DataLoader<{ pluginId: number; authorId: number }, ReviewRecord | null, string>(
      async (keys) => {
        const rows = await selectRows<ReviewRecord>(em, Review, (qb) =>
          qb
            .whereIn('plugin_id', [...new Set(keys.map((k) => k.pluginId))])
            .whereIn('author_id', [...new Set(keys.map((k) => k.authorId))]),
        );
        const map = new Map(rows.map((r) => [`${r.pluginId}:${r.authorId}`, r]));
        return keys.map((k) => map.get(`${k.pluginId}:${k.authorId}`) ?? null);
      },
      { cacheKeyFn: (k) => `${k.pluginId}:${k.authorId}` },
    ),
    reviewVote: new DataLoader<{ reviewId: number; voterId: number }, boolean | null, string>(
      async (keys) => {
        const rows = await em
          .getConnection()
          .execute<{ review_id: number; voter_id: number; helpful: boolean | number }[]>(
            em
              .getKnex()('review_votes')
              .select('review_id', 'voter_id', 'helpful')
              .whereIn('review_id', [...new Set(keys.map((k) => k.reviewId))])
              .whereIn('voter_id', [...new Set(keys.map((k) => k.voterId))]),
            [],
            'all',
            em.getTransactionContext(),
          );
        const map = new Map(rows.map((r) => [`${Number(r.review_id)}:${Number(r.voter_id)}`, Boolean(r.helpful)]));
        return keys.map((k) => map.get(`${k.reviewId}:${k.voterId}`) ?? null);
      },
      { cacheKeyFn: (k) => `${k.reviewId}:${k.voterId}` },
    ),
    // A clip whose clip.captured hooks have not passed yet does not exist for readers.
    clip: byId<ClipRecord>(em, Clip, (qb) => qb.andWhere('pending', false)),
    installation: byId<InstallationRecord>(em, Installation),
    execution: byId<ExecutionRecord>(em, Execution),
    ownedVersions: new DataLoader<number, OwnedVersion[]>(async (ownerIds) => {
      const owned = await ownedVersionsOf(em, ownerIds);
      return ownerIds.map((id) => owned.get(id) ?? []);
    }),
    signingKey: byId<SigningKeyRecord>(em, SigningKey),
    signingKeysOfUser: new DataLoader<number, SigningKeyRecord[]>(async (ownerIds) => {
      const rows = await selectRows<SigningKeyRecord>(em, SigningKey, (qb) =>
        qb.whereIn('owner_id', [...ownerIds]).orderBy('id', 'asc'),
      );
      const grouped = groupBy(rows, (r) => r.ownerId);
      return ownerIds.map((id) => grouped.get(id) ?? []);
    }),
    activeInstalls: activeInstallsLoader(em),
    usage: usageLoader(em),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
