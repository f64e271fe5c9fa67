/**
 * The request figures' contract as one suite every engine runs (through readRequests, so engines
 * without rollups are checked on their fallback): counts, errors and duration count/sum/min/max
 * exactly as the reference aggregation over the spans written; every percentile of each group's
 * histogram within REQUEST_HISTOGRAM_ACCURACY of the exact nearest-rank duration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span, SpanKind, StatusCode } from '../model/index.js';
import type { AggregateGroup, RequestAggregation, Store } from './api.js';
import { histogramQuantile } from './histogram.js';
import { aggregateSpans, compareGroupKeys, searchSpans } from './predicate.js';
import {
  isRequest, readRequests, readSlowestRequests, REQUEST_HISTOGRAM_ACCURACY, requestAggregationOf, ROLLUP_SLOT_US, slowestRequestsSearch, slowRequestRow,
  type SlowestRequestsQuery,
} from './requests.js';

/** How the suite opens the engine under test. */
export interface RequestConformanceTarget {
  /** Opens an empty store. */
  open(): Promise<Store>;
  /** Waits until what was written is in the engine's long-term layout (flushed), when it has one. */
  settle?(store: Store): Promise<void>;
  /**
   * Leaves out the batch written twice: for engines whose rollups count a span stored twice twice
   * (ClickHouse keeps both rows); their own tests pin that difference down.
   */
  withoutResent?: boolean;
  /** Closes and reopens the same data, for durable engines; the reopen cases run only when given. */
  reopen?(store: Store): Promise<Store>;
  cleanup?(): Promise<void>;
}

const SLOT = ROLLUP_SLOT_US;
/** A slot boundary: 2023-11-14T22:15:00Z. */
export const REQUEST_T0 = Math.floor(1_700_000_000_000_000 / SLOT) * SLOT + SLOT;
const MINUTE = 60_000_000;

/** A small PRNG so the fixture is the same everywhere. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/**
 * Four hours of spans from REQUEST_T0 in two tenants: servers, consumers, parentless clients,
 * clients and internal spans (not requests), errors, durations from 0 µs to minutes, and one
 * batch of spans written twice.
 */
export function requestFixture(): Span[][] {
  const rnd = prng(7);
  const services = ['web', 'cart', 'pay'];
  const operations = ['GET /', 'POST /buy', 'op,with "quotes"'];
  const kinds: SpanKind[] = ['server', 'server', 'consumer', 'client', 'internal'];
  const batches: Span[][] = [];
  let n = 0;
  for (let b = 0; b < 8; b++) {
    const batch: Span[] = [];
    for (let i = 0; i < 150; i++) {
      n++;
      const kind = kinds[Math.floor(rnd() * kinds.length)]!;
      const parentless = rnd() < 0.2;
      const statusCode: StatusCode = rnd() < 0.1 ? 'error' : rnd() < 0.5 ? 'ok' : 'unset';
      const r = rnd();
      const durationUs = r < 0.03 ? 0 : r < 0.06 ? 1 : Math.round(Math.exp(2 + rnd() * 16));
      const span: Span = {
        traceId: hex(n, 32), spanId: hex(n, 16), kind, name: operations[Math.floor(rnd() * operations.length)]!,
        service: services[Math.floor(rnd() * services.length)]!, startUs: REQUEST_T0 + Math.floor(rnd() * 4 * 60 * MINUTE),
        durationUs, statusCode, attributes: {}, events: [], links: [], resource: {}, tenant: rnd() < 0.2 ? 'acme' : '',
      };
      if (!parentless) span.parentSpanId = hex(n + 1_000_000, 16);
      batch.push(span);
    }
    batches.push(batch);
  }
  batches.push(batches[2]!.slice(0, 40).map((s) => structuredClone(s)));
  return batches;
}

