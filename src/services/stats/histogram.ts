/**
 * Durations kept as counts in fixed log-scale bins, so that percentiles over any number of calls
 * come from merging a few rows rather than sorting the calls. Bin 0 holds everything under
 * `DURATION_BIN_FLOOR_MS × DURATION_BIN_RATIO`, the last bin everything from its start up; bin i
 * between holds [floor × ratio^i, floor × ratio^(i+1)).
 */
export const DURATION_BIN_FLOOR_MS = 0.01;
export const DURATION_BIN_RATIO = 1.25;
/** 72 bins: from 10 µs to about 75 s, beyond any call's deadline. */
export const DURATION_BINS = 72;
/**
 * Largest relative error of a reported percentile for durations inside the binned range: the
 * estimate is its bin's geometric middle (capped at the largest duration seen), at most
 * √1.25 − 1 ≈ 11.8% away from any value in the bin.
 */
export const PERCENTILE_RELATIVE_ERROR = Math.sqrt(DURATION_BIN_RATIO) - 1;

/** The column holding bin `i`'s count. */
export const binColumn = (i: number) => `d${i}`;
export const BIN_COLUMNS = Array.from({ length: DURATION_BINS }, (_, i) => binColumn(i));

const LOG_RATIO = Math.log(DURATION_BIN_RATIO);

export function durationBin(ms: number): number {
  if (!(ms >= DURATION_BIN_FLOOR_MS)) return 0;
  // The small epsilon keeps exact bin edges (0.01 × 1.25^k) in the bin they start.
  return Math.min(DURATION_BINS - 1, Math.floor(Math.log(ms / DURATION_BIN_FLOOR_MS) / LOG_RATIO + 1e-9));
}

/** The value a percentile in bin `i` is reported as, never more than the largest duration seen. */
export function binValue(i: number, maxMs: number): number {
  const middle = DURATION_BIN_FLOOR_MS * DURATION_BIN_RATIO ** (i + 0.5);
  return Math.min(middle, maxMs);
}

/**
 * The nearest-rank percentile (`p` in 0..1) of the durations counted in `bins`: the value of the
 * call at rank ⌈p × n⌉ in duration order, as its bin reports it. Null when nothing was counted.
 */
export function percentile(bins: readonly number[], p: number, maxMs: number): number | null {
  const n = bins.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  let seen = 0;
  for (const [i, count] of bins.entries()) {
    seen += count;
    if (seen >= rank) return binValue(i, maxMs);
  }
  return binValue(bins.length - 1, maxMs);
}
