import { type FormEvent, useId, useState } from 'react';
import { FieldProblems } from '../components/problem-list.tsx';
import type { ReviewItemFragment } from '../generated/graphql.ts';
import { problemsOf } from '../graphql/problems.ts';

export interface ReviewFields {
  rating: number;
  title: string;
  body: string;
  versionReviewed: string | null;
}

/** Rating, title, text and version; the server's problems appear next to their fields. */
export function ReviewForm({
  heading,
  versions,
  initial,
  submitLabel,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  heading: string;
  versions: string[];
  initial?: ReviewItemFragment;
  submitLabel: string;
  busy: boolean;
  error: Parameters<typeof problemsOf>[0];
  onSubmit: (fields: ReviewFields) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [rating, setRating] = useState(initial?.rating ?? 0);
  const [title, setTitle] = useState(initial?.title ?? '');
  const [body, setBody] = useState(initial?.body ?? '');
  const [version, setVersion] = useState(initial?.versionReviewed ?? '');
  const { byField, other } = problemsOf(error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({ rating, title, body, versionReviewed: version || null });
  };
  return (
    <form className="panel stack review-form" onSubmit={submit} aria-labelledby={`${id}-heading`} noValidate>
      <h3 id={`${id}-heading`}>{heading}</h3>
      <fieldset className="rating-input" aria-describedby={byField.rating ? `${id}-rating-problems` : undefined}>
        <legend>Rating</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} className="rating-choice">
            <input type="radio" name={`${id}-rating`} value={n} checked={rating === n} onChange={() => setRating(n)} />
            {`${n} ${n === 1 ? 'star' : 'stars'}`}
          </label>
        ))}
      </fieldset>
      <FieldProblems id={`${id}-rating-problems`} messages={byField.rating} />
      <label htmlFor={`${id}-title`}>Title</label>
      <input
        id={`${id}-title`}
        value={title}
        maxLength={120}
        onChange={(e) => setTitle(e.target.value)}
        aria-invalid={byField.title ? true : undefined}
        aria-describedby={byField.title ? `${id}-title-problems` : undefined}
      />
      <FieldProblems id={`${id}-title-problems`} messages={byField.title} />
      <label htmlFor={`${id}-body`}>Review</label>
      <textarea
        id={`${id}-body`}
        rows={4}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        aria-invalid={byField.body ? true : undefined}
        aria-describedby={byField.body ? `${id}-body-problems` : undefined}
      />
      <FieldProblems id={`${id}-body-problems`} messages={byField.body} />
      <label htmlFor={`${id}-version`}>Version you used</label>
      <select
        id={`${id}-version`}
        value={version}
        onChange={(e) => setVersion(e.target.value)}
        aria-describedby={byField.versionReviewed ? `${id}-version-problems` : undefined}
      >
        <option value="">Not saying</option>
        {versions.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
      <FieldProblems id={`${id}-version-problems`} messages={byField.versionReviewed} />
      {other.length ? (
        <div className="error" role="alert">
          {other.map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      ) : null}
      <div className="row">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