/** The queries of the suite: names and aggregations. */
export const REQUEST_QUERIES: Array<[string, RequestAggregation]> = [
  ['whole slots, one group', { startUsMin: REQUEST_T0, startUsMax: REQUEST_T0 + 16 * SLOT - 1, groupBy: [], maxGroups: 10 }],
  ['everything, by service and 15 min', { startUsMin: 0, startUsMax: REQUEST_T0 + 100 * SLOT, groupBy: [{ ref: { field: 'service' } }, { bucketUs: SLOT }], maxGroups: 1000 }],
  [
    'unaligned edges, by operation and 30 min, one service',
    { startUsMin: REQUEST_T0 + 7 * MINUTE + 3, startUsMax: REQUEST_T0 + 3 * 60 * MINUTE + 11 * MINUTE, service: 'web', groupBy: [{ ref: { field: 'operation' } }, { bucketUs: 2 * SLOT }], maxGroups: 1000 },
  ],
  [
    'one endpoint, 1 h buckets, tenant acme',
    { tenant: 'acme', startUsMin: REQUEST_T0 + 1, startUsMax: REQUEST_T0 + 4 * 60 * MINUTE - 2, service: 'cart', operation: 'op,with "quotes"', groupBy: [{ bucketUs: 4 * SLOT }], maxGroups: 100 },
  ],
  ['default tenant, bucket then service', { tenant: '', startUsMin: REQUEST_T0 + 5 * MINUTE, startUsMax: REQUEST_T0 + 200 * MINUTE, groupBy: [{ bucketUs: 3 * SLOT }, { ref: { field: 'service' } }], maxGroups: 1000 }],
  ['buckets narrower than a slot (scanned)', { startUsMin: REQUEST_T0, startUsMax: REQUEST_T0 + 60 * MINUTE, groupBy: [{ ref: { field: 'service' } }, { bucketUs: 5 * MINUTE }], maxGroups: 1000 }],
  ['inside one slot', { startUsMin: REQUEST_T0 + MINUTE, startUsMax: REQUEST_T0 + 10 * MINUTE, groupBy: [{ ref: { field: 'operation' } }], maxGroups: 100 }],
  ['nothing in the window', { startUsMin: REQUEST_T0 - 10 * SLOT, startUsMax: REQUEST_T0 - 1, groupBy: [], maxGroups: 10 }],
];

/** The slowest-request queries of the suite: names and queries. */
export const SLOWEST_QUERIES: Array<[string, SlowestRequestsQuery]> = [
  ['one endpoint, everything, top 100', { startUsMin: 0, startUsMax: REQUEST_T0 + 100 * SLOT, service: 'web', operation: 'GET /', limit: 100 }],
  ['every request of an endpoint (more than there are)', { startUsMin: 0, startUsMax: REQUEST_T0 + 100 * SLOT, service: 'pay', operation: 'POST /buy', limit: 10_000 }],
  [
    'unaligned window, tenant acme, top 7',
    { tenant: 'acme', startUsMin: REQUEST_T0 + 7 * MINUTE + 3, startUsMax: REQUEST_T0 + 3 * 60 * MINUTE + 11 * MINUTE, service: 'cart', operation: 'op,with "quotes"', limit: 7 },
  ],
  ['default tenant, inside one slot, top 3', { tenant: '', startUsMin: REQUEST_T0 + MINUTE, startUsMax: REQUEST_T0 + 10 * MINUTE, service: 'web', operation: 'POST /buy', limit: 3 }],
  ['limit 0', { startUsMin: 0, startUsMax: REQUEST_T0 + 100 * SLOT, service: 'web', operation: 'GET /', limit: 0 }],
  ['an unknown endpoint', { startUsMin: 0, startUsMax: REQUEST_T0 + 100 * SLOT, service: 'web', operation: 'nope', limit: 10 }],
];

/** The exact durations of the requests of each group of a request aggregation, by group keys. */
function durationsByGroup(spans: readonly Span[], q: RequestAggregation): Map<string, number[]> {
  const seen = new Set<string>();
  const out = new Map<string, number[]>();
  for (const s of spans) {
    if (!isRequest(s) || s.startUs < q.startUsMin || s.startUs > q.startUsMax) continue;
    if ((q.tenant !== undefined && s.tenant !== q.tenant) || (q.service !== undefined && s.service !== q.service) || (q.operation !== undefined && s.name !== q.operation)) continue;
    const id = JSON.stringify([s.tenant, s.traceId, s.spanId, s.kind, s.startUs, s.durationUs]);
    if (seen.has(id)) continue;
    seen.add(id);
    const keys = q.groupBy.map((k) => ('bucketUs' in k ? Math.floor(s.startUs / k.bucketUs) * k.bucketUs : k.ref.field === 'service' ? s.service : s.name));
    const key = JSON.stringify(keys);
    out.set(key, [...(out.get(key) ?? []), s.durationUs]);
  }
  return out;
}

