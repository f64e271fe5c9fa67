/**
 * End to end: the real npm `zipkin` tracer (64-bit trace ids, a shared client/server span id, an
 * orphan) and the OpenTelemetry SDK exporting through @opentelemetry/exporter-zipkin (128-bit ids,
 * an error status) send to the running server; every Jaeger API v3 route is read back with exact
 * JSON, and its counts are checked against the old /api/traces/{id}.
 */
import { context, SpanKind, SpanStatusCode, trace, type HrTime } from '@opentelemetry/api';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zipkin from 'zipkin';
import transport from 'zipkin-transport-http';
import { eventually, getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

const { Tracer, BatchRecorder, ExplicitContext, Annotation, TraceId, option, jsonEncoder } = zipkin;
const { HttpLogger } = transport;

let server: ServerProcess;
let dataDir: string;
const NOW_MS = Date.now();
/** Start of the Zipkin trace (µs), a minute ago; the OpenTelemetry trace starts 10 s later. */
const T0 = (NOW_MS - 60_000) * 1000 + 3;
const T1 = T0 + 10_000_000;
const WINDOW = `query.startTimeMin=${new Date(NOW_MS - 3_600_000).toISOString()}&query.startTimeMax=${new Date(NOW_MS + 60_000).toISOString()}`;
const ORPHAN_PARENT = '00000000deadbeef';

interface ZipkinSent {
  traceId: string;
  rootId: string;
  clientId: string;
  orphanId: string;
}

/** frontend get /home → (shared id) backend get /api/items, which fails; a backend span whose parent never arrives. */
async function sendZipkinTrace(): Promise<ZipkinSent> {
  const logger = new HttpLogger({ endpoint: `${server.zipkin}/api/v2/spans`, jsonEncoder: jsonEncoder.JSON_V2, httpInterval: 60_000 });
  const recorder = new BatchRecorder({ logger });
  const ctxImpl = new ExplicitContext();
  const frontend = new Tracer({ ctxImpl, recorder, localServiceName: 'frontend', traceId128Bit: false });
  const backend = new Tracer({ ctxImpl, recorder, localServiceName: 'backend' });
  const root = frontend.createRootId(new option.Some(true));
  frontend.letId(root, () => {
    frontend.recordServiceName('frontend');
    frontend.recordRpc('get /home');
    frontend.recordAnnotation(new Annotation.ServerRecv(), T0);
  });
  const client = frontend.createChildId(root);
  frontend.letId(client, () => {
    frontend.recordServiceName('frontend');
    frontend.recordRpc('get /api/items');
    frontend.recordAnnotation(new Annotation.ClientSend(), T0 + 100);
    frontend.recordAnnotation(new Annotation.ClientRecv(), T0 + 900);
  });
  const serverSide = new TraceId({
    traceId: client.traceId, parentId: new option.Some(root.spanId), spanId: client.spanId, sampled: new option.Some(true), shared: true,
  });
  backend.letId(serverSide, () => {
    backend.recordServiceName('backend');
    backend.recordRpc('get /api/items');
    backend.recordAnnotation(new Annotation.ServerRecv(), T0 + 200);
    backend.recordBinary('error', 'database down');
    backend.recordAnnotation(new Annotation.ServerSend(), T0 + 800);
  });
  const orphan = new TraceId({
    traceId: root.traceId, parentId: new option.Some(ORPHAN_PARENT), spanId: '00000000000000aa', sampled: new option.Some(true),
  });
  backend.letId(orphan, () => {
    backend.recordServiceName('backend');
    backend.recordAnnotation(new Annotation.LocalOperationStart('cache refresh'), T0 + 1_500);
    backend.recordAnnotation(new Annotation.LocalOperationStop(), T0 + 1_600);
  });
  frontend.letId(root, () => frontend.recordAnnotation(new Annotation.ServerSend(), T0 + 1_000));
  await (logger as unknown as { processQueue(f: typeof fetch): Promise<void> }).processQueue(fetch);
  return { traceId: root.traceId as string, rootId: root.spanId as string, clientId: client.spanId as string, orphanId: '00000000000000aa' };
}

interface OtelSent {
  traceId: string;
  rootId: string;
  clientId: string;
  serverId: string;
}

function hr(us: number): HrTime {
  return [Math.floor(us / 1e6), (us % 1e6) * 1000];
}

/** checkout POST /checkout → charge card (client, fails) → payments POST /charge, via the OpenTelemetry SDK. */
async function sendOtelTrace(): Promise<OtelSent> {
  const provider = (service: string) => new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(new ZipkinExporter({ url: `${server.zipkin}/api/v2/spans` }))],
  });
  const checkoutProvider = provider('checkout');
  const paymentsProvider = provider('payments');
  const checkout = checkoutProvider.getTracer('e2e');
  const payments = paymentsProvider.getTracer('e2e');
  const root = checkout.startSpan('POST /checkout', { kind: SpanKind.SERVER, startTime: hr(T1), attributes: { 'http.method': 'POST' } });
  const client = checkout.startSpan('charge card', { kind: SpanKind.CLIENT, startTime: hr(T1 + 500) }, trace.setSpan(context.active(), root));
  const callee = payments.startSpan('POST /charge', { kind: SpanKind.SERVER, startTime: hr(T1 + 700) }, trace.setSpan(context.active(), client));
  callee.end(hr(T1 + 3_200));
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  client.end(hr(T1 + 3_500));
  root.end(hr(T1 + 5_000));
  await Promise.all([checkoutProvider.forceFlush(), paymentsProvider.forceFlush()]);
  await Promise.all([checkoutProvider.shutdown(), paymentsProvider.shutdown()]);
  return {
    traceId: root.spanContext().traceId, rootId: root.spanContext().spanId, clientId: client.spanContext().spanId, serverId: callee.spanContext().spanId,
  };
}

