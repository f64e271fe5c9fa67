/**
 * Micro benchmark of the Thrift decoders on 1000-span requests of the toolbox workload
 * (bench/workload.ts), next to Apache Thrift (`thrift`) reading the same bytes into plain objects
 * the way its generated code would, without any conversion to the span model.
 * Run: node --import tsx src/receivers/jaeger/decode.bench.ts [seconds-per-subject]
 * The Jaeger bodies carry each workload span with its 8–9 tags as STRING tags plus span.kind, its
 * parent as parentSpanId, one process per batch (the first span's service and ip); the Zipkin
 * v1 bodies carry cs/cr or sr/ss annotations and the tags as STRING binary annotations.
 * Figures are spans per CPU-second (this process's CPU time), so other load on the machine does
 * not count against a decoder.
 */
import thrift from 'thrift';
import { generateBatches, type WireSpan } from '../../../bench/workload.js';
import { decodeZipkinV1Thrift } from '../zipkin/decode-thrift.js';
import {
  encodeBatch,
  encodeEmitBatch,
  encodeZipkinSpans,
  type BatchFixture,
  type SpanFixture,
  type ZipkinSpanFixture,
} from '../thrift/fixtures.js';
import { decodeJaegerAgentCompact, decodeJaegerThriftBatch } from './decode-thrift.js';

const { Thrift, TBinaryProtocol, TCompactProtocol, TFramedTransport } = thrift;
type Protocol = InstanceType<typeof TBinaryProtocol> | InstanceType<typeof TCompactProtocol>;

const SECONDS = Number(process.argv[2] ?? 2);
const BATCHES = 8;
const SPANS = 1000;


function ipv4Int(text: string): number {
  const [a, b, c, d] = text.split('.').map(Number) as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) | 0;
}

function toJaeger(spans: WireSpan[]): BatchFixture {
  const first = spans[0]!;
  return {
    process: {
      serviceName: first.localEndpoint.serviceName,
      tags: [{ key: 'ip', vType: 0, vStr: first.localEndpoint.ipv4 }, { key: 'hostname', vType: 0, vStr: first.tags['host.name'] ?? 'h' }],
    },
    spans: spans.map((s): SpanFixture => ({
      traceIdLow: s.traceId.slice(16), traceIdHigh: s.traceId.slice(0, 16), spanId: s.id, parentSpanId: s.parentId ?? 0,
      operationName: s.name, flags: 1, startTime: s.timestamp, duration: s.duration,
      tags: [{ key: 'span.kind', vType: 0, vStr: s.kind.toLowerCase() }, ...Object.entries(s.tags).map(([key, vStr]) => ({ key, vType: 0, vStr }))],
    })),
  };
}

function toZipkinV1(spans: WireSpan[]): ZipkinSpanFixture[] {
  return spans.map((s) => {
    const host = { ipv4: ipv4Int(s.localEndpoint.ipv4), port: 8080, service_name: s.localEndpoint.serviceName };
    const [begin, end] = s.kind === 'CLIENT' ? ['cs', 'cr'] : ['sr', 'ss'];
    return {
      trace_id: s.traceId.slice(16), trace_id_high: s.traceId.slice(0, 16), id: s.id, ...(s.parentId ? { parent_id: s.parentId } : {}),
      name: s.name, timestamp: s.timestamp, duration: s.duration,
      annotations: [{ timestamp: s.timestamp, value: begin, host }, { timestamp: s.timestamp + s.duration, value: end, host }],
      binary_annotations: Object.entries(s.tags).map(([key, value]) => ({ key, value: Buffer.from(value), annotation_type: 6, host })),
    };
  });
}

/** Reads any struct into a plain object keyed by field id, as Apache Thrift's generated readers do field by field. */
function apacheStruct(p: Protocol): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  p.readStructBegin();
  for (;;) {
    const { ftype, fid } = p.readFieldBegin();
    if (ftype === Thrift.Type.STOP) break;
    out[fid] = apacheValue(p, ftype);
    p.readFieldEnd();
  }
  p.readStructEnd();
  return out;
}

