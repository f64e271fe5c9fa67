import { describe, expect, it } from 'vitest';
import { HISTOGRAM_ACCURACY, histogramIndex, histogramQuantile, histogramValue, mergeHistograms } from './histogram.js';

describe('histogram', () => {
  it.each([0, 1, -5])('puts %d in bucket 0', (v) => {
    expect(histogramIndex(v)).toBe(0);
  });

  it.each([2, 3, 17, 999, 123_456, 9_876_543_210])('reads %d back within the accuracy', (v) => {
    const back = histogramValue(histogramIndex(v));
    expect(Math.abs(back - v) / v).toBeLessThanOrEqual(HISTOGRAM_ACCURACY + 1e-12);
  });

  it('merges sorted pairs by index', () => {
    expect(mergeHistograms([[1, 2], [5, 1]], [[0, 1], [5, 2], [9, 4]])).toEqual([[0, 1], [1, 2], [5, 3], [9, 4]]);
  });

  it('takes nearest-rank quantiles within the accuracy of the exact ones', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) * 1000);
    const counts = new Map<number, number>();
    for (const v of values) counts.set(histogramIndex(v), (counts.get(histogramIndex(v)) ?? 0) + 1);
    const h = [...counts].sort((a, b) => a[0] - b[0]);
    for (const [q, exact] of [[0.5, 500_000], [0.95, 950_000], [0.99, 990_000], [1, 1_000_000]] as const) {
      const got = histogramQuantile(h, q)!;
      expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(HISTOGRAM_ACCURACY + 1e-12);
    }
    expect(histogramQuantile(h, 1, { max: 1_000_000 })).toBe(1_000_000);
    expect(histogramQuantile([], 0.5)).toBeUndefined();
  });
});
