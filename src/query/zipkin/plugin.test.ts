import { fastify, type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import type { Store } from '../../storage/api.js';
import { createMemoryStore } from '../../storage/memory/index.js';
import { zipkinQueryPlugin } from './index.js';

const NOW_US = 1_700_000_000_000_000;
const NOW_MS = NOW_US / 1000;
const A = NOW_US - 60_000_000; // one minute ago
const B = NOW_US - 7_200_000_000; // two hours ago
const TRACE_A = '0000000000000000a1b2c3d4e5f60718';
const TRACE_B = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

function span(fields: Partial<Span> & Pick<Span, 'traceId' | 'spanId' | 'name' | 'service' | 'startUs' | 'durationUs'>): Span {
  return { kind: 'unspecified', statusCode: 'unset', attributes: {}, events: [], links: [], resource: {}, tenant: '', ...fields };
}

/** Trace A: frontend calls backend (a shared span id); the backend half fails. Trace B: backend queries mysql. */
const SPANS: Span[] = [
  span({
    traceId: TRACE_A, spanId: '0000000000000002', parentSpanId: '0000000000000001', kind: 'server', shared: true,
    name: 'get /api', service: 'backend', startUs: A + 200, durationUs: 1200,
    localEndpoint: { serviceName: 'backend', ipv4: '10.0.0.2' },
    attributes: { 'http.method': 'GET', error: 'not found' }, statusCode: 'error',
  }),
  span({
    traceId: TRACE_A, spanId: '0000000000000001', kind: 'server', name: 'get /', service: 'frontend', startUs: A, durationUs: 2000,
    localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 },
    attributes: { 'http.path': '/', 'http.method': 'GET' },
  }),
  span({
    traceId: TRACE_A, spanId: '0000000000000002', parentSpanId: '0000000000000001', kind: 'client', name: 'get /api',
    service: 'frontend', startUs: A + 100, durationUs: 1500,
    localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1' }, remoteEndpoint: { serviceName: 'backend', port: 9000 },
    events: [{ timeUs: A + 150, name: 'wire.send' }],
  }),
  span({
    traceId: TRACE_B, spanId: '000000000000000a', kind: 'server', name: 'post /things', service: 'backend', startUs: B, durationUs: 50_000,
    attributes: { 'http.method': 'POST' },
  }),
  span({
    traceId: TRACE_B, spanId: '000000000000000b', parentSpanId: '000000000000000a', kind: 'client', name: 'select',
    service: 'backend', startUs: B + 10, durationUs: 40_000, remoteEndpoint: { serviceName: 'mysql' },
    events: [{ timeUs: B + 20, name: 'retried' }],
  }),
];

const TRACE_A_JSON = [
  {
    traceId: 'a1b2c3d4e5f60718', id: '0000000000000001', kind: 'SERVER', name: 'get /', timestamp: A, duration: 2000,
    localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 }, tags: { 'http.method': 'GET', 'http.path': '/' },
  },
  {
    traceId: 'a1b2c3d4e5f60718', parentId: '0000000000000001', id: '0000000000000002', kind: 'CLIENT', name: 'get /api',
    timestamp: A + 100, duration: 1500, localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1' },
    remoteEndpoint: { serviceName: 'backend', port: 9000 }, annotations: [{ timestamp: A + 150, value: 'wire.send' }],
  },
  {
    traceId: 'a1b2c3d4e5f60718', parentId: '0000000000000001', id: '0000000000000002', kind: 'SERVER', name: 'get /api',
    timestamp: A + 200, duration: 1200, localEndpoint: { serviceName: 'backend', ipv4: '10.0.0.2' },
    tags: { error: 'not found', 'http.method': 'GET' }, shared: true,
  },
];

const TRACE_B_JSON = [
  {
    traceId: TRACE_B, id: '000000000000000a', kind: 'SERVER', name: 'post /things', timestamp: B, duration: 50_000,
    localEndpoint: { serviceName: 'backend' }, tags: { 'http.method': 'POST' },
  },
  {
    traceId: TRACE_B, parentId: '000000000000000a', id: '000000000000000b', kind: 'CLIENT', name: 'select', timestamp: B + 10,
    duration: 40_000, localEndpoint: { serviceName: 'backend' }, remoteEndpoint: { serviceName: 'mysql' },
    annotations: [{ timestamp: B + 20, value: 'retried' }],
  },
];

