import { describe, expect, it } from 'vitest';
import {
  apiRangeQuery, barHeights, endpointPath, formatPercent, formatWidth, formatPerMinute, linePath, maxOf, nextSort, niceMax, pageRange, rangeQuery,
  servicePath, servicesRouteOf, sortOf, sortRows, type Figures,
} from './services.js';

describe('servicesRouteOf', () => {
  const cases: Array<{ name: string; path: string; want: ReturnType<typeof servicesRouteOf> }> = [
    { name: 'list', path: '/services', want: { page: 'list' } },
    { name: 'list, trailing slash', path: '/services/', want: { page: 'list' } },
    { name: 'service', path: '/services/cart', want: { page: 'service', service: 'cart' } },
    { name: 'encoded service', path: '/services/my%20svc%2Fv2', want: { page: 'service', service: 'my svc/v2' } },
    { name: 'endpoint with slash', path: '/services/web/endpoints/GET%20%2Fcart', want: { page: 'endpoint', service: 'web', operation: 'GET /cart' } },
    { name: 'malformed escape', path: '/services/%E0%A4%A', want: undefined },
    { name: 'other page', path: '/search', want: undefined },
    { name: 'unknown sub-page', path: '/services/web/other', want: undefined },
  ];
  it.each(cases)('$name', ({ path, want }) => {
    expect(servicesRouteOf(path)).toEqual(want);
  });

  it('round-trips the paths it builds', () => {
    expect(servicesRouteOf(servicePath('a/b c'))).toEqual({ page: 'service', service: 'a/b c' });
    expect(servicesRouteOf(endpointPath('web', 'POST /checkout?x=1#y'))).toEqual({ page: 'endpoint', service: 'web', operation: 'POST /checkout?x=1#y' });
    expect(endpointPath('web', 'GET /', '?lookback=6h')).toBe('/services/web/endpoints/GET%20%2F?lookback=6h');
  });
});

describe('ranges', () => {
  const cases: Array<{ name: string; query: string; range: ReturnType<typeof pageRange>; api: string; carried: string }> = [
    { name: 'default', query: '', range: { kind: 'lookback', lookback: '1h' }, api: '?lookback=1h', carried: '' },
    { name: 'lookback', query: 'lookback=6h&sort=p95Us', range: { kind: 'lookback', lookback: '6h' }, api: '?lookback=6h', carried: '?lookback=6h' },
    { name: 'unknown lookback', query: 'lookback=3y', range: { kind: 'lookback', lookback: '1h' }, api: '?lookback=1h', carried: '?lookback=3y' },
    { name: 'pinned', query: 'start=1000&end=5000', range: { kind: 'fixed', start: 1000, end: 5000 }, api: '?start=1000&end=5000', carried: '?start=1000&end=5000' },
    { name: 'reversed pin', query: 'start=5000&end=1000', range: { kind: 'lookback', lookback: '1h' }, api: '?lookback=1h', carried: '?start=5000&end=1000' },
  ];
  it.each(cases)('$name', ({ query, range, api, carried }) => {
    const params = new URLSearchParams(query);
    expect(pageRange(params)).toEqual(range);
    expect(apiRangeQuery(pageRange(params))).toBe(api);
    expect(rangeQuery(params)).toBe(carried);
  });
});

function row(name: string, f: Partial<Figures>): { name: string } & Figures {
  return {
    name, requests: 0, errors: 0, errorRate: 0, avgUs: null, minUs: null, maxUs: null, p50Us: null, p95Us: null, p99Us: null, perMinute: 0, ...f,
  };
}

