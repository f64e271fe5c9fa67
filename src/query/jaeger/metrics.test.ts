/**
 * Jaeger's metrics API against the real memory and embedded (DuckDB) engines. Every expected point
 * is computed here from the spans written, by plain loops over each window: calls per second and
 * error fractions exactly, latency quantiles within 1 % of the nearest-rank value in ms.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span, SpanKind } from '../../model/index.js';
import type { SpanReader, Store } from '../../storage/api.js';
import { DATASET_ENGINES, datasetApp, shopDataset, writeDataset, type ShopDataset } from '../ariadne/services-dataset.js';
import { jaegerQueryPlugin, type MetricFamily } from './index.js';

/** Not aligned to a minute, as the Jaeger UI's Date.now() never is. */
const END_MS = 1_700_003_630_123;
const HOUR_MS = 3_600_000;

let store: Store;
let app: FastifyInstance;
let data: ShopDataset;
let cleanup: () => Promise<void> = async () => {};

async function serve(reader: SpanReader, s: Store): Promise<FastifyInstance> {
  const a = datasetApp();
  await a.register(jaegerQueryPlugin, { reader, dependencies: s.dependencies, adjustClockSkew: false, now: () => END_MS * 1000 });
  return a;
}

async function family(path: string): Promise<MetricFamily> {
  const res = await app.inject({ url: path });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as MetricFamily;
}

// --- independent expectations --------------------------------------------------------------

interface Window {
  stepMs: number;
  ratePerMs: number;
  lookbackMs: number;
}

/** The instants: multiples of step within [end − lookback, end]. */
function instants(w: Window): number[] {
  const out: number[] = [];
  for (let t = Math.ceil((END_MS - w.lookbackMs) / w.stepMs) * w.stepMs; t <= END_MS; t += w.stepMs) out.push(t);
  return out;
}

function selects(span: Span, kinds: SpanKind[]): boolean {
  return kinds.some((k) =>
    k === 'server' ? span.kind === 'server' || span.kind === 'consumer' || span.parentSpanId === undefined : span.kind === k);
}

function spansOf(services: string[], kinds: SpanKind[], operation?: string): Span[] {
  return data.spans.filter((s) => services.includes(s.service) && selects(s, kinds) && (operation === undefined || s.name === operation));
}

function inWindow(spans: Span[], t: number, w: Window): Span[] {
  return spans.filter((s) => s.startUs >= (t - w.ratePerMs) * 1000 && s.startUs < t * 1000);
}

