import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fastify, type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressResponses } from '../../server/http.js';
import type { Span } from '../../model/index.js';
import type { Payload } from '../../storage/api.js';
import { createEmbeddedStore } from '../../storage/embedded/index.js';
import { createMemoryStore } from '../../storage/memory/index.js';
import { decodeColumns } from '../../../ui/src/api/columns.js';
import { COLUMNS_CONTENT_TYPE, CONTENT_SECURITY_POLICY, uiPlugin } from './index.js';
import { TEST_TRACE_ID, span } from './test-spans.js';

const T = 1_700_000_000_000_000;
const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-AbCdEf12.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});`;

let dist: string;
let app: FastifyInstance;
let bare: FastifyInstance;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'ariadne-ui-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), INDEX);
  await writeFile(join(dist, 'assets', 'index-AbCdEf12.js'), SCRIPT);
  await writeFile(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const store = createMemoryStore();
  await store.writer.writeSpans([
    span({ spanId: 'a', service: 'frontend', name: 'get /', startUs: T, durationUs: 1000, attributes: { note: '<img src=x onerror=alert(1)>' } }),
    span({ spanId: 'b', parentSpanId: 'a', service: 'backend', name: 'query', startUs: T + 100, durationUs: 500, statusCode: 'error' }),
  ]);
  app = fastify();
  app.get('/api/services', async () => ({ data: [] }));
  await app.register(uiPlugin, { reader: store.reader, adjustClockSkew: false, distDir: dist });
  bare = fastify();
  await bare.register(uiPlugin, { reader: store.reader, adjustClockSkew: false, distDir: join(dist, 'missing') });
});

afterAll(async () => {
  await app?.close();
  await bare?.close();
  await rm(dist, { recursive: true, force: true });
});

describe('compact trace API', () => {
  it('answers the trace as pre-order columns', async () => {
    const res = await app.inject(`/api/ariadne/traces/${TEST_TRACE_ID.replace(/^0+/, '')}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({
      traceId: TEST_TRACE_ID, startUs: T, durationUs: 1000, spanCount: 2, depth: 2,
      services: ['backend', 'frontend'], names: ['get /', 'query'],
      kinds: ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'],
      rows: {
        spanIds: '000000000000000a000000000000000b', parent: [-1, 0], depth: [0, 1], startUs: [0, 100], durationUs: [1000, 500],
        service: [1, 0], name: [0, 1], kind: [0, 0], flags: [0, 1], subtree: [2, 1],
      },
      warnings: [],
    });
  });

  const errors: Array<{ name: string; url: string; status: number; error: string }> = [
    { name: 'unknown trace', url: '/api/ariadne/traces/123', status: 404, error: 'trace 00000000000000000000000000000123 not found' },
    { name: 'bad trace id', url: '/api/ariadne/traces/xyz', status: 400, error: 'traceId: expected 1 to 32 hex chars, got "xyz"' },
    { name: 'unknown span', url: `/api/ariadne/traces/${TEST_TRACE_ID}/spans/00000000000000ff`, status: 404, error: `span 00000000000000ff not found in trace ${TEST_TRACE_ID}` },
    { name: 'find without q', url: `/api/ariadne/traces/${TEST_TRACE_ID}/find`, status: 400, error: 'q: expected the text to find' },
  ];
  it.each(errors)('$name: $status', async ({ url, status, error }) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error });
  });

  it('answers one span with its row, untouched values included', async () => {
    const res = await app.inject(`/api/ariadne/traces/${TEST_TRACE_ID}/spans/000000000000000A`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.row).toBe(0);
    expect(body.span).toMatchObject({ spanId: '000000000000000a', service: 'frontend', attributes: { note: '<img src=x onerror=alert(1)>' } });
  });

  it('sums time per service across traces, skipping unknown ids', async () => {
    const res = await app.inject(`/api/ariadne/service-times?traceIds=${TEST_TRACE_ID},123`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      traces: 1,
      services: [
        { service: 'backend', spans: 1, totalUs: 500, selfUs: 500 },
        { service: 'frontend', spans: 1, totalUs: 1000, selfUs: 500 },
      ],
    });
    const bad = await app.inject('/api/ariadne/service-times');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'traceIds: expected comma-separated trace ids' });
  });

  it('finds rows by text', async () => {
    const res = await app.inject(`/api/ariadne/traces/${TEST_TRACE_ID}/find?q=${encodeURIComponent('onerror')}`);
    expect(res.json()).toEqual({ rows: [0] });
    const both = await app.inject(`/api/ariadne/traces/${TEST_TRACE_ID}/find?q=end`);
    expect(both.json()).toEqual({ rows: [0, 1] });
  });
});

