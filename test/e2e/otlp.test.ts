/**
 * OTLP end to end through the real CLI: the OpenTelemetry JS SDK exports over gRPC (:4317), HTTP
 * protobuf and HTTP JSON (:4318); each trace reads back through the Jaeger v3 API as OTLP JSON with
 * its resource, scope, typed attributes, events, links, status and kinds, and survives `kill -9`.
 */
import { SpanKind as OtelKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

let server: ServerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = await tempDir();
  server = await startServerProcess({ dataDir });
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDir(dataDir);
});

const T0_MS = Date.now() - 60_000;
const LINKED = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };

/** Exports one two-span trace (server → client) through `exporter`; resolves with its trace id. */
async function exportTrace(exporter: SpanExporter, service: string): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'host.name': 'node-7', 'process.pid': 4242 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('ariadne-e2e', '2.0.0');
  const root = tracer.startSpan('POST /checkout', {
    kind: OtelKind.SERVER, startTime: T0_MS,
    attributes: { 'http.method': 'POST', 'http.status_code': 503, ratio: 1.5, retried: true, tags: ['a', 'b'] },
    links: [{ context: { ...LINKED, traceFlags: 1 }, attributes: { 'link.reason': 'retry' } }],
  });
  root.addEvent('cache-miss', { key: 'cart:9' }, T0_MS + 2);
  const child = tracer.startSpan('GET /inventory', { kind: OtelKind.CLIENT, startTime: T0_MS + 1 }, trace.setSpan(context.active(), root));
  child.end(T0_MS + 5);
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream unavailable' });
  root.end(T0_MS + 10);
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

/** The v3 answer for a trace, once both spans are readable. */
async function readV3(traceId: string): Promise<any> {
  return eventually(async () => {
    const res = await getJson(`${server.query}/api/v3/traces/${traceId}`);
    const spans = res.status === 200 ? res.body.result.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)) : [];
    return spans.length === 2 ? res.body.result : undefined;
  });
}

const attr = (list: Array<{ key: string; value: unknown }>, key: string) => list.find((a) => a.key === key)?.value;

