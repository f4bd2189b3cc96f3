// Scaling methods. A series with no spread (constant values) scales to zeros rather than NaN,
// so downstream consumers never see non-JSON numbers.

export class Stats {
  count: i32 = 0;
  mean: f64 = 0;
  std: f64 = 0;
  min: f64 = 0;
  max: f64 = 0;
  median: f64 = 0;
  q1: f64 = 0;
  q3: f64 = 0;
}

/** Quantile of sorted values with linear interpolation (the method NumPy uses by default). */
function quantile(sorted: Array<f64>, q: f64): f64 {
  const pos = (sorted.length - 1) * q;
  const lo = <i32>Math.floor(pos);
  const hi = <i32>Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function describe(values: Array<f64>): Stats {
  const s = new Stats();
  s.count = values.length;
  if (values.length == 0) return s;
  let sum: f64 = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  s.mean = sum / values.length;
  let sq: f64 = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - s.mean) * (values[i] - s.mean);
  // Population standard deviation: the series is the whole population being rescaled.
  s.std = Math.sqrt(sq / values.length);
  const sorted = values.slice();
  sorted.sort((a: f64, b: f64): i32 => (a < b ? -1 : a > b ? 1 : 0));
  s.min = sorted[0];
  s.max = sorted[sorted.length - 1];
  s.median = quantile(sorted, 0.5);
  s.q1 = quantile(sorted, 0.25);
  s.q3 = quantile(sorted, 0.75);
  return s;
}

export function scale(values: Array<f64>, method: string, s: Stats): Array<f64> {
  let center: f64 = s.mean;
  let spread: f64 = s.std;
  if (method == 'minmax') {
    center = s.min;
    spread = s.max - s.min;
  } else if (method == 'robust') {
    center = s.median;
    spread = s.q3 - s.q1;
  }
  const out = new Array<f64>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = spread == 0 ? 0 : (values[i] - center) / spread;
  return out;
}

export function round(x: f64, places: i32): f64 {
  const f = 10.0 ** places;
  return Math.round(x * f) / f;
}
