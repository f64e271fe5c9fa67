import { describe, expect, it } from 'vitest';
import { parseCount, parseFlags, parseWindowUs, percentile, statusSummary } from './report.js';

describe('percentile', () => {
  const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  const cases: Array<[string, number, number]> = [
    ['p50 of 1..10', 50, 5],
    ['p99 of 1..10', 99, 10],
    ['p100 is the max', 100, 10],
    ['p0 is the min', 0, 1],
    ['p90 of 1..10', 90, 9],
  ];
  it.each(cases)('%s', (_name, p, expected) => {
    expect(percentile(samples, p)).toBe(expected);
  });
  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('parseCount', () => {
  const cases: Array<[string, number]> = [['20000', 20_000], ['200k', 200_000], ['1M', 1_000_000], ['10m', 10_000_000], ['1.5k', 1_500]];
  it.each(cases)('%s', (text, expected) => {
    expect(parseCount(text, 'spans')).toBe(expected);
  });
  it('rejects junk with the flag name', () => {
    expect(() => parseCount('lots', 'spans')).toThrow('--spans: expected a positive count such as 20000, 200k or 1M, got "lots"');
    expect(() => parseCount('0', 'spans')).toThrow('--spans');
  });
});

describe('parseWindowUs', () => {
  const cases: Array<[string, number]> = [['1h', 3_600_000_000], ['24h', 86_400_000_000], ['2d', 172_800_000_000], ['30m', 1_800_000_000]];
  it.each(cases)('%s', (text, expected) => {
    expect(parseWindowUs(text, 'window')).toBe(expected);
  });
  it('rejects a unit-less number', () => {
    expect(() => parseWindowUs('24', 'window')).toThrow('--window: expected a duration such as 1h or 24h, got "24"');
  });
});

describe('parseFlags', () => {
  const specs = [{ name: 'spans', help: 'n', default: '1000' }, { name: 'window', help: 'w', default: '1h' }];
  it('takes both --a b and --a=b, keeping defaults for the rest', () => {
    expect(Object.fromEntries(parseFlags(['--spans', '5'], specs, 'u')!)).toEqual({ spans: '5', window: '1h' });
    expect(Object.fromEntries(parseFlags(['--window=24h'], specs, 'u')!)).toEqual({ spans: '1000', window: '24h' });
  });
  it('rejects unknown flags and missing values', () => {
    expect(() => parseFlags(['--nope', '1'], specs, 'u')).toThrow('unknown flag --nope (see --help)');
    expect(() => parseFlags(['--spans'], specs, 'u')).toThrow('--spans: missing value');
  });
});

describe('statusSummary', () => {
  it('lists statuses in order with connection errors named', () => {
    expect(statusSummary(new Map([[429, 2], [202, 10], [0, 1]]))).toBe('conn-error×1 202×10 429×2');
    expect(statusSummary(new Map())).toBe('-');
  });
});
