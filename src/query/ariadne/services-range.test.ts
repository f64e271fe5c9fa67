import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { bucketCount, chooseBucketMs, firstBucketMs, parseTimeRange } from './services-range.js';

const NOW = 1_700_000_123_456;

describe('parseTimeRange', () => {
  const good: Array<{ name: string; query: Record<string, unknown>; want: { startMs: number; endMs: number } }> = [
    { name: 'default: the last hour', query: {}, want: { startMs: NOW - 3_600_000, endMs: NOW } },
    { name: 'lookback in minutes', query: { lookback: '15m' }, want: { startMs: NOW - 900_000, endMs: NOW } },
    { name: 'lookback in days', query: { lookback: '7d' }, want: { startMs: NOW - 7 * 86_400_000, endMs: NOW } },
    { name: 'lookback with end', query: { lookback: '2h', end: '1000000000000' }, want: { startMs: 1_000_000_000_000 - 7_200_000, endMs: 1_000_000_000_000 } },
    { name: 'start and end', query: { start: '1000', end: '61000' }, want: { startMs: 1000, endMs: 61_000 } },
    { name: 'start wins over lookback', query: { start: '1000', end: '61000', lookback: '1h' }, want: { startMs: 1000, endMs: 61_000 } },
    { name: 'empty values read as absent', query: { start: '', end: '', lookback: '' }, want: { startMs: NOW - 3_600_000, endMs: NOW } },
  ];
  it.each(good)('$name', ({ query, want }) => {
    expect(parseTimeRange(query, NOW)).toEqual(want);
  });

  const bad: Array<{ name: string; query: Record<string, unknown>; message: string }> = [
    { name: 'start not a number', query: { start: 'yesterday' }, message: 'start: expected milliseconds since the epoch, got "yesterday"' },
    { name: 'negative end', query: { end: '-5' }, message: 'end: expected milliseconds since the epoch, got "-5"' },
    { name: 'end beyond time', query: { end: '9999999999999999' }, message: 'end: 9999999999999999 is beyond the last representable time' },
    { name: 'reversed', query: { start: '5000', end: '4000' }, message: 'start: 5000 is not before end 4000' },
    { name: 'empty range', query: { start: '5000', end: '5000' }, message: 'start: 5000 is not before end 5000' },
    { name: 'range too long', query: { start: '0', end: String(400 * 86_400_000) }, message: 'start: the range from start to end exceeds 366d' },
    { name: 'lookback not a duration', query: { lookback: 'forever' }, message: 'lookback: expected a duration such as 15m, 1h or 7d, got "forever"' },
    { name: 'lookback too short', query: { lookback: '10ms' }, message: 'lookback: 10ms is shorter than 1s' },
    { name: 'lookback too long', query: { lookback: '400d' }, message: 'lookback: 400d exceeds 366d' },
    { name: 'lookback before the epoch', query: { lookback: '2h', end: '1000' }, message: 'lookback: reaches before the epoch from end 1000' },
  ];
  it.each(bad)('rejects $name', ({ query, message }) => {
    let err: unknown;
    try {
      parseTimeRange(query, NOW);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_ARGUMENT');
    expect((err as AppError).message).toBe(message);
  });
});

describe('buckets', () => {
  const H = 3_600_000;
  const cases: Array<{ name: string; startMs: number; endMs: number; max: number; width: number; count: number; first: number }> = [
    // An unaligned hour touches 61 one-minute buckets: too many for a sparkline, fine for a chart.
    { name: '1h sparkline', startMs: 10 * H + 30_000, endMs: 11 * H + 30_000, max: 60, width: 120_000, count: 31, first: 10 * H },
    { name: '1h chart', startMs: 10 * H + 30_000, endMs: 11 * H + 30_000, max: 120, width: 60_000, count: 61, first: 10 * H },
    { name: '24h sparkline', startMs: 5 * H + 1, endMs: 29 * H + 1, max: 60, width: 1_800_000, count: 49, first: 5 * H },
    { name: '24h chart', startMs: 5 * H + 1, endMs: 29 * H + 1, max: 120, width: 900_000, count: 97, first: 5 * H },
    { name: '7d sparkline', startMs: 1, endMs: 7 * 24 * H + 1, max: 60, width: 3 * H, count: 57, first: 0 },
    { name: '10s chart', startMs: 1000, endMs: 11_000, max: 120, width: 1000, count: 11, first: 1000 },
    { name: '366d sparkline', startMs: 0, endMs: 366 * 24 * H, max: 60, width: 7 * 24 * H, count: 53, first: 0 },
  ];
  it.each(cases)('$name', ({ startMs, endMs, max, width, count, first }) => {
    const range = { startMs, endMs };
    expect(chooseBucketMs(range, max)).toBe(width);
    expect(bucketCount(range, width)).toBe(count);
    expect(firstBucketMs(range, width)).toBe(first);
  });
});
