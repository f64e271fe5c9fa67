import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdSource } from './b3.js';
import { createZipkinReporter, type ZipkinReporter, type ZipkinSpan } from './reporter.js';
import { startSidecar, type Cluster, type Sidecar } from './sidecar.js';

/** A real HTTP server answering with the headers it received, as JSON. */
async function echoServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A real Zipkin-shaped collector keeping every v2 span posted to it. */
async function collector(): Promise<{ url: string; spans: ZipkinSpan[]; server: Server }> {
  const spans: ZipkinSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      spans.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ZipkinSpan[]));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/spans`, spans, server };
}

function get(base: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/reviews/0`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

let next = 0;
const ids: IdSource = {
  traceId: () => 'feedfacefeedface',
  spanId: () => `c${(++next).toString(16).padStart(15, '0')}`,
  requestId: () => 'generated-request-id',
  random: () => 0.5,
};

let app: Awaited<ReturnType<typeof echoServer>>;
let upstream: Awaited<ReturnType<typeof echoServer>>;
let zipkin: Awaited<ReturnType<typeof collector>>;
let reporter: ZipkinReporter;
let sidecar: Sidecar;
const closedPort = { url: '' };

beforeAll(async () => {
  [app, upstream, zipkin] = await Promise.all([echoServer(), echoServer(), collector()]);
  const gone = await echoServer();
  closedPort.url = gone.url;
  await new Promise((r) => gone.server.close(r));
  reporter = createZipkinReporter({ url: zipkin.url, flushIntervalMs: 60_000 });
  const clusters = new Map<string, Cluster>([
    ['ratings:9080', { service: 'ratings', endpoints: [upstream.url] }],
    ['down:9080', { service: 'down', endpoints: [closedPort.url] }],
  ]);
  sidecar = await startSidecar({ service: 'reviews', version: 'v2', namespace: 'default', appUrl: app.url, clusters, reporter, samplingPercent: 60, ids });
});

afterAll(async () => {
  await sidecar.close();
  await reporter.close();
  await Promise.all([app, upstream, zipkin].map(({ server }) => new Promise((r) => server.close(r))));
});

/** Sends one request and returns what the far side saw and the spans it produced. */
async function exchange(side: 'inbound' | 'outbound', headers: Record<string, string>) {
  next = 0;
  zipkin.spans.length = 0;
  const res = await get(side === 'inbound' ? sidecar.inboundUrl : sidecar.outboundUrl, headers);
  await reporter.flush();
  const seen = res.status === 200 ? (JSON.parse(res.body) as IncomingHttpHeaders) : undefined;
  return { status: res.status, seen, spans: [...zipkin.spans] };
}

const pick = (headers: IncomingHttpHeaders | undefined, names: string[]) =>
  Object.fromEntries(names.filter((n) => headers?.[n] !== undefined).map((n) => [n, headers![n]]));
const TRACING = ['x-request-id', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'b3', 'x-ot-span-context'];

