import { useId } from 'react';

/** Review counts per star, 5 down to 1, as labelled bars. */
export function RatingHistogram({ histogram, count }: { histogram: number[]; count: number }) {
  const id = useId();
  const max = Math.max(1, ...histogram);
  return (
    <figure className="histogram" aria-labelledby={id}>
      <figcaption id={id} className="visually-hidden">
        Ratings by stars
      </figcaption>
      <ul className="histogram-list">
        {[5, 4, 3, 2, 1].map((stars) => {
          const n = histogram[stars - 1] ?? 0;
          return (
            <li key={stars} className="histogram-row">
              <span className="histogram-label">{`${stars} ★`}</span>
              <span className="histogram-bar" aria-hidden="true">
                <span style={{ width: `${(n / max) * 100}%` }} />
              </span>
              <span className="histogram-count">
                {n}
                <span className="visually-hidden">{` of ${count} reviews gave ${stars} stars`}</span>
              </span>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
