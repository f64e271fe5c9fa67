import { describe, expect, it } from 'vitest';
import type { MeasurePartial } from '../../storage/api.js';
import { histogramIndex } from '../../storage/histogram.js';
import { BucketedTotals, RequestTotals, figuresOf, histogramBars } from './services-figures.js';

/** The partial figures of a list of durations, as an engine reports them. */
function partial(durations: number[]): MeasurePartial {
  const buckets = new Map<number, number>();
  for (const d of durations) buckets.set(histogramIndex(d), (buckets.get(histogramIndex(d)) ?? 0) + 1);
  return {
    count: durations.length,
    sum: durations.reduce((a, b) => a + b, 0),
    ...(durations.length > 0 ? { min: Math.min(...durations), max: Math.max(...durations) } : {}),
    histogram: [...buckets].sort((a, b) => a[0] - b[0]),
  };
}

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

describe('figuresOf', () => {
  it('merges partials: exact counts, average, min and max; percentiles within 1 %', () => {
    const a = Array.from({ length: 700 }, (_, i) => 1000 + i * 37);
    const b = Array.from({ length: 300 }, (_, i) => 50_000 + i * 911);
    const totals = new RequestTotals();
    totals.add({ count: 700, errorCount: 7 }, partial(a));
    totals.add({ count: 300, errorCount: 30 }, partial(b));
    const figures = figuresOf(totals, { startMs: 0, endMs: 600_000 });
    const all = [...a, ...b].sort((x, y) => x - y);
    expect(figures.requests).toBe(1000);
    expect(figures.errors).toBe(37);
    expect(figures.errorRate).toBe(0.037);
    expect(figures.avgUs).toBe(all.reduce((s, d) => s + d, 0) / 1000);
    expect(figures.minUs).toBe(1000);
    expect(figures.maxUs).toBe(50_000 + 299 * 911);
    expect(figures.perMinute).toBe(100);
    for (const [key, q] of [['p50Us', 0.5], ['p95Us', 0.95], ['p99Us', 0.99]] as const) {
      const exact = exactQuantile(all, q);
      expect(Math.abs(figures[key]! - exact) / exact, key).toBeLessThanOrEqual(0.01);
    }
  });

  it('has null latencies and zero rates without requests', () => {
    expect(figuresOf(new RequestTotals(), { startMs: 0, endMs: 60_000 })).toEqual({
      requests: 0, errors: 0, errorRate: 0, avgUs: null, minUs: null, maxUs: null, p50Us: null, p95Us: null, p99Us: null, perMinute: 0,
    });
  });
});

describe('BucketedTotals', () => {
  it('places groups by their bucket key and leaves empty buckets empty', () => {
    const buckets = new BucketedTotals({ startMs: 90_000, endMs: 250_000 }, 60_000);
    expect(buckets.firstBucketMs).toBe(60_000);
    buckets.add(60_000_000, { count: 2, errorCount: 1 }, partial([100, 300]));
    buckets.add(180_000_000, { count: 1, errorCount: 0 }, partial([5000]));
    buckets.add(9_000_000_000, { count: 5, errorCount: 0 }, partial([1, 1, 1, 1, 1]));
    expect(buckets.series({ p95Us: 0.95 })).toEqual({
      requests: [2, 0, 1, 0],
      errors: [1, 0, 0, 0],
      p95Us: [300, null, 5000, null],
    });
  });
});

describe('histogramBars', () => {
  const cases: Array<{ name: string; durations: number[]; bars: number; want?: Array<{ fromUs: number; toUs: number; count: number }> }> = [
    { name: 'one value: one bar', durations: [500, 500, 500], bars: 1, want: [{ fromUs: 500, toUs: 500, count: 3 }] },
    { name: 'a narrow spread: bars no narrower than a histogram bucket', durations: [1000, 1010, 1020, 1030, 1040], bars: 1 },
    { name: 'a wide spread: 40 bars', durations: Array.from({ length: 2000 }, (_, i) => Math.round(100 * Math.pow(1.005, i))), bars: 40 },
    { name: 'zero durations', durations: [0, 0, 10, 1000], bars: 40 },
    { name: 'nothing measured', durations: [], bars: 0, want: [] },
  ];
  it.each(cases)('$name', ({ durations, bars, want }) => {
    const totals = new RequestTotals();
    totals.add({ count: durations.length, errorCount: 0 }, partial(durations));
    const out = histogramBars(totals, 40);
    if (want) expect(out).toEqual(want);
    expect(out).toHaveLength(bars);
    expect(out.reduce((s, b) => s + b.count, 0)).toBe(durations.length);
    if (durations.length > 0) {
      expect(out[0]!.fromUs).toBe(Math.min(...durations));
      expect(out[out.length - 1]!.toUs).toBe(Math.max(...durations));
    }
    for (let i = 1; i < out.length; i++) {
      expect(out[i]!.fromUs).toBe(out[i - 1]!.toUs);
      expect(out[i]!.toUs / out[i]!.fromUs).toBeCloseTo(out[1]!.toUs / out[1]!.fromUs, 9);
    }
  });

  it('counts each duration in the bar holding it, give or take the histogram\'s 1 %', () => {
    const durations = Array.from({ length: 500 }, (_, i) => 200 + i * i * 7);
    const totals = new RequestTotals();
    totals.add({ count: durations.length, errorCount: 0 }, partial(durations));
    const out = histogramBars(totals, 40);
    for (const bar of out) {
      const lower = durations.filter((d) => d > bar.fromUs * 1.02 && d <= bar.toUs / 1.02).length;
      const upper = durations.filter((d) => d >= bar.fromUs / 1.02 && d <= bar.toUs * 1.02).length;
      expect(bar.count).toBeGreaterThanOrEqual(lower);
      expect(bar.count).toBeLessThanOrEqual(upper);
    }
  });
});
