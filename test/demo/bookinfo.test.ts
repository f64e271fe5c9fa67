/**
 * The Bookinfo demo against a real all-in-one: spans go in through the Zipkin receiver (v2 and v1
 * JSON) and are read back through the Zipkin and Jaeger query APIs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo, type DemoStats } from '../../src/demo/index.js';
import { eventually, getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from '../e2e/server.js';

interface ZSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind: string;
  timestamp: number;
  duration: number;
  localEndpoint: { serviceName: string; ipv4?: string; port?: number };
  remoteEndpoint?: { ipv4?: string; port?: number };
  tags: Record<string, string>;
  shared?: boolean;
}

interface Run {
  demo: Demo;
  stats: DemoStats;
}

let server: ServerProcess;
let dataDir: string;
const runs: Record<'v2' | 'sampling' | 'v1', Run> = {} as Record<'v2' | 'sampling' | 'v1', Run>;

async function run(options: Parameters<typeof startDemo>[0]): Promise<Run> {
  const demo = await startDemo({ flushIntervalMs: 100, ...options });
  await demo.loadDone;
  await demo.flush();
  const stats = demo.stats();
  await demo.close();
  return { demo, stats };
}

/** Every trace of a namespace through the Zipkin API, once `count` are there. */
async function zipkinTraces(namespace: string, count: (n: number) => boolean): Promise<ZSpan[][]> {
  return eventually(async () => {
    const { status, body } = await getJson(`${server.zipkin}/api/v2/traces?serviceName=productpage.${namespace}&limit=1000&lookback=3600000`);
    if (status !== 200 || !count((body as ZSpan[][]).length)) return undefined;
    return body as ZSpan[][];
  }, 10_000);
}