let store: Store;
let app: FastifyInstance;

beforeAll(async () => {
  store = await createMemoryStore({});
  await store.writer.writeSpans(SPANS);
  app = fastify();
  await app.register(zipkinQueryPlugin, {
    reader: store.reader,
    dependencies: store.dependencies,
    autocompleteKeys: ['http.method', 'environment'],
    now: () => NOW_US,
    maxLimit: 50,
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await store.close();
});

async function get(url: string) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, type: res.headers['content-type'], cache: res.headers['cache-control'], headers: res.headers, body: res.body };
}

describe('name lists', () => {
  const cases: Array<[string, string, unknown]> = [
    ['services', '/api/v2/services', ['backend', 'frontend']],
    ['span names of a service', '/api/v2/spans?serviceName=backend', ['get /api', 'post /things', 'select']],
    ['span names of an unknown service', '/api/v2/spans?serviceName=nope', []],
    ['span names of an empty service name', '/api/v2/spans?serviceName=', []],
    ['remote services', '/api/v2/remoteServices?serviceName=backend', ['mysql']],
    ['remote services of frontend', '/api/v2/remoteServices?serviceName=frontend', ['backend']],
    ['autocomplete keys, sorted', '/api/v2/autocompleteKeys', ['environment', 'http.method']],
    ['autocomplete values of a configured key', '/api/v2/autocompleteValues?key=http.method', ['GET', 'POST']],
    ['no values for a key that is not configured', '/api/v2/autocompleteValues?key=http.path', []],
  ];
  it.each(cases)('%s', async (_name, url, expected) => {
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual(expected);
  });

  it('sends Cache-Control on autocompleteKeys, and on names only once more than three services exist', async () => {
    expect((await get('/api/v2/autocompleteKeys')).cache).toBe('max-age=300, must-revalidate');
    expect((await get('/api/v2/services')).cache).toBeUndefined();
    expect((await get('/api/v2/spans?serviceName=backend')).cache).toBeUndefined();
  });
});

