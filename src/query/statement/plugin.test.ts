import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import { createMemoryStore } from '../../storage/memory/index.js';
import type { Store } from '../../storage/api.js';
import { createHttpApp } from '../../server/http.js';
import { statementApiPlugin } from './index.js';
import { SPAN_RANGE_US, T0, testSpans } from './test-spans.js';

const NOW_MS = (T0 + SPAN_RANGE_US) / 1000;
const RANGE = `start=${T0 / 1000}&end=${NOW_MS}`;

let store: Store;
let app: FastifyInstance;
const spans = testSpans();

/** Two more spans of trace 1 (a 2 s trace), and one span of another tenant that no request of the default tenant sees. */
const EXTRA: Span[] = [
  { ...spans[0]!, spanId: 'aa00000000000001', parentSpanId: spans[0]!.spanId, service: 'ratings', name: 'child', startUs: T0 + 10, durationUs: 2_000_000, statusCode: 'unset', attributes: { 'db.statement': 'select 1' } },
  { ...spans[0]!, traceId: 'ff'.padStart(32, '0'), spanId: 'bb00000000000001', service: 'secret', tenant: 'other' },
];

beforeAll(async () => {
  store = createMemoryStore({});
  await store.writer.writeSpans([...spans, ...EXTRA]);
  app = createHttpApp({ logger: pino({ level: 'silent' }), bodyLimit: 1024 * 1024 });
  // The tenant hook of the real query port; here every request reads the default tenant "".
  app.addHook('onRequest', async (request) => {
    request.tenant = '';
  });
  await app.register(statementApiPlugin, { reader: store.reader, now: () => NOW_MS });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await store.close();
});

async function get(url: string): Promise<{ status: number; body: any }> {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() };
}

describe('GET|POST /api/ariadne/query', () => {
  it('answers a grouped statement as a table with a chart', async () => {
    const q = encodeURIComponent('| stats count() by service | sort count() desc, service');
    const { status, body } = await get(`/api/ariadne/query?q=${q}&${RANGE}`);
    expect(status).toBe(200);
    expect(body.kind).toBe('table');
    expect(body.columns).toEqual([{ name: 'service', type: 'string' }, { name: 'count()', type: 'number' }]);
    expect(body.rows).toEqual([['productpage', 200], ['ratings', 201], ['reviews', 200]].sort((a, b) => (b[1] as number) - (a[1] as number) || ((a[0] as string) < (b[0] as string) ? -1 : 1)));
    expect(body.chart).toEqual({ x: 'service', series: ['count()'], type: 'bar' });
    expect(typeof body.elapsedMs).toBe('number');
  });

  it('takes a JSON body with RFC 3339 times, and a lookback', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/ariadne/query', headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ q: 'service = "ratings" | stats count()', start: new Date(T0 / 1000).toISOString(), end: new Date(NOW_MS).toISOString() }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().rows).toEqual([[201]]);
    // The last 60 s hold spans 580..599 (one every 3 s): 7 of them are ratings (i % 3 === 2).
    const recent = await get(`/api/ariadne/query?q=${encodeURIComponent('service = "ratings" | stats count()')}&lookback=1m`);
    expect(recent.body.rows).toEqual([[7]]);
  });

  it('lists spans with their trace ids', async () => {
    const { body } = await get(`/api/ariadne/query?q=${encodeURIComponent('db.statement exists')}&${RANGE}`);
    expect(body.kind).toBe('spans');
    expect(body.rows).toEqual([[T0 + 10, spans[0]!.traceId, 'aa00000000000001', 'ratings', 'child', 'server', 'unset', 2_000_000]]);
    expect(body.chart).toBeUndefined();
  });

  const errors: Array<{ name: string; url: string; status: number; body: unknown }> = [
    {
      name: 'a mistake, with its position',
      url: `/api/ariadne/query?q=${encodeURIComponent('service = "reviews" and x = | stats count()')}&${RANGE}`,
      status: 400,
      body: { error: 'at 1:29: expected a value after "=", found "|"', position: { line: 1, column: 29, offset: 28 } },
    },
    {
      name: 'a range over the limit',
      url: `/api/ariadne/query?q=&start=0&end=${40 * 86_400_000}`,
      status: 400,
      body: { error: 'the time range spans 40 days, more than the limit of 31 days' },
    },
    {
      name: 'an unreadable start',
      url: '/api/ariadne/query?q=&start=yesterday',
      status: 400,
      body: { error: 'start: expected ms since the epoch or an RFC 3339 time, got "yesterday"' },
    },
    {
      name: 'a statement over the length limit',
      url: `/api/ariadne/query?q=${'x'.repeat(4097)}`,
      status: 413,
      body: { error: 'the statement has 4097 characters, more than the limit of 4096' },
    },
  ];
  for (const c of errors) {
    it(`answers ${c.status} for ${c.name}`, async () => {
      const { status, body } = await get(c.url);
      expect(status).toBe(c.status);
      expect(body).toEqual(c.body);
    });
  }

  it('refuses a body that is not JSON', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/ariadne/query', headers: { 'content-type': 'text/plain' }, payload: 'stats' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'body: expected JSON such as {"q": "service = \\"a\\"", "lookback": "1h"}' });
  });

  it('reads only the request\'s tenant', async () => {
    const { body } = await get(`/api/ariadne/query?q=${encodeURIComponent('service = "secret" | stats count()')}&${RANGE}`);
    expect(body.rows).toEqual([[0]]);
  });
});