let zk: ZipkinSent;
let otel: OtelSent;

beforeAll(async () => {
  dataDir = await tempDir();
  server = await startServerProcess({ dataDir });
  zk = await sendZipkinTrace();
  otel = await sendOtelTrace();
  for (const id of [zk.traceId, otel.traceId]) {
    await eventually(async () => ((await getJson(`${server.query}/api/traces/${id}`)).status === 200 ? true : undefined));
  }
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDir(dataDir);
});

const ns = (us: number): string => `${us}000`;
const str = (value: string) => ({ stringValue: value });
const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: str(service) }] });

/** The Zipkin trace as /api/v3/traces answers it: the shared server half gets its own id under its client. */
function zipkinResourceSpans(): unknown[] {
  const traceId = `0000000000000000${zk.traceId}`;
  return [
    {
      resource: resource('frontend'),
      scopeSpans: [{
        scope: {},
        spans: [
          { traceId, spanId: zk.rootId, name: 'get /home', kind: 2, startTimeUnixNano: ns(T0), endTimeUnixNano: ns(T0 + 1_000), status: {} },
          {
            traceId, spanId: zk.clientId, parentSpanId: zk.rootId, name: 'get /api/items', kind: 3, startTimeUnixNano: ns(T0 + 100),
            endTimeUnixNano: ns(T0 + 900), status: {},
          },
        ],
      }],
    },
    {
      resource: resource('backend'),
      scopeSpans: [{
        scope: {},
        spans: [
          {
            traceId, spanId: '0000000000000001', parentSpanId: zk.clientId, name: 'get /api/items', kind: 2, startTimeUnixNano: ns(T0 + 200),
            endTimeUnixNano: ns(T0 + 800),
            attributes: [
              { key: 'error', value: str('database down') },
            ],
            status: { code: 2, message: 'database down' },
          },
          {
            traceId, spanId: zk.orphanId, parentSpanId: ORPHAN_PARENT, name: 'cache refresh', startTimeUnixNano: ns(T0 + 1_500),
            endTimeUnixNano: ns(T0 + 1_600), status: {},
          },
        ],
      }],
    },
  ];
}

