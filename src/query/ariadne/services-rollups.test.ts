/**
 * The service pages over a day on the embedded engine, where whole 15-minute slots come from the
 * request rollups and the partial slots at the ends from the spans: counts and series exact,
 * percentiles within the rollups' stated accuracy, and the three pages agreeing with each other.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import type { Store } from '../../storage/api.js';
import { isRequest, REQUEST_HISTOGRAM_ACCURACY } from '../../storage/requests.js';
import { servicesApiPlugin, type EndpointAnswer, type ServiceAnswer, type ServicesAnswer } from './index.js';
import { DATASET_ENGINES, WEB_OPERATIONS, datasetApp, shopDataset, writeDataset, type ShopDataset } from './services-dataset.js';

const END_MS = 1_700_086_430_123;
const START_MS = END_MS - 86_400_000;

let store: Store;
let app: FastifyInstance;
let data: ShopDataset;
let cleanup: () => Promise<void> = async () => {};

async function get<T>(url: string): Promise<T> {
  const res = await app.inject(url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as T;
}

function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

function expectFigures(got: ServicesAnswer['services'][number] | ServiceAnswer | EndpointAnswer, spans: Span[], what: string): void {
  const durations = spans.map((s) => s.durationUs).sort((a, b) => a - b);
  expect(got.requests, what).toBe(spans.length);
  expect(got.errors, what).toBe(spans.filter((s) => s.statusCode === 'error').length);
  expect(got.avgUs, what).toBe(durations.reduce((a, b) => a + b, 0) / spans.length);
  expect([got.minUs, got.maxUs], what).toEqual([durations[0], durations[durations.length - 1]]);
  for (const [key, q] of [['p50Us', 0.5], ['p95Us', 0.95], ['p99Us', 0.99]] as const) {
    const exact = nearestRank(durations, q);
    expect(Math.abs(got[key]! - exact) / exact, `${what} ${key}`).toBeLessThanOrEqual(REQUEST_HISTOGRAM_ACCURACY);
  }
}

const requestsOf = (service: string, operation?: string): Span[] =>
  data.spans.filter((s) => isRequest(s) && s.service === service && (operation === undefined || s.name === operation));

function series(spans: Span[], bucketMs: number): number[] {
  const first = Math.floor(START_MS / bucketMs) * bucketMs;
  const out = new Array<number>(Math.floor(END_MS / bucketMs) - Math.floor(START_MS / bucketMs) + 1).fill(0);
  for (const s of spans) out[Math.floor((s.startUs / 1000 - first) / bucketMs)]!++;
  return out;
}

describe.each(DATASET_ENGINES)('service pages over a day: $name', (engine) => {
  beforeAll(async () => {
    data = shopDataset({ startMs: START_MS, endMs: END_MS, traces: 1500, seed: 9 });
    ({ store, cleanup } = await engine.open());
    await writeDataset(store, data, 30);
    app = datasetApp();
    await app.register(servicesApiPlugin, { reader: store.reader, dependencies: store.dependencies, now: () => END_MS });
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await cleanup();
  });

  it('services: exact counts and 30-minute series, percentiles within the stated accuracy', async () => {
    const body = await get<ServicesAnswer>('/api/ariadne/services?lookback=1d');
    expect(body.bucketMs).toBe(1_800_000);
    for (const row of body.services) {
      expectFigures(row, requestsOf(row.name), row.name);
      expect(row.series.requests).toEqual(series(requestsOf(row.name), 1_800_000));
    }
  });

  it.each(['web', 'cart', 'worker'])('%s: figures, 15-minute charts, endpoints', async (service) => {
    const body = await get<ServiceAnswer>(`/api/ariadne/services/${service}?lookback=1d`);
    expect(body.series.bucketMs).toBe(900_000);
    expectFigures(body, requestsOf(service), service);
    expect(body.series.requests).toEqual(series(requestsOf(service), 900_000));
    for (const e of body.endpoints) expectFigures(e, requestsOf(service, e.name), `${service} ${e.name}`);
  });

  it.each(WEB_OPERATIONS.map((op) => ({ op })))('web $op: the endpoint page agrees with its row', async ({ op }) => {
    const body = await get<EndpointAnswer>(`/api/ariadne/services/web/endpoints/${encodeURIComponent(op)}?lookback=1d`);
    expectFigures(body, requestsOf('web', op), op);
    expect(body.histogram.reduce((n, b) => n + b.count, 0)).toBe(body.requests);
    const detail = await get<ServiceAnswer>('/api/ariadne/services/web?lookback=1d');
    const row = detail.endpoints.find((e) => e.name === op)!;
    expect([row.requests, row.errors, row.avgUs, row.p50Us, row.p95Us, row.p99Us]).toEqual([body.requests, body.errors, body.avgUs, body.p50Us, body.p95Us, body.p99Us]);
  });
});