describe('sorting', () => {
  const rows = [
    row('b', { requests: 10, p95Us: 300 }),
    row('a', { requests: 10, p95Us: 500 }),
    row('c', { requests: 3, p95Us: null }),
    row('d', { requests: 50, p95Us: 100 }),
  ];
  const cases: Array<{ name: string; query: string; want: string[] }> = [
    { name: 'default: most requests, ties by name', query: '', want: ['d', 'a', 'b', 'c'] },
    { name: 'fewest requests', query: 'sort=requests&dir=asc', want: ['c', 'a', 'b', 'd'] },
    { name: 'slowest p95, null last', query: 'sort=p95Us', want: ['a', 'b', 'd', 'c'] },
    { name: 'fastest p95, null still last', query: 'sort=p95Us&dir=asc', want: ['d', 'b', 'a', 'c'] },
    { name: 'by name', query: 'sort=name', want: ['a', 'b', 'c', 'd'] },
    { name: 'by name descending', query: 'sort=name&dir=desc', want: ['d', 'c', 'b', 'a'] },
    { name: 'unknown key', query: 'sort=bogus&dir=sideways', want: ['d', 'a', 'b', 'c'] },
  ];
  it.each(cases)('$name', ({ query, want }) => {
    expect(sortRows(rows, sortOf(new URLSearchParams(query))).map((r) => r.name)).toEqual(want);
  });

  it('flips the chosen column and starts another in its own first direction', () => {
    expect(nextSort({ key: 'requests', dir: 'desc' }, 'requests')).toEqual({ key: 'requests', dir: 'asc' });
    expect(nextSort({ key: 'requests', dir: 'desc' }, 'name')).toEqual({ key: 'name', dir: 'asc' });
    expect(nextSort({ key: 'name', dir: 'asc' }, 'p99Us')).toEqual({ key: 'p99Us', dir: 'desc' });
  });
});

describe('geometry', () => {
  const cases: Array<{ name: string; values: Array<number | null>; max: number; want: string }> = [
    { name: 'a line', values: [0, 5, 10], max: 10, want: 'M0,20L50,10L100,0' },
    { name: 'a gap breaks the line', values: [10, 10, null, 0, 5], max: 10, want: 'M0,0L25,0M75,20L100,10' },
    { name: 'a lone point is a dash', values: [null, 5, null], max: 10, want: 'M49,10H51' },
    { name: 'one value', values: [4], max: 8, want: 'M49,10H51' },
    { name: 'all zero with max 0 sits on the floor', values: [0, 0], max: 0, want: 'M0,20L100,20' },
    { name: 'nothing', values: [], max: 1, want: '' },
  ];
  it.each(cases)('linePath: $name', ({ values, max, want }) => {
    expect(linePath(values, 100, 20, max)).toBe(want);
  });

  it('linePath with connect steps over empty buckets', () => {
    expect(linePath([10, null, null, 0, null], 100, 20, 10, true)).toBe('M0,0L75,20');
    expect(linePath([null, 5, null], 100, 20, 10, true)).toBe('M49,10H51');
  });

  it.each([
    [0, 1], [0.3, 1], [1, 1], [7, 10], [10, 10], [11, 20], [140, 200], [2500, 5000], [50_001, 100_000],
  ])('niceMax(%d) = %d', (value, want) => {
    expect(niceMax(value)).toBe(want);
  });

  it('maxOf skips nulls; barHeights scale to the tallest bar', () => {
    expect(maxOf([1, null, 7], [null, 3])).toBe(7);
    expect(maxOf([null])).toBe(0);
    expect(barHeights([{ fromUs: 1, toUs: 2, count: 2 }, { fromUs: 2, toUs: 4, count: 8 }, { fromUs: 4, toUs: 8, count: 0 }])).toEqual([0.25, 1, 0]);
    expect(barHeights([{ fromUs: 1, toUs: 2, count: 0 }])).toEqual([0]);
  });
});

describe('formats', () => {
  it.each([
    [0, '0%'], [0.0012, '0.12%'], [0.04373, '4.4%'], [0.5, '50%'], [1, '100%'],
  ])('formatPercent(%d) = %s', (rate, want) => {
    expect(formatPercent(rate)).toBe(want);
  });

  it.each([
    [0, '0'], [0.0166, '0.017'], [1.72, '1.7'], [42.4, '42'], [1234.4, '1,234'],
  ])('formatPerMinute(%d) = %s', (rate, want) => {
    expect(formatPerMinute(rate)).toBe(want);
  });
});

describe('formatWidth', () => {
  it.each([
    [1000, '1s'], [30_000, '30s'], [60_000, '1m'], [900_000, '15m'], [3_600_000, '1h'], [10_800_000, '3h'], [86_400_000, '1d'], [604_800_000, '7d'], [90_000, '90s'], [500, '500ms'],
  ])('formatWidth(%d) = %s', (ms, want) => {
    expect(formatWidth(ms)).toBe(want);
  });
});