describe('sidecar', () => {
  const T = '463ac35c9f6413ad';
  const S = 'a2fb4a1d1a96d312';
  const P = '0020000000000001';
  const cases: Array<{
    name: string;
    side: 'inbound' | 'outbound';
    headers: Record<string, string>;
    status: number;
    seen?: Record<string, string>;
    span?: Partial<ZipkinSpan> & { tags?: Record<string, string> };
  }> = [
    {
      name: 'inbound without context: root server span, generated ids reach the app',
      side: 'inbound', headers: { host: 'reviews:9080' }, status: 200,
      seen: { 'x-request-id': 'generated-request-id', 'x-b3-traceid': 'feedfacefeedface', 'x-b3-spanid': 'c000000000000001', 'x-b3-sampled': '1' },
      span: { kind: 'SERVER', traceId: 'feedfacefeedface', id: 'c000000000000001', name: 'reviews.default.svc.cluster.local:9080/*', tags: { 'upstream_cluster': 'inbound|9080||', 'http.url': 'http://reviews:9080/reviews/0', 'http.status_code': '200', 'response_flags': '-' } },
    },
    {
      name: 'inbound with context: shared span, headers unchanged, x-ot-span-context passed through',
      side: 'inbound', headers: { host: 'reviews:9080', 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-parentspanid': P, 'x-b3-sampled': '1', 'x-request-id': 'r-1', 'x-ot-span-context': 'opaque;value' }, status: 200,
      seen: { 'x-request-id': 'r-1', 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-parentspanid': P, 'x-b3-sampled': '1', 'x-ot-span-context': 'opaque;value' },
      span: { kind: 'SERVER', traceId: T, id: S, parentId: P, shared: true, tags: { 'guid:x-request-id': 'r-1' } },
    },
    {
      name: 'inbound unsampled: decision forwarded, nothing reported',
      side: 'inbound', headers: { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '0', 'x-request-id': 'r-2' }, status: 200,
      seen: { 'x-request-id': 'r-2', 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '0' },
    },
    {
      name: 'inbound context without a decision: the percentage decides (draw 50 < 60 %)',
      side: 'inbound', headers: { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-request-id': 'r-3' }, status: 200,
      seen: { 'x-request-id': 'r-3', 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' },
      span: { kind: 'SERVER', id: S, shared: true },
    },
    {
      name: 'inbound debug: reported with debug, flags forwarded',
      side: 'inbound', headers: { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-flags': '1', 'x-request-id': 'r-4' }, status: 200,
      seen: { 'x-request-id': 'r-4', 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-flags': '1' },
      span: { kind: 'SERVER', id: S, debug: true, shared: true },
    },
    {
      name: 'inbound malformed B3: passed through untouched, nothing reported',
      side: 'inbound', headers: { 'x-b3-traceid': 'xyz', 'x-b3-spanid': S, 'x-request-id': 'r-5' }, status: 200,
      seen: { 'x-request-id': 'r-5', 'x-b3-traceid': 'xyz', 'x-b3-spanid': S },
    },
    {
      name: 'outbound: new client span under the app\'s span, x-ot-span-context passed through',
      side: 'outbound', headers: { host: 'ratings:9080', 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-parentspanid': P, 'x-b3-sampled': '1', 'x-request-id': 'r-6', 'x-ot-span-context': 'opaque' }, status: 200,
      seen: { 'x-request-id': 'r-6', 'x-b3-traceid': T, 'x-b3-spanid': 'c000000000000001', 'x-b3-parentspanid': S, 'x-b3-sampled': '1', 'x-ot-span-context': 'opaque' },
      span: { kind: 'CLIENT', traceId: T, id: 'c000000000000001', parentId: S, name: 'ratings.default.svc.cluster.local:9080/*', tags: { 'upstream_cluster': 'outbound|9080||ratings.default.svc.cluster.local', 'http.url': 'http://ratings:9080/reviews/0' } },
    },
    {
      name: 'outbound single b3 header: rewritten as x-b3-* for the callee',
      side: 'outbound', headers: { host: 'ratings:9080', b3: `${T}-${S}-1`, 'x-request-id': 'r-7' }, status: 200,
      seen: { 'x-request-id': 'r-7', 'x-b3-traceid': T, 'x-b3-spanid': 'c000000000000001', 'x-b3-parentspanid': S, 'x-b3-sampled': '1' },
      span: { kind: 'CLIENT', id: 'c000000000000001', parentId: S },
    },
    {
      name: 'outbound without a route: 404 NR',
      side: 'outbound', headers: { host: 'nowhere:9080', 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' }, status: 404,
      span: { kind: 'CLIENT', name: 'nowhere:9080/*', tags: { 'http.status_code': '404', 'response_flags': 'NR' } },
    },
    {
      name: 'outbound to a dead endpoint: 503 UF, error',
      side: 'outbound', headers: { host: 'down:9080', 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' }, status: 503,
      span: { kind: 'CLIENT', tags: { 'http.status_code': '503', 'response_flags': 'UF', 'error': 'true', 'upstream_cluster': 'outbound|9080||down.default.svc.cluster.local' } },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const got = await exchange(c.side, c.headers);
      expect(got.status).toBe(c.status);
      if (c.seen !== undefined) expect(pick(got.seen, TRACING)).toEqual(c.seen);
      if (c.span === undefined) {
        expect(got.spans).toEqual([]);
        return;
      }
      expect(got.spans).toHaveLength(1);
      const span = got.spans[0]!;
      const { tags, ...fields } = c.span;
      expect(span).toMatchObject(fields);
      expect(span.tags).toMatchObject(tags ?? {});
      expect(span.localEndpoint).toEqual({ serviceName: 'reviews.default', ipv4: '127.0.0.1', port: Number(new URL(sidecar.inboundUrl).port) });
      expect(span.tags['node_id']).toBe('sidecar~127.0.0.1~reviews-v2-0.default~default.svc.cluster.local');
      expect(span.tags['component']).toBe('proxy');
      if (Number(span.tags['http.status_code']) < 500) expect(span.tags['error']).toBeUndefined();
    });
  }

  it('counts requests by direction', () => {
    expect(sidecar.stats()).toEqual({ inbound: 6, outbound: 4, traced: 8, invalidB3: 1 });
  });
});
