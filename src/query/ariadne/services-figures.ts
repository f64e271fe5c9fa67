/**
 * Service-performance figures from the storage's grouped partial figures: which spans are requests,
 * merging partials, percentiles from the merged log-scale histogram, per-bucket series and the
 * latency histogram's bars. Pure: no I/O.
 */
import type { AggregateGroup, MeasurePartial } from '../../storage/api.js';
import { HISTOGRAM_GAMMA, histogramQuantile, histogramValue } from '../../storage/histogram.js';
import { bucketCount, firstBucketMs, type TimeRange } from './services-range.js';

/** The spans that are requests; the rule lives with the storage's request rollups. */
export { requestPredicate } from '../../storage/requests.js';

/** Running totals of requests: counts, duration sum, min, max and the merged histogram. */
export class RequestTotals {
  requests = 0;
  errors = 0;
  /** Requests with a duration (every request, unless an engine lost one). */
  measured = 0;
  sumUs = 0;
  minUs: number | undefined;
  maxUs: number | undefined;
  private readonly buckets = new Map<number, number>();

  /** Adds one group's partial figures; `duration` is its duration measure. */
  add(group: Pick<AggregateGroup, 'count' | 'errorCount'>, duration: MeasurePartial | undefined): void {
    this.requests += group.count;
    this.errors += group.errorCount;
    if (duration === undefined || duration.count === 0) return;
    this.measured += duration.count;
    this.sumUs += duration.sum;
    if (duration.min !== undefined && (this.minUs === undefined || duration.min < this.minUs)) this.minUs = duration.min;
    if (duration.max !== undefined && (this.maxUs === undefined || duration.max > this.maxUs)) this.maxUs = duration.max;
    for (const [index, count] of duration.histogram ?? []) this.buckets.set(index, (this.buckets.get(index) ?? 0) + count);
  }

  /** The merged histogram, [index, count] sorted by index. */
  histogram(): Array<[number, number]> {
    return [...this.buckets].sort((a, b) => a[0] - b[0]);
  }

  /** The q-quantile of the durations (within 1 %, exact at the extremes), undefined when nothing was measured. */
  quantile(q: number): number | undefined {
    return histogramQuantile(this.histogram(), q, { min: this.minUs, max: this.maxUs });
  }
}

/** The figures of a row (service, endpoint). Latencies are µs, null without requests. */
export interface Figures {
  requests: number;
  errors: number;
  /** errors / requests, 0 without requests. */
  errorRate: number;
  avgUs: number | null;
  minUs: number | null;
  maxUs: number | null;
  p50Us: number | null;
  p95Us: number | null;
  p99Us: number | null;
  /** Requests per minute over the whole range. */
  perMinute: number;
}

/** The figures of merged totals over a range. */
export function figuresOf(totals: RequestTotals, range: TimeRange): Figures {
  const measured = totals.measured > 0;
  return {
    requests: totals.requests,
    errors: totals.errors,
    errorRate: totals.requests === 0 ? 0 : totals.errors / totals.requests,
    avgUs: measured ? totals.sumUs / totals.measured : null,
    minUs: totals.minUs ?? null,
    maxUs: totals.maxUs ?? null,
    p50Us: totals.quantile(0.5) ?? null,
    p95Us: totals.quantile(0.95) ?? null,
    p99Us: totals.quantile(0.99) ?? null,
    perMinute: totals.requests / ((range.endMs - range.startMs) / 60_000),
  };
}

/** Totals per bucket of one series: bucket i starts at firstBucketMs + i · bucketMs. */
export class BucketedTotals {
  readonly firstBucketMs: number;
  readonly buckets: RequestTotals[];

  constructor(readonly range: TimeRange, readonly bucketMs: number) {
    this.firstBucketMs = firstBucketMs(range, bucketMs);
    this.buckets = Array.from({ length: bucketCount(range, bucketMs) }, () => new RequestTotals());
  }

  /** Adds a group whose bucket key is `bucketUs` (µs since the epoch); keys outside the range are ignored. */
  add(bucketUs: number, group: Pick<AggregateGroup, 'count' | 'errorCount'>, duration: MeasurePartial | undefined): void {
    const i = Math.floor((bucketUs / 1000 - this.firstBucketMs) / this.bucketMs);
    this.buckets[i]?.add(group, duration);
  }

  /** Requests and errors per bucket, and the given percentiles (null for empty buckets). */
  series<K extends string>(quantiles: Record<K, number>): { requests: number[]; errors: number[] } & Record<K, Array<number | null>> {
    const out: Record<string, Array<number | null>> = {
      requests: this.buckets.map((b) => b.requests),
      errors: this.buckets.map((b) => b.errors),
    };
    for (const [key, q] of Object.entries(quantiles) as Array<[K, number]>) out[key] = this.buckets.map((b) => b.quantile(q) ?? null);
    return out as { requests: number[]; errors: number[] } & Record<K, Array<number | null>>;
  }
}

/** One bar of a latency histogram: requests whose duration falls in (fromUs, toUs] (the first bar includes fromUs). */
export interface HistogramBar {
  fromUs: number;
  toUs: number;
  count: number;
}

/**
 * At most `maxBars` log-spaced bars from min to max of the durations, counted from the merged
 * histogram (each of its buckets goes to the bar holding its value, clamped to [min, max]), so the
 * bars sum to the requests measured. Never narrower than a histogram bucket: a narrow spread gets
 * fewer bars. Empty without durations.
 */
export function histogramBars(totals: RequestTotals, maxBars: number): HistogramBar[] {
  const { minUs, maxUs } = totals;
  if (minUs === undefined || maxUs === undefined || totals.measured === 0) return [];
  const lo = Math.max(1, minUs);
  const hi = Math.max(lo, maxUs);
  const bars = hi <= lo ? 1 : Math.max(1, Math.min(maxBars, Math.floor(Math.log(hi / lo) / Math.log(HISTOGRAM_GAMMA))));
  const ratio = hi / lo;
  const edges: number[] = [minUs];
  for (let i = 1; i < bars; i++) edges.push(lo * Math.pow(ratio, i / bars));
  edges.push(maxUs);
  const out: HistogramBar[] = [];
  for (let i = 0; i < bars; i++) out.push({ fromUs: edges[i]!, toUs: edges[i + 1]!, count: 0 });
  for (const [index, count] of totals.histogram()) {
    const value = Math.min(maxUs, Math.max(minUs, histogramValue(index)));
    let bar = bars === 1 ? 0 : Math.floor((Math.log(Math.max(value, lo) / lo) / Math.log(ratio)) * bars);
    // A value on an inner edge belongs to the bar it closes.
    if (bar > 0 && value <= edges[bar]!) bar--;
    out[Math.min(bars - 1, Math.max(0, bar))]!.count += count;
  }
  return out;
}
