/**
 * A deterministic shop dataset for the service-performance tests, with the calls it made listed
 * alongside the spans so tests can compute expected figures on their own. Every kind of request
 * appears: Zipkin shared client/server halves (web → cart), separate client and server spans
 * (cart → pay), producer → consumer (pay → worker), a call to an uninstrumented database
 * (cart → db), parentless client and unspecified-kind spans (cron, batch) and internal spans that
 * are not requests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Span, SpanKind, StatusCode } from '../../model/index.js';
import { createHttpApp } from '../../server/http.js';
import type { Payload, Store } from '../../storage/api.js';
import { createEmbeddedStore } from '../../storage/embedded/index.js';
import { createMemoryStore } from '../../storage/memory/index.js';

/** The engines the dataset's API tests run on; the embedded one flushes every write to DuckDB before the test reads. */
export const DATASET_ENGINES: Array<{ name: string; open: () => Promise<{ store: Store; cleanup: () => Promise<void> }> }> = [
  { name: 'memory', open: async () => ({ store: createMemoryStore(), cleanup: async () => {} }) },
  {
    name: 'embedded (DuckDB)',
    open: async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-dataset-'));
      const decode = (payload: Payload): Span[] => JSON.parse(payload.bytes.toString('utf8')) as Span[];
      const store = await createEmbeddedStore({ dataDir, decode, retentionUs: 100 * 365 * 86_400_000_000, maxDiskBytes: 0, flushSpans: 1 });
      return { store, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
    },
  },
];

/** Resolves once the store has written every buffered span to its long-term layout. */
export async function drained(store: Store): Promise<void> {
  while (store.stats().bufferedSpans > 0) await new Promise((r) => setTimeout(r, 10));
}

/**
 * Writes the dataset (spans and noise) into a store, then its first `resent` spans again as a
 * retrying sender would (the store must collapse them), and waits until all are in the long-term layout.
 */
export async function writeDataset(store: Store, data: ShopDataset, resent: number): Promise<void> {
  await store.writer.writeSpans([...data.spans, ...data.noise]);
  await store.writer.writeSpans(data.spans.slice(0, resent));
  await drained(store);
}

/** A silent test HTTP app resolving the tenant as the server does: one per request, from x-tenant ("" without it). */
export function datasetApp(): FastifyInstance {
  const app = createHttpApp({ logger: pino({ level: 'silent' }), bodyLimit: 1024 });
  app.addHook('onRequest', async (request) => {
    const header = request.headers['x-tenant'];
    request.tenant = typeof header === 'string' ? header : '';
  });
  return app;
}

/** A caller → callee call of the dataset and whether its callee side (or caller side, without one) failed. */
export interface DatasetCall {
  parent: string;
  child: string;
  error: boolean;
}

/** What {@link shopDataset} made. */
export interface ShopDataset {
  /** Spans inside the range, tenant "". */
  spans: Span[];
  /** Spans outside the range (before and after) and of tenant "other". */
  noise: Span[];
  /** Calls of the in-range traces. */
  calls: DatasetCall[];
}

/** Web operations entry requests take (one has a slash and a space, as HTTP routes do). */
export const WEB_OPERATIONS = ['GET /', 'GET /cart', 'POST /checkout'] as const;

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * `traces` traces starting inside [startMs + 1 min, endMs − 1 min] (unique start times), plus noise
 * traces an hour before and after the range and of another tenant.
 */
