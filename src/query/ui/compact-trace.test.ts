import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Span, SpanKind } from '../../model/index.js';
import { correctClockSkew, dedupeSharedSpanIds } from '../jaeger/index.js';
import { FLAG_ERROR, FLAG_ORPHAN, FLAG_WARNING, findRows, prepareTrace } from './compact-trace.js';
import { span } from './test-spans.js';

const T = 1_000_000;

describe('prepareTrace', () => {
  const cases: Array<{
    name: string;
    spans: Span[];
    ids: string[];
    parent: number[];
    depth: number[];
    subtree: number[];
    startUs?: number[];
    flags?: number[];
    warnings?: string[];
    depthTotal?: number;
  }> = [
    {
      name: 'siblings ordered by start, each followed by its subtree',
      spans: [
        span({ spanId: 'a', startUs: T, durationUs: 1000, service: 'front', name: 'get' }),
        span({ spanId: 'b', parentSpanId: 'a', startUs: T + 500, durationUs: 100 }),
        span({ spanId: 'c', parentSpanId: 'a', startUs: T + 100, durationUs: 300 }),
        span({ spanId: 'd', parentSpanId: 'c', startUs: T + 150, durationUs: 50 }),
      ],
      ids: ['a', 'c', 'd', 'b'],
      parent: [-1, 0, 1, 0],
      depth: [0, 1, 2, 1],
      subtree: [4, 2, 1, 1],
      startUs: [0, 100, 150, 500],
      depthTotal: 3,
    },
    {
      name: 'a span whose parent is missing becomes a flagged root after the true root',
      spans: [
        span({ spanId: 'b', parentSpanId: 'ff', startUs: T + 10 }),
        span({ spanId: 'a', startUs: T }),
      ],
      ids: ['a', 'b'],
      parent: [-1, -1],
      depth: [0, 0],
      subtree: [1, 1],
      flags: [0, FLAG_ORPHAN],
      warnings: ['1 span whose parent is missing from the trace'],
    },
    {
      name: 'error status sets the error flag',
      spans: [span({ spanId: 'a', statusCode: 'error' }), span({ spanId: 'b', parentSpanId: 'a' })],
      ids: ['a', 'b'],
      parent: [-1, 0],
      depth: [0, 1],
      subtree: [2, 1],
      flags: [FLAG_ERROR, 0],
    },
    {
      name: 'a Zipkin shared server half gets a fresh id under its client half',
      spans: [
        span({ spanId: 'a', startUs: T, durationUs: 1000, service: 'front' }),
        span({ spanId: 'b', parentSpanId: 'a', kind: 'client', startUs: T + 100, durationUs: 800, service: 'front' }),
        span({ spanId: 'b', parentSpanId: 'a', kind: 'server', shared: true, startUs: T + 200, durationUs: 600, service: 'back' }),
      ],
      ids: ['a', 'b', '1'],
      parent: [-1, 0, 1],
      depth: [0, 1, 2],
      subtree: [3, 2, 1],
    },
    {
      name: 'a parent cycle is broken at the earliest span',
      spans: [
        span({ spanId: 'a', parentSpanId: 'b', startUs: T + 5 }),
        span({ spanId: 'b', parentSpanId: 'a', startUs: T }),
      ],
      ids: ['b', 'a'],
      parent: [-1, 0],
      depth: [0, 1],
      subtree: [2, 1],
    },
    {
      name: 'a skewed child on another host is shifted into its parent when adjusting',
      spans: [
        span({ spanId: 'a', startUs: T, durationUs: 1000, service: 'front', resource: { 'host.name': 'h1' } }),
        span({ spanId: 'b', parentSpanId: 'a', startUs: T - 500, durationUs: 200, service: 'back', resource: { 'host.name': 'h2' } }),
      ],
      ids: ['a', 'b'],
      parent: [-1, 0],
      depth: [0, 1],
      subtree: [2, 1],
      startUs: [0, 400],
      flags: [0, FLAG_WARNING],
      warnings: ['1 span shifted to correct clock skew'],
    },
  ];
  it.each(cases)('$name', (c) => {
    const { compact, spans, rowOf } = prepareTrace(c.spans, { adjustClockSkew: true });
    const ids = c.ids.map((id) => id.padStart(16, '0'));
    expect(compact.rows.spanIds).toBe(ids.join(''));
    expect(compact.rows.parent).toEqual(c.parent);
    expect(compact.rows.depth).toEqual(c.depth);
    expect(compact.rows.subtree).toEqual(c.subtree);
    if (c.startUs) expect(compact.rows.startUs).toEqual(c.startUs);
    if (c.flags) expect(compact.rows.flags).toEqual(c.flags);
    expect(compact.warnings).toEqual(c.warnings ?? []);
    if (c.depthTotal) expect(compact.depth).toBe(c.depthTotal);
    expect(compact.spanCount).toBe(c.spans.length);
    expect(spans.map((s) => s.spanId)).toEqual(ids);
    ids.forEach((id, row) => expect(rowOf(id)).toBe(row));
    expect(rowOf('00000000000000ee')).toBeUndefined();
  });

  it('indexes services (sorted), names (first seen) and kinds', () => {
    const { compact } = prepareTrace([
      span({ spanId: 'a', service: 'web', name: 'get /', kind: 'server', startUs: T, durationUs: 900 }),
      span({ spanId: 'b', parentSpanId: 'a', service: 'db', name: 'select', kind: 'client', startUs: T + 100, durationUs: 50 }),
    ], { adjustClockSkew: false });
    expect(compact).toMatchObject({
      traceId: '00000000000000000000000000abcdef', startUs: T, durationUs: 900, depth: 2,
      services: ['db', 'web'], names: ['get /', 'select'],
    });
    expect(compact.rows.service).toEqual([1, 0]);
    expect(compact.rows.name).toEqual([0, 1]);
    expect(compact.rows.kind).toEqual([2, 3]);
    expect(compact.rows.durationUs).toEqual([900, 50]);
  });

  it('orders a 50 000-span, 16-level trace in pre-order (its speed is bench/ui\'s to report)', () => {
    const spans: Span[] = [span({ spanId: '1', startUs: T, durationUs: 10_000_000 })];
    for (let i = 2; i <= 50_000; i++) {
      spans.push(span({ spanId: i.toString(16), parentSpanId: Math.floor(i / 2).toString(16), startUs: T + i, durationUs: 100 }));
    }
    const { compact } = prepareTrace(spans, { adjustClockSkew: true });
    expect(compact.spanCount).toBe(50_000);
    expect(compact.rows.subtree[0]).toBe(50_000);
    expect(compact.depth).toBe(16);
  });
});

