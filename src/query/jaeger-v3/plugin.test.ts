import { fastify, type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import type { SpanReader } from '../../storage/api.js';
import { createMemoryStore, type MemoryStore } from '../../storage/memory/index.js';
import { jaegerV3Plugin } from './index.js';

const S = 1_700_000_000_000_000; // 2023-11-14T22:13:20Z
const T64 = '0000000000000000a1b2c3d4e5f60718';
const T128 = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const WINDOW = 'query.startTimeMin=2023-11-14T22:00:00Z&query.startTimeMax=2023-11-14T23:00:00Z';

function span(fields: Partial<Span> & Pick<Span, 'traceId' | 'spanId' | 'service' | 'name'>): Span {
  return { kind: 'server', startUs: S, durationUs: 1000, statusCode: 'unset', attributes: {}, events: [], links: [], resource: {}, tenant: '', ...fields };
}

/** T64: frontend → backend with a shared Zipkin id, the backend fails; an orphan arrives. T128: a later backend trace. */
const SPANS: Span[] = [
  span({ traceId: T64, spanId: '0000000000000001', service: 'frontend', name: 'GET /', durationUs: 5000 }),
  span({ traceId: T64, spanId: '0000000000000002', parentSpanId: '0000000000000001', kind: 'client', service: 'frontend', name: 'call', startUs: S + 100, durationUs: 3000 }),
  span({
    traceId: T64, spanId: '0000000000000002', parentSpanId: '0000000000000001', service: 'backend', name: 'call', startUs: S + 200,
    durationUs: 2000, shared: true, statusCode: 'error', attributes: { error: 'db down' },
  }),
  span({ traceId: T64, spanId: '0000000000000007', parentSpanId: '00000000000000ff', kind: 'unspecified', service: 'backend', name: 'late', startUs: S + 6000, durationUs: 10 }),
  span({ traceId: T128, spanId: '000000000000000a', service: 'backend', name: 'cron', startUs: S + 60_000_000, durationUs: 40, kind: 'internal' }),
];

let store: MemoryStore;
let app: FastifyInstance;

async function start(reader: SpanReader): Promise<FastifyInstance> {
  const instance = fastify({ routerOptions: { maxParamLength: 1000 } });
  await instance.register(jaegerV3Plugin, { reader });
  await instance.ready();
  return instance;
}

async function get(url: string, on = app): Promise<{ status: number; type: string | undefined; body: unknown }> {
  const res = await on.inject({ method: 'GET', url });
  return { status: res.statusCode, type: res.headers['content-type'] as string | undefined, body: JSON.parse(res.body) };
}

beforeAll(async () => {
  store = createMemoryStore();
  await store.writer.writeSpans(SPANS);
  app = await start(store.reader);
});

afterAll(async () => {
  await app.close();
  await store.close();
});

const T64_SUMMARY = {
  traceId: T64, rootServiceName: 'frontend', rootOperationName: 'GET /', minStartTimeUnixNano: '1700000000000000000',
  maxEndTimeUnixNano: '1700000000006010000', spanCount: 4, errorSpanCount: 1, orphanSpanCount: 1,
  services: [{ name: 'backend', spanCount: 2, errorSpanCount: 1 }, { name: 'frontend', spanCount: 2 }],
};
const T128_SUMMARY = {
  traceId: T128, rootServiceName: 'backend', rootOperationName: 'cron', minStartTimeUnixNano: '1700000060000000000',
  maxEndTimeUnixNano: '1700000060000040000', spanCount: 1, services: [{ name: 'backend', spanCount: 1 }],
};

describe('jaegerV3Plugin answers', () => {
  const cases: Array<[string, string, number, unknown]> = [
    ['services, sorted', '/api/v3/services', 200, { services: ['backend', 'frontend'] }],
    [
      'operations of a service; an unspecified kind is listed as internal',
      '/api/v3/operations?service=backend',
      200,
      { operations: [{ name: 'call', spanKind: 'server' }, { name: 'cron', spanKind: 'internal' }, { name: 'late', spanKind: 'internal' }] },
    ],
    ['operations of one kind', '/api/v3/operations?service=frontend&spanKind=client', 200, { operations: [{ name: 'call', spanKind: 'client' }] }],
    ['operations of one kind, alias', '/api/v3/operations?service=frontend&span_kind=server', 200, { operations: [{ name: 'GET /', spanKind: 'server' }] }],
    ['operations of an unknown kind', '/api/v3/operations?service=frontend&spanKind=weird', 200, { operations: [] }],
    ['operations without a service', '/api/v3/operations', 200, { operations: [] }],
    ['operations of an unknown service', '/api/v3/operations?service=nope', 200, { operations: [] }],
    ['summaries, newest first', `/api/v3/trace-summaries?${WINDOW}`, 200, { summaries: [T128_SUMMARY, T64_SUMMARY] }],
    ['summaries by service and operation', `/api/v3/trace-summaries?${WINDOW}&query.serviceName=backend&query.operationName=call`, 200, { summaries: [T64_SUMMARY] }],
    ['summaries with a search depth', `/api/v3/trace-summaries?${WINDOW}&query.searchDepth=1`, 200, { summaries: [T128_SUMMARY] }],
    ['summaries of failed spans', `/api/v3/trace-summaries?${WINDOW}&query.attributes=${encodeURIComponent('{"error":"true"}')}`, 200, { summaries: [T64_SUMMARY] }],
    ['summaries by duration', `/api/v3/trace-summaries?${WINDOW}&query.durationMin=4ms&query.durationMax=5ms`, 200, { summaries: [T64_SUMMARY] }],
    ['summaries: none', `/api/v3/trace-summaries?${WINDOW}&query.serviceName=nope`, 200, { summaries: [] }],
    [
      'summaries: the window bounds are exact to the µs',
      '/api/v3/trace-summaries?query.startTimeMin=2023-11-14T22:13:20.000201Z&query.startTimeMax=2023-11-14T22:13:20.006Z',
      200,
      { summaries: [T64_SUMMARY] },
    ],
    ['missing bounds', '/api/v3/trace-summaries?query.serviceName=backend', 400, { error: { httpCode: 400, message: 'query.startTimeMin and query.startTimeMax are required' } }],
    [
      'a malformed bound',
      '/api/v3/traces?query.startTimeMin=2023-11-14&query.startTimeMax=2023-11-15T00:00:00Z',
      400,
      { error: { httpCode: 400, message: 'malformed parameter query.startTimeMin: parsing time "2023-11-14" as "2006-01-02T15:04:05.999999999Z07:00": not an RFC 3339 time' } },
    ],
    ['a search that finds nothing', `/api/v3/traces?${WINDOW}&query.serviceName=nope`, 404, { error: { httpCode: 404, message: 'No traces found' } }],
    ['an unknown trace', '/api/v3/traces/0123456789abcdef', 404, { error: { httpCode: 404, message: 'No traces found' } }],
    ['an all-zero trace id', '/api/v3/traces/0', 404, { error: { httpCode: 404, message: 'No traces found' } }],
    ['a malformed trace id', '/api/v3/traces/xyz', 400, { error: { httpCode: 400, message: 'malformed parameter trace_id: strconv.ParseUint: parsing "xyz": invalid syntax' } }],
    [
      'a bad time hint',
      `/api/v3/traces/${T128}?startTime=today`,
      400,
      { error: { httpCode: 400, message: 'malformed parameter startTime: parsing time "today" as "2006-01-02T15:04:05.999999999Z07:00": not an RFC 3339 time' } },
    ],
  ];
  it.each(cases)('%s', async (_name, url, status, body) => {
    const res = await get(url);
    expect(res.status).toBe(status);
    expect(res.type).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual(body);
  });

  it('a trace by id as OTLP JSON, shared halves re-ided unless rawTraces', async () => {
    const res = await get(`/api/v3/traces/a1b2c3d4e5f60718?startTime=2023-11-14T22:13:20Z&endTime=2023-11-14T22:13:21Z`);
    expect(res.status).toBe(200);
    const body = res.body as { result: { resourceSpans: Array<{ resource: unknown; scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> } };
    expect(body.result.resourceSpans.map((r) => r.resource)).toEqual([
      { attributes: [{ key: 'service.name', value: { stringValue: 'frontend' } }] },
      { attributes: [{ key: 'service.name', value: { stringValue: 'backend' } }] },
    ]);
    const ids = (raw: typeof body) => raw.result.resourceSpans.map((r) => r.scopeSpans[0]!.spans.map((s) => [s.spanId, s.parentSpanId ?? null]));
    expect(ids(body)).toEqual([
      [['0000000000000001', null], ['0000000000000002', '0000000000000001']],
      [['0000000000000003', '0000000000000002'], ['0000000000000007', '00000000000000ff']],
    ]);
    const raw = await get(`/api/v3/traces/${T64}?rawTraces=true`);
    expect(ids(raw.body as typeof body)).toEqual([
      [['0000000000000001', null], ['0000000000000002', '0000000000000001']],
      [['0000000000000002', '0000000000000001'], ['0000000000000007', '00000000000000ff']],
    ]);
    expect(body.result.resourceSpans[0]!.scopeSpans[0]!.spans[0]).toEqual({
      traceId: T64, spanId: '0000000000000001', name: 'GET /', kind: 2, startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000005000000', status: {},
    });
  });

  it('a search returns every found trace in one resourceSpans list, newest trace first', async () => {
    const res = await get(`/api/v3/traces?${WINDOW}&query.serviceName=backend`);
    expect(res.status).toBe(200);
    const body = res.body as { result: { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string; spanId: string }> }> }> } };
    expect(body.result.resourceSpans.flatMap((r) => r.scopeSpans[0]!.spans.map((s) => `${s.traceId}/${s.spanId}`))).toEqual([
      `${T128}/000000000000000a`,
      `${T64}/0000000000000001`,
      `${T64}/0000000000000002`,
      `${T64}/0000000000000003`,
      `${T64}/0000000000000007`,
    ]);
  });

  it('answers a storage failure with a 500 and upstream\'s error object', async () => {
    const failing: SpanReader = {
      ...store.reader,
      getServices: async () => { throw new Error('disk on fire'); },
      findTraceIds: async () => { throw new Error('disk on fire'); },
      getTrace: async () => { throw new Error('disk on fire'); },
    };
    const broken = await start(failing);
    for (const url of ['/api/v3/services', `/api/v3/trace-summaries?${WINDOW}`, `/api/v3/traces?${WINDOW}`, `/api/v3/traces/${T64}`]) {
      expect(await get(url, broken)).toEqual({ status: 500, type: 'application/json; charset=utf-8', body: { error: { httpCode: 500, message: 'internal error' } } });
    }
    await broken.close();
  });

  it('never fails on odd parameter values', async () => {
    const odd = [
      'query.startTimeMin=%00&query.startTimeMax=%FF', 'query.startTimeMin[]=a&query.startTimeMax[]=b', `${WINDOW}&query.attributes=%7B%7D`,
      `${WINDOW}&query.attributes=%7B%22__proto__%22%3A%22x%22%7D`, `${WINDOW}&query.searchDepth=1e3`, `${WINDOW}&query.durationMin=${'9'.repeat(400)}h`,
      `${WINDOW}&query.serviceName=${'x'.repeat(5000)}`, 'query.startTimeMin=9999-12-31T23:59:59.999999999Z&query.startTimeMax=9999-12-31T23:59:59.999999999%2B23:59',
      'query.startTimeMin=0000-01-01T00:00:00Z&query.startTimeMax=9999-12-31T23:59:59Z', `${WINDOW}&query.rawTraces=&query.raw_traces=t`,
      `${WINDOW}&query.searchDepth=${'9'.repeat(400)}`,
    ];
    for (const query of odd) {
      for (const path of ['/api/v3/trace-summaries', '/api/v3/traces', '/api/v3/operations', '/api/v3/services']) {
        const res = await app.inject({ method: 'GET', url: `${path}?${query}` });
        expect([200, 400, 404], `${path}?${query}`).toContain(res.statusCode);
        expect(() => JSON.parse(res.body)).not.toThrow();
      }
    }
    for (const id of ['%20', 'g'.repeat(16), 'a'.repeat(200), '-1', '']) {
      const res = await app.inject({ method: 'GET', url: `/api/v3/traces/${id}` });
      expect([400, 404], id).toContain(res.statusCode);
      expect(JSON.parse(res.body).error.httpCode).toBe(res.statusCode);
    }
  });
});
