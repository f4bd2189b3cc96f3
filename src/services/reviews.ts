import type { SqlEntityManager } from '@mikro-orm/knex';
import { Installation, Plugin, PluginVersion, Review, ReviewVote, User } from '../entities/index.ts';
import { BadInputError, ConflictError, ForbiddenError, NotFoundError } from './errors.ts';
import type { Platform } from './platform/index.ts';
import type { UserRecord } from './read/index.ts';
import { Validator } from './validation/validator.ts';
import { audit } from './audit.ts';
import type { Viewer } from './users.ts';

export interface ReviewFields {
  rating?: number | null;
  title?: string | null;
  body?: string | null;
  versionReviewed?: string | null;
}

function validate(input: ReviewFields, creating: boolean): void {
  const v = new Validator();
  if (creating && (input.rating === undefined || input.rating === null)) v.add('rating', 'is required', 'REQUIRED');
  v.int('rating', input.rating, 1, 5);
  v.string('title', input.title, { min: 1, max: 120 });
  v.string('body', input.body, { max: 5000 });
  v.string('versionReviewed', input.versionReviewed, { min: 1, max: 64 });
  v.check();
}

/**
 * Moves the plugin's rating aggregate by one review in a single statement, inside the caller's
 * transaction: SET expressions read the row's old values, so concurrent reviews stay exact.
 */
async function adjustRating(tx: SqlEntityManager, pluginId: number, rating: number, delta: 1 | -1): Promise<void> {
  const knex = tx.getKnex();
  const d = delta;
  const r = rating * delta;
  const query = knex('plugins')
    .where('id', pluginId)
    .update({
      rating_count: knex.raw('rating_count + ?', [d]),
      rating_sum: knex.raw('rating_sum + ?', [r]),
      [`rating${rating}`]: knex.raw(`rating${rating} + ?`, [d]),
      rating_average: knex.raw(
        'case when rating_count + ? > 0 then (rating_sum + ?) * 1.0 / (rating_count + ?) else 0 end',
        [d, r, d],
      ),
    });
  await tx.getConnection().execute(query, [], 'run', tx.getTransactionContext());
}

/** `versionReviewed` must name a version of the plugin that was published (yanked ones included: people ran them). */
async function checkVersionReviewed(tx: SqlEntityManager, pluginId: number, version: string | null | undefined) {
  if (version === undefined || version === null) return;
  if (await tx.count(PluginVersion, { plugin: pluginId, version })) return;
  throw new BadInputError([
    {
      field: 'versionReviewed',
      code: 'UNKNOWN_VERSION',
      message: `"${version}" is not a published version of this plugin`,
    },
  ]);
}

/** Whether the author has the plugin installed now, as the review is written. */
async function installedBy(tx: SqlEntityManager, pluginId: number, authorId: number): Promise<boolean> {
  return (await tx.count(Installation, { plugin: pluginId, owner: authorId })) > 0;
}

export async function createReview(
  { db }: Pick<Platform, 'db'>,
  viewer: UserRecord,
  slug: string,
  input: ReviewFields & { rating: number; title: string },
): Promise<number> {
  validate(input, true);
  return db.fork().transactional(async (tx) => {
    const plugin = await tx.findOne(Plugin, { slug });
    if (!plugin) throw new NotFoundError('Plugin', slug);
    if (plugin.publisher.id === viewer.id) throw new ForbiddenError('Publishers cannot review their own plugin');
    if (await tx.count(Review, { plugin, author: viewer.id }))
      throw new ConflictError(`You have already reviewed "${slug}": update that review instead`);
    await checkVersionReviewed(tx as SqlEntityManager, plugin.id, input.versionReviewed);
    const review = tx.create(Review, {
      plugin,
      author: tx.getReference(User, viewer.id),
      rating: input.rating,
      title: input.title,
      body: input.body ?? '',
      versionReviewed: input.versionReviewed ?? null,
      verifiedInstall: await installedBy(tx as SqlEntityManager, plugin.id, viewer.id),
    });
    await tx.flush();
    await adjustRating(tx as SqlEntityManager, plugin.id, input.rating, 1);
    return review.id;
  });
}

async function ownReview(
  tx: SqlEntityManager,
  viewer: UserRecord,
  reviewId: number,
  allowAdmin: boolean,
): Promise<Review> {
  const review = await tx.findOne(Review, reviewId);
  if (!review) throw new NotFoundError('Review', reviewId);
  if (review.author.id !== viewer.id && !(allowAdmin && viewer.role === 'ADMIN'))
    throw new ForbiddenError('Only the author may change this review');
  return review;
}

export async function updateReview(
  { db }: Pick<Platform, 'db'>,
  viewer: UserRecord,
  reviewId: number,
  input: ReviewFields,
): Promise<number> {
  validate(input, false);
  return db.fork().transactional(async (tx) => {
    const review = await ownReview(tx as SqlEntityManager, viewer, reviewId, false);
    await checkVersionReviewed(tx as SqlEntityManager, review.plugin.id, input.versionReviewed);
    const oldRating = review.rating;
    if (input.rating) review.rating = input.rating;
    if (input.title) review.title = input.title;
    if (input.body !== undefined && input.body !== null) review.body = input.body;
    if (input.versionReviewed !== undefined) review.versionReviewed = input.versionReviewed;
    review.verifiedInstall = await installedBy(tx as SqlEntityManager, review.plugin.id, viewer.id);
    await tx.flush();
    if (review.rating !== oldRating) {
      await adjustRating(tx as SqlEntityManager, review.plugin.id, oldRating, -1);
      await adjustRating(tx as SqlEntityManager, review.plugin.id, review.rating, 1);
    }
    return review.id;
  });
}

/** Deletes a review (its author or an admin); returns the plugin id it belonged to. */
/** Deletes a review (its author, or an admin moderating: that is audited). */
export async function deleteReview({ db }: Pick<Platform, 'db'>, viewer: Viewer, reviewId: number): Promise<number> {
  return db.fork().transactional(async (tx) => {
    const review = await ownReview(tx as SqlEntityManager, viewer, reviewId, true);
    const { rating } = review;
    const pluginId = review.plugin.id;
    if (review.author.id !== viewer.id) {
      const author = await tx.findOneOrFail(User, review.author.id);
      const plugin = await tx.findOneOrFail(Plugin, pluginId);
      audit(
        tx,
        viewer,
        'REVIEW_DELETE',
        { type: 'REVIEW', id: review.id, name: `${plugin.slug} review by ${author.handle}` },
        {
          rating,
          title: review.title,
        },
      );
    }
    tx.remove(review);
    await tx.flush();
    await adjustRating(tx as SqlEntityManager, pluginId, rating, -1);
    return pluginId;
  });
}

/** Records or changes the viewer's vote; helpfulCount is recounted in the same transaction. */
export async function voteReview(
  { db }: Pick<Platform, 'db'>,
  viewer: UserRecord,
  reviewId: number,
  helpful: boolean,
): Promise<number> {
  return db.fork().transactional(async (tx) => {
    const review = await tx.findOne(Review, reviewId);
    if (!review) throw new NotFoundError('Review', reviewId);
    if (review.author.id === viewer.id) throw new ForbiddenError('You cannot vote on your own review');
    const vote = await tx.findOne(ReviewVote, { review, voter: viewer.id });
    if (vote) vote.helpful = helpful;
    else tx.create(ReviewVote, { review, voter: tx.getReference(User, viewer.id), helpful });
    await tx.flush();
    review.helpfulCount = await tx.count(ReviewVote, { review, helpful: true });
    await tx.flush();
    return review.id;
  });
}
