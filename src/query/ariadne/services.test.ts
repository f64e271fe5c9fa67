/**
 * The service-performance API against the real memory and embedded (DuckDB) engines, with every expected figure computed
 * here from the spans written, by plain loops: counts, average, min and max exactly, percentiles
 * within 1 % of the nearest-rank value; Envoy shared spans counted once per side; the three pages
 * agreeing with each other and with the dependency graph.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import type { SpanReader, Store } from '../../storage/api.js';
import { servicesApiPlugin, type EndpointAnswer, type ServiceAnswer, type ServicesAnswer } from './index.js';
import { DATASET_ENGINES, WEB_OPERATIONS, datasetApp, shopDataset, writeDataset, type ShopDataset } from './services-dataset.js';

const END_MS = 1_700_003_630_000;
const START_MS = END_MS - 3_600_000;
/** The sparkline width of an unaligned hour (61 one-minute buckets are too many) and the chart width. */
const SPARK_MS = 120_000;
const CHART_MS = 60_000;

let store: Store;
let app: FastifyInstance;
let data: ShopDataset;
let cleanup: () => Promise<void> = async () => {};

async function serve(reader: SpanReader, s: Store): Promise<FastifyInstance> {
  const a = datasetApp();
  await a.register(servicesApiPlugin, { reader, dependencies: s.dependencies, now: () => END_MS });
  return a;
}