describe('OTLP exporters into the running server', () => {
  const exporters: Array<[string, () => SpanExporter]> = [
    ['gRPC :4317', () => new GrpcExporter({ url: `http://127.0.0.1:${server.ports.otlpGrpc}` })],
    ['HTTP protobuf :4318', () => new HttpProtoExporter({ url: `http://127.0.0.1:${server.ports.otlpHttp}/v1/traces` })],
    ['HTTP JSON :4318', () => new HttpJsonExporter({ url: `http://127.0.0.1:${server.ports.otlpHttp}/v1/traces` })],
  ];
  const sent = new Map<string, string>();

  it.each(exporters)('%s: resource, scope, attribute types, events, links, status and kinds come back through /api/v3', async (name, make) => {
    const service = `otlp-${name.split(' ')[0]!.toLowerCase()}-${name.includes('JSON') ? 'json' : 'bin'}`;
    const traceId = await exportTrace(make(), service);
    sent.set(name, traceId);
    const result = await readV3(traceId);
    expect(result.resourceSpans).toHaveLength(1);
    const [rs] = result.resourceSpans;
    expect(attr(rs.resource.attributes, 'service.name')).toEqual({ stringValue: service });
    expect(attr(rs.resource.attributes, 'host.name')).toEqual({ stringValue: 'node-7' });
    expect(attr(rs.resource.attributes, 'process.pid')).toEqual({ intValue: '4242' });
    expect(rs.scopeSpans).toHaveLength(1);
    expect(rs.scopeSpans[0].scope).toEqual({ name: 'ariadne-e2e', version: '2.0.0' });
    const spans = rs.scopeSpans[0].spans;
    const root = spans.find((s: any) => s.name === 'POST /checkout');
    const child = spans.find((s: any) => s.name === 'GET /inventory');
    expect(root.kind).toBe(2);
    expect(child.kind).toBe(3);
    expect(child.parentSpanId).toBe(root.spanId);
    expect(root.startTimeUnixNano).toBe(String(BigInt(T0_MS) * 1_000_000n));
    expect(root.endTimeUnixNano).toBe(String(BigInt(T0_MS + 10) * 1_000_000n));
    expect(root.status).toEqual({ code: 2, message: 'upstream unavailable' });
    expect(attr(root.attributes, 'http.method')).toEqual({ stringValue: 'POST' });
    expect(attr(root.attributes, 'http.status_code')).toEqual({ intValue: '503' });
    expect(attr(root.attributes, 'ratio')).toEqual({ doubleValue: 1.5 });
    expect(attr(root.attributes, 'retried')).toEqual({ boolValue: true });
    expect(attr(root.attributes, 'tags')).toEqual({ stringValue: '["a","b"]' });
    expect(root.events).toEqual([{ timeUnixNano: String(BigInt(T0_MS + 2) * 1_000_000n), name: 'cache-miss', attributes: [{ key: 'key', value: { stringValue: 'cart:9' } }] }]);
    expect(root.links).toEqual([{ traceId: LINKED.traceId, spanId: LINKED.spanId, attributes: [{ key: 'link.reason', value: { stringValue: 'retry' } }] }]);
  });

  it('shows the same spans through the Jaeger API, error marked and kinds as span.kind', async () => {
    const traceId = sent.get('gRPC :4317')!;
    const { status, body } = await getJson(`${server.query}/api/traces/${traceId}`);
    expect(status).toBe(200);
    const spans = body.data[0].spans;
    const root = spans.find((s: any) => s.operationName === 'POST /checkout');
    const tags = Object.fromEntries(root.tags.map((t: any) => [t.key, t.value]));
    expect(tags).toMatchObject({ 'span.kind': 'server', error: true, 'otel.status_description': 'upstream unavailable', 'http.status_code': 503, 'otel.scope.name': 'ariadne-e2e' });
    expect(root.references).toContainEqual({ refType: 'FOLLOWS_FROM', traceID: LINKED.traceId, spanID: LINKED.spanId });
  });

  it('answers a garbage protobuf body with 400 and a google.rpc.Status, counted in /metrics', async () => {
    const res = await fetch(`http://127.0.0.1:${server.ports.otlpHttp}/v1/traces`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans": 7}',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toContain('resourceSpans');
    const metrics = await (await fetch(`${server.admin}/metrics`)).text();
    expect(metrics).toMatch(/ariadne_requests_rejected_total\{protocol="otlp-json",reason="invalid"\} 1/);
    expect(metrics).toMatch(/ariadne_spans_received_total\{protocol="otlp-proto"\} 4/);
    expect(metrics).toMatch(/ariadne_spans_received_total\{protocol="otlp-json"\} 2/);
  });

  it('answers partial success for a request with an invalid span, stores the rest and counts the skipped one', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = (spanId: string, traceId: string) => ({ traceId, spanId, name: 'partial', startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1000n) });
    const res = await fetch(`http://127.0.0.1:${server.ports.otlpHttp}/v1/traces`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial-svc' } }] }, scopeSpans: [{ spans: [
        span('00000000000000e1', '000000000000000000000000000000e1'), span('00000000000000e2', 'nothex'),
      ] }] }] }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).partialSuccess.rejectedSpans).toBe('1');
    const metrics = await (await fetch(`${server.admin}/metrics`)).text();
    expect(metrics).toMatch(/ariadne_spans_rejected_total\{protocol="otlp-json",reason="invalid"\} 1/);
    expect((await getJson(`${server.query}/api/traces/e1`)).body.data[0].spans.map((s: any) => s.operationName)).toEqual(['partial']);
  });

  it('keeps every acknowledged OTLP span across kill -9 (the log replays protobuf and JSON bodies)', async () => {
    const before = new Map<string, unknown>();
    for (const id of sent.values()) before.set(id, await readV3(id));
    await server.kill();
    server = await startServerProcess({ dataDir });
    for (const [id, result] of before) expect(await readV3(id)).toEqual(result);
  });
});
