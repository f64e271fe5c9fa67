import { fastify, type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import type { Store } from '../../storage/api.js';
import { createMemoryStore } from '../../storage/memory/index.js';
import { makeSpan } from './fixtures.js';
import { jaegerQueryPlugin, mergeDependencies } from './index.js';

const NOW_US = 1_700_000_000_000_000;
const A = NOW_US - 60_000_000; // one minute ago
const B = NOW_US - 7_200_000_000; // two hours ago
const OLD = NOW_US - 3 * 86_400_000_000; // three days ago: outside the default window
const TRACE_A = '0000000000000000a1b2c3d4e5f60718';
const TRACE_B = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const TRACE_OLD = '000000000000000000000000000000ff';

/**
 * Trace A: frontend calls backend with a shared Zipkin span id; the backend half fails and its
 * clock runs 1 ms behind. Trace B: backend queries mysql. An old trace lies outside the default window.
 */
const SPANS: Span[] = [
  makeSpan({
    traceId: TRACE_A, spanId: '0000000000000001', kind: 'server', name: 'get /', service: 'frontend', startUs: A, durationUs: 2000,
    localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 },
    attributes: { 'http.path': '/', 'http.method': 'GET' },
  }),
  makeSpan({
    traceId: TRACE_A, spanId: '0000000000000002', parentSpanId: '0000000000000001', kind: 'client', name: 'get /api',
    service: 'frontend', startUs: A + 100, durationUs: 1500,
    localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1' }, remoteEndpoint: { serviceName: 'backend', port: 9000 },
    events: [{ timeUs: A + 150, name: 'wire.send' }],
  }),
  makeSpan({
    traceId: TRACE_A, spanId: '0000000000000002', parentSpanId: '0000000000000001', kind: 'server', shared: true,
    name: 'get /api', service: 'backend', startUs: A - 800, durationUs: 1200,
    localEndpoint: { serviceName: 'backend', ipv4: '10.0.0.2' },
    attributes: { 'http.method': 'GET', 'http.status_code': '404', error: 'not found' }, statusCode: 'error', statusMessage: 'not found',
  }),
  makeSpan({
    traceId: TRACE_B, spanId: '000000000000000a', kind: 'server', name: 'post /things', service: 'backend', startUs: B, durationUs: 50_000,
    attributes: { 'http.method': 'POST' },
  }),
  makeSpan({
    traceId: TRACE_B, spanId: '000000000000000b', parentSpanId: '000000000000000a', kind: 'client', name: 'select',
    service: 'backend', startUs: B + 10, durationUs: 40_000, remoteEndpoint: { serviceName: 'mysql' },
  }),
  makeSpan({
    traceId: TRACE_OLD, spanId: '00000000000000c1', kind: 'server', name: 'post /things', service: 'backend', startUs: OLD, durationUs: 10,
  }),
];

/** Trace A's frontend spans, as numbered when the backend span is moved after them (p1 = frontend). */
const TRACE_A_SPANS = {
  root: {
    traceID: 'a1b2c3d4e5f60718', spanID: '0000000000000001', flags: 1, operationName: 'get /', references: [],
    startTime: A, duration: 2000,
    tags: [
      { key: 'http.path', type: 'string', value: '/' },
      { key: 'http.method', type: 'string', value: 'GET' },
      { key: 'span.kind', type: 'string', value: 'server' },
    ],
    logs: [], processID: 'p1', warnings: null,
  },
  client: {
    traceID: 'a1b2c3d4e5f60718', spanID: '0000000000000002', flags: 1, operationName: 'get /api',
    references: [{ refType: 'CHILD_OF', traceID: 'a1b2c3d4e5f60718', spanID: '0000000000000001' }],
    startTime: A + 100, duration: 1500,
    tags: [
      { key: 'span.kind', type: 'string', value: 'client' },
      { key: 'peer.service', type: 'string', value: 'backend' },
      { key: 'peer.port', type: 'int64', value: 9000 },
    ],
    logs: [{ timestamp: A + 150, fields: [{ key: 'event', type: 'string', value: 'wire.send' }] }],
    processID: 'p1', warnings: null,
  },
};