/** The OpenTelemetry trace as /api/v3/traces answers it (the exporter copies resource attributes into tags). */
function otelResourceSpans(): unknown[] {
  const traceId = otel.traceId;
  return [
    {
      resource: resource('checkout'),
      scopeSpans: [{
        scope: {},
        spans: [
          {
            traceId, spanId: otel.rootId, name: 'POST /checkout', kind: 2, startTimeUnixNano: ns(T1), endTimeUnixNano: ns(T1 + 5_000),
            attributes: [{ key: 'http.method', value: str('POST') }, { key: 'service.name', value: str('checkout') }], status: {},
          },
          {
            traceId, spanId: otel.clientId, parentSpanId: otel.rootId, name: 'charge card', kind: 3, startTimeUnixNano: ns(T1 + 500),
            endTimeUnixNano: ns(T1 + 3_500),
            attributes: [
              { key: 'otel.status_code', value: str('ERROR') }, { key: 'error', value: str('card declined') }, { key: 'service.name', value: str('checkout') },
            ],
            status: { code: 2, message: 'card declined' },
          },
        ],
      }],
    },
    {
      resource: resource('payments'),
      scopeSpans: [{
        scope: {},
        spans: [{
          traceId, spanId: otel.serverId, parentSpanId: otel.clientId, name: 'POST /charge', kind: 2, startTimeUnixNano: ns(T1 + 700),
          endTimeUnixNano: ns(T1 + 3_200), attributes: [{ key: 'service.name', value: str('payments') }], status: {},
        }],
      }],
    },
  ];
}

function zipkinSummary(): unknown {
  return {
    traceId: `0000000000000000${zk.traceId}`, rootServiceName: 'frontend', rootOperationName: 'get /home', minStartTimeUnixNano: ns(T0),
    maxEndTimeUnixNano: ns(T0 + 1_600), spanCount: 4, errorSpanCount: 1, orphanSpanCount: 1,
    services: [{ name: 'backend', spanCount: 2, errorSpanCount: 1 }, { name: 'frontend', spanCount: 2 }],
  };
}

function otelSummary(): unknown {
  return {
    traceId: otel.traceId, rootServiceName: 'checkout', rootOperationName: 'POST /checkout', minStartTimeUnixNano: ns(T1),
    maxEndTimeUnixNano: ns(T1 + 5_000), spanCount: 3, errorSpanCount: 1,
    services: [{ name: 'checkout', spanCount: 2, errorSpanCount: 1 }, { name: 'payments', spanCount: 1 }],
  };
}