describe('GET /api/ariadne/traces', () => {
  it('finds traces where one span matches, newest first, as v3 trace summaries', async () => {
    const q = encodeURIComponent('http.status_code = "500" and (service = "ratings" or not service = "reviews")');
    const { status, body } = await get(`/api/ariadne/traces?q=${q}&${RANGE}&limit=3`);
    expect(status).toBe(200);
    const expected = spans
      .filter((s) => s.attributes['http.status_code'] === '500' && (s.service === 'ratings' || s.service !== 'reviews'))
      .sort((a, b) => b.startUs - a.startUs)
      .slice(0, 3);
    expect(body.summaries.map((s: { traceId: string }) => s.traceId)).toEqual(expected.map((s) => s.traceId));
    const first = expected[0]!;
    expect(body.summaries[0]).toEqual({
      traceId: first.traceId,
      rootServiceName: first.service,
      rootOperationName: first.name,
      minStartTimeUnixNano: `${first.startUs}000`,
      maxEndTimeUnixNano: `${first.startUs + first.durationUs}000`,
      spanCount: 1,
      errorSpanCount: 1,
      services: [{ name: first.service, spanCount: 1, errorSpanCount: 1 }],
    });
  });

  it('bounds the whole trace\'s duration apart from the span filter', async () => {
    // Span 0's trace lasts 2 s (its child); the filter's own span is short.
    const q = encodeURIComponent('service = "productpage" and duration < 2s');
    const { body } = await get(`/api/ariadne/traces?q=${q}&${RANGE}&minTraceDuration=1.5s&limit=5`);
    expect(body.summaries.map((s: { traceId: string }) => s.traceId)).toEqual([spans[0]!.traceId]);
    const none = await get(`/api/ariadne/traces?q=${q}&${RANGE}&minTraceDuration=1.5s&maxTraceDuration=1900ms`);
    expect(none.body).toEqual({ summaries: [] });
  });

  it('refuses stages and points at them', async () => {
    const { status, body } = await get(`/api/ariadne/traces?q=${encodeURIComponent('a = 1 | stats count()')}`);
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'at 1:7: a trace search takes a filter only: stages ("|") belong on the Query page', position: { line: 1, column: 7, offset: 6 } });
  });

  it('refuses a bad limit and bad duration bounds', async () => {
    expect((await get('/api/ariadne/traces?limit=0')).body).toEqual({ error: 'limit: expected a whole number from 1 to 1000, got "0"' });
    expect((await get('/api/ariadne/traces?minTraceDuration=soon')).body).toEqual({ error: 'minTraceDuration: expected a duration such as 250ms or 1.5s, got "soon"' });
  });
});