/** Trace A as the API shows it with clock-skew adjustment off (the backend half is only flagged). */
const TRACE_A_JSON = {
  traceID: 'a1b2c3d4e5f60718',
  spans: [
    {
      traceID: 'a1b2c3d4e5f60718', spanID: '0000000000000003', flags: 1, operationName: 'get /api',
      references: [{ refType: 'CHILD_OF', traceID: 'a1b2c3d4e5f60718', spanID: '0000000000000002' }],
      startTime: A - 800, duration: 1200,
      tags: [
        { key: 'http.method', type: 'string', value: 'GET' },
        { key: 'http.status_code', type: 'string', value: '404' },
        { key: 'error', type: 'bool', value: true },
        { key: 'span.kind', type: 'string', value: 'server' },
        { key: 'otel.status_description', type: 'string', value: 'not found' },
      ],
      logs: [], processID: 'p1',
      warnings: [
        // Centred in the 1500 µs client span: start A + 100 + 150.
        'clock skew of 1050µs detected; not adjusted',
      ],
    },
    { ...TRACE_A_SPANS.root, processID: 'p2' },
    { ...TRACE_A_SPANS.client, processID: 'p2' },
  ],
  // Processes are numbered in span order: the skewed backend span starts first here.
  processes: {
    p1: { serviceName: 'backend', tags: [{ key: 'ip', type: 'string', value: '10.0.0.2' }] },
    p2: { serviceName: 'frontend', tags: [{ key: 'ip', type: 'string', value: '10.0.0.1' }] },
  },
  warnings: null,
};

function errorBody(code: number, msg: string): string {
  return JSON.stringify({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code, msg }] });
}