function timestamp(t: number): string {
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

function expectCalls(points: MetricFamily['metrics'][number]['metricPoints'], spans: Span[], w: Window, what: string): void {
  const at = instants(w);
  expect(points.map((p) => p.timestamp), what).toEqual(at.map(timestamp));
  at.forEach((t, i) => {
    expect(points[i]!.gaugeValue.doubleValue, `${what} at ${timestamp(t)}`).toBe(inWindow(spans, t, w).length / (w.ratePerMs / 1000));
  });
}

function expectErrors(points: MetricFamily['metrics'][number]['metricPoints'], spans: Span[], w: Window, what: string): void {
  const at = instants(w);
  expect(points.map((p) => p.timestamp), what).toEqual(at.map(timestamp));
  at.forEach((t, i) => {
    const inside = inWindow(spans, t, w);
    const failed = inside.filter((s) => s.statusCode === 'error').length;
    expect(points[i]!.gaugeValue.doubleValue, `${what} at ${timestamp(t)}`).toBe(inside.length === 0 ? 'NaN' : failed / inside.length);
  });
}

function expectLatencies(points: MetricFamily['metrics'][number]['metricPoints'], spans: Span[], w: Window, q: number, what: string): void {
  const at = instants(w);
  expect(points.map((p) => p.timestamp), what).toEqual(at.map(timestamp));
  at.forEach((t, i) => {
    const durations = inWindow(spans, t, w).map((s) => s.durationUs).sort((a, b) => a - b);
    const got = points[i]!.gaugeValue.doubleValue;
    if (durations.length === 0) {
      expect(got, `${what} at ${timestamp(t)}`).toBe('NaN');
      return;
    }
    const exactMs = nearestRank(durations, q) / 1000;
    expect(typeof got).toBe('number');
    expect(Math.abs((got as number) - exactMs) / exactMs, `${what} at ${timestamp(t)}: got ${got}, exact ${exactMs}`).toBeLessThanOrEqual(0.01);
  });
}

const UI: Window = { stepMs: 60_000, ratePerMs: 600_000, lookbackMs: HOUR_MS };
const uiQuery = (service: string, extra = '') =>
  `service=${encodeURIComponent(service)}&endTs=${END_MS}&lookback=${UI.lookbackMs}&step=${UI.stepMs}&ratePer=${UI.ratePerMs}&spanKind=server${extra}`;

// --- tests ------------------------------------------------------------------------------------
describe.each(DATASET_ENGINES)('$name', (engine) => {
  beforeAll(async () => {
    // Spans from 10 min before the first window to the end, so early windows are full.
    data = shopDataset({ startMs: END_MS - HOUR_MS - 720_000, endMs: END_MS + 60_000, traces: 600, seed: 7 });
    ({ store, cleanup } = await engine.open());
    // A retrying sender's second copy of 40 spans is collapsed by the store, never counted twice.
    await writeDataset(store, data, 40);
    app = await serve(store.reader, store);
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await cleanup();
  });

  it('calls: requests per second over each 10 min window, one point a minute (60 in an unaligned hour), as the Jaeger UI asks', async () => {
    const body = await family(`/api/metrics/calls?${uiQuery('cart')}`);
    expect(body.name).toBe('service_call_rate');
    expect(body.type).toBe('GAUGE');
    expect(body.help).toBe('calls per second over each window, per service');
    expect(body.metrics).toHaveLength(1);
    expect(body.metrics[0]!.labels).toEqual([{ name: 'service_name', value: 'cart' }]);
    expect(body.metrics[0]!.metricPoints).toHaveLength(60);
    expectCalls(body.metrics[0]!.metricPoints, spansOf(['cart'], ['server']), UI, 'cart calls');
  });

  it('errors: the fraction of calls that failed in each window', async () => {
    const body = await family(`/api/metrics/errors?${uiQuery('pay')}`);
    expect(body.name).toBe('service_error_rate');
    expect(body.metrics.map((m) => m.labels)).toEqual([[{ name: 'service_name', value: 'pay' }]]);
    const spans = spansOf(['pay'], ['server']);
    expect(spans.some((s) => s.statusCode === 'error')).toBe(true);
    expectErrors(body.metrics[0]!.metricPoints, spans, UI, 'pay errors');
  });

  it.each([0.5, 0.75, 0.95])('latencies: quantile %s of the durations in ms in each window', async (q) => {
    const body = await family(`/api/metrics/latencies?${uiQuery('web')}&quantile=${q}`);
    expect(body.name).toBe('service_latencies');
    expect(body.help).toBe(`quantile ${q} of request durations in ms over each window, per service`);
    expectLatencies(body.metrics[0]!.metricPoints, spansOf(['web'], ['server']), UI, q, `web p${q * 100}`);
  });

  it('groupByOperation: one series per operation, sorted, labelled service_name then operation', async () => {
    for (const metric of ['calls', 'errors', 'latencies'] as const) {
      const body = await family(`/api/metrics/${metric}?${uiQuery('web', '&groupByOperation=true&quantile=0.95')}`);
      expect(body.name).toBe({ calls: 'service_operation_call_rate', errors: 'service_operation_error_rate', latencies: 'service_operation_latencies' }[metric]);
      expect(body.help.endsWith('per service and operation')).toBe(true);
      const operations = [...new Set(spansOf(['web'], ['server']).map((s) => s.name))].sort();
      expect(body.metrics.map((m) => m.labels)).toEqual(operations.map((op) => [{ name: 'service_name', value: 'web' }, { name: 'operation', value: op }]));
      for (const [i, op] of operations.entries()) {
        const spans = spansOf(['web'], ['server'], op);
        const points = body.metrics[i]!.metricPoints;
        if (metric === 'calls') expectCalls(points, spans, UI, `${op} calls`);
        else if (metric === 'errors') expectErrors(points, spans, UI, `${op} errors`);
        else expectLatencies(points, spans, UI, 0.95, `${op} p95`);
      }
    }
  });

  it('counts a Zipkin shared span once per side: the server half is a call of the callee, the client half is none', async () => {
    const server = await family(`/api/metrics/calls?${uiQuery('cart', '&groupByOperation=true')}`);
    const client = await family(`/api/metrics/calls?service=web&endTs=${END_MS}&lookback=${HOUR_MS}&step=60000&ratePer=600000&spanKind=client&groupByOperation=true`);
    const served = server.metrics.find((m) => m.labels[1]!.value === 'get /api/cart')!;
    const called = client.metrics.find((m) => m.labels[1]!.value === 'get /api/cart')!;
    const shared = data.spans.filter((s) => s.shared === true);
    expect(shared.length).toBeGreaterThan(50);
    expectCalls(served.metricPoints, shared, UI, 'cart served');
    expectCalls(called.metricPoints, data.spans.filter((s) => s.service === 'web' && s.kind === 'client'), UI, 'web client');
    // With the default kind, web's own series holds its entry spans only, never the client halves.
    const web = await family(`/api/metrics/calls?${uiQuery('web', '&groupByOperation=true')}`);
    expect(web.metrics.map((m) => m.labels[1]!.value)).not.toContain('get /api/cart');
  });

  it.each([
    { name: 'other kinds select spans of exactly that kind', kinds: ['producer', 'consumer'] as SpanKind[], services: ['pay', 'worker'] },
    { name: 'server selects parentless client and unspecified spans as requests', kinds: ['server'] as SpanKind[], services: ['cron', 'batch'] },
  ])('spanKind: $name', async ({ kinds, services }) => {
    const w: Window = { stepMs: 30_000, ratePerMs: 45_000, lookbackMs: 1_800_000 };
    const query = `${services.map((s) => `service=${s}`).join('&')}&${kinds.map((k) => `spanKind=${k}`).join('&')}` +
      `&endTs=${END_MS}&lookback=${w.lookbackMs}&step=${w.stepMs}&ratePer=${w.ratePerMs}`;
    const body = await family(`/api/metrics/calls?${query}`);
    const withSpans = services.filter((s) => spansOf([s], kinds).length > 0).sort();
    expect(body.metrics.map((m) => m.labels[0]!.value)).toEqual(withSpans);
    for (const [i, service] of withSpans.entries()) expectCalls(body.metrics[i]!.metricPoints, spansOf([service], kinds), w, `${service} calls`);
    const errors = await family(`/api/metrics/errors?${query}`);
    for (const [i, service] of withSpans.entries()) expectErrors(errors.metrics[i]!.metricPoints, spansOf([service], kinds), w, `${service} errors`);
  });

  it('reads only the tenant of the request and answers no series for unknown services', async () => {
    const w: Window = { ...UI, lookbackMs: 2 * HOUR_MS };
    const url = `/api/metrics/calls?service=cart&endTs=${END_MS}&lookback=${w.lookbackMs}&step=${w.stepMs}&ratePer=${w.ratePerMs}`;
    const res = await app.inject({ url, headers: { 'x-tenant': 'other' } });
    const theirs = data.noise.filter((s) => s.tenant === 'other' && s.service === 'cart' && selects(s, ['server']));
    expect(theirs.length).toBeGreaterThan(0);
    expectCalls((res.json() as MetricFamily).metrics[0]!.metricPoints, theirs, w, 'other tenant cart calls');
    expectCalls((await family(url)).metrics[0]!.metricPoints, spansOf(['cart'], ['server']), w, 'own tenant cart calls');
    expect((await family(`/api/metrics/latencies?${uiQuery('nobody')}&quantile=0.5`)).metrics).toEqual([]);
  });

  it('GET /api/metrics/minstep answers 1000 ms in the Jaeger envelope', async () => {
    const res = await app.inject({ url: '/api/metrics/minstep' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: 1000, total: 0, limit: 0, offset: 0, errors: null });
  });

  it.each([
    { url: '/api/metrics/calls', status: 400, msg: "unable to parse param 'service': please provide at least one service name" },
    { url: '/api/metrics/latencies?service=web', status: 400, msg: "unable to parse param 'quantile': expected a number from 0 to 1, got nothing" },
    { url: '/api/metrics/errors?service=web&step=abc', status: 400, msg: `unable to parse param 'step': expected a whole number of milliseconds, got "abc"` },
    { url: '/api/metrics/calls?service=web&spanKind=edge', status: 400, msg: `unable to parse param 'spanKind': unsupported span kind "edge": expected one of unspecified, internal, server, client, producer, consumer` },
    { url: '/api/metrics/throughput?service=web', status: 404, msg: 'no metric "throughput": expected latencies, calls, errors or minstep' },
  ])('answers $status in the Jaeger error envelope for $url', async ({ url, status, msg }) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg }] });
  });
});
