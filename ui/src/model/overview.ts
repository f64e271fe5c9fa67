/**
 * Search result overviews: how many traces started in each slice of the searched period, and
 * how the results' time splits between services (computed by the server).
 */
import type { TraceSummary } from '../api/types.js';

/** One histogram bar: traces that started in [startUs, endUs). */
export interface HistogramBucket {
  startUs: number;
  endUs: number;
  count: number;
  /** Of those, traces with at least one error span. */
  errors: number;
}

/**
 * Splits [startUs, endUs) into `buckets` equal slices and counts the traces starting in each;
 * a trace starting exactly at endUs falls in the last bucket, traces outside the period are left out.
 */
export function traceHistogram(list: readonly TraceSummary[], period: { startUs: number; endUs: number; buckets: number }): HistogramBucket[] {
  const buckets = Math.max(1, Math.floor(period.buckets));
  const spanUs = Math.max(1, period.endUs - period.startUs);
  const out: HistogramBucket[] = Array.from({ length: buckets }, (_, i) => ({
    startUs: period.startUs + Math.round((spanUs * i) / buckets),
    endUs: period.startUs + Math.round((spanUs * (i + 1)) / buckets),
    count: 0,
    errors: 0,
  }));
  for (const s of list) {
    if (s.startUs < period.startUs || s.startUs > period.endUs) continue;
    const i = Math.min(buckets - 1, Math.floor(((s.startUs - period.startUs) * buckets) / spanUs));
    const bucket = out[i]!;
    bucket.count++;
    if (s.errorCount > 0) bucket.errors++;
  }
  return out;
}

/** Time spent in one service across a set of traces. */
export interface ServiceTime {
  service: string;
  spans: number;
  /** Sum of its spans' durations, µs (nested spans of the service count each). */
  totalUs: number;
  /** Sum of its spans' self time (duration minus time covered by children), µs. */
  selfUs: number;
}