async function v3(path: string): Promise<{ status: number; type: string | null; body: unknown }> {
  const res = await fetch(`${server.query}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: JSON.parse(await res.text()) };
}

describe('Jaeger API v3 with real senders', () => {
  it('checks what was sent: a 64-bit Zipkin trace id and a 128-bit OpenTelemetry one', () => {
    expect(zk.traceId).toMatch(/^[0-9a-f]{16}$/);
    expect(otel.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  const answers: Array<[string, () => string, () => unknown]> = [
    ['services, sorted by name', () => '/api/v3/services', () => ({ services: ['backend', 'checkout', 'frontend', 'payments'] })],
    [
      'operations of a service; a Zipkin local span is internal',
      () => '/api/v3/operations?service=backend',
      () => ({ operations: [{ name: 'cache refresh', spanKind: 'internal' }, { name: 'get /api/items', spanKind: 'server' }] }),
    ],
    [
      'operations of one kind',
      () => '/api/v3/operations?service=checkout&spanKind=client',
      () => ({ operations: [{ name: 'charge card', spanKind: 'client' }] }),
    ],
    ['operations of an unknown service', () => '/api/v3/operations?service=nobody', () => ({ operations: [] })],
    [
      'summaries as the Jaeger UI asks for them, newest first, 32-hex ids, string nanos, error and orphan counts',
      () => `/api/v3/trace-summaries?${WINDOW}&query.searchDepth=20`,
      () => ({ summaries: [otelSummary(), zipkinSummary()] }),
    ],
    [
      'summaries of one service and operation',
      () => `/api/v3/trace-summaries?query.serviceName=backend&query.operationName=${encodeURIComponent('get /api/items')}&${WINDOW}&query.searchDepth=20`,
      () => ({ summaries: [zipkinSummary()] }),
    ],
    ['summaries limited by the search depth', () => `/api/v3/trace-summaries?${WINDOW}&query.searchDepth=1`, () => ({ summaries: [otelSummary()] })],
    [
      'summaries by duration',
      () => `/api/v3/trace-summaries?${WINDOW}&query.durationMin=4ms&query.durationMax=1s`,
      () => ({ summaries: [otelSummary()] }),
    ],
    [
      'summaries by attribute: error=true finds failed spans of either protocol',
      () => `/api/v3/trace-summaries?${WINDOW}&query.attributes=${encodeURIComponent('{"error":"true"}')}`,
      () => ({ summaries: [otelSummary(), zipkinSummary()] }),
    ],
    [
      'summaries by attribute: error=true on a service whose spans did not fail',
      () => `/api/v3/trace-summaries?${WINDOW}&query.serviceName=payments&query.attributes=${encodeURIComponent('{"error":"true"}')}`,
      () => ({ summaries: [] }),
    ],
    [
      'summaries by attribute, snake_case aliases',
      () => `/api/v3/trace-summaries?query.start_time_min=${new Date(NOW_MS - 3_600_000).toISOString()}&query.start_time_max=${new Date(NOW_MS + 60_000).toISOString()}&query.service_name=checkout&query.attributes=${encodeURIComponent('{"error":"true"}')}&query.num_traces=5`,
      () => ({ summaries: [otelSummary()] }),
    ],
    ['summaries: none in another window', () => '/api/v3/trace-summaries?query.startTimeMin=2000-01-01T00:00:00Z&query.startTimeMax=2000-01-02T00:00:00Z', () => ({ summaries: [] })],
    ['the Zipkin trace by its 16-hex id', () => `/api/v3/traces/${zk.traceId}`, () => ({ result: { resourceSpans: zipkinResourceSpans() } })],
    [
      'the Zipkin trace by its padded id with time hints',
      () => `/api/v3/traces/0000000000000000${zk.traceId}?startTime=${new Date(NOW_MS - 3_600_000).toISOString()}&endTime=${new Date(NOW_MS).toISOString()}`,
      () => ({ result: { resourceSpans: zipkinResourceSpans() } }),
    ],
    ['the OpenTelemetry trace by id', () => `/api/v3/traces/${otel.traceId}`, () => ({ result: { resourceSpans: otelResourceSpans() } })],
    [
      'a search for traces: every trace in one resourceSpans list, newest first',
      () => `/api/v3/traces?${WINDOW}`,
      () => ({ result: { resourceSpans: [...otelResourceSpans(), ...zipkinResourceSpans()] } }),
    ],
  ];
  it.each(answers)('%s', async (_name, path, expected) => {
    const res = await v3(path());
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual(expected());
  });

  it('rawTraces keeps the stored span ids: the shared Zipkin id appears twice', async () => {
    const res = await v3(`/api/v3/traces/${zk.traceId}?rawTraces=true`);
    const body = res.body as { result: { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ spanId: string; parentSpanId?: string }> }> }> } };
    expect(body.result.resourceSpans.map((r) => r.scopeSpans[0]!.spans.map((s) => [s.spanId, s.parentSpanId]))).toEqual([
      [[zk.rootId, undefined], [zk.clientId, zk.rootId]],
      [[zk.clientId, zk.rootId], [zk.orphanId, ORPHAN_PARENT]],
    ]);
  });

  it('counts spans as /api/traces/{id} shows them, shared halves once per side', async () => {
    for (const [id, summary] of [[zk.traceId, zipkinSummary()], [otel.traceId, otelSummary()]] as const) {
      const old = await getJson(`${server.query}/api/traces/${id}`);
      expect(old.status).toBe(200);
      expect(old.body.data[0].spans.length).toBe((summary as { spanCount: number }).spanCount);
    }
  });

  const errors: Array<[string, () => string, number, string]> = [
    ['no time bounds', () => '/api/v3/trace-summaries?query.serviceName=frontend', 400, 'query.startTimeMin and query.startTimeMax are required'],
    ['no upper bound on a trace search', () => `/api/v3/traces?query.startTimeMin=${new Date(NOW_MS).toISOString()}`, 400, 'query.startTimeMin and query.startTimeMax are required'],
    [
      'a malformed lower bound',
      () => '/api/v3/trace-summaries?query.startTimeMin=1700000000&query.startTimeMax=2023-11-15T00:00:00Z',
      400,
      'malformed parameter query.startTimeMin: parsing time "1700000000" as "2006-01-02T15:04:05.999999999Z07:00": not an RFC 3339 time',
    ],
    [
      'a malformed upper bound under its alias',
      () => '/api/v3/trace-summaries?query.startTimeMin=2023-11-14T00:00:00Z&query.start_time_max=tomorrow',
      400,
      'malformed parameter query.start_time_max: parsing time "tomorrow" as "2006-01-02T15:04:05.999999999Z07:00": not an RFC 3339 time',
    ],
    [
      'min not before max',
      () => '/api/v3/trace-summaries?query.startTimeMin=2023-11-15T00:00:00Z&query.startTimeMax=2023-11-15T00:00:00Z',
      400,
      'query.startTimeMin must be before query.startTimeMax',
    ],
    ['a bad search depth', () => `/api/v3/trace-summaries?${WINDOW}&query.searchDepth=all`, 400, 'malformed parameter query.searchDepth: strconv.Atoi: parsing "all": invalid syntax'],
    ['a bad minimum duration', () => `/api/v3/trace-summaries?${WINDOW}&query.durationMin=5`, 400, 'malformed parameter query.durationMin: time: missing unit in duration "5"'],
    ['a bad maximum duration', () => `/api/v3/traces?${WINDOW}&query.durationMax=1y`, 400, 'malformed parameter query.durationMax: time: unknown unit "y" in duration "1y"'],
    [
      'attributes that are not a JSON object of strings',
      () => `/api/v3/trace-summaries?${WINDOW}&query.attributes=${encodeURIComponent('{"http.status_code":500}')}`,
      400,
      'malformed parameter query.attributes: json: cannot unmarshal number into Go value of type string',
    ],
    [
      'attributes that are not JSON',
      () => `/api/v3/trace-summaries?${WINDOW}&query.attributes=error%3Dtrue`,
      400,
      `malformed parameter query.attributes: ${jsonError('error=true')}`,
    ],
    ['a bad rawTraces', () => `/api/v3/traces?${WINDOW}&query.rawTraces=sure`, 400, 'malformed parameter query.rawTraces: strconv.ParseBool: parsing "sure": invalid syntax'],
    ['a search that finds nothing', () => `/api/v3/traces?${WINDOW}&query.serviceName=nobody`, 404, 'No traces found'],
    ['an unknown trace id', () => '/api/v3/traces/463ac35c9f6413ad48485a3953bb6124', 404, 'No traces found'],
    ['a trace id that is not hex', () => '/api/v3/traces/not-a-trace', 400, 'malformed parameter trace_id: strconv.ParseUint: parsing "not-a-trace": invalid syntax'],
    [
      'a trace id that is too long',
      () => `/api/v3/traces/${'f'.repeat(33)}`,
      400,
      `malformed parameter trace_id: TraceID cannot be longer than 32 hex characters: ${'f'.repeat(33)}`,
    ],
    [
      'a bad time hint on a trace',
      () => `/api/v3/traces/${otel.traceId}?endTime=now`,
      400,
      'malformed parameter endTime: parsing time "now" as "2006-01-02T15:04:05.999999999Z07:00": not an RFC 3339 time',
    ],
    ['a bad rawTraces on a trace', () => `/api/v3/traces/${otel.traceId}?raw_traces=2`, 400, 'malformed parameter raw_traces: strconv.ParseBool: parsing "2": invalid syntax'],
  ];
  it.each(errors)('answers %s with upstream\'s error', async (_name, path, status, message) => {
    const res = await v3(path());
    expect(res).toEqual({ status, type: 'application/json; charset=utf-8', body: { error: { httpCode: status, message } } });
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}
