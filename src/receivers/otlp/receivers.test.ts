/**
 * The OTLP receivers against the real OpenTelemetry JS exporters (gRPC, HTTP protobuf, HTTP JSON),
 * each server on 127.0.0.1 port 0 over the real memory store; spans are read back from the store.
 */
import { gzipSync } from 'node:zlib';
import { context, trace, SpanKind as OtelKind, SpanStatusCode, type Attributes as OtelAttributes } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import { createMetrics } from '../../server/metrics.js';
import { createHttpApp } from '../../server/http.js';
import { openStore, type Store } from '../../storage/index.js';
import { startGrpcServer, type GrpcServerHandle } from '../grpc.js';
import { createIngest } from '../ingest.js';
import { createOtlpTraceService, decodeOtlpJson, decodeOtlpProto, otlpHttpPlugin } from './index.js';

const logger = pino({ level: 'silent' });
const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const PARENT_ID = 'eee19b7ec3c1b174';
const LINKED_TRACE = '0af7651916cd43dd8448eb211c80319c';
const LINKED_SPAN = 'b7ad6b7169203331';
const START: [number, number] = [1_700_000_000, 123_456_789];
const END: [number, number] = [1_700_000_000, 223_457_999];

let store: Store;
let grpcServer: GrpcServerHandle;
let httpApp: FastifyInstance;
let httpUrl: string;

beforeAll(async () => {
  store = await openStore({
    storage: 'memory', dataDir: '', retentionUs: 0, maxDiskBytes: 0, memoryMaxSpans: 10_000, flushSpans: 0, flushIntervalMs: 0,
    maxBufferedSpans: 0, decode: () => [], logger,
  });
  const ingest = createIngest({ writer: store.writer, metrics: createMetrics() });
  grpcServer = await startGrpcServer({
    host: '127.0.0.1', port: 0, services: [createOtlpTraceService({ ingest })], maxMessageBytes: 1 << 20, logger,
  });
  httpApp = createHttpApp({ logger, bodyLimit: 1 << 20 });
  await httpApp.register(otlpHttpPlugin, { ingest, maxBodyBytes: 1 << 20 });
  await httpApp.listen({ host: '127.0.0.1', port: 0 });
  const address = httpApp.server.address();
  httpUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  await grpcServer.close();
  await httpApp.close();
  await store.close();
});

/** Records one server span with every attribute type, two events, a link, an error status and trace state. */
async function send(exporter: SpanExporter, spanId: string): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'node-7', 'process.pid': 4242 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('ariadne-test', '1.2.3');
  const parent = trace.setSpanContext(context.active(), {
    traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 1, isRemote: true, traceState: new TraceState('vendor=abc,other=1'),
  });
  const attributes: OtelAttributes = {
    'http.method': 'POST', 'http.status_code': 503, 'retry.ratio': 0.25, 'cache.hit': false,
    'tags.list': ['a', 'b'], 'codes.list': [1, 2], 'peer.service': 'payments',
  };
  const span = tracer.startSpan('POST /pay', {
    kind: OtelKind.SERVER, startTime: START, attributes,
    links: [{ context: { traceId: LINKED_TRACE, spanId: LINKED_SPAN, traceFlags: 1 }, attributes: { 'link.reason': 'retry' } }],
  }, parent);
  span.addEvent('exception', { 'exception.type': 'Timeout', 'exception.count': 3 }, [1_700_000_000, 150_000_000]);
  span.addEvent('retry', [1_700_000_000, 160_000_500]);
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream unavailable' });
  // The SDK draws span ids itself: ours are recognised by the test through an attribute.
  span.setAttribute('test.span', spanId);
  span.end(END);
  await provider.forceFlush();
  await provider.shutdown();
}

function expected(spanId: string): Omit<Span, 'spanId'> {
  return {
    traceId: TRACE_ID,
    parentSpanId: PARENT_ID,
    kind: 'server',
    name: 'POST /pay',
    service: 'checkout',
    startUs: 1_700_000_000_123_456,
    durationUs: 100_001,
    statusCode: 'error',
    statusMessage: 'upstream unavailable',
    attributes: {
      'http.method': 'POST', 'http.status_code': 503, 'retry.ratio': 0.25, 'cache.hit': false,
      'tags.list': '["a","b"]', 'codes.list': '[1,2]', 'peer.service': 'payments', 'test.span': spanId,
      'otel.scope.name': 'ariadne-test', 'otel.scope.version': '1.2.3', 'w3c.tracestate': 'vendor=abc,other=1',
    },
    events: [
      { timeUs: 1_700_000_000_150_000, name: 'exception', attributes: { 'exception.type': 'Timeout', 'exception.count': 3 } },
      { timeUs: 1_700_000_000_160_000, name: 'retry' },
    ],
    links: [{ traceId: LINKED_TRACE, spanId: LINKED_SPAN, type: 'link', attributes: { 'link.reason': 'retry' } }],
    resource: { 'host.name': 'node-7', 'process.pid': 4242 },
    remoteEndpoint: { serviceName: 'payments' },
    tenant: '',
  };
}

