/**
 * Decode-only throughput of the protobuf receivers on 1000-span requests of the bench workload
 * (bench/workload.ts: the Zipkin v2 JSON batches, decoded once and re-encoded as OTLP protobuf,
 * OTLP JSON and Jaeger api_v2 PostSpansRequest with the generated encoders).
 * Run: node --import tsx src/receivers/otlp/decode.bench.ts [cpu-seconds-per-subject]
 */
import { createWorkload } from '../../../bench/workload.js';
import type { Attributes, Span } from '../../model/index.js';
import { jaeger } from '../../../proto/gen/jaeger.js';
import { opentelemetry } from '../../../proto/gen/otlp.js';
import { JAEGER_PROTO, decodeJaegerProto } from '../jaeger/decode-proto.js';
import { decodeZipkinV2Json } from '../zipkin/decode-v2.js';
import { OTLP_JSON, OTLP_PROTO, decodeOtlpJson, decodeOtlpProto } from './index.js';

const SECONDS = Number(process.argv[2] ?? 2);
const KINDS = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

const batches = createWorkload({ spans: 20_000, seed: 1, endUs: 1_764_000_000_000_000 }).batches.map((b) => decodeZipkinV2Json(b.body, ''));

/** Spans grouped by service: one ResourceSpans / Jaeger process per service, as SDKs send them. */
function byService(spans: Span[]): Map<string, Span[]> {
  const groups = new Map<string, Span[]>();
  for (const s of spans) {
    const list = groups.get(s.service) ?? [];
    list.push(s);
    groups.set(s.service, list);
  }
  return groups;
}
const nanos = (us: number) => (BigInt(us) * 1000n).toString();
const otlpAttrs = (a: Attributes) => Object.entries(a).map(([key, v]) => ({ key, value: { stringValue: String(v) } }));

function otlpRequest(spans: Span[], ids: 'bytes' | 'hex') {
  const id = (h: string) => (ids === 'bytes' ? Buffer.from(h, 'hex') : h);
  return {
    resourceSpans: [...byService(spans)].map(([service, list]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{
        scope: { name: 'bench' },
        spans: list.map((s) => ({
          traceId: id(s.traceId), spanId: id(s.spanId), ...(s.parentSpanId ? { parentSpanId: id(s.parentSpanId) } : {}),
          name: s.name, kind: KINDS[s.kind], startTimeUnixNano: nanos(s.startUs), endTimeUnixNano: nanos(s.startUs + s.durationUs),
          attributes: otlpAttrs(s.attributes), status: s.statusCode === 'error' ? { code: 2 } : {},
        })),
      }],
    })),
  };
}

function jaegerRequest(spans: Span[]) {
  const ts = (us: number) => ({ seconds: Math.floor(us / 1e6), nanos: (us % 1e6) * 1000 });
  return {
    batch: {
      process: { serviceName: spans[0]!.service },
      spans: [...byService(spans)].flatMap(([service, list]) => list.map((s) => ({
        traceId: Buffer.from(s.traceId, 'hex'), spanId: Buffer.from(s.spanId, 'hex'), operationName: s.name,
        references: s.parentSpanId ? [{ traceId: Buffer.from(s.traceId, 'hex'), spanId: Buffer.from(s.parentSpanId, 'hex'), refType: 0 }] : [],
        startTime: ts(s.startUs), duration: ts(s.durationUs),
        tags: [{ key: 'span.kind', vType: 0, vStr: s.kind }, ...Object.entries(s.attributes).map(([key, v]) => ({ key, vType: 0, vStr: String(v) }))],
        process: { serviceName: service },
      }))),
    },
  };
}

const { ExportTraceServiceRequest } = opentelemetry.proto.collector.trace.v1;
const { PostSpansRequest } = jaeger.api_v2;
const subjects = [
  { label: OTLP_PROTO, bodies: batches.map((b) => Buffer.from(ExportTraceServiceRequest.encode(otlpRequest(b, 'bytes') as never).finish())), run: decodeOtlpProto },
  { label: OTLP_JSON, bodies: batches.map((b) => Buffer.from(JSON.stringify(otlpRequest(b, 'hex')))), run: decodeOtlpJson },
  { label: JAEGER_PROTO, bodies: batches.map((b) => Buffer.from(PostSpansRequest.encode(jaegerRequest(b) as never).finish())), run: decodeJaegerProto },
];

console.log(`node ${process.version}, ${batches.length} bodies x 1000 spans, best of 5 rounds, ${SECONDS} CPU-s per subject`);
for (const s of subjects) {
  const spans = s.bodies.reduce((n, b) => n + s.run(b, '').length, 0); // warm up and check
  let best = 0;
  for (let round = 0; round < 5; round++) {
    let done = 0;
    let i = 0;
    const start = process.cpuUsage();
    let used = 0;
    while (used < (SECONDS / 5) * 1e6) {
      done += s.run(s.bodies[i++ % s.bodies.length]!, '').length;
      const u = process.cpuUsage(start);
      used = u.user + u.system;
    }
    best = Math.max(best, done / (used / 1e6));
  }
  const bytesPerSpan = s.bodies.reduce((n, b) => n + b.length, 0) / spans;
  console.log(`${s.label.padEnd(14)} ${Math.round(best).toLocaleString('en-US').padStart(9)} spans/CPU-s  ${(1e6 / best).toFixed(2)} CPU-ms/1000 spans  ${bytesPerSpan.toFixed(0)} B/span`);
}
