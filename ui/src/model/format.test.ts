import { describe, expect, it } from 'vitest';
import { countOf, displayTraceId, formatDuration, formatTimestamp, formatTimestampAt, groupThousands, timeTicks } from './format.js';
import { minimapBars } from './minimap.js';

describe('formatDuration', () => {
  it.each([
    [0, '0µs'], [850, '850µs'], [1234, '1.23ms'], [12_345, '12.3ms'], [123_456, '123ms'], [1_250_000, '1.25s'],
    [12_500_000, '12.5s'], [125_000_000, '2m 5s'], [3_720_000_000, '1h 2m'], [-1500, '-1.5ms'],
  ] as const)('%i µs → %s', (us, text) => expect(formatDuration(us)).toBe(text));
});

describe('timeTicks', () => {
  it('uses round steps', () => {
    expect(timeTicks(1000, 5).map((t) => t.us)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(timeTicks(1000, 5).map((t) => t.label)).toEqual(['0', '200µs', '400µs', '600µs', '800µs', '1ms']);
  });
});

describe('minimapBars', () => {
  it('keeps the longest span per pixel row', () => {
    const cols = { startUs: [0, 10, 20, 30], durationUs: [100, 5, 7, 50] };
    expect(minimapBars(cols, { rowsHigh: 2, traceUs: 100, width: 200 })).toEqual([
      { row: 0, x: 0, y: 0, w: 200, h: 1 },
      { row: 3, x: 60, y: 1, w: 100, h: 1 },
    ]);
  });
  it('stretches few rows over the strip', () => {
    const cols = { startUs: [0, 50], durationUs: [100, 50] };
    expect(minimapBars(cols, { rowsHigh: 10, traceUs: 100, width: 100 })).toEqual([
      { row: 0, x: 0, y: 0, w: 100, h: 4 },
      { row: 1, x: 50, y: 5, w: 50, h: 4 },
    ]);
  });
});

describe('countOf', () => {
  it.each([
    [0, 'error', undefined, '0 errors'], [1, 'error', undefined, '1 error'], [2, 'error', undefined, '2 errors'],
    [1, 'match', 'matches', '1 match'], [3, 'match', 'matches', '3 matches'], [12_345, 'span', undefined, '12,345 spans'],
  ] as const)('%i %s → %s', (n, noun, plural, text) => expect(countOf(n, noun, plural)).toBe(text));
});

describe('groupThousands', () => {
  it.each([
    ['zero', 0, '0'], ['three digits', 999, '999'], ['four digits', 1000, '1,000'], ['seven digits', 1_234_567, '1,234,567'],
    ['negative', -1000, '-1,000'], ['fraction dropped', 12_345.9, '12,345'], ['small negative fraction', -0.5, '0'], ['not finite', Infinity, 'Infinity'],
  ] as const)('%s', (_name, n, text) => expect(groupThousands(n)).toBe(text));
});

describe('displayTraceId', () => {
  it.each([
    ['64-bit id padded to 128 bits', '0000000000000000463ac35c9f6413ad', '463ac35c9f6413ad'],
    ['128-bit id', '5af7183fb1d4cf5f463ac35c9f6413ad', '5af7183fb1d4cf5f463ac35c9f6413ad'],
    ['already 16 chars', '463ac35c9f6413ad', '463ac35c9f6413ad'],
    ['all zero high half only in part', '0000000000000001463ac35c9f6413ad', '0000000000000001463ac35c9f6413ad'],
  ] as const)('%s', (_name, id, text) => expect(displayTraceId(id)).toBe(text));
});

describe('formatTimestampAt', () => {
  const us = Date.UTC(2026, 11, 31, 23, 30, 0, 5) * 1000 + 999;
  it.each([
    { offset: 0, text: '2026-12-31 23:30:00.005' },
    { offset: -60, text: '2027-01-01 00:30:00.005' },
    { offset: 330, text: '2026-12-31 18:00:00.005' },
  ])('UTC offset $offset min → $text', ({ offset, text }) => {
    expect(formatTimestampAt(us, offset)).toBe(text);
  });

  it('is formatTimestamp in the local zone', () => {
    expect(formatTimestamp(us)).toBe(formatTimestampAt(us, new Date(Math.floor(us / 1000)).getTimezoneOffset()));
  });
});