describe('GET /api/v2/traces', () => {
  const cases: Array<[string, string, unknown[]]> = [
    ['no parameters: the last day, newest first', '', [TRACE_A_JSON, TRACE_B_JSON]],
    ['serviceName', '?serviceName=frontend', [TRACE_A_JSON]],
    ['serviceName matching both', '?serviceName=backend', [TRACE_A_JSON, TRACE_B_JSON]],
    ['spanName', '?serviceName=backend&spanName=select', [TRACE_B_JSON]],
    ['spanName all means any', '?serviceName=backend&spanName=all', [TRACE_A_JSON, TRACE_B_JSON]],
    ['remoteServiceName', '?serviceName=backend&remoteServiceName=mysql', [TRACE_B_JSON]],
    ['annotationQuery: a tag key alone', '?annotationQuery=error', [TRACE_A_JSON]],
    ['annotationQuery: an annotation value', '?annotationQuery=retried', [TRACE_B_JSON]],
    ['annotationQuery: key=value', '?annotationQuery=http.method%3DPOST', [TRACE_B_JSON]],
    ['annotationQuery: both on one span', '?annotationQuery=error%20and%20http.method%3DGET', [TRACE_A_JSON]],
    ['annotationQuery: no span has both', '?annotationQuery=error%20and%20http.method%3DPOST', []],
    ['minDuration', '?minDuration=40000', [TRACE_B_JSON]],
    ['minDuration and maxDuration', '?minDuration=1000&maxDuration=2500', [TRACE_A_JSON]],
    ['lookback of one hour', '?lookback=3600000', [TRACE_A_JSON]],
    ['endTs one hour ago', `?endTs=${NOW_MS - 3_600_000}`, [TRACE_B_JSON]],
    ['endTs before everything', `?endTs=${NOW_MS - 86_400_000}&lookback=1000`, []],
    ['limit', '?limit=1', [TRACE_A_JSON]],
    ['unknown parameters are ignored', '?foo=bar&sortOrder=x', [TRACE_A_JSON, TRACE_B_JSON]],
  ];
  it.each(cases)('%s', async (_name, query, expected) => {
    const res = await get(`/api/v2/traces${query}`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual(expected);
  });

  it('caps a large limit and says so in a header', async () => {
    const res = await get('/api/v2/traces?limit=5000');
    expect(res.status).toBe(200);
    expect(res.headers['ariadne-warning']).toBe('limit 5000 capped at 50');
    expect(JSON.parse(res.body)).toEqual([TRACE_A_JSON, TRACE_B_JSON]);
  });
});

describe('GET /api/v2/trace/:traceId and /api/v2/traceMany', () => {
  const cases: Array<[string, string, unknown]> = [
    ['64-bit id', '/api/v2/trace/a1b2c3d4e5f60718', TRACE_A_JSON],
    ['64-bit id in its padded form', `/api/v2/trace/${TRACE_A}`, TRACE_A_JSON],
    ['128-bit id', `/api/v2/trace/${TRACE_B}`, TRACE_B_JSON],
    ['upper-case id', `/api/v2/trace/${TRACE_B.toUpperCase()}`, TRACE_B_JSON],
    ['traceMany in the order asked', `/api/v2/traceMany?traceIds=${TRACE_B},a1b2c3d4e5f60718`, [TRACE_B_JSON, TRACE_A_JSON]],
    ['traceMany leaves out missing traces', `/api/v2/traceMany?traceIds=abcd,${TRACE_B}`, [TRACE_B_JSON]],
    ['traceMany with none found', '/api/v2/traceMany?traceIds=abcd,abce', []],
  ];
  it.each(cases)('%s', async (_name, url, expected) => {
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual(expected);
  });

  it('keeps the exact byte layout of Zipkin JSON', async () => {
    const res = await get('/api/v2/trace/a1b2c3d4e5f60718');
    expect(res.body.startsWith(
      '[{"traceId":"a1b2c3d4e5f60718","id":"0000000000000001","kind":"SERVER","name":"get /","timestamp":1699999940000000,"duration":2000,' +
        '"localEndpoint":{"serviceName":"frontend","ipv4":"10.0.0.1","port":8080},"tags":{"http.method":"GET","http.path":"/"}},',
    )).toBe(true);
  });
});

describe('GET /api/v2/dependencies', () => {
  it('returns links, errorCount only when non-zero', async () => {
    const res = await get(`/api/v2/dependencies?endTs=${NOW_MS}`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=utf-8');
    expect(res.body).toBe(
      '[{"parent":"backend","child":"mysql","callCount":1},{"parent":"frontend","child":"backend","callCount":1,"errorCount":1}]',
    );
  });

  it('honours lookback', async () => {
    const res = await get(`/api/v2/dependencies?endTs=${NOW_MS}&lookback=3600000`);
    expect(JSON.parse(res.body)).toEqual([{ parent: 'frontend', child: 'backend', callCount: 1, errorCount: 1 }]);
  });
});

describe('errors', () => {
  const cases: Array<[string, string, number, string]> = [
    ['trace not found (64-bit)', '/api/v2/trace/0000000000000000000000000000abcd', 404, '000000000000abcd not found'],
    ['trace not found (128-bit)', '/api/v2/trace/1000000000000000000000000000abcd', 404, '1000000000000000000000000000abcd not found'],
    ['malformed trace id', '/api/v2/trace/0e8b46e1-81b', 400, '0e8b46e1-81b should be lower-hex encoded with no prefix'],
    ['overlong trace id', `/api/v2/trace/${'a'.repeat(33)}`, 400, 'traceId.length > 32'],
    ['all-zero trace id', '/api/v2/trace/0000', 400, 'traceId is all zeros'],
    ['traceMany without traceIds', '/api/v2/traceMany', 400, 'Mandatory parameter/header is missing: traceIds'],
    ['traceMany with empty traceIds', '/api/v2/traceMany?traceIds=', 400, 'traceIds parameter is empty'],
    ['traceMany with one id', '/api/v2/traceMany?traceIds=abcd', 400, 'Use /api/v2/trace/{traceId} endpoint to retrieve a single trace'],
    ['traceMany with a malformed id', '/api/v2/traceMany?traceIds=abcd,0e8b46e1-81b', 400, '0e8b46e1-81b should be lower-hex encoded with no prefix'],
    ['traceMany with a repeated id', '/api/v2/traceMany?traceIds=abcd,abcd', 400, 'redundant traceId: abcd'],
    ['spans without serviceName', '/api/v2/spans', 400, 'Mandatory parameter/header is missing: serviceName'],
    ['remoteServices without serviceName', '/api/v2/remoteServices', 400, 'Mandatory parameter/header is missing: serviceName'],
    ['autocompleteValues without key', '/api/v2/autocompleteValues', 400, 'Mandatory parameter/header is missing: key'],
    ['dependencies without endTs', '/api/v2/dependencies', 400, 'Mandatory parameter/header is missing: endTs'],
    ['dependencies with a non-numeric endTs', '/api/v2/dependencies?endTs=now', 400, 'endTs: expected an integer, got "now"'],
    ['dependencies with zero lookback', `/api/v2/dependencies?endTs=${NOW_MS}&lookback=0`, 400, 'lookback <= 0'],
    ['traces with a negative limit', '/api/v2/traces?limit=-1', 400, 'limit <= 0'],
    ['traces with a non-numeric limit', '/api/v2/traces?limit=ten', 400, 'limit: expected an integer, got "ten"'],
    ['traces with lookback past the epoch', '/api/v2/traces?endTs=1000&lookback=2000', 400, 'lookback > endTs: 2000 > 1000'],
    ['traces with zero endTs', '/api/v2/traces?endTs=0', 400, 'endTs <= 0'],
    ['traces with zero minDuration', '/api/v2/traces?minDuration=0', 400, 'minDuration <= 0'],
    ['traces with maxDuration alone', '/api/v2/traces?maxDuration=10', 400, 'maxDuration is only valid with minDuration'],
    ['traces with maxDuration below minDuration', '/api/v2/traces?minDuration=10&maxDuration=5', 400, 'maxDuration < minDuration'],
  ];
  it.each(cases)('%s', async (_name, url, status, body) => {
    const res = await get(url);
    expect(res.status).toBe(status);
    expect(res.type).toBe('text/plain; charset=utf-8');
    expect(res.body).toBe(body);
  });
});

describe('Cache-Control once in real use', () => {
  it('caches names after /services saw more than three services, and values lists longer than three', async () => {
    const busy = createMemoryStore({});
    const services = ['a', 'b', 'c', 'd'];
    await busy.writer.writeSpans(
      services.map((service, i) =>
        span({
          traceId: TRACE_B, spanId: `000000000000010${i}`, name: 'op', service, startUs: A + i, durationUs: 1,
          attributes: { env: `e${i}` },
        }),
      ),
    );
    const busyApp = fastify();
    await busyApp.register(zipkinQueryPlugin, {
      reader: busy.reader, dependencies: busy.dependencies, autocompleteKeys: ['env'], now: () => NOW_US, namesMaxAgeSeconds: 60,
    });
    try {
      const names = async (url: string) => {
        const res = await busyApp.inject({ method: 'GET', url });
        return [res.headers['cache-control'], JSON.parse(res.body)];
      };
      expect(await names('/api/v2/spans?serviceName=a')).toEqual([undefined, ['op']]);
      expect(await names('/api/v2/services')).toEqual(['max-age=60, must-revalidate', services]);
      expect(await names('/api/v2/spans?serviceName=a')).toEqual(['max-age=60, must-revalidate', ['op']]);
      expect(await names('/api/v2/remoteServices?serviceName=a')).toEqual(['max-age=60, must-revalidate', []]);
      expect(await names('/api/v2/autocompleteValues?key=env')).toEqual(['max-age=60, must-revalidate', ['e0', 'e1', 'e2', 'e3']]);
    } finally {
      await busyApp.close();
      await busy.close();
    }
  });
});