function apacheValue(p: Protocol, type: number): unknown {
  switch (type) {
    case Thrift.Type.BOOL: return p.readBool();
    case Thrift.Type.BYTE: return p.readByte();
    case Thrift.Type.I16: return p.readI16();
    case Thrift.Type.I32: return p.readI32();
    case Thrift.Type.I64: return p.readI64();
    case Thrift.Type.DOUBLE: return p.readDouble();
    case Thrift.Type.STRING: return p.readString();
    case Thrift.Type.STRUCT: return apacheStruct(p);
    case Thrift.Type.LIST: {
      const { etype, size } = p.readListBegin();
      const items: unknown[] = [];
      for (let k = 0; k < size; k++) items.push(apacheValue(p, etype));
      p.readListEnd();
      return items;
    }
    default: throw new Error(`type ${type} not used by the workload`);
  }
}

function apacheBinaryBatch(body: Buffer): number {
  const batch = apacheStruct(new TBinaryProtocol(new TFramedTransport(body)));
  return (batch[2] as unknown[]).length;
}

function apacheCompactEmitBatch(body: Buffer): number {
  const p = new TCompactProtocol(new TFramedTransport(body));
  p.readMessageBegin();
  const args = apacheStruct(p);
  return ((args[1] as Record<number, unknown>)[2] as unknown[]).length;
}

function apacheZipkinList(body: Buffer): number {
  const p = new TBinaryProtocol(new TFramedTransport(body));
  return (apacheValue(p, Thrift.Type.LIST) as unknown[]).length;
}

function timeRun(bodies: readonly Buffer[], seconds: number, run: (body: Buffer) => number): number {
  let spans = 0;
  let i = 0;
  const start = process.cpuUsage();
  let usedUs = 0;
  while (usedUs < seconds * 1e6) {
    spans += run(bodies[i++ % bodies.length]!);
    const used = process.cpuUsage(start);
    usedUs = used.user + used.system;
  }
  return spans / (usedUs / 1e6);
}

const workload: WireSpan[][] = [];
for (const batch of generateBatches({ spans: SPANS * BATCHES, spansPerBatch: SPANS, endUs: 1_764_000_000_000_000 })) {
  workload.push(JSON.parse(batch.body.toString('utf8')) as WireSpan[]);
}
const binaryBatches = workload.map((spans) => encodeBatch(toJaeger(spans), 'binary'));
const compactDatagrams = workload.map((spans) => encodeEmitBatch(toJaeger(spans), 'compact'));
const zipkinBodies = workload.map((spans) => encodeZipkinSpans(toZipkinV1(spans)));
const average = (bodies: Buffer[]) => Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length / SPANS);

const subjects: Array<[string, Buffer[], (body: Buffer) => number]> = [
  ['jaeger Batch, binary: ariadne decode to spans', binaryBatches, (b) => decodeJaegerThriftBatch(b, '').length],
  ['jaeger Batch, binary: apache thrift read only', binaryBatches, apacheBinaryBatch],
  ['jaeger emitBatch, compact: ariadne decode to spans', compactDatagrams, (b) => decodeJaegerAgentCompact(b, '').length],
  ['jaeger emitBatch, compact: apache thrift read only', compactDatagrams, apacheCompactEmitBatch],
  ['zipkin v1 list<Span>, binary: ariadne decode to spans', zipkinBodies, (b) => decodeZipkinV1Thrift(b, '').length],
  ['zipkin v1 list<Span>, binary: apache thrift read only', zipkinBodies, apacheZipkinList],
];

console.log(`bodies of ${SPANS} spans: jaeger binary ${average(binaryBatches)} B/span, compact ${average(compactDatagrams)} B/span, zipkin v1 ${average(zipkinBodies)} B/span`);
for (const [name, bodies, run] of subjects) {
  run(bodies[0]!); // warm up
  const rate = timeRun(bodies, SECONDS, run);
  console.log(`${name.padEnd(56)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} spans/s`);
}
