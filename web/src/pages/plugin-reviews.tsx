import { useEffect, useId, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { formatDate } from '../components/format.ts';
import { Stars } from '../components/stars.tsx';
import { Empty, ErrorMessage, Loading } from '../components/status.tsx';
import {
  EditReviewDocument,
  PluginReviewsDocument,
  type PluginPageQuery,
  RemoveReviewDocument,
  type ReviewItemFragment,
  VoteOnReviewDocument,
  WriteReviewDocument,
} from '../generated/graphql.ts';
import { useAuth } from '../graphql/auth.tsx';
import { Link } from '../router.tsx';
import { ReviewForm } from './review-form.tsx';

type PluginData = NonNullable<PluginPageQuery['plugin']>;
const PAGE_SIZE = 10;

/** The viewer's own review (write, edit, delete), then every review with helpful votes, paged. */
export function PluginReviews({ plugin }: { plugin: PluginData }) {
  const { token } = useAuth();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [next, setNext] = useState<string | null>(null);
  const mine = plugin.viewerReview;
  const versions = plugin.versions.edges.map((e) => e.node.version);
  return (
    <section aria-labelledby="reviews-title" className="reviews">
      <h2 id="reviews-title">Reviews</h2>
      {!token ? (
        <p>
          <Link to={`/sign-in?next=${encodeURIComponent(`/plugins/${plugin.slug}`)}`}>Sign in</Link> to write a review
          or vote.
        </p>
      ) : mine ? (
        <OwnReview review={mine} versions={versions} />
      ) : (
        <NewReview slug={plugin.slug} versions={versions} />
      )}
      <ul className="review-list">
        {cursors.map((after, i) => (
          <ReviewPage
            key={after ?? 'first'}
            slug={plugin.slug}
            after={after}
            first={i === 0}
            ownId={mine?.id ?? null}
            signedIn={Boolean(token)}
            onEnd={(end) => {
              if (i === cursors.length - 1) setNext(end);
            }}
          />
        ))}
      </ul>
      {next ? (
        <button
          type="button"
          className="secondary"
          onClick={() => setCursors((c) => (c.includes(next) ? c : [...c, next]))}
        >
          Show more reviews
        </button>
      ) : null}
    </section>
  );
}

function ReviewPage({
  slug,
  after,
  first,
  ownId,
  signedIn,
  onEnd,
}: {
  slug: string;
  after: string | null;
  first: boolean;
  ownId: string | null;
  signedIn: boolean;
  onEnd: (endCursor: string | null) => void;
}) {
  const [{ data, fetching, error }, refetch] = useQuery({
    query: PluginReviewsDocument,
    variables: { slug, first: PAGE_SIZE, after },
  });
  const reviews = data?.plugin?.reviews;
  useEffect(() => {
    if (reviews) onEnd(reviews.pageInfo.hasNextPage ? (reviews.pageInfo.endCursor ?? null) : null);
  }, [reviews, onEnd]);
  if (error && !data)
    return (
      <li>
        <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />
      </li>
    );
  if (!reviews) return fetching ? <li>{<Loading label="Loading reviews…" />}</li> : null;
  if (first && reviews.edges.length === 0)
    return (
      <li>
        <Empty>No reviews yet.</Empty>
      </li>
    );
  return (
    <>
      {reviews.edges.map(({ node }) => (
        <li key={node.id}>
          <ReviewItem review={node} own={node.id === ownId} canVote={signedIn && node.id !== ownId} />
        </li>
      ))}
    </>
  );
}

function ReviewItem({ review, own, canVote }: { review: ReviewItemFragment; own: boolean; canVote: boolean }) {
  const titleId = useId();
  return (
    <article className="review" aria-labelledby={titleId}>
      <header>
        <Stars value={review.rating} />
        <h3 id={titleId}>{review.title}</h3>
      </header>
      <p className="muted">
        {`${review.author.displayName} (@${review.author.handle}) · ${formatDate(review.createdAt)}`}
        {review.versionReviewed ? ` · v${review.versionReviewed}` : ''}
        {review.updatedAt !== review.createdAt ? ' · edited' : ''}
        {review.verifiedInstall ? <span className="badge ok">installed it</span> : null}
        {own ? <span className="badge">your review</span> : null}
      </p>
      {review.body ? <p className="review-body">{review.body}</p> : null}
      <Votes review={review} canVote={canVote} />
    </article>
  );
}

function Votes({ review, canVote }: { review: ReviewItemFragment; canVote: boolean }) {
  const [{ fetching, error }, vote] = useMutation(VoteOnReviewDocument);
  const helpful = `${review.helpfulCount} found this helpful`;
  if (!canVote) return <p className="muted">{helpful}</p>;
  return (
    <div className="votes">
      <span className="muted">{helpful}</span>
      <fieldset className="vote-buttons" disabled={fetching}>
        <legend className="visually-hidden">{`Was “${review.title}” helpful?`}</legend>
        <button
          type="button"
          className="secondary"
          aria-pressed={review.viewerVote === true}
          onClick={() => vote({ id: review.id, helpful: true })}
        >
          Helpful
        </button>
        <button
          type="button"
          className="secondary"
          aria-pressed={review.viewerVote === false}
          onClick={() => vote({ id: review.id, helpful: false })}
        >
          Not helpful
        </button>
      </fieldset>
      {error ? <ErrorMessage error={error} /> : null}
    </div>
  );
}

function NewReview({ slug, versions }: { slug: string; versions: string[] }) {
  const [open, setOpen] = useState(false);
  const [result, write] = useMutation(WriteReviewDocument);
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Write a review
      </button>
    );
  return (
    <ReviewForm
      heading="Write a review"
      versions={versions}
      submitLabel="Post review"
      busy={result.fetching}
      error={result.error}
      onCancel={() => setOpen(false)}
      onSubmit={async (fields) => {
        const done = await write({ input: { slug, ...fields, versionReviewed: fields.versionReviewed ?? undefined } });
        if (!done.error) setOpen(false);
      }}
    />
  );
}

function OwnReview({ review, versions }: { review: ReviewItemFragment; versions: string[] }) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [edit, update] = useMutation(EditReviewDocument);
  const [removal, remove] = useMutation(RemoveReviewDocument);
  if (editing)
    return (
      <ReviewForm
        heading="Edit your review"
        versions={versions}
        initial={review}
        submitLabel="Save review"
        busy={edit.fetching}
        error={edit.error}
        onCancel={() => setEditing(false)}
        onSubmit={async (fields) => {
          const done = await update({ input: { id: review.id, ...fields } });
          if (!done.error) setEditing(false);
        }}
      />
    );
  return (
    <div className="panel own-review">
      <h3>Your review</h3>
      <p>
        <Stars value={review.rating} /> <strong>{review.title}</strong>
      </p>
      <div className="row">
        <button type="button" className="secondary" onClick={() => setEditing(true)}>
          Edit review
        </button>
        {confirming ? (
          <>
            <button
              type="button"
              className="danger"
              disabled={removal.fetching}
              onClick={async () => {
                const done = await remove({ id: review.id });
                if (!done.error) setConfirming(false);
              }}
            >
              Yes, delete it
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" className="secondary" onClick={() => setConfirming(true)}>
            Delete review
          </button>
        )}
      </div>
      {removal.error ? <ErrorMessage error={removal.error} /> : null}
    </div>
  );
}