/** Checks an answer against the spans: exact figures, percentiles within the stated accuracy. */
export function expectRequestAnswer(got: AggregateGroup[], spans: readonly Span[], q: RequestAggregation): void {
  const reference = aggregateSpans(spans, requestAggregationOf(q));
  const strip = (groups: AggregateGroup[]) => groups.map((g) => ({ ...g, measures: g.measures.map(({ histogram: _h, ...m }) => m) }));
  const sorted = [...got].sort((a, b) => compareGroupKeys(a.keys, b.keys));
  expect(sorted.map((g) => g.keys)).toEqual(reference.map((g) => g.keys));
  expect(strip(sorted)).toEqual(strip(reference));
  const exact = durationsByGroup(spans, q);
  for (const group of got) {
    const durations = (exact.get(JSON.stringify(group.keys)) ?? []).sort((a, b) => a - b);
    const measure = group.measures[0]!;
    const histogram = measure.histogram ?? [];
    expect(histogram.reduce((n, [, c]) => n + c, 0), `histogram of ${JSON.stringify(group.keys)}`).toBe(durations.length);
    for (let p = 0; p <= 100; p += 5) {
      const q100 = p / 100;
      const rank = Math.max(1, Math.ceil(q100 * durations.length));
      const want = durations[rank - 1]!;
      const read = histogramQuantile(histogram, q100, { min: measure.min, max: measure.max })!;
      // Durations of 0 and 1 µs read as 0 (the histogram's first bucket).
      const slack = want <= 1 ? 1 : want * REQUEST_HISTOGRAM_ACCURACY;
      expect(Math.abs(read - want), `p${p} of ${JSON.stringify(group.keys)}: read ${read}, exact ${want}`).toBeLessThanOrEqual(slack + 1e-9);
    }
  }
}

/** Registers the request-figure cases for one engine under `describe(name)`. */
export function runRequestConformance(name: string, target: RequestConformanceTarget): void {
  describe(`request figures: ${name}`, () => {
    let store: Store;
    const written = target.withoutResent === true ? requestFixture().slice(0, -1) : requestFixture();
    const spans = written.flat();

    beforeAll(async () => {
      store = await target.open();
      for (const batch of written) await store.writer.writeSpans(batch);
      await target.settle?.(store);
    });

    afterAll(async () => {
      try {
        await store?.close();
      } finally {
        await target.cleanup?.();
      }
    });

    it('the fixture has requests in every slot and non-requests too', () => {
      const requests = spans.filter(isRequest);
      expect(requests.length).toBeGreaterThan(500);
      expect(requests.length).toBeLessThan(spans.length);
    });

    it.for(REQUEST_QUERIES)('%s: exact figures, percentiles within the stated accuracy', async ([, q]) => {
      expectRequestAnswer(await readRequests(store.reader, q), spans, q);
    });

    it.for(SLOWEST_QUERIES)('slowest requests, %s: the rows of findSpans of the same search', async ([, q], ctx) => {
      if (store.reader.findSpans === undefined) ctx.skip();
      const search = slowestRequestsSearch(q);
      const got = await readSlowestRequests(store.reader, q);
      expect(got).toEqual((await store.reader.findSpans!(search)).map(slowRequestRow));
      expect(got).toEqual(searchSpans(spans, search).map(slowRequestRow));
    });

    it('rejects more groups than maxGroups with RESOURCE_EXHAUSTED', async () => {
      const q: RequestAggregation = { startUsMin: 0, startUsMax: REQUEST_T0 + 100 * SLOT, groupBy: [{ ref: { field: 'service' } }, { bucketUs: SLOT }], maxGroups: 5 };
      await expect(readRequests(store.reader, q)).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    });

    it('answers the same after a reopen', async (ctx) => {
      if (target.reopen === undefined) ctx.skip();
      store = await target.reopen!(store);
      for (const [, q] of REQUEST_QUERIES) expectRequestAnswer(await readRequests(store.reader, q), spans, q);
    });
  });
}