/**
 * Small traces with what the read-time adjustments react to: shared and repeated ids, parents
 * missing or in a cycle, children outside their parents on the same or another host (resource,
 * endpoint or service), NaN times.
 */
const smallTrace = fc.array(
  fc.record({
    id: fc.integer({ min: 1, max: 12 }),
    parent: fc.option(fc.integer({ min: 1, max: 13 }), { nil: undefined }),
    kind: fc.constantFrom<SpanKind>('server', 'client', 'internal'),
    startUs: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 0, max: 2000 }) }, { weight: 1, arbitrary: fc.constant(Number.NaN) }),
    durationUs: fc.integer({ min: 0, max: 2000 }),
    host: fc.constantFrom('resource h1', 'resource h2', 'ip 10.0.0.1', 'ip 10.0.0.2', 'service'),
    service: fc.constantFrom('front', 'back'),
  }),
  { minLength: 1, maxLength: 14 },
).map((list) => list.map((s): Span => {
  const [where, value] = s.host.split(' ');
  return span({
    spanId: s.id.toString(16), ...(s.parent === undefined ? {} : { parentSpanId: s.parent.toString(16) }), kind: s.kind,
    startUs: T + s.startUs, durationUs: s.durationUs, service: s.service, name: `op${s.id % 3}`,
    ...(where === 'resource' ? { resource: { 'host.name': value! } } : where === 'ip' ? { localEndpoint: { ipv4: value! } } : {}),
  });
}));

describe('prepareTrace against the adjustments it applies', () => {
  const cases = [{ name: 'adjusting', apply: true }, { name: 'only flagging', apply: false }];
  it.each(cases)('each row holds its span as correctClockSkew(dedupeSharedSpanIds(spans)) makes it: $name', ({ apply }) => {
    fc.assert(fc.property(smallTrace, (spans) => {
      const reference = correctClockSkew(dedupeSharedSpanIds(spans), { apply });
      const prepared = prepareTrace(spans, { adjustClockSkew: apply });
      const sourceIndex = new Map(spans.map((s, i) => [s, i]));
      expect(prepared.spans.length).toBe(spans.length);
      prepared.sources.forEach((source, row) => expect(prepared.spans[row]).toEqual(reference[sourceIndex.get(source)!]));
    }), { numRuns: 400 });
  });
});

describe('findRows', () => {
  const trace = prepareTrace([
    span({ spanId: 'a', service: 'frontend', name: 'GET /home', startUs: T, durationUs: 1000, resource: { 'host.name': 'web-1' } }),
    span({ spanId: 'b', parentSpanId: 'a', service: 'backend', name: 'query', startUs: T + 1, attributes: { 'http.status_code': '500', 'db.statement': 'select 1' } }),
    span({ spanId: 'c', parentSpanId: 'a', service: 'backend', name: 'cache', startUs: T + 2, events: [{ timeUs: T + 3, name: 'cache miss' }] }),
  ], { adjustClockSkew: false });
  const cases: Array<{ name: string; text: string; rows: number[] }> = [
    { name: 'service substring, any case', text: 'BACK', rows: [1, 2] },
    { name: 'operation', text: '/home', rows: [0] },
    { name: 'tag value', text: 'select', rows: [1] },
    { name: 'key=value on tags', text: 'http.status_code=50', rows: [1] },
    { name: 'key=value on resource', text: 'host.name=web', rows: [0] },
    { name: 'event name', text: 'miss', rows: [2] },
    { name: 'span id', text: '000000000000000c', rows: [2] },
    { name: 'every word must match', text: 'backend cache', rows: [2] },
    { name: 'blank finds nothing', text: '   ', rows: [] },
    { name: 'no match', text: 'nothing-like-this', rows: [] },
  ];
  it.each(cases)('$name', ({ text, rows }) => {
    expect(findRows(trace.spans, text)).toEqual(rows);
  });
});
