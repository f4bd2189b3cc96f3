import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreatePluginDocument,
  CreateReviewDocument,
  DeleteReviewDocument,
  PluginBySlugDocument,
  UpdateReviewDocument,
  VoteReviewDocument,
} from '../generated/graphql.ts';
import { startTestServer, type TestServer, expectCode } from '../support/server.ts';

let server: TestServer;
let publisher: string;
const reviewers: string[] = [];

const review = (rating: number, title = 'Solid', slug = 'rated') => ({
  input: { slug, rating, title, body: 'Works for me' },
});

beforeAll(async () => {
  server = await startTestServer();
  publisher = await server.user('pub', 'PUBLISHER');
  for (let i = 0; i < 6; i++) reviewers.push(await server.user(`reviewer${i}`));
  await server.ok(
    CreatePluginDocument,
    { input: { slug: 'rated', name: 'Rated', summary: 'Gets reviewed', category: 'utilities' } },
    publisher,
  );
});
afterAll(() => server.stop());

describe('reviews', () => {
  let firstId: string;

  it('keeps the rating aggregate exact as reviews arrive', async () => {
    const first = await server.ok(CreateReviewDocument, review(5), reviewers[0]);
    firstId = first.createReview.id;
    expect(first.createReview.plugin.rating).toEqual({ average: 5, count: 1, histogram: [0, 0, 0, 0, 1] });
    const second = await server.ok(CreateReviewDocument, review(2), reviewers[1]);
    expect(second.createReview.plugin.rating).toEqual({ average: 3.5, count: 2, histogram: [0, 1, 0, 0, 1] });
  });

  it('stays exact under concurrent reviews', async () => {
    await Promise.all([3, 4, 4].map((rating, i) => server.ok(CreateReviewDocument, review(rating), reviewers[2 + i])));
    const { plugin } = await server.ok(PluginBySlugDocument, { slug: 'rated' });
    expect(plugin?.rating).toEqual({ average: (5 + 2 + 3 + 4 + 4) / 5, count: 5, histogram: [0, 1, 1, 2, 1] });
  });

  it('allows one review per user per plugin', async () => {
    expect(await server.code(CreateReviewDocument, review(1), reviewers[0])).toBe('CONFLICT');
  });

  it('validates rating, title and the plugin', async () => {
    const result = await server.gql(
      CreateReviewDocument,
      { input: { slug: 'rated', rating: 6, title: '' } },
      reviewers[5],
    );
    expectCode(result, 'BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.problems?.map((p) => p.field).sort()).toEqual(['rating', 'title']);
    expect(await server.code(CreateReviewDocument, review(0), reviewers[5])).toBe('BAD_USER_INPUT');
    expect(await server.code(CreateReviewDocument, review(3, 'x', 'missing'), reviewers[5])).toBe('NOT_FOUND');
    expect(await server.code(CreateReviewDocument, review(5), publisher)).toBe('FORBIDDEN');
    expect(await server.code(CreateReviewDocument, review(5))).toBe('UNAUTHENTICATED');
    const { plugin } = await server.ok(PluginBySlugDocument, { slug: 'rated' });
    expect(plugin?.rating.count).toBe(5);
  });

  it('moves the histogram when a rating changes, for the author only', async () => {
    expect(await server.code(UpdateReviewDocument, { input: { id: firstId, rating: 1 } }, reviewers[1])).toBe(
      'FORBIDDEN',
    );
    const { updateReview } = await server.ok(UpdateReviewDocument, { input: { id: firstId, rating: 1 } }, reviewers[0]);
    expect(updateReview.plugin.rating).toEqual({
      average: (1 + 2 + 3 + 4 + 4) / 5,
      count: 5,
      histogram: [1, 1, 1, 2, 0],
    });
  });

  it('rejects ids of the wrong type', async () => {
    const pluginId = (await server.ok(PluginBySlugDocument, { slug: 'rated' })).plugin!.id;
    expect(await server.code(UpdateReviewDocument, { input: { id: pluginId, rating: 2 } }, reviewers[0])).toBe(
      'BAD_USER_INPUT',
    );
    expect(await server.code(VoteReviewDocument, { id: 'garbage', helpful: true }, reviewers[1])).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('counts helpful votes once per voter, never from the author', async () => {
    expect(await server.code(VoteReviewDocument, { id: firstId, helpful: true }, reviewers[0])).toBe('FORBIDDEN');
    await server.ok(VoteReviewDocument, { id: firstId, helpful: true }, reviewers[1]);
    await server.ok(VoteReviewDocument, { id: firstId, helpful: true }, reviewers[1]);
    const { voteReview } = await server.ok(VoteReviewDocument, { id: firstId, helpful: true }, reviewers[2]);
    expect(voteReview.helpfulCount).toBe(2);
    const changed = await server.ok(VoteReviewDocument, { id: firstId, helpful: false }, reviewers[2]);
    expect(changed.voteReview.helpfulCount).toBe(1);
  });

  it('tells each viewer their own review and their votes, and nobody signed out', async () => {
    const query = `{ plugin(slug: "rated") {
      viewerReview { id author { handle } }
      reviews(first: 10) { edges { node { id author { handle } viewerVote } } }
    } }`;
    interface Result {
      plugin: {
        viewerReview: { id: string; author: { handle: string } } | null;
        reviews: { edges: { node: { id: string; author: { handle: string }; viewerVote: boolean | null } }[] };
      };
    }
    // reviewer0 wrote the first review; reviewer1 voted it helpful, reviewer2 changed to not
    // helpful; reviewer3 and 4 reviewed without voting; reviewer5 wrote nothing.
    const votes: (boolean | null)[] = [null, true, false, null, null, null];
    for (const [i, token] of reviewers.entries()) {
      const { plugin } = await server.ok<Result, Record<string, never>>(query, {}, token);
      if (i === 5) expect(plugin.viewerReview).toBeNull();
      else expect(plugin.viewerReview?.author.handle).toBe(`reviewer${i}`);
      const first = plugin.reviews.edges.find((e) => e.node.id === firstId);
      expect(first?.node.viewerVote, `reviewer${i}`).toBe(votes[i]);
      for (const edge of plugin.reviews.edges) if (edge.node.id !== firstId) expect(edge.node.viewerVote).toBeNull();
    }
    const anonymous = await server.ok<Result, Record<string, never>>(query, {});
    expect(anonymous.plugin.viewerReview).toBeNull();
    expect(anonymous.plugin.reviews.edges.every((e) => e.node.viewerVote === null)).toBe(true);
  });

  it('removes a deleted review from the aggregate', async () => {
    expect(await server.code(DeleteReviewDocument, { id: firstId }, reviewers[3])).toBe('FORBIDDEN');
    const { deleteReview } = await server.ok(DeleteReviewDocument, { id: firstId }, reviewers[0]);
    expect(deleteReview.plugin.rating).toEqual({ average: (2 + 3 + 4 + 4) / 4, count: 4, histogram: [0, 1, 1, 2, 0] });
    expect(await server.code(DeleteReviewDocument, { id: firstId }, reviewers[0])).toBe('NOT_FOUND');
  });
});