export function shopDataset(options: { startMs: number; endMs: number; traces: number; seed: number }): ShopDataset {
  const rand = random(options.seed);
  // Log-normal latencies: most requests quick, a long tail.
  const latency = (medianUs: number) => {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    return Math.max(1, Math.round(medianUs * Math.exp(0.8 * z)));
  };
  let nextId = 1;
  const id = () => hex(nextId++, 16);
  const spans: Span[] = [];
  const noise: Span[] = [];
  const calls: DatasetCall[] = [];

  const make = (out: Span[], tenant: string, traceId: string) =>
    (fields: { spanId?: string; parentSpanId?: string; kind: SpanKind; service: string; name: string; startUs: number; durationUs: number; error?: boolean; remote?: string; shared?: boolean }): Span => {
      const status: StatusCode = fields.error ? 'error' : 'unset';
      const span: Span = {
        traceId, spanId: fields.spanId ?? id(), kind: fields.kind, name: fields.name, service: fields.service,
        startUs: fields.startUs, durationUs: fields.durationUs, statusCode: status,
        attributes: fields.error ? { error: 'true' } : {}, events: [], links: [], resource: {}, tenant,
        ...(fields.parentSpanId !== undefined ? { parentSpanId: fields.parentSpanId } : {}),
        ...(fields.remote !== undefined ? { remoteEndpoint: { serviceName: fields.remote } } : {}),
        ...(fields.shared ? { shared: true } : {}),
      };
      out.push(span);
      return span;
    };

  const trace = (out: Span[], tenant: string, t0: number, record: boolean) => {
    const traceId = hex(nextId++, 32);
    const span = make(out, tenant, traceId);
    const call = (c: DatasetCall) => {
      if (record) calls.push(c);
    };
    const shape = rand();
    if (shape < 0.08) {
      // A cron job calling an outside gateway: its parentless client span is its request.
      const error = rand() < 0.1;
      span({ kind: 'client', service: 'cron', name: 'sync', startUs: t0, durationUs: latency(20_000), remote: 'gateway', error });
      call({ parent: 'cron', child: 'gateway', error });
      return;
    }
    if (shape < 0.14) {
      span({ kind: 'unspecified', service: 'batch', name: 'nightly', startUs: t0, durationUs: latency(90_000), error: rand() < 0.2 });
      return;
    }
    const op = WEB_OPERATIONS[Math.floor(rand() * WEB_OPERATIONS.length)]!;
    const rootDuration = latency(op === 'POST /checkout' ? 40_000 : 8000) + 3000;
    const webError = rand() < 0.03;
    const root = span({ kind: 'server', service: 'web', name: op, startUs: t0, durationUs: rootDuration, error: webError });
    if (op === 'GET /') return;
    // web → cart as Envoy/Zipkin report it: the client and server halves share one span id.
    const shared = id();
    const cartError = rand() < 0.05;
    const cartDuration = Math.max(1, rootDuration - 1000 - Math.floor(rand() * 500));
    span({ spanId: shared, parentSpanId: root.spanId, kind: 'client', service: 'web', name: 'get /api/cart', startUs: t0 + 200, durationUs: cartDuration + 400, remote: 'cart' });
    span({ spanId: shared, parentSpanId: root.spanId, kind: 'server', service: 'cart', name: 'get /api/cart', startUs: t0 + 300, durationUs: cartDuration, error: cartError, shared: true });
    call({ parent: 'web', child: 'cart', error: cartError });
    span({ parentSpanId: shared, kind: 'internal', service: 'cart', name: 'render', startUs: t0 + 350, durationUs: 50 });
    const dbError = rand() < 0.02;
    span({ parentSpanId: shared, kind: 'client', service: 'cart', name: 'SELECT', startUs: t0 + 400, durationUs: latency(300), remote: 'db', error: dbError });
    call({ parent: 'cart', child: 'db', error: dbError });
    if (op !== 'POST /checkout') return;
    // cart → pay with separate client and server spans; pay → worker through a queue.
    const client = span({ parentSpanId: shared, kind: 'client', service: 'cart', name: 'post /charge', startUs: t0 + 500, durationUs: 900, remote: 'pay' });
    const payError = rand() < 0.1;
    const server = span({ parentSpanId: client.spanId, kind: 'server', service: 'pay', name: 'charge', startUs: t0 + 550, durationUs: latency(700), error: payError });
    call({ parent: 'cart', child: 'pay', error: payError });
    const producer = span({ parentSpanId: server.spanId, kind: 'producer', service: 'pay', name: 'publish', startUs: t0 + 600, durationUs: 20 });
    const workerError = rand() < 0.05;
    span({ parentSpanId: producer.spanId, kind: 'consumer', service: 'worker', name: 'receipt', startUs: t0 + 5000, durationUs: latency(2000), error: workerError });
    call({ parent: 'pay', child: 'worker', error: workerError });
  };

  const spacing = Math.floor(((options.endMs - options.startMs - 120_000) * 1000) / options.traces);
  for (let i = 0; i < options.traces; i++) {
    trace(spans, '', (options.startMs + 60_000) * 1000 + i * spacing + Math.floor(rand() * (spacing / 2)), true);
  }
  for (let i = 0; i < 20; i++) {
    trace(noise, '', (options.startMs - 3_600_000) * 1000 + i * 1_000_000, false);
    trace(noise, '', (options.endMs + 3_600_000) * 1000 + i * 1_000_000, false);
    trace(noise, 'other', (options.startMs + 60_000) * 1000 + i * 1_000_000, false);
  }
  return { spans, noise, calls };
}
