/**
 * The log-scale histogram every engine counts measure values into, so partial figures from several
 * engines, buffers or collectors merge by adding counts, and percentiles read from the merged
 * counts are within 1 % of an exact value (relative).
 *
 * Bucket i > 0 holds values in (GAMMA^(i-1), GAMMA^i]; bucket 0 holds every value ≤ 1 (durations
 * are integer µs, so 0 and 1 µs). Negative values also go to bucket 0.
 */

/** Relative accuracy of a value read back from its bucket. */
export const HISTOGRAM_ACCURACY = 0.01;

/** Ratio between consecutive bucket bounds: (1 + a) / (1 - a). */
export const HISTOGRAM_GAMMA = (1 + HISTOGRAM_ACCURACY) / (1 - HISTOGRAM_ACCURACY);

const LN_GAMMA = Math.log(HISTOGRAM_GAMMA);

/** The bucket index of a value (SQL engines compute `greatest(0, ceil(ln(v) / ln(gamma)))` for v > 1). */
export function histogramIndex(value: number): number {
  if (!(value > 1)) return 0;
  return Math.max(0, Math.ceil(Math.log(value) / LN_GAMMA));
}

/** The representative value of a bucket: within HISTOGRAM_ACCURACY of every value it holds (bucket 0 reads 0). */
export function histogramValue(index: number): number {
  if (index <= 0) return 0;
  return (2 * Math.pow(HISTOGRAM_GAMMA, index)) / (HISTOGRAM_GAMMA + 1);
}

/** Adds `from` into `into` (both [index, count] pairs sorted by index); returns a new sorted array. */
export function mergeHistograms(into: ReadonlyArray<[number, number]>, from: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < into.length || j < from.length) {
    const a = into[i];
    const b = from[j];
    if (b === undefined || (a !== undefined && a[0] < b[0])) {
      out.push([a![0], a![1]]);
      i++;
    } else if (a === undefined || b[0] < a[0]) {
      out.push([b[0], b[1]]);
      j++;
    } else {
      out.push([a[0], a[1] + b[1]]);
      i++;
      j++;
    }
  }
  return out;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of the values counted, nearest-rank: the value of rank ceil(q·n)
 * (rank 1 for q = 0), read from its bucket and clamped to [min, max] when they are given (the first
 * and last ranks then read min and max exactly).
 * Undefined for an empty histogram.
 */
export function histogramQuantile(
  histogram: ReadonlyArray<[number, number]>,
  q: number,
  bounds?: { min?: number; max?: number },
): number | undefined {
  let total = 0;
  for (const [, c] of histogram) total += c;
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  // The extreme ranks are known exactly when the caller kept min and max.
  if (rank === total && bounds?.max !== undefined) return bounds.max;
  if (rank === 1 && bounds?.min !== undefined) return bounds.min;
  let seen = 0;
  for (const [index, c] of histogram) {
    seen += c;
    if (seen >= rank) {
      let v = histogramValue(index);
      if (bounds?.min !== undefined && v < bounds.min) v = bounds.min;
      if (bounds?.max !== undefined && v > bounds.max) v = bounds.max;
      return v;
    }
  }
  return undefined;
}
