/** Five stars filled to `value` (0–5), read out as "Rated 4.3 out of 5". */
export function Stars({ value, count }: { value: number; count?: number }) {
  const label = count === 0 ? 'No ratings yet' : `Rated ${value.toFixed(1)} out of 5`;
  return (
    <span className="stars" role="img" aria-label={count != null && count > 0 ? `${label}, ${count} ratings` : label}>
      <span className="stars-track" aria-hidden="true">
        ★★★★★
        <span className="stars-fill" style={{ width: `${(Math.max(0, Math.min(5, value)) / 5) * 100}%` }}>
          ★★★★★
        </span>
      </span>
      {count != null ? (
        <span className="stars-count" aria-hidden="true">
          {count > 0 ? `${value.toFixed(1)} (${count})` : 'no ratings'}
        </span>
      ) : null}
    </span>
  );
}

/** A check mark for publishers an admin verified. */
export function VerifiedMark() {
  return (
    <span className="verified" title="Verified publisher">
      <span aria-hidden="true">✔</span>
      <span className="visually-hidden">verified publisher</span>
    </span>
  );
}