describe('jaegerQueryPlugin', () => {
  let store: Store;
  let app: FastifyInstance;
  let skewApp: FastifyInstance;

  beforeAll(async () => {
    store = createMemoryStore();
    await store.writer.writeSpans(SPANS);
    app = fastify();
    await app.register(jaegerQueryPlugin, {
      reader: store.reader, dependencies: store.dependencies, adjustClockSkew: false, now: () => NOW_US,
    });
    skewApp = fastify();
    await skewApp.register(jaegerQueryPlugin, {
      reader: store.reader, dependencies: store.dependencies, adjustClockSkew: true, now: () => NOW_US,
    });
  });
  afterAll(async () => {
    await app.close();
    await skewApp.close();
    await store.close();
  });

  const get = async (url: string, on: FastifyInstance = app) => {
    const res = await on.inject({ method: 'GET', url });
    return { status: res.statusCode, type: res.headers['content-type'], body: res.body, json: res.json() as unknown };
  };

  it('GET /api/services lists services sorted, total = count', async () => {
    const res = await get('/api/services');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=utf-8');
    expect(res.body).toBe('{"data":["backend","frontend"],"total":2,"limit":0,"offset":0,"errors":null}');
  });

  it('GET /api/services/:service/operations lists names once across kinds', async () => {
    expect((await get('/api/services/backend/operations')).json).toEqual({
      data: ['get /api', 'post /things', 'select'], total: 3, limit: 0, offset: 0, errors: null,
    });
    expect((await get('/api/services/nobody/operations')).json).toEqual({ data: [], total: 0, limit: 0, offset: 0, errors: null });
  });

  it('GET /api/operations gives name and kind, filtered by spanKind', async () => {
    expect((await get('/api/operations?service=backend')).json).toEqual({
      data: [
        { name: 'get /api', spanKind: 'server' },
        { name: 'post /things', spanKind: 'server' },
        { name: 'select', spanKind: 'client' },
      ],
      total: 3, limit: 0, offset: 0, errors: null,
    });
    expect((await get('/api/operations?service=frontend&spanKind=client')).json).toEqual({
      data: [{ name: 'get /api', spanKind: 'client' }], total: 1, limit: 0, offset: 0, errors: null,
    });
  });

  it('GET /api/traces/:traceID returns the known trace exactly', async () => {
    const res = await get('/api/traces/a1b2c3d4e5f60718');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ data: [TRACE_A_JSON], total: 1, limit: 0, offset: 0, errors: null });
    // The padded and upper-case forms of the id find the same trace.
    expect((await get('/api/traces/0000000000000000A1B2C3D4E5F60718')).json).toEqual(res.json);
  });

  it('GET /api/traces/:traceID adjusts clock skew when configured, and raw=true shows stored spans', async () => {
    const adjusted = (await get('/api/traces/a1b2c3d4e5f60718', skewApp)).json as { data: Array<{ spans: unknown[] }> };
    expect(adjusted.data[0]!.spans).toEqual([
      TRACE_A_SPANS.root,
      TRACE_A_SPANS.client,
      {
        ...TRACE_A_JSON.spans[0],
        startTime: A + 250,
        processID: 'p2',
        warnings: [
          'clock skew adjusted by 1050µs',
        ],
      },
    ]);
    const raw = (await get('/api/traces/a1b2c3d4e5f60718?raw=true', skewApp)).json as {
      data: Array<{ spans: Array<{ spanID: string; startTime: number; warnings: unknown }> }>;
    };
    expect(raw.data[0]!.spans.map((s) => [s.spanID, s.startTime, s.warnings])).toEqual([
      ['0000000000000002', A - 800, null],
      ['0000000000000001', A, null],
      ['0000000000000002', A + 100, null],
    ]);
  });

  it('GET /api/traces/:traceID answers 404 and 400 in the envelope', async () => {
    const missing = await get('/api/traces/0123456789abcdef');
    expect(missing.status).toBe(404);
    expect(missing.body).toBe(errorBody(404, 'trace not found'));
    const bad = await get('/api/traces/xyz');
    expect(bad.status).toBe(400);
    expect(bad.body).toBe(errorBody(400, `unable to parse param 'traceID': expected 1 to 32 hex characters, got "xyz"`));
  });

  const searches: Array<{ name: string; url: string; traceIds: string[] }> = [
    { name: 'service, newest first, default window excludes the old trace', url: '/api/traces?service=backend', traceIds: ['a1b2c3d4e5f60718', TRACE_B] },
    { name: 'operation', url: '/api/traces?service=backend&operation=select', traceIds: [TRACE_B] },
    { name: 'tags JSON', url: `/api/traces?service=backend&tags=${encodeURIComponent('{"http.status_code":"404"}')}`, traceIds: ['a1b2c3d4e5f60718'] },
    { name: 'tag key:value', url: '/api/traces?service=backend&tag=http.method:POST', traceIds: [TRACE_B] },
    { name: 'tags must all hold on one span', url: '/api/traces?service=backend&tag=http.method:POST&tag=http.status_code:404', traceIds: [] },
    { name: 'error=true finds spans with a Zipkin error message', url: '/api/traces?service=backend&tag=error:true', traceIds: ['a1b2c3d4e5f60718'] },
    { name: 'span.kind tag is the span kind', url: '/api/traces?service=backend&tag=span.kind:client', traceIds: [TRACE_B] },
    { name: 'minDuration', url: '/api/traces?service=backend&minDuration=30ms', traceIds: [TRACE_B] },
    { name: 'maxDuration', url: '/api/traces?service=backend&maxDuration=2ms', traceIds: ['a1b2c3d4e5f60718'] },
    { name: 'limit', url: '/api/traces?service=backend&limit=1', traceIds: ['a1b2c3d4e5f60718'] },
    { name: 'explicit window reaches the old trace', url: `/api/traces?service=backend&start=${OLD - 1}&end=${OLD + 1}`, traceIds: ['00000000000000ff'] },
    { name: 'lookback widens the window', url: '/api/traces?service=backend&lookback=4d', traceIds: ['a1b2c3d4e5f60718', TRACE_B, '00000000000000ff'] },
    { name: 'unknown service', url: '/api/traces?service=nobody', traceIds: [] },
  ];
  it.each(searches)('GET /api/traces search: $name', async ({ url, traceIds }) => {
    const res = await get(url);
    expect(res.status).toBe(200);
    const body = res.json as { data: Array<{ traceID: string }>; total: number; errors: unknown };
    expect(body.data.map((t) => t.traceID)).toEqual(traceIds);
    expect(body.total).toBe(traceIds.length);
    expect(body.errors).toBeNull();
  });

  it('GET /api/traces search returns whole converted traces', async () => {
    const body = (await get('/api/traces?service=frontend')).json as { data: unknown[] };
    expect(body.data).toEqual([TRACE_A_JSON]);
  });

  it('GET /api/traces?traceID= needs no service and reports missing ids per trace', async () => {
    const res = await get(`/api/traces?traceID=${TRACE_B}&traceID=a1b2c3d4e5f60718&traceID=0123456789abcdef`);
    expect(res.status).toBe(200);
    const body = res.json as { data: Array<{ traceID: string }>; total: number; errors: unknown };
    expect(body.data.map((t) => t.traceID)).toEqual([TRACE_B, 'a1b2c3d4e5f60718']);
    expect(body.data[1]).toEqual(TRACE_A_JSON);
    expect(body.total).toBe(2);
    expect(body.errors).toEqual([{ msg: 'trace not found', traceID: '0123456789abcdef' }]);
  });

  const badRequests: Array<[string, string]> = [
    ['/api/traces', "parameter 'service' is required"],
    ['/api/traces?service=', "parameter 'service' is required"],
    ['/api/traces?service=backend&start=yesterday', `unable to parse param 'start': expected an integer, got "yesterday"`],
    ['/api/traces?service=backend&end=1e6', `unable to parse param 'end': expected an integer, got "1e6"`],
    ['/api/traces?service=backend&start=10&end=5', "'end' should not be before 'start'"],
    ['/api/traces?service=backend&limit=0', `unable to parse param 'limit': expected an integer from 1 to 1500, got "0"`],
    ['/api/traces?service=backend&limit=100000', `unable to parse param 'limit': expected an integer from 1 to 1500, got "100000"`],
    ['/api/traces?service=backend&minDuration=5', `unable to parse param 'minDuration': expected a duration like "1.2ms" or "1h30m", got "5"`],
    ['/api/traces?service=backend&maxDuration=x', `unable to parse param 'maxDuration': expected a duration like "1.2ms" or "1h30m", got "x"`],
    ['/api/traces?service=backend&minDuration=2ms&maxDuration=1ms', "'maxDuration' should be greater than 'minDuration'"],
    ['/api/traces?service=backend&lookback=ages', `unable to parse param 'lookback': expected a duration like "1h", "2d" or "1w", got "ages"`],
    ['/api/traces?service=backend&tags=%7Bnope', `malformed 'tags' parameter, cannot parse JSON: Expected property name or '}' in JSON at position 1`],
    ['/api/traces?service=backend&tag=error', `malformed 'tag' parameter, expecting key:value, received: "error"`],
    ['/api/traces?traceID=zz', `unable to parse param 'traceID': expected 1 to 32 hex characters, got "zz"`],
    ['/api/traces/a1b2c3d4e5f60718?start=soon', `unable to parse param 'start': expected an integer, got "soon"`],
    ['/api/traces/a1b2c3d4e5f60718?raw=maybe', `unable to parse param 'raw': expected true or false, got "maybe"`],
    ['/api/operations', "parameter 'service' is required"],
    ['/api/operations?service=backend&spanKind=rpc', `unable to parse param 'spanKind': expected one of internal, server, client, producer, consumer, got "rpc"`],
    ['/api/dependencies?endTs=now', `unable to parse param 'endTs': expected an integer, got "now"`],
    ['/api/dependencies?lookback=-1', "unable to parse param 'lookback': expected a positive number of milliseconds, got -1"],
  ];
  it.each(badRequests)('400 envelope: %s', async (url, msg) => {
    const res = await get(url);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/json; charset=utf-8');
    expect(res.body).toBe(errorBody(400, msg));
  });

  it('GET /api/dependencies sums edges, filters by service, carries errorCount', async () => {
    expect((await get(`/api/dependencies?endTs=${NOW_US / 1000}&lookback=86400000`)).json).toEqual({
      data: [
        { parent: 'backend', child: 'mysql', callCount: 1, errorCount: 0 },
        { parent: 'frontend', child: 'backend', callCount: 1, errorCount: 1 },
      ],
      total: 2, limit: 0, offset: 0, errors: null,
    });
    expect((await get('/api/dependencies?service=mysql')).json).toEqual({
      data: [{ parent: 'backend', child: 'mysql', callCount: 1, errorCount: 0 }], total: 1, limit: 0, offset: 0, errors: null,
    });
    // A window that ended before any span: no edges.
    expect((await get(`/api/dependencies?endTs=${OLD / 1000 - 1000}&lookback=1000`)).json).toEqual({
      data: [], total: 0, limit: 0, offset: 0, errors: null,
    });
  });

  it('GET /api/metrics/* answers 501 when the engine cannot aggregate spans', async () => {
    const { aggregateSpans: _a, findSpans: _f, ...plain } = store.reader;
    const off = fastify();
    await off.register(jaegerQueryPlugin, { reader: plain, dependencies: store.dependencies, adjustClockSkew: false, now: () => NOW_US });
    const res = await get('/api/metrics/latencies?service=backend&quantile=0.95', off);
    expect(res.status).toBe(501);
    expect(res.body).toBe(errorBody(501, 'metrics querying needs a storage engine that aggregates spans (aggregateSpans); the configured one does not'));
    await off.close();
  });

  it('decodes service names in the path', async () => {
    const other = createMemoryStore();
    await other.writer.writeSpans([makeSpan({ spanId: '0000000000000001', service: 'shop/cart v2', name: 'add item', startUs: A })]);
    const on = fastify();
    await on.register(jaegerQueryPlugin, { reader: other.reader, dependencies: other.dependencies, adjustClockSkew: false, now: () => NOW_US });
    expect((await get(`/api/services/${encodeURIComponent('shop/cart v2')}/operations`, on)).json).toEqual({
      data: ['add item'], total: 1, limit: 0, offset: 0, errors: null,
    });
    await on.close();
    await other.close();
  });

  it('prettyPrint indents the body', async () => {
    expect((await get('/api/services?prettyPrint=true')).body).toBe(
      JSON.stringify({ data: ['backend', 'frontend'], total: 2, limit: 0, offset: 0, errors: null }, null, 4),
    );
  });

  it('answers a failing store with a 500 envelope that hides the cause', async () => {
    const failing = fastify({ logger: false });
    await failing.register(jaegerQueryPlugin, {
      reader: { ...store.reader, getServices: () => Promise.reject(new Error('disk on fire')) },
      dependencies: store.dependencies,
      adjustClockSkew: false,
    });
    const res = await failing.inject({ method: 'GET', url: '/api/services' });
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe(errorBody(500, 'internal error'));
    await failing.close();
  });
});

describe('mergeDependencies', () => {
  it('sums repeated edges and orders by parent then child', () => {
    expect(
      mergeDependencies([
        { parent: 'b', child: 'c', callCount: 2, errorCount: 1 },
        { parent: 'a', child: 'b', callCount: 1, errorCount: 0 },
        { parent: 'b', child: 'c', callCount: 3, errorCount: 0 },
      ]),
    ).toEqual([
      { parent: 'a', child: 'b', callCount: 1, errorCount: 0 },
      { parent: 'b', child: 'c', callCount: 5, errorCount: 1 },
    ]);
  });
});