async function get<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await app.inject({ url, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as T;
}

// --- independent expectations --------------------------------------------------------------

const isRequest = (s: Span) => s.kind === 'server' || s.kind === 'consumer' || s.parentSpanId === undefined;

function requestsOf(filter: { service?: string; operation?: string }): Span[] {
  return data.spans.filter((s) => isRequest(s) && (filter.service === undefined || s.service === filter.service) &&
    (filter.operation === undefined || s.name === filter.operation));
}

function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

interface FiguresLike {
  requests: number; errors: number; errorRate: number; avgUs: number | null; minUs: number | null; maxUs: number | null;
  p50Us: number | null; p95Us: number | null; p99Us: number | null; perMinute: number;
}

function expectFigures(got: FiguresLike, spans: Span[], what: string): void {
  const durations = spans.map((s) => s.durationUs).sort((a, b) => a - b);
  let sum = 0;
  let errors = 0;
  for (const s of spans) {
    sum += s.durationUs;
    if (s.statusCode === 'error') errors++;
  }
  expect(got.requests, `${what} requests`).toBe(spans.length);
  expect(got.errors, `${what} errors`).toBe(errors);
  expect(got.errorRate, `${what} errorRate`).toBe(spans.length === 0 ? 0 : errors / spans.length);
  expect(got.perMinute, `${what} perMinute`).toBe(spans.length / 60);
  expect(got.avgUs, `${what} avgUs`).toBe(sum / spans.length);
  expect(got.minUs, `${what} minUs`).toBe(durations[0]);
  expect(got.maxUs, `${what} maxUs`).toBe(durations[durations.length - 1]);
  for (const [key, q] of [['p50Us', 0.5], ['p95Us', 0.95], ['p99Us', 0.99]] as const) {
    const exact = nearestRank(durations, q);
    expect(Math.abs(got[key]! - exact) / exact, `${what} ${key}: got ${got[key]}, exact ${exact}`).toBeLessThanOrEqual(0.01);
  }
}

/** Requests and errors per bucket, by loops over the spans. */
function expectedSeries(spans: Span[], bucketMs: number): { requests: number[]; errors: number[] } {
  const first = Math.floor(START_MS / bucketMs) * bucketMs;
  const n = Math.floor(END_MS / bucketMs) - Math.floor(START_MS / bucketMs) + 1;
  const requests = new Array<number>(n).fill(0);
  const errors = new Array<number>(n).fill(0);
  for (const s of spans) {
    const i = Math.floor((s.startUs / 1000 - first) / bucketMs);
    requests[i]!++;
    if (s.statusCode === 'error') errors[i]!++;
  }
  return { requests, errors };
}

function expectedLinks(filter: (c: { parent: string; child: string }) => boolean, side: 'parent' | 'child') {
  const byService = new Map<string, { service: string; calls: number; errors: number }>();
  for (const c of data.calls.filter(filter)) {
    const service = c[side];
    const entry = byService.get(service) ?? { service, calls: 0, errors: 0 };
    entry.calls++;
    if (c.error) entry.errors++;
    byService.set(service, entry);
  }
  return [...byService.values()].sort((a, b) => b.calls - a.calls || (a.service < b.service ? -1 : 1));
}

// --- tests ------------------------------------------------------------------------------------
describe.each(DATASET_ENGINES)('$name', (engine) => {
  beforeAll(async () => {
    data = shopDataset({ startMs: START_MS, endMs: END_MS, traces: 600, seed: 42 });
    ({ store, cleanup } = await engine.open());
    // 50 spans sent twice (a retrying sender) are collapsed by the store, never counted twice.
    await writeDataset(store, data, 50);
    app = await serve(store.reader, store);
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await cleanup();
  });

  describe('GET /api/ariadne/services', () => {
    it('lists every service with requests, with figures computed from the spans', async () => {
      const body = await get<ServicesAnswer>('/api/ariadne/services?lookback=1h');
      expect(body.start).toBe(START_MS);
      expect(body.end).toBe(END_MS);
      expect(body.bucketMs).toBe(SPARK_MS);
      expect(body.firstBucketMs).toBe(Math.floor(START_MS / SPARK_MS) * SPARK_MS);
      // db only appears as a remote service, so it has no requests of its own.
      expect(body.services.map((s) => s.name)).toEqual(['batch', 'cart', 'cron', 'pay', 'web', 'worker']);
      for (const row of body.services) {
        const spans = requestsOf({ service: row.name });
        expectFigures(row, spans, row.name);
        const series = expectedSeries(spans, SPARK_MS);
        expect(row.series.requests, `${row.name} series`).toEqual(series.requests);
        expect(row.series.errors, `${row.name} error series`).toEqual(series.errors);
        expect(row.series.p95Us).toHaveLength(31);
      }
    });

    it('counts a shared Zipkin span once per side: the server half for the callee, the client half for nobody', async () => {
      const body = await get<ServicesAnswer>('/api/ariadne/services');
      const sharedServer = data.spans.filter((s) => s.shared === true);
      const cart = body.services.find((s) => s.name === 'cart')!;
      const web = body.services.find((s) => s.name === 'web')!;
      expect(sharedServer.length).toBeGreaterThan(100);
      expect(cart.requests).toBe(sharedServer.length);
      // web's requests are its root spans only, though it reported a client half for each cart call.
      expect(web.requests).toBe(data.spans.filter((s) => s.service === 'web' && s.parentSpanId === undefined).length);
    });

    it('honours the time range: nothing before start or after end', async () => {
      const body = await get<ServicesAnswer>(`/api/ariadne/services?start=${END_MS - 10 * 60_000}&end=${END_MS}`);
      const inRange = data.spans.filter((s) => s.startUs >= (END_MS - 10 * 60_000) * 1000 && s.startUs <= END_MS * 1000);
      const web = body.services.find((s) => s.name === 'web')!;
      expect(web.requests).toBe(inRange.filter((s) => s.service === 'web' && isRequest(s)).length);
      expect(body.bucketMs).toBe(15_000);
    });

    it('reads only the request\'s tenant', async () => {
      const body = await get<ServicesAnswer>('/api/ariadne/services', { 'x-tenant': 'other' });
      const other = data.noise.filter((s) => s.tenant === 'other' && isRequest(s));
      expect(body.services.reduce((n, s) => n + s.requests, 0)).toBe(other.length);
      expect(other.length).toBeGreaterThan(0);
    });
  });

  describe('GET /api/ariadne/services/:service', () => {
    it.each(['web', 'cart', 'pay', 'worker', 'cron', 'batch'])('%s: figures, endpoints, chart series, callers and callees', async (service) => {
      const body = await get<ServiceAnswer>(`/api/ariadne/services/${service}`);
      const spans = requestsOf({ service });
      expect(body.service).toBe(service);
      expectFigures(body, spans, service);
      const chart = expectedSeries(spans, CHART_MS);
      expect(body.series.bucketMs).toBe(CHART_MS);
      expect(body.series.firstBucketMs).toBe(Math.floor(START_MS / CHART_MS) * CHART_MS);
      expect(body.series.requests).toEqual(chart.requests);
      expect(body.series.errors).toEqual(chart.errors);
      expect(body.series.p50Us).toHaveLength(61);
      // Per-bucket percentiles, each within 1 % of the nearest-rank value of that bucket's durations.
      const first = body.series.firstBucketMs;
      body.series.p95Us.forEach((got, i) => {
        const inBucket = spans.filter((sp) => Math.floor((sp.startUs / 1000 - first) / CHART_MS) === i).map((sp) => sp.durationUs).sort((a, b) => a - b);
        if (inBucket.length === 0) return expect(got).toBeNull();
        for (const [key, q] of [['p50Us', 0.5], ['p95Us', 0.95], ['p99Us', 0.99]] as const) {
          const exact = nearestRank(inBucket, q);
          expect(Math.abs(body.series[key][i]! - exact) / exact, `${service} bucket ${i} ${key}`).toBeLessThanOrEqual(0.01);
        }
      });
      expect(body.bucketMs).toBe(SPARK_MS);
      const operations = [...new Set(spans.map((s) => s.name))].sort();
      expect(body.endpoints.map((e) => e.name)).toEqual(operations);
      for (const endpoint of body.endpoints) {
        const opSpans = requestsOf({ service, operation: endpoint.name });
        expectFigures(endpoint, opSpans, `${service} ${endpoint.name}`);
        expect(endpoint.series.requests).toEqual(expectedSeries(opSpans, SPARK_MS).requests);
      }
      expect(body.upstream).toEqual(expectedLinks((c) => c.child === service, 'parent'));
      expect(body.downstream).toEqual(expectedLinks((c) => c.parent === service, 'child'));
    });

    it('agrees with the dependency graph of the same range', async () => {
      const body = await get<ServiceAnswer>('/api/ariadne/services/cart');
      const links = await store.dependencies.getDependencies({ tenant: '', endUs: END_MS * 1000, lookbackUs: 3_600_000_000 });
      expect(body.upstream).toEqual(links.filter((l) => l.child === 'cart').map((l) => ({ service: l.parent, calls: l.callCount, errors: l.errorCount })));
      expect(body.downstream.map((d) => d.service).sort()).toEqual(['db', 'pay']);
      for (const d of body.downstream) {
        const link = links.find((l) => l.parent === 'cart' && l.child === d.service)!;
        expect(d).toEqual({ service: d.service, calls: link.callCount, errors: link.errorCount });
      }
    });

    it('answers a known service without requests in the range with zeros', async () => {
      const body = await get<ServiceAnswer>(`/api/ariadne/services/web?start=1000&end=2000`);
      expect(body).toMatchObject({ requests: 0, errors: 0, errorRate: 0, avgUs: null, p95Us: null, perMinute: 0, endpoints: [], upstream: [], downstream: [] });
      expect(body.series).toMatchObject({ bucketMs: 1000, requests: [0, 0], errors: [0, 0], p50Us: [null, null] });
    });
  });

  describe('GET /api/ariadne/services/:service/endpoints/:operation', () => {
    it.each(WEB_OPERATIONS.map((op) => ({ op })))('web $op: figures, histogram, series, the 100 slowest', async ({ op }) => {
      const body = await get<EndpointAnswer>(`/api/ariadne/services/web/endpoints/${encodeURIComponent(op)}`);
      const spans = requestsOf({ service: 'web', operation: op });
      expect(body).toMatchObject({ service: 'web', operation: op, start: START_MS, end: END_MS });
      expectFigures(body, spans, op);
      expect(body.series.requests).toEqual(expectedSeries(spans, CHART_MS).requests);
      expect(body.histogram.length).toBeGreaterThan(10);
      expect(body.histogram.length).toBeLessThanOrEqual(40);
      expect(body.histogram.reduce((n, b) => n + b.count, 0)).toBe(spans.length);
      expect(body.histogram[0]!.fromUs).toBe(body.minUs);
      expect(body.histogram[body.histogram.length - 1]!.toUs).toBe(body.maxUs);
      const slowest = [...spans].sort((a, b) => b.durationUs - a.durationUs || b.startUs - a.startUs).slice(0, 100);
      expect(body.slowest).toEqual(slowest.map((s) => ({ traceId: s.traceId, spanId: s.spanId, startUs: s.startUs, durationUs: s.durationUs, status: s.statusCode })));
    });

    it('agrees with the service page and the services list', async () => {
      const list = await get<ServicesAnswer>('/api/ariadne/services');
      for (const row of list.services) {
        const detail = await get<ServiceAnswer>(`/api/ariadne/services/${row.name}`);
        expect(detail.requests).toBe(row.requests);
        expect(detail.errors).toBe(row.errors);
        expect(detail.p95Us).toBe(row.p95Us);
        expect(detail.endpoints.reduce((n, e) => n + e.requests, 0)).toBe(row.requests);
        expect(detail.endpoints.reduce((n, e) => n + e.errors, 0)).toBe(row.errors);
        expect(detail.series.requests.reduce((n, r) => n + r, 0)).toBe(row.requests);
        expect(row.series.requests.reduce((n, r) => n + r, 0)).toBe(row.requests);
        for (const e of detail.endpoints) {
          const endpoint = await get<EndpointAnswer>(`/api/ariadne/services/${row.name}/endpoints/${encodeURIComponent(e.name)}`);
          const { series: _a, ...rowFigures } = e;
          const { series: _b, histogram: _c, slowest: _d, service: _e, operation: _f, start: _g, end: _h, ...figures } = endpoint;
          expect({ name: e.name, ...figures }).toEqual(rowFigures);
        }
      }
    });
  });

  describe('errors', () => {
    const cases: Array<{ name: string; url: string; status: number; error: string }> = [
      { name: 'bad lookback', url: '/api/ariadne/services?lookback=soon', status: 400, error: 'lookback: expected a duration such as 15m, 1h or 7d, got "soon"' },
      { name: 'reversed range', url: '/api/ariadne/services/web?start=5000&end=10', status: 400, error: 'start: 5000 is not before end 10' },
      { name: 'bad end', url: '/api/ariadne/services/web/endpoints/x?end=1e9', status: 400, error: 'end: expected milliseconds since the epoch, got "1e9"' },
      { name: 'unknown service', url: '/api/ariadne/services/nope', status: 404, error: 'service "nope" has no spans in the store' },
      { name: 'unknown service, endpoint', url: '/api/ariadne/services/nope/endpoints/GET', status: 404, error: 'service "nope" has no spans in the store' },
    ];
    it.each(cases)('$name: $status', async ({ url, status, error }) => {
      const res = await app.inject(url);
      expect(res.statusCode).toBe(status);
      expect(res.json()).toEqual({ error });
    });

    it('answers 501 when the engine cannot aggregate spans', async () => {
      // The same real engine with its optional capabilities left out, as an engine without them is.
      const { aggregateSpans: _a, findSpans: _f, aggregateRequests: _r, ...plain } = store.reader;
      const bare = await serve(plain, store);
      try {
        for (const url of ['/api/ariadne/services', '/api/ariadne/services/web', '/api/ariadne/services/web/endpoints/GET%20%2F']) {
          const res = await bare.inject(url);
          expect(res.statusCode).toBe(501);
          expect(res.json().error).toMatch(/^service figures need a storage engine that aggregates spans/);
        }
      } finally {
        await bare.close();
      }
    });
  });
});