async function readBack(marker: string): Promise<Span> {
  const spans = await store.reader.getTrace({ traceId: TRACE_ID });
  const found = spans.filter((s) => s.attributes['test.span'] === marker);
  expect(found).toHaveLength(1);
  const { spanId, ...rest } = found[0]!;
  expect(spanId).toMatch(/^[0-9a-f]{16}$/);
  // The SDK adds its own resource attributes (telemetry.sdk.*): keep the ones the test set.
  rest.resource = { 'host.name': rest.resource['host.name']!, 'process.pid': rest.resource['process.pid']! };
  return rest as Span;
}

describe('OTLP receivers with the OpenTelemetry JS exporters', () => {
  const cases: Array<{ name: string; exporter: () => SpanExporter }> = [
    { name: 'gRPC :4317', exporter: () => new GrpcExporter({ url: `http://127.0.0.1:${grpcServer.port}` }) },
    { name: 'gRPC :4317 gzip', exporter: () => new GrpcExporter({ url: `http://127.0.0.1:${grpcServer.port}`, compression: 'gzip' as never }) },
    { name: 'HTTP protobuf', exporter: () => new HttpProtoExporter({ url: `${httpUrl}/v1/traces` }) },
    { name: 'HTTP protobuf gzip', exporter: () => new HttpProtoExporter({ url: `${httpUrl}/v1/traces`, compression: 'gzip' as never }) },
    { name: 'HTTP JSON', exporter: () => new HttpJsonExporter({ url: `${httpUrl}/v1/traces` }) },
  ];
  for (const c of cases) {
    it(`${c.name}: every field arrives`, async () => {
      await send(c.exporter(), c.name);
      expect(await readBack(c.name)).toEqual(expected(c.name));
    });
  }
});

describe('OTLP/HTTP answers', () => {
  let body: Buffer;
  beforeEach(() => {
    body = Buffer.from(JSON.stringify({
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [{
          spans: [
            { traceId: TRACE_ID, spanId: '00000000000000a1', name: 'ok', kind: 'SPAN_KIND_CLIENT', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: 1700000000001000000 },
            { traceId: 'abc', spanId: '00000000000000a2', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000' },
            { traceId: TRACE_ID, spanId: '00000000000000a3', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1600000000001000000' },
          ],
        }],
      }],
    }));
  });

  const post = (payload: Buffer | string, headers: Record<string, string>) =>
    fetch(`${httpUrl}/v1/traces`, { method: 'POST', body: typeof payload === 'string' ? payload : new Uint8Array(payload), headers });

  it('JSON with invalid spans: 200 with partial_success', async () => {
    const res = await post(body, { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '2',
        errorMessage: '2 of 3 spans rejected; first: resourceSpans[0].scopeSpans[0].spans[1].traceId: expected 32 hex chars, not all zeros, got "abc"',
      },
    });
    const stored = await store.reader.getTrace({ traceId: TRACE_ID });
    expect(stored.filter((s) => s.spanId === '00000000000000a1').map((s) => [s.name, s.kind, s.durationUs])).toEqual([['ok', 'client', 1000]]);
  });

  it('gzip JSON: 200 with an empty response', async () => {
    const one = Buffer.from(JSON.stringify({ resourceSpans: [] }));
    const res = await post(gzipSync(one), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([200, 'application/json; charset=utf-8', '{}']);
  });

  const errors: Array<{ name: string; payload: Buffer | string; headers: Record<string, string>; status: number; body: unknown }> = [
    {
      name: 'malformed JSON', payload: '{"resourceSpans": [', headers: { 'content-type': 'application/json' }, status: 400,
      body: { code: 3, message: 'invalid JSON: Unexpected end of JSON input' },
    },
    {
      name: 'wrong JSON shape', payload: '{"resourceSpans": {}}', headers: { 'content-type': 'application/json' }, status: 400,
      body: { code: 3, message: 'resourceSpans: expected an array, got {}' },
    },
    {
      name: 'unsupported type', payload: 'x', headers: { 'content-type': 'text/plain' }, status: 415,
      body: { code: 3, message: 'Content-Type "text/plain" is not supported on /v1/traces (use application/x-protobuf or application/json)' },
    },
    {
      name: 'too large', payload: Buffer.alloc((1 << 20) + 1, 32), headers: { 'content-type': 'application/json' }, status: 413,
      body: { code: 8, message: `request body exceeds the limit of ${1 << 20} bytes` },
    },
  ];
  for (const c of errors) {
    it(`${c.name}: ${c.status} with a google.rpc.Status`, async () => {
      const res = await post(c.payload, c.headers);
      expect([res.status, await res.json()]).toEqual([c.status, c.body]);
    });
  }

  it('garbage protobuf: 400 with a protobuf google.rpc.Status', async () => {
    const res = await post(Buffer.from([0x0a, 0xff, 0xff, 0x01]), { 'content-type': 'application/x-protobuf' });
    expect([res.status, res.headers.get('content-type')]).toEqual([400, 'application/x-protobuf']);
    const bytes = Buffer.from(await res.arrayBuffer());
    // field 1 (code) = 3, then field 2 (message)
    expect([...bytes.subarray(0, 3)]).toEqual([0x08, 0x03, 0x12]);
    expect(bytes.subarray(4).toString()).toBe('ExportTraceServiceRequest: not a valid protobuf message: index out of range');
  });

  it('replay decoders return what was written', () => {
    expect(decodeOtlpJson(body, 't').map((s) => s.spanId)).toEqual(['00000000000000a1']);
    expect(decodeOtlpProto(Buffer.alloc(0), 't')).toEqual([]);
  });
});