describe('compact trace compression', () => {
  const BIG_TRACE_ID = '000000000000000000000000000b1600';
  /** 400 spans: a compact answer well over the size kept compressed. */
  async function serve(withGlobalCompression: boolean) {
    const store = createMemoryStore();
    await store.writer.writeSpans(Array.from({ length: 400 }, (_, i) => span({
      traceId: BIG_TRACE_ID, spanId: (i + 1).toString(16), ...(i > 0 ? { parentSpanId: '1' } : {}), name: `op ${i % 7}`, startUs: T + i, durationUs: 1000 - i,
    })));
    const server = fastify();
    // The query port compresses every answer globally; the trace answer must come out gzipped once, not twice.
    if (withGlobalCompression) await compressResponses(server);
    await server.register(uiPlugin, { reader: store.reader, adjustClockSkew: false, distDir: dist });
    return server;
  }

  const cases: Array<{ name: string; global: boolean; headers: Record<string, string>; encoding: string | undefined }> = [
    { name: 'gzip accepted', global: false, headers: { 'accept-encoding': 'gzip, deflate, br' }, encoding: 'gzip' },
    { name: 'gzip accepted, global compression registered', global: true, headers: { 'accept-encoding': 'gzip, deflate, br' }, encoding: 'gzip' },
    { name: 'no accept-encoding', global: false, headers: {}, encoding: undefined },
    { name: 'x-no-compression', global: true, headers: { 'accept-encoding': 'gzip', 'x-no-compression': '1' }, encoding: undefined },
  ];
  it.each(cases)('$name: content-encoding $encoding', async ({ global, headers, encoding }) => {
    const server = await serve(global);
    const plain = await server.inject({ url: `/api/ariadne/traces/${BIG_TRACE_ID}`, headers: { 'x-no-compression': '1' } });
    const expected = plain.json();
    expect(expected.spanCount).toBe(400);
    for (const attempt of [1, 2]) {
      const res = await server.inject({ url: `/api/ariadne/traces/${BIG_TRACE_ID}`, headers });
      expect([attempt, res.headers['content-encoding']]).toEqual([attempt, encoding]);
      expect(res.headers.vary).toContain('accept-encoding');
      const body = encoding === 'gzip' ? gunzipSync(res.rawPayload).toString() : res.body;
      expect(JSON.parse(body)).toEqual(expected);
      if (encoding === 'gzip') expect(res.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    }
    await server.close();
  });
});

describe('binary columns route', () => {
  it('answers the trace as binary columns, gzipped when accepted', async () => {
    const url = `/api/ariadne/traces/${TEST_TRACE_ID}/columns`;
    const plainRes = await app.inject(url);
    expect(plainRes.statusCode).toBe(200);
    expect(plainRes.headers['content-type']).toBe(COLUMNS_CONTENT_TYPE);
    const json = await app.inject(`/api/ariadne/traces/${TEST_TRACE_ID}`);
    const trace = decodeColumns(plainRes.rawPayload.buffer.slice(plainRes.rawPayload.byteOffset, plainRes.rawPayload.byteOffset + plainRes.rawPayload.length) as ArrayBuffer);
    expect({ ...trace, rows: { ...trace.rows, startUs: Array.from(trace.rows.startUs), flags: Array.from(trace.rows.flags) } })
      .toMatchObject({ ...json.json(), rows: { startUs: [0, 100], flags: [0, 1] } });
    const missing = await app.inject('/api/ariadne/traces/123/columns');
    expect([missing.statusCode, missing.json()]).toEqual([404, { error: 'trace 00000000000000000000000000000123 not found' }]);
  });
});

describe('prepared trace reuse', () => {
  /** The real memory engine, counting trace reads. */
  async function setup(options: { startUs: number; reuseReadMs?: number }) {
    const store = createMemoryStore();
    await store.writer.writeSpans([span({ spanId: 'a', startUs: options.startUs, durationUs: 1000 })]);
    let reads = 0;
    const reader = { ...store.reader, getTrace: (q: Parameters<typeof store.reader.getTrace>[0]) => { reads++; return store.reader.getTrace(q); } };
    const server = fastify();
    await server.register(uiPlugin, { reader, adjustClockSkew: false, distDir: dist, reuseReadMs: options.reuseReadMs ?? 0 });
    const openTrace = async (query = '') => {
      const res = await server.inject(`/api/ariadne/traces/${TEST_TRACE_ID}${query}`);
      return { spanCount: res.json().spanCount as number, timing: String(res.headers['server-timing']).split(';')[0], reads };
    };
    const addSpan = (id: string) => store.writer.writeSpans([span({ spanId: id, parentSpanId: 'a', startUs: options.startUs + 10 })]);
    return { server, openTrace, addSpan, reads: () => reads };
  }

  it('re-opens a settled trace from the prepared copy; ?fresh=1 reads storage again', async () => {
    const { server, openTrace, addSpan } = await setup({ startUs: T });
    expect(await openTrace()).toEqual({ spanCount: 1, timing: 'read', reads: 1 });
    await addSpan('b');
    expect(await openTrace()).toEqual({ spanCount: 1, timing: 'cache', reads: 1 });
    expect(await openTrace('?fresh=1')).toEqual({ spanCount: 2, timing: 'read', reads: 2 });
    await server.close();
  });

  it('reads a trace that may still be growing on every open', async () => {
    const { server, openTrace, addSpan } = await setup({ startUs: Date.now() * 1000 });
    expect(await openTrace()).toEqual({ spanCount: 1, timing: 'read', reads: 1 });
    await addSpan('b');
    expect(await openTrace()).toEqual({ spanCount: 2, timing: 'read', reads: 2 });
    await server.close();
  });

  it('an open right after another reuses its read', async () => {
    const { server, openTrace, addSpan } = await setup({ startUs: Date.now() * 1000, reuseReadMs: 60_000 });
    expect(await openTrace()).toEqual({ spanCount: 1, timing: 'read', reads: 1 });
    await addSpan('b');
    expect(await openTrace()).toEqual({ spanCount: 1, timing: 'cache', reads: 1 });
    await server.close();
  });

  it('a /trace/ page starts reading its trace, and the page\'s own request joins that read', async () => {
    const { server, openTrace, reads } = await setup({ startUs: Date.now() * 1000, reuseReadMs: 60_000 });
    const page = await server.inject(`/trace/${TEST_TRACE_ID}`);
    expect(page.statusCode).toBe(200);
    for (let i = 0; i < 200 && reads() === 0; i++) await new Promise((r) => setTimeout(r, 5));
    // The read has returned; its preparation follows a turn of the event loop later.
    await new Promise((r) => setTimeout(r, 20));
    expect(await openTrace()).toEqual({ spanCount: 1, timing: 'cache', reads: 1 });
    const unknown = await server.inject('/trace/0000000000000000000000000000ffff');
    expect(unknown.statusCode).toBe(200);
    await server.close();
  });

  it('concurrent opens share one read', async () => {
    const { server, openTrace } = await setup({ startUs: Date.now() * 1000 });
    const both = await Promise.all([openTrace(), openTrace()]);
    expect(both.map((o) => o.timing)).toEqual(['read', 'read']);
    expect(Math.max(...both.map((o) => o.reads))).toBe(1);
    await server.close();
  });
});

describe('traces opened from their skeleton (embedded store, spans in DuckDB)', () => {
  const SPANS = [
    span({ spanId: 'a', service: 'front', name: 'get /', startUs: T, durationUs: 1000, localEndpoint: { ipv4: '10.0.0.1' }, attributes: { 'http.url': '/home' } }),
    span({
      spanId: 'b', parentSpanId: 'a', service: 'back', name: 'query', startUs: T - 5000, durationUs: 200, resource: { 'host.name': 'db-1' },
      attributes: { 'db.statement': 'select 1' }, events: [{ timeUs: T - 4990, name: 'sent' }],
    }),
  ];
  async function setup(detailsDelayMs: number) {
    const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-ui-skeleton-'));
    const options = { dataDir, decode: (p: Payload) => JSON.parse(p.bytes.toString('utf8')) as Span[], retentionUs: 100 * 365 * 24 * 3_600_000_000, maxDiskBytes: 0 };
    const first = await createEmbeddedStore(options);
    await first.writer.writeSpans(SPANS);
    await first.close();
    const store = await createEmbeddedStore(options);
    let wholeReads = 0;
    const reader = { ...store.reader, getTrace: (q: Parameters<typeof store.reader.getTrace>[0]) => { wholeReads++; return store.reader.getTrace(q); } };
    const server = fastify();
    await server.register(uiPlugin, { reader, adjustClockSkew: true, distDir: dist, detailsDelayMs });
    const done = async () => {
      await server.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    };
    return { server, wholeReads: () => wholeReads, done };
  }

  it('answers the timeline from the skeleton, a span\'s details from that span alone, find from one whole read', async () => {
    const { server, wholeReads, done } = await setup(60_000);
    try {
      const open = await server.inject(`/api/ariadne/traces/${TEST_TRACE_ID}`);
      expect(String(open.headers['server-timing'])).toMatch(/^skeleton;dur=/);
      expect(open.json().rows.startUs).toEqual([0, 400]);
      expect(open.json().warnings).toEqual(['1 span shifted to correct clock skew']);
      expect(wholeReads()).toBe(0);
      const detail = await server.inject(`/api/ariadne/traces/${TEST_TRACE_ID}/spans/000000000000000b`);
      expect(detail.json()).toEqual({
        row: 1,
        span: {
          ...SPANS[1], spanId: '000000000000000b', parentSpanId: '000000000000000a', startUs: T + 400,
          events: [{ timeUs: T + 410, name: 'sent' }], warnings: ['clock skew adjusted by 5400µs'],
        },
      });
      expect(wholeReads()).toBe(0);
      const found = await server.inject(`/api/ariadne/traces/${TEST_TRACE_ID}/find?q=${encodeURIComponent('select')}`);
      expect(found.json()).toEqual({ rows: [1] });
      expect(wholeReads()).toBe(1);
    } finally {
      await done();
    }
  });

  it('reads the details by itself shortly after the open', async () => {
    const { server, wholeReads, done } = await setup(0);
    try {
      await server.inject(`/api/ariadne/traces/${TEST_TRACE_ID}/columns`);
      for (let i = 0; i < 200 && wholeReads() === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(wholeReads()).toBe(1);
      const detail = await server.inject(`/api/ariadne/traces/${TEST_TRACE_ID}/spans/000000000000000a`);
      expect(detail.json().span.attributes).toEqual({ 'http.url': '/home' });
      expect(wholeReads()).toBe(1);
    } finally {
      await done();
    }
  });

  it('reads no details while no answer has gone out (a page\'s early read alone)', async () => {
    const { server, wholeReads, done } = await setup(0);
    try {
      const page = await server.inject(`/trace/${TEST_TRACE_ID}`);
      expect(page.statusCode).toBe(200);
      // A span's detail joins the page's read and is answered from that span alone.
      const detail = await server.inject(`/api/ariadne/traces/${TEST_TRACE_ID}/spans/000000000000000a`);
      expect(detail.json().span.attributes).toEqual({ 'http.url': '/home' });
      await new Promise((r) => setTimeout(r, 300));
      expect(wholeReads()).toBe(0);
      await server.inject(`/api/ariadne/traces/${TEST_TRACE_ID}/columns`);
      for (let i = 0; i < 200 && wholeReads() === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(wholeReads()).toBe(1);
    } finally {
      await done();
    }
  });
});

describe('big traces prepared ahead of their first open (embedded store)', () => {
  const NOW = Date.now() * 1000;
  const many = (n: number, from = 0, tenant = '') => Array.from({ length: n }, (_, i) => span({
    spanId: (from + i + 1).toString(16), ...(from + i > 0 ? { parentSpanId: '1' } : {}), startUs: NOW + from + i, durationUs: 10, tenant,
  }));
  async function setup(tenancy: boolean) {
    const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-ui-ahead-'));
    const store = await createEmbeddedStore({ dataDir, decode: (p: Payload) => JSON.parse(p.bytes.toString('utf8')) as Span[], retentionUs: 100 * 365 * 24 * 3_600_000_000, maxDiskBytes: 0 });
    let skeletonReads = 0;
    const reader = {
      ...store.reader,
      getTraceSkeleton: (q: Parameters<NonNullable<typeof store.reader.getTraceSkeleton>>[0]) => { skeletonReads++; return store.reader.getTraceSkeleton!(q); },
    };
    const server = fastify();
    if (tenancy) server.addHook('onRequest', async (request) => { request.tenant = String(request.headers['x-tenant'] ?? ''); });
    // Spans stamped now are never complete by the settle rule, and no read is reused by its age.
    await server.register(uiPlugin, { reader, adjustClockSkew: false, distDir: dist, reuseReadMs: 0, prepareAheadMinSpans: 50, prepareAheadQuietMs: 30, tenancy });
    const openTrace = async (traceId = TEST_TRACE_ID, tenant?: string) => {
      const res = await server.inject({ url: `/api/ariadne/traces/${traceId}`, headers: tenant === undefined ? {} : { 'x-tenant': tenant } });
      // Encoding shows only when it took 0.5 ms or more.
      return { spanCount: res.json().spanCount as number, timing: String(res.headers['server-timing']).replace(/;dur=[0-9.]+/g, '').replace(/, encode$/, '') };
    };
    const prepared = async (reads: number) => {
      for (let i = 0; i < 300 && skeletonReads < reads; i++) await new Promise((r) => setTimeout(r, 10));
      // The read is followed by its preparation and the count's bookkeeping.
      await new Promise((r) => setTimeout(r, 50));
      return skeletonReads;
    };
    const done = async () => {
      await server.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    };
    return { store, openTrace, prepared, reads: () => skeletonReads, done };
  }

  it('prepares a big trace once its spans stop arriving; its first open takes that copy while no span arrived since', async () => {
    const { store, openTrace, prepared, reads, done } = await setup(false);
    try {
      for (let from = 0; from < 60; from += 20) await store.writer.writeSpans(many(20, from));
      expect(await prepared(1)).toBe(1);
      expect(await openTrace()).toEqual({ spanCount: 60, timing: 'cache;desc="prepared ahead"' });
      expect(reads()).toBe(1);
      // A late span: the copy is no longer whole, so the next open reads (and it is prepared again).
      await store.writer.writeSpans(many(1, 60));
      expect(await openTrace()).toEqual({ spanCount: 61, timing: 'skeleton, prepare' });
      // A small trace is not prepared ahead.
      await store.writer.writeSpans([span({ traceId: '00000000000000000000000000000077', spanId: '1', startUs: NOW })]);
      await new Promise((r) => setTimeout(r, 150));
      const before = reads();
      expect(await openTrace('77')).toEqual({ spanCount: 1, timing: 'skeleton, prepare' });
      expect(reads()).toBe(before + 1);
    } finally {
      await done();
    }
  });

  it('keeps a copy prepared ahead for its own tenant only', async () => {
    const { store, openTrace, prepared, done } = await setup(true);
    try {
      await store.writer.writeSpans(many(60, 0, 'a'));
      await prepared(1);
      expect(await openTrace(TEST_TRACE_ID, 'a')).toEqual({ spanCount: 60, timing: 'cache;desc="prepared ahead"' });
      const other = await openTrace(TEST_TRACE_ID, 'b').catch(() => undefined);
      expect(other?.timing).not.toBe('cache;desc="prepared ahead"');
    } finally {
      await done();
    }
  });
});

describe('first screen of a /trace/ page', () => {
  const url = `/trace/${TEST_TRACE_ID}`;
  const nonceOf = (csp: unknown) => /style-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(String(csp))?.[1];

  it('draws a trace at hand into the page, its styles admitted by a nonce of this answer alone', async () => {
    const first = await app.inject(url);
    const again = await app.inject(url);
    expect(first.statusCode).toBe(200);
    const nonce = nonceOf(first.headers['content-security-policy']);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(nonceOf(again.headers['content-security-policy'])).not.toBe(nonce);
    expect(first.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY.replace("style-src 'self'", `style-src 'self' 'nonce-${nonce}'`));
    expect(first.body).toContain(`<html data-theme="light"><head>`);
    expect(first.body).toContain(`<div id="root"><style nonce="${nonce}">[data-first-screen]`);
    expect(first.body).toContain('<div class="app" data-first-screen="">');
    expect(first.body.match(/class="span-row[^"]*" data-row="\d+"/g)).toEqual(['class="span-row" data-row="0"', 'class="span-row error" data-row="1"']);
    expect(first.body).toContain('<span class="svc">frontend</span><span class="op">get /</span>');
    // Only the timeline's names: tag values stay with the span detail.
    expect(first.body).not.toContain('onerror');
  });

  it('follows the theme and time zone the app left in cookies', async () => {
    const res = await app.inject({ url, headers: { cookie: 'ariadne-theme=dark; ariadne-tz=-120' } });
    expect(res.body).toContain('<html data-theme="dark">');
    expect(res.body).toContain('aria-label="Switch theme">Light theme</button>');
    const start = new Date(T / 1000 + 120 * 60_000).toISOString().replace('T', ' ').replace('Z', '');
    expect(res.body).toContain(`<dt>Start</dt><dd>${start}</dd>`);
  });

  it.each([`${url}?span=000000000000000b`, `${url}?view=stats`, `/trace/${TEST_TRACE_ID}...${TEST_TRACE_ID}`, '/trace/0000000000000000000000000000ffff'])(
    '%s has none: only the app draws it',
    async (path) => {
      const res = await app.inject(path);
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('data-first-screen');
      expect(res.body).toContain('<div id="root"></div>');
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    },
  );

  it('draws a copy prepared earlier at once, while the page\'s own request gets the trace as it is now', async () => {
    const store = createMemoryStore();
    const now = Date.now() * 1000;
    await store.writer.writeSpans([span({ spanId: 'a', startUs: now })]);
    const server = fastify();
    await server.register(uiPlugin, { reader: store.reader, adjustClockSkew: false, distDir: dist, reuseReadMs: 0 });
    expect((await server.inject(`/api/ariadne/traces/${TEST_TRACE_ID}`)).json().spanCount).toBe(1);
    await store.writer.writeSpans([span({ spanId: 'b', parentSpanId: 'a', startUs: now + 10 })]);
    const page = await server.inject(url);
    expect(page.body.match(/class="span-row[^"]*" data-row="\d+"/g)).toEqual(['class="span-row" data-row="0"']);
    expect((await server.inject(`/api/ariadne/traces/${TEST_TRACE_ID}`)).json().spanCount).toBe(2);
    await server.close();
  });

  it('carries no trace data with multi-tenancy on, where a page request names no tenant', async () => {
    const store = createMemoryStore();
    await store.writer.writeSpans([span({ spanId: 'a', startUs: T, tenant: 'acme' })]);
    const server = fastify();
    // As the server's guard does for pages: credentials checked, no tenant resolved.
    server.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/trace/')) request.tenant = String(request.headers['x-tenant'] ?? '');
    });
    await server.register(uiPlugin, { reader: store.reader, adjustClockSkew: false, distDir: dist, tenancy: true });
    expect((await server.inject({ url: `/api/ariadne/traces/${TEST_TRACE_ID}`, headers: { 'x-tenant': 'acme' } })).json().spanCount).toBe(1);
    const page = await server.inject(url);
    expect(page.body).not.toContain('data-first-screen');
    expect(page.body).toContain('<div id="root"></div>');
    await server.close();
  });

  it('does not wait for a slow read beyond firstScreenWaitMs, nor at all with 0', async () => {
    const store = createMemoryStore();
    await store.writer.writeSpans([span({ spanId: 'a', startUs: T })]);
    for (const firstScreenWaitMs of [20, 0]) {
      let release = () => {};
      let finished = false;
      const held = new Promise<void>((resolve) => (release = resolve));
      const slow = { ...store.reader, getTrace: async (q: Parameters<typeof store.reader.getTrace>[0]) => {
        await held;
        finished = true;
        return store.reader.getTrace(q);
      } };
      const server = fastify();
      await server.register(uiPlugin, { reader: slow, adjustClockSkew: false, distDir: dist, firstScreenWaitMs });
      const res = await server.inject(url);
      expect(finished).toBe(false);
      expect(res.body).not.toContain('data-first-screen');
      release();
      await server.close();
    }
  });
});

describe('static UI', () => {
  const spa = ['/', '/search', '/search?service=a', '/trace/not-hex', '/dependencies', '/compare', '/ingest'];
  it.each(spa)('%s serves index.html, not cached, with the CSP', async (url) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).toBe(INDEX);
  });

  const preloads: Array<{ url: string; links: string }> = [
    { url: '/trace/abc', links: '<link rel="preload" as="fetch" crossorigin="anonymous" href="/api/ariadne/traces/abc/columns">' },
    {
      url: '/trace/abc...DEF?span=1',
      links: '<link rel="preload" as="fetch" crossorigin="anonymous" href="/api/ariadne/traces/abc/columns">'
        + '<link rel="preload" as="fetch" crossorigin="anonymous" href="/api/ariadne/traces/DEF/columns">',
    },
  ];
  it.each(preloads)('$url preloads its compact trace', async ({ url, links }) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.body).toBe(INDEX.replace('</head>', `${links}</head>`));
  });

  it.each(['/trace/"><script>alert(1)<\/script>', '/trace/a...b...c', '/trace/'])('%s echoes nothing into the page', async (url) => {
    const res = await app.inject(url);
    expect(res.body).toBe(INDEX);
  });

  it('forbids inline script and eval', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
  });

  it('serves hashed assets with a year of caching, gzipped when accepted', async () => {
    const plain = await app.inject('/assets/index-AbCdEf12.js');
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
    const gz = await app.inject({ url: '/assets/index-AbCdEf12.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(SCRIPT);
  });

  it('serves other files with their type and revalidation', async () => {
    const res = await app.inject('/favicon.svg');
    expect(res.headers['content-type']).toBe('image/svg+xml');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  const notUi = ['/api/nothing-here', '/assets/missing-12345678.js', '/../package.json', '/other'];
  it.each(notUi)('%s is a 404, never the app', async (url) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('<div id="root">');
  });

  it('leaves other plugins\' /api routes alone', async () => {
    const res = await app.inject('/api/services');
    expect(res.json()).toEqual({ data: [] });
  });

  it('says how to build the UI when it was not built', async () => {
    for (const url of ['/', '/search', '/trace/abc']) {
      const res = await bare.inject(url);
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('npm run build:ui');
    }
    expect((await bare.inject(`/api/ariadne/traces/${TEST_TRACE_ID}`)).statusCode).toBe(200);
  });
});
