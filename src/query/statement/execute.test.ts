import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import type { Span } from '../../model/index.js';
import { createMemoryStore } from '../../storage/memory/index.js';
import type { Store } from '../../storage/api.js';
import { StatementError } from './lexer.js';
import { runStatement, withTimeout, type Cell, type RunOptions } from './execute.js';
import { exactQuantile, SPAN_RANGE_US, T0, testSpans } from './test-spans.js';

let store: Store;
const spans = testSpans();
const END = T0 + SPAN_RANGE_US;

beforeAll(async () => {
  store = createMemoryStore({});
  await store.writer.writeSpans(spans);
});
afterAll(async () => {
  await store.close();
});

const run = (statement: string, extra: Partial<RunOptions> = {}) =>
  runStatement({ reader: store.reader, statement, startUs: T0, endUs: END, scope: {}, ...extra });

/** Groups spans by a key function, in key order. */
function groupsOf(list: readonly Span[], key: (s: Span) => string): Array<[string, Span[]]> {
  const m = new Map<string, Span[]>();
  for (const s of list) {
    const k = key(s);
    m.set(k, [...(m.get(k) ?? []), s]);
  }
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

describe('runStatement: tables', () => {
  it('answers the example statement with figures computed independently', async () => {
    const result = await run('service = "reviews" and duration > 50ms | stats count(), avg(duration), p95(duration) by operation, bucket(5m)');
    const selected = spans.filter((s) => s.service === 'reviews' && s.durationUs > 50_000);
    const expected = groupsOf(selected, (s) => `${s.name}\u0000${String(Math.floor(s.startUs / 300_000_000) * 300_000_000).padStart(20, '0')}`);
    expect(result.kind).toBe('table');
    expect(result.columns).toEqual([
      { name: 'operation', type: 'string' }, { name: 'bucket(5m)', type: 'time' },
      { name: 'count()', type: 'number' }, { name: 'avg(duration)', type: 'duration' }, { name: 'p95(duration)', type: 'duration' },
    ]);
    expect(result.chart).toEqual({ x: 'bucket(5m)', series: ['count()', 'avg(duration)', 'p95(duration)'], type: 'line' });
    expect(result.rows.length).toBe(expected.length);
    expected.forEach(([, group], i) => {
      const row = result.rows[i]!;
      const durations = group.map((s) => s.durationUs);
      expect(row.slice(0, 3)).toEqual([group[0]!.name, Math.floor(group[0]!.startUs / 300_000_000) * 300_000_000, group.length]);
      expect(row[3]).toBeCloseTo(durations.reduce((a, b) => a + b, 0) / group.length, 6);
      const exact = exactQuantile(durations, 0.95);
      expect(Math.abs((row[4] as number) - exact) / exact).toBeLessThanOrEqual(0.01);
    });
    expect(result.truncated).toBeUndefined();
  });

  it('counts errors, sums, extremes and sorts then limits', async () => {
    const result = await run('| stats count(), errors(), error_rate(), sum(duration), min(duration), max(duration) by service | sort count() desc, service | limit 2');
    const expected = groupsOf(spans, (s) => s.service)
      .map(([service, g]): Cell[] => {
        const d = g.map((s) => s.durationUs);
        const errors = g.filter((s) => s.statusCode === 'error').length;
        return [service, g.length, errors, errors / g.length, d.reduce((a, b) => a + b, 0), Math.min(...d), Math.max(...d)];
      })
      .sort((a, b) => (b[1] as number) - (a[1] as number) || ((a[0] as string) < (b[0] as string) ? -1 : 1))
      .slice(0, 2);
    expect(result.rows).toEqual(expected);
    expect(result.truncated).toBe(true);
    expect(result.chart).toEqual({ x: 'service', series: ['count()', 'errors()', 'error_rate()', 'sum(duration)', 'min(duration)', 'max(duration)'], type: 'bar' });
  });

  it('answers one row without group keys, even over no spans', async () => {
    expect((await run('service = "nobody" | stats count(), avg(duration), p99(duration)')).rows).toEqual([[0, null, null]]);
    const all = await run('| stats count() as n, percentile(duration, 0.999) as p999');
    expect(all.columns.map((c) => c.name)).toEqual(['n', 'p999']);
    expect(all.rows[0]![0]).toBe(600);
    const exact = exactQuantile(spans.map((s) => s.durationUs), 0.999);
    expect(Math.abs((all.rows[0]![1] as number) - exact) / exact).toBeLessThanOrEqual(0.01);
    expect(all.chart).toBeUndefined();
  });

  it('aggregates a numeric attribute and groups by a missing one as null', async () => {
    const result = await run('| stats count(), avg(retries) by peer.service');
    const withPeer = spans.filter((s) => s.attributes['peer.service'] !== undefined);
    const without = spans.filter((s) => s.attributes['peer.service'] === undefined);
    const avg = (list: Span[]) => {
      const v = list.map((s) => s.attributes.retries).filter((x): x is number => typeof x === 'number');
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    expect(result.rows.map((r) => r[0])).toEqual([null, 'db']);
    expect(result.rows.map((r) => r[1])).toEqual([without.length, withPeer.length]);
    expect(result.rows[0]![2]).toBeCloseTo(avg(without), 9);
    expect(result.rows[1]![2]).toBeCloseTo(avg(withPeer), 9);
  });

  it('filters with or, not, in, exists and regex', async () => {
    const q = '(service in ("ratings", "productpage") or http.url =~ "^/item/1[0-9]$") and not http.status_code = "500" and exists retries | stats count()';
    const expected = spans.filter((s) =>
      (['ratings', 'productpage'].includes(s.service) || /^\/item\/1[0-9]$/.test(String(s.attributes['http.url'])))
      && s.attributes['http.status_code'] !== '500' && s.attributes.retries !== undefined).length;
    expect((await run(q)).rows).toEqual([[expected]]);
  });

  it('refuses more groups than the limit, naming it', async () => {
    const err = await run('| stats count() by http.url', { limits: { maxGroups: 50, maxSpans: 1000, defaultSpans: 100 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('TOO_LARGE');
    expect((err as AppError).message).toBe('the statement makes more than 50 groups (the limit): narrow the filter, the time range or the "by" keys');
  });

  it('refuses buckets that cannot fit the group limit, at the bucket', async () => {
    const err = await run('| stats count() by bucket(1s)', { limits: { maxGroups: 100, maxSpans: 1000, defaultSpans: 100 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatementError);
    expect((err as StatementError).message).toBe('at 1:20: bucket(1s) over this range makes 1801 buckets, more than the limit of 100 groups: use a larger bucket or a shorter range');
  });

  it('sizes bucket() to the range', async () => {
    const result = await run('| stats count() by bucket()');
    // 30 minutes → 30 s buckets (60 of them, at most 120).
    expect(result.rows.length).toBe(60);
    expect(result.rows[0]).toEqual([T0, 10]);
  });
});

describe('runStatement: span lists', () => {
  it('lists the longest spans of a service with their trace ids', async () => {
    const result = await run('service = "ratings" | sort duration | limit 3');
    const expected = spans.filter((s) => s.service === 'ratings').sort((a, b) => b.durationUs - a.durationUs || b.startUs - a.startUs).slice(0, 3);
    expect(result.kind).toBe('spans');
    expect(result.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'start:time', 'trace_id:string', 'span_id:string', 'service:string', 'operation:string', 'kind:string', 'status:string', 'duration:duration',
    ]);
    expect(result.rows).toEqual(expected.map((s) => [s.startUs, s.traceId, s.spanId, 'ratings', s.name, 'server', s.statusCode, s.durationUs]));
    expect(result.truncated).toBe(true);
  });

  it('lists newest first by default and refuses limits over 1000', async () => {
    const result = await run('status = "error"');
    const expected = spans.filter((s) => s.statusCode === 'error').sort((a, b) => b.startUs - a.startUs);
    expect(result.rows.map((r) => r[1])).toEqual(expected.map((s) => s.traceId));
    expect(result.truncated).toBeUndefined();
    const err = await run('| limit 1001').catch((e: unknown) => e);
    expect((err as Error).message).toBe('at 1:9: a span list answers at most 1000 spans: lower the limit, or group with "stats"');
  });
});

describe('runStatement: limits', () => {
  it('refuses a statement longer than the limit', async () => {
    const err = await run(`service = "${'x'.repeat(5000)}"`).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('TOO_LARGE');
    expect((err as AppError).message).toBe('the statement has 5012 characters, more than the limit of 4096');
  });

  it('gives up on work that outlasts the time limit with UNAVAILABLE', async () => {
    const err = await withTimeout(new Promise(() => undefined), 20).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('UNAVAILABLE');
    expect((err as AppError).message).toBe('the statement ran longer than the limit of 0.02 s: narrow the time range or the filter');
    expect(await withTimeout(Promise.resolve(7), 1000)).toBe(7);
  });
});