function one<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, got ${items.length}`);
  return items[0]!;
}

/** The spans of one Bookinfo request, by role; throws if the trace has another shape. */
function shapeOf(trace: ZSpan[], ns: string) {
  const by = (service: string, kind: string) => trace.filter((s) => s.localEndpoint.serviceName === `${service}.${ns}` && s.kind === kind);
  const pageServer = one(by('productpage', 'SERVER'), 'productpage server span');
  const pageClients = by('productpage', 'CLIENT');
  const toDetails = one(pageClients.filter((s) => s.tags['upstream_cluster'] === `outbound|9080||details.${ns}.svc.cluster.local`), 'client span to details');
  const toReviews = one(pageClients.filter((s) => s.tags['upstream_cluster'] === `outbound|9080||reviews.${ns}.svc.cluster.local`), 'client span to reviews');
  const details = one(by('details', 'SERVER'), 'details server span');
  const reviews = one(by('reviews', 'SERVER'), 'reviews server span');
  const version = reviews.tags['istio.canonical_revision']!;
  const toRatings = by('reviews', 'CLIENT');
  const ratings = by('ratings', 'SERVER');
  return { pageServer, pageClients, toDetails, toReviews, details, reviews, version, toRatings, ratings };
}

/** Asserts the Envoy shared-span shape of every trace and returns reviews versions and ratings statuses. */
function checkTraces(traces: ZSpan[][], ns: string, v3DelayMs = 50): { versions: Record<string, number>; ratingsStatuses: Record<string, number> } {
  const versions: Record<string, number> = {};
  const ratingsStatuses: Record<string, number> = {};
  const requestIds = new Set<string>();
  for (const trace of traces) {
    const t = shapeOf(trace, ns);
    versions[t.version] = (versions[t.version] ?? 0) + 1;
    // One request, one trace: a single trace id and a single x-request-id across every span.
    expect(new Set(trace.map((s) => s.traceId)).size).toBe(1);
    const requestId = t.pageServer.tags['guid:x-request-id']!;
    expect(trace.every((s) => s.tags['guid:x-request-id'] === requestId)).toBe(true);
    requestIds.add(requestId);
    // The entry sidecar started the trace: its server span is the root and not shared.
    expect(t.pageServer.parentId).toBeUndefined();
    expect(t.pageServer.shared).toBeUndefined();
    expect(t.pageClients).toHaveLength(2);
    for (const client of t.pageClients) expect(client.parentId).toBe(t.pageServer.id);
    // Callee server halves share their caller's client span id and parent.
    for (const [client, srv] of [[t.toDetails, t.details], [t.toReviews, t.reviews]] as const) {
      expect(srv.id).toBe(client.id);
      expect(srv.parentId).toBe(client.parentId);
      expect(srv.shared).toBe(true);
      expect(client.shared).toBeUndefined();
      expect(client.remoteEndpoint?.ipv4).toBe('127.0.0.1');
    }
    if (t.version === 'v1') {
      expect(trace).toHaveLength(5);
      expect(t.toRatings).toHaveLength(0);
    } else {
      expect(trace).toHaveLength(7);
      const toRatings = one(t.toRatings, 'client span to ratings');
      const ratings = one(t.ratings, 'ratings server span');
      expect(toRatings.parentId).toBe(t.reviews.id);
      expect(ratings.id).toBe(toRatings.id);
      expect(ratings.parentId).toBe(t.reviews.id);
      expect(ratings.shared).toBe(true);
      const status = ratings.tags['http.status_code']!;
      ratingsStatuses[status] = (ratingsStatuses[status] ?? 0) + 1;
      // The caller's half sees the same answer, and both halves flag a 5xx.
      expect(toRatings.tags['http.status_code']).toBe(status);
      const error = status === '503' ? 'true' : undefined;
      expect([ratings.tags['error'], toRatings.tags['error']]).toEqual([error, error]);
    }
    if (t.version === 'v3') expect(t.reviews.duration).toBeGreaterThanOrEqual(v3DelayMs * 1000);
    for (const span of trace) {
      expect(span.tags['component']).toBe('proxy');
      expect(span.tags['http.method']).toBe('GET');
      expect(span.tags['node_id']).toMatch(new RegExp(`^sidecar~127\\.0\\.0\\.1~[a-z]+-v[123]-0\\.${ns}~${ns}\\.svc\\.cluster\\.local$`));
      expect(Number(span.tags['response_size'])).toBeGreaterThan(0);
    }
  }
  expect(requestIds.size).toBe(traces.length);
  return { versions, ratingsStatuses };
}

beforeAll(async () => {
  dataDir = await tempDir('ariadne-demo-');
  server = await startServerProcess({ dataDir });
  // Three independent runs at once, told apart by namespace (so by service name).
  const [v2, sampling, v1] = await Promise.all([
    run({ zipkinUrl: server.zipkin, namespace: 'default', rate: 60, requests: 30, ratingsFailPercent: 30, seed: 7 }),
    run({ zipkinUrl: `${server.zipkin}/api/v2/spans`, namespace: 'sampling', rate: 100, requests: 100, samplingPercent: 50, ratingsFailPercent: 0, reviewsV3DelayMs: 0, seed: 11 }),
    run({ zipkinUrl: `${server.zipkin}/api/v1/spans`, namespace: 'v1json', rate: 30, requests: 6, ratingsFailPercent: 0, seed: 3 }),
  ]);
  runs.v2 = v2;
  runs.sampling = sampling;
  runs.v1 = v1;
}, 30_000);

afterAll(async () => {
  await server?.stop();
  if (dataDir) await removeDir(dataDir);
});

describe('Bookinfo demo against an all-in-one', () => {
  it('answers every request and loses no span on the way', () => {
    for (const { stats } of Object.values(runs)) {
      expect(stats.load!.errors).toBe(0);
      expect(stats.load!.statuses).toEqual({ 200: stats.load!.sent });
      expect(stats.reporter.dropped + stats.reporter.failed).toBe(0);
      expect(stats.reporter.sent).toBe(stats.reporter.reported);
    }
    expect(runs.v2.demo.options.encoding).toBe('json-v2');
    expect(runs.v1.demo.options.encoding).toBe('json-v1');
  });

  it('lists the four services through both query APIs', async () => {
    await zipkinTraces('default', (n) => n === 30);
    const want = ['details.default', 'productpage.default', 'ratings.default', 'reviews.default'];
    const zipkin = await getJson(`${server.zipkin}/api/v2/services`);
    expect((zipkin.body as string[]).filter((s) => s.endsWith('.default'))).toEqual(want);
    const jaeger = await getJson(`${server.query}/api/services`);
    expect((jaeger.body.data as string[]).filter((s) => s.endsWith('.default')).sort()).toEqual(want);
  });

  it('reports one trace per request in the Envoy shape, reviews round-robin, injected 503s flagged (v2 JSON)', async () => {
    const traces = await zipkinTraces('default', (n) => n === 30);
    const { versions, ratingsStatuses } = checkTraces(traces, 'default');
    expect(versions).toEqual({ v1: 10, v2: 10, v3: 10 });
    expect(Object.keys(ratingsStatuses).sort()).toEqual(['200', '503']);
    expect(ratingsStatuses['200']! + ratingsStatuses['503']!).toBe(20);
    // Sum of spans across traces is what the sidecars reported: nothing outside these traces.
    expect(traces.reduce((n, t) => n + t.length, 0)).toBe(runs.v2.stats.reporter.reported);
  });

  it('gives the same shape when the sidecars speak Zipkin v1 JSON', async () => {
    const traces = await zipkinTraces('v1json', (n) => n === 6);
    const { versions } = checkTraces(traces, 'v1json');
    expect(versions).toEqual({ v1: 2, v2: 2, v3: 2 });
  });

  it('shows the server halves as children of their client halves in the Jaeger API', async () => {
    const traces = await zipkinTraces('default', (n) => n === 30);
    const sample = traces.find((t) => t.length === 7)!;
    const traceId = sample[0]!.traceId;
    const { status, body } = await getJson(`${server.query}/api/traces/${traceId}`);
    expect(status).toBe(200);
    const trace = body.data[0] as {
      spans: Array<{ spanID: string; references: Array<{ refType: string; spanID: string }>; processID: string; tags: Array<{ key: string; value: unknown }> }>;
      processes: Record<string, { serviceName: string }>;
    };
    expect(trace.spans).toHaveLength(7);
    expect(new Set(trace.spans.map((s) => s.spanID)).size).toBe(7);
    const service = (s: (typeof trace.spans)[number]) => trace.processes[s.processID]!.serviceName;
    const kind = (s: (typeof trace.spans)[number]) => s.tags.find((t) => t.key === 'span.kind')?.value;
    const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
    // Every non-root span hangs under exactly one parent, and each callee server span under a client span of its caller.
    const edges = trace.spans
      .filter((s) => s.references.length > 0)
      .map((s) => {
        const parent = byId.get(s.references[0]!.spanID)!;
        return `${service(parent)}/${kind(parent)} -> ${service(s)}/${kind(s)}`;
      })
      .sort();
    expect(edges).toEqual([
      'productpage.default/server -> productpage.default/client',
      'productpage.default/server -> productpage.default/client',
      'productpage.default/client -> details.default/server',
      'productpage.default/client -> reviews.default/server',
      'reviews.default/server -> reviews.default/client',
      'reviews.default/client -> ratings.default/server',
    ].sort());
  });

  it('samples about the configured percentage of new traces, and samples whole traces', async () => {
    const load = runs.sampling.stats.load!;
    expect(load.sent).toBe(100);
    const traces = await zipkinTraces('sampling', (n) => n > 0);
    // Settle: the count must stop moving before it is judged.
    await new Promise((r) => setTimeout(r, 300));
    const settled = await zipkinTraces('sampling', (n) => n > 0);
    expect(settled.length).toBeGreaterThanOrEqual(traces.length);
    expect(settled.length).toBeGreaterThanOrEqual(30);
    expect(settled.length).toBeLessThanOrEqual(70);
    checkTraces(settled, 'sampling', 0);
    // Unsampled requests left no span anywhere: every reported span belongs to a sampled trace.
    expect(settled.reduce((n, t) => n + t.length, 0)).toBe(runs.sampling.stats.reporter.reported);
  });

  it('summarises what runs and what it sent', () => {
    const lines = runs.v2.demo.summary().split('\n');
    expect(lines[0]).toBe('Bookinfo demo (namespace default)');
    expect(lines[1]).toBe(`  entry      ${runs.v2.demo.urls.productpage}  (Host: productpage:9080)`);
    expect(lines[2]).toBe(`  spans to   ${server.zipkin}/api/v2/spans  as Zipkin v2 JSON, sampling 100 %, flush every 100 ms`);
    expect(lines[3]).toBe('  load       60 req/s, 30 requests');
    expect(lines[4]).toBe('  faults     ratings 503 on 30 % of requests, reviews-v3 +50 ms');
    expect(lines.slice(5, 11).map((l) => l.trim().split(' ')[0])).toEqual(['productpage-v1', 'details-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'ratings-v1']);
    expect(lines[11]).toBe('  requests   30 sent, 30 answered (200×30), 0 failed, 0 skipped');
  });
});
