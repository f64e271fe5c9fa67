import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { fastify, type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import { createMetrics, type Metrics } from '../../server/metrics.js';
import { createMemoryStore } from '../../storage/memory/index.js';
import type { Store } from '../../storage/api.js';
import { createIngest, type Ingest } from '../ingest.js';
import { encodeBatch, encodeEmitBatch, type BatchFixture } from '../thrift/fixtures.js';
import { jaegerHttpPlugin, startAgentUdp, type AgentUdp } from './index.js';

/** The slice of jaeger-client (no TypeScript types of its own) these tests use. */
interface JaegerSpanContext {
  traceIdStr: string;
  spanIdStr: string;
}
interface JaegerSpan {
  context(): JaegerSpanContext;
  setTag(key: string, value: unknown): JaegerSpan;
  log(fields: Record<string, unknown>, timestampMs?: number): JaegerSpan;
  finish(finishTimeMs?: number): void;
}
interface JaegerTracer {
  startSpan(name: string, options?: { childOf?: JaegerSpan; startTime?: number; tags?: Record<string, unknown> }): JaegerSpan;
  close(callback?: () => void): void;
}
interface JaegerClient {
  initTracer(config: Record<string, unknown>, options: Record<string, unknown>): JaegerTracer;
}
const { initTracer } = createRequire(import.meta.url)('jaeger-client') as JaegerClient;
const CLIENT_VERSION = (createRequire(import.meta.url)('jaeger-client/package.json') as { version: string }).version;

const quiet = { info() {}, error() {} };
const T0_MS = 1_700_000_000_000;
const T0 = T0_MS * 1000;

let store: Store;
let metrics: Metrics;
let ingest: Ingest;

beforeEach(() => {
  store = createMemoryStore({ maxSpans: 10_000 });
  metrics = createMetrics();
  ingest = createIngest({ writer: store.writer, metrics });
});

afterEach(async () => {
  await store.close();
});

/** Waits until the trace has `count` spans (writes become visible within a second), sorted by name. */
async function readTrace(traceId: string, count: number): Promise<Span[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const spans = await store.reader.getTrace({ traceId });
    if (spans.length >= count || Date.now() > deadline) return [...spans].sort((a, b) => a.name.localeCompare(b.name));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sends a two-span trace from a real jaeger-client tracer and returns the ids it used. */
async function sendTrace(reporter: Record<string, unknown>): Promise<{ traceId: string; rootId: string; childId: string }> {
  const tracer = initTracer(
    { serviceName: 'checkout', sampler: { type: 'const', param: 1 }, reporter: { ...reporter, flushIntervalMs: 20 } },
    { logger: quiet, tags: { hostname: 'host-a', ip: '10.1.2.3', 'deploy.zone': 'z1', 'build.number': 42 } },
  );
  const root = tracer.startSpan('GET /cart', { startTime: T0_MS, tags: { 'span.kind': 'server', 'http.status_code': 200, 'cache.hit': false } });
  root.log({ event: 'lookup', items: 3, note: 'warm' }, T0_MS + 1);
  const child = tracer.startSpan('SELECT cart', { childOf: root, startTime: T0_MS + 2, tags: { 'span.kind': 'client', 'peer.service': 'mysql', error: true } });
  child.log({ message: 'slow query' }, T0_MS + 3);
  child.finish(T0_MS + 7);
  root.finish(T0_MS + 10);
  await new Promise<void>((resolve) => tracer.close(resolve));
  return { traceId: root.context().traceIdStr, rootId: root.context().spanIdStr, childId: child.context().spanIdStr };
}

/** What the store holds for sendTrace's spans. */
function expectedTrace(ids: { traceId: string; rootId: string; childId: string }, resource: Span['resource']): Span[] {
  const traceId = ids.traceId.padStart(32, '0');
  // Sorted by name, as readTrace returns them.
  return [
    {
      traceId, spanId: ids.rootId.padStart(16, '0'), kind: 'server', name: 'GET /cart', service: 'checkout',
      startUs: T0, durationUs: 10_000, statusCode: 'unset',
      attributes: { 'sampler.type': 'const', 'sampler.param': true, 'http.status_code': 200, 'cache.hit': false },
      events: [{ timeUs: T0 + 1000, name: 'lookup', attributes: { items: 3, note: 'warm' } }],
      links: [], resource, tenant: '',
    },
    {
      traceId, spanId: ids.childId.padStart(16, '0'), parentSpanId: ids.rootId.padStart(16, '0'), kind: 'client', name: 'SELECT cart',
      service: 'checkout', startUs: T0 + 2000, durationUs: 5000, statusCode: 'error',
      attributes: { 'peer.service': 'mysql', error: true },
      events: [{ timeUs: T0 + 3000, name: 'log', attributes: { message: 'slow query' } }],
      links: [], resource, remoteEndpoint: { serviceName: 'mysql' }, tenant: '',
    },
  ];
}

function clientResource(spans: Span[]): Span['resource'] {
  const uuid = spans[0]?.resource['client-uuid'];
  expect(typeof uuid).toBe('string');
  return {
    'deploy.zone': 'z1', 'build.number': 42, hostname: 'host-a', ip: '10.1.2.3',
    'jaeger.version': `Node-${CLIENT_VERSION}`, 'client-uuid': uuid as string,
  };
}

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return match?.value ?? 0;
}

describe('POST /api/traces', () => {
  let app: FastifyInstance;
  let url: string;

  beforeEach(async () => {
    app = fastify();
    await app.register(jaegerHttpPlugin, { ingest, maxBodyBytes: 4096 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/traces`;
  });

  afterEach(async () => {
    await app.close();
  });

  it('stores what jaeger-client HTTPSender sends, with tag types, logs, references and process tags', async () => {
    const ids = await sendTrace({ collectorEndpoint: url });
    const spans = await readTrace(ids.traceId.padStart(32, '0'), 2);
    expect(spans).toEqual(expectedTrace(ids, clientResource(spans)));
    expect(await metricValue('ariadne_spans_received_total', { protocol: 'jaeger-thrift-binary' })).toBe(2);
  });

  const batch: BatchFixture = {
    process: { serviceName: 'svc' },
    spans: [{ traceIdLow: 'abc', traceIdHigh: 0, spanId: 1, parentSpanId: 0, operationName: 'op', flags: 1, startTime: T0, duration: 5 }],
  };
  const cases: Array<[string, Record<string, string>, Buffer, number, string]> = [
    ['accepts application/x-thrift', { 'content-type': 'application/x-thrift' }, encodeBatch(batch), 202, ''],
    ['accepts application/vnd.apache.thrift.binary, gzip', { 'content-type': 'application/vnd.apache.thrift.binary', 'content-encoding': 'gzip' }, gzipSync(encodeBatch(batch)), 202, ''],
    ['refuses JSON with 415', { 'content-type': 'application/json' }, Buffer.from('{}'), 415, 'Content-Type "application/json" is not supported on /api/traces (use application/x-thrift or application/vnd.apache.thrift.binary)\n'],
    ['refuses garbage with 400', { 'content-type': 'application/x-thrift' }, Buffer.from('hello'), 400, 'batch: invalid Thrift at byte 3: unknown type id 104\n'],
    ['refuses a zero span id with 400', { 'content-type': 'application/x-thrift' }, encodeBatch({ ...batch, spans: [{ ...batch.spans[0]!, spanId: 0 }] }), 400, 'span[0].spanId: expected a non-zero span id, got 0\n'],
    ['refuses a body over the limit with 413', { 'content-type': 'application/x-thrift' }, Buffer.alloc(5000), 413, 'request body exceeds the limit of 4096 bytes\n'],
    ['refuses a gzip body that inflates over the limit with 413', { 'content-type': 'application/x-thrift', 'content-encoding': 'gzip' }, gzipSync(Buffer.alloc(100_000)), 413, 'request body exceeds the limit of 4096 bytes after gzip decoding\n'],
  ];
  it.each(cases)('%s', async (_name, headers, body, status, text) => {
    const response = await fetch(url, { method: 'POST', headers, body: new Uint8Array(body) });
    expect(response.status).toBe(status);
    expect(await response.text()).toBe(text);
    if (status !== 202) expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('answers 503 with Retry-After when the store cannot take spans', async () => {
    await store.close();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-thrift' }, body: new Uint8Array(encodeBatch(batch)) });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.text()).toBe('memory store is closed\n');
    expect(await metricValue('ariadne_spans_rejected_total', { protocol: 'jaeger-thrift-binary', reason: 'unavailable' })).toBe(1);
  });
});

describe('agent UDP', () => {
  let agent: AgentUdp | undefined;
  const logger = pino({ level: 'silent' });

  afterEach(async () => {
    await agent?.close();
    agent = undefined;
  });

  async function send(port: number, datagrams: Buffer[]): Promise<void> {
    const socket = createSocket('udp4');
    for (const datagram of datagrams) await new Promise<void>((resolve, reject) => socket.send(datagram, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    socket.close();
  }

  async function dropped(reason: string): Promise<number> {
    return metricValue('ariadne_udp_dropped_total', { port: String(agent!.port), reason });
  }

  async function waitFor(check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!(await check()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  it('stores what jaeger-client UDPSender sends (binary emitBatch)', async () => {
    agent = await startAgentUdp({ ingest, host: '127.0.0.1', port: 0, protocol: 'binary', metrics, logger });
    const ids = await sendTrace({ agentHost: '127.0.0.1', agentPort: agent.port });
    const spans = await readTrace(ids.traceId.padStart(32, '0'), 2);
    expect(spans).toEqual(expectedTrace(ids, clientResource(spans)));
    expect(await metricValue('ariadne_spans_received_total', { protocol: 'jaeger-agent-binary' })).toBe(2);
  });

  const batch = (traceIdLow: string): BatchFixture => ({
    process: { serviceName: 'udp-svc', tags: [{ key: 'pid', vType: 3, vLong: 7 }] },
    spans: [{
      traceIdLow, traceIdHigh: 0, spanId: 5, parentSpanId: 0, operationName: 'tick', flags: 1, startTime: T0, duration: 9,
      tags: [{ key: 'span.kind', vType: 0, vStr: 'producer' }],
    }],
  });

  it('stores compact emitBatch datagrams (Apache Thrift TCompactProtocol)', async () => {
    agent = await startAgentUdp({ ingest, host: '127.0.0.1', port: 0, protocol: 'compact', metrics, logger });
    await send(agent.port, [encodeEmitBatch(batch('c0ffee'), 'compact')]);
    const spans = await readTrace('00000000000000000000000000c0ffee', 1);
    expect(spans).toEqual([{
      traceId: '00000000000000000000000000c0ffee', spanId: '0000000000000005', kind: 'producer', name: 'tick', service: 'udp-svc',
      startUs: T0, durationUs: 9, statusCode: 'unset', attributes: {}, events: [], links: [], resource: { pid: 7 }, tenant: '',
    }]);
  });

  it('drops and counts invalid and too-large datagrams, and keeps serving', async () => {
    agent = await startAgentUdp({ ingest, host: '127.0.0.1', port: 0, protocol: 'compact', metrics, logger, maxDatagramBytes: 300 });
    const big = encodeEmitBatch({ ...batch('b1'), process: { serviceName: 'x'.repeat(400) } }, 'compact');
    await send(agent.port, [Buffer.from('garbage'), encodeEmitBatch(batch('b2'), 'binary'), big, encodeEmitBatch(batch('600d'), 'compact')]);
    await readTrace('0000000000000000000000000000600d', 1);
    await waitFor(async () => (await dropped('invalid')) === 2 && (await dropped('too_large')) === 1);
    expect(await dropped('invalid')).toBe(2);
    expect(await dropped('too_large')).toBe(1);
    expect(await metricValue('ariadne_requests_rejected_total', { protocol: 'jaeger-agent-compact', reason: 'invalid' })).toBe(2);
    expect((await store.reader.getTrace({ traceId: '0000000000000000000000000000600d' })).length).toBe(1);
  });

  it('drops datagrams when the queue is full (queueSize 0)', async () => {
    agent = await startAgentUdp({ ingest, host: '127.0.0.1', port: 0, protocol: 'compact', metrics, logger, queueSize: 0 });
    await send(agent.port, [encodeEmitBatch(batch('a1'), 'compact')]);
    await waitFor(async () => (await dropped('queue_full')) === 1);
    expect(await dropped('queue_full')).toBe(1);
  });

  it('drops datagrams the store refuses as overloaded', async () => {
    agent = await startAgentUdp({ ingest, host: '127.0.0.1', port: 0, protocol: 'compact', metrics, logger });
    await store.close();
    await send(agent.port, [encodeEmitBatch(batch('a2'), 'compact')]);
    await waitFor(async () => (await dropped('overloaded')) === 1);
    expect(await dropped('overloaded')).toBe(1);
  });

  it('two receivers share one drop counter; close is idempotent', async () => {
    const other = await startAgentUdp({ ingest, host: '127.0.0.1', port: 0, protocol: 'binary', metrics, logger });
    agent = await startAgentUdp({ ingest, host: '127.0.0.1', port: 0, protocol: 'compact', metrics, logger });
    await other.close();
    await other.close();
    expect(metrics.registry.getSingleMetric('ariadne_udp_dropped_total')).toBeDefined();
  });
});
