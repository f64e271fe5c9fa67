/**
 * The time range of a service-performance request and the round bucket widths its series use.
 * Ranges are whole milliseconds since the epoch, both ends inclusive; buckets start at multiples of
 * their width since the epoch (as the storage's bucket keys do), so the first and last may be partial.
 */
import { AppError } from '../../errors.js';
import { parseDuration } from '../../model/index.js';

/** A request's time range, ms since the epoch, `startMs < endMs`. */
export interface TimeRange {
  startMs: number;
  endMs: number;
}

/** The widths series buckets may take, ascending: round to read (1m, 5m, 1h, …). */
export const BUCKET_WIDTHS_MS: readonly number[] = [
  1, 2, 5, 10, 15, 30, // seconds
  60, 120, 300, 600, 900, 1800, // minutes
  3600, 7200, 10_800, 21_600, 43_200, // hours
  86_400, 172_800, 604_800, // days
].map((s) => s * 1000);

/** At most this many buckets in a sparkline. */
export const SPARKLINE_BUCKETS = 60;
/** At most this many buckets in a chart. */
export const CHART_BUCKETS = 120;
/** The longest range a request may ask for: 366 days (7-day buckets still fit in a sparkline). */
export const MAX_RANGE_MS = 366 * 86_400_000;
/** The range when the request names none: the last hour. */
export const DEFAULT_LOOKBACK_MS = 3_600_000;

/** Latest instant Date can represent; anything later is not a time. */
const MAX_TIME_MS = 8.64e15;

function msParam(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const text = String(raw);
  if (!/^\d{1,16}$/.test(text)) throw new AppError('INVALID_ARGUMENT', `${name}: expected milliseconds since the epoch, got ${JSON.stringify(text.slice(0, 40))}`);
  const value = Number(text);
  if (value > MAX_TIME_MS) throw new AppError('INVALID_ARGUMENT', `${name}: ${text} is beyond the last representable time`);
  return value;
}

/**
 * Reads `start`, `end` (ms since the epoch) and `lookback` (a duration such as 15m, 1h, 7d; default
 * 1h) from a query string. `end` defaults to `nowMs`; `start` defaults to end − lookback and wins
 * over lookback when both are given. Throws INVALID_ARGUMENT naming the parameter for malformed,
 * reversed or over-long ranges.
 */
export function parseTimeRange(query: Record<string, unknown>, nowMs: number): TimeRange {
  const end = msParam('end', query.end) ?? Math.floor(nowMs);
  const start = msParam('start', query.start);
  let startMs: number;
  if (start !== undefined) {
    startMs = start;
    if (startMs >= end) throw new AppError('INVALID_ARGUMENT', `start: ${startMs} is not before end ${end}`);
    if (end - startMs > MAX_RANGE_MS) throw new AppError('INVALID_ARGUMENT', `start: the range from start to end exceeds 366d`);
  } else {
    const lookbackMs = parseLookback(query.lookback);
    if (lookbackMs > end) throw new AppError('INVALID_ARGUMENT', `lookback: reaches before the epoch from end ${end}`);
    startMs = end - lookbackMs;
  }
  return { startMs, endMs: end };
}

function parseLookback(raw: unknown): number {
  if (raw === undefined || raw === '') return DEFAULT_LOOKBACK_MS;
  const text = String(raw);
  // Days are the natural unit for ranges; Go-style durations stop at hours.
  const days = /^(\d{1,4})d$/.exec(text);
  const us = days ? Number(days[1]) * 86_400_000_000 : parseDuration(text);
  if (us === undefined) throw new AppError('INVALID_ARGUMENT', `lookback: expected a duration such as 15m, 1h or 7d, got ${JSON.stringify(text.slice(0, 40))}`);
  const ms = Math.floor(us / 1000);
  if (ms < 1000) throw new AppError('INVALID_ARGUMENT', `lookback: ${text} is shorter than 1s`);
  if (ms > MAX_RANGE_MS) throw new AppError('INVALID_ARGUMENT', `lookback: ${text} exceeds 366d`);
  return ms;
}

/** How many epoch-aligned buckets of `widthMs` the inclusive range touches. */
export function bucketCount(range: TimeRange, widthMs: number): number {
  return Math.floor(range.endMs / widthMs) - Math.floor(range.startMs / widthMs) + 1;
}

/** The smallest width of {@link BUCKET_WIDTHS_MS} that splits the range into at most `maxBuckets` (the largest width when none does). */
export function chooseBucketMs(range: TimeRange, maxBuckets: number): number {
  for (const width of BUCKET_WIDTHS_MS) if (bucketCount(range, width) <= maxBuckets) return width;
  return BUCKET_WIDTHS_MS[BUCKET_WIDTHS_MS.length - 1]!;
}

/** The start of the first bucket of `widthMs` the range touches, ms since the epoch. */
export function firstBucketMs(range: TimeRange, widthMs: number): number {
  return Math.floor(range.startMs / widthMs) * widthMs;
}
