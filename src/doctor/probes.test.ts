/** Every probe body decodes, with the receiver's own decoder, to the probe span. */
import { describe, expect, it } from 'vitest';
import { decodeJaegerAgentBinary, decodeJaegerAgentCompact, decodeJaegerThriftBatch } from '../receivers/jaeger/decode-thrift.js';
import { encodeEmitBatch } from '../receivers/thrift/fixtures.js';
import { decodeJaegerProto } from '../receivers/jaeger/decode-proto.js';
import { decodeOtlpJson, decodeOtlpProto } from '../receivers/otlp/index.js';
import { decodeZipkinV2Json } from '../receivers/zipkin/decode-v2.js';
import { DOCTOR_SERVICE, jaegerAgentBinary, jaegerAgentCompact, jaegerProto, jaegerThriftBatch, otlpJson, otlpProto, probeSpan, zipkinJson } from './probes.js';

describe('probe bodies', () => {
  const probe = probeSpan('doctor check', 1_764_000_000_000);
  const cases = [
    ['zipkin v2 JSON', () => decodeZipkinV2Json(Buffer.from(zipkinJson(probe)), '')],
    ['OTLP JSON', () => decodeOtlpJson(Buffer.from(otlpJson(probe)), '')],
    ['OTLP protobuf', () => decodeOtlpProto(otlpProto(probe), '')],
    ['Jaeger protobuf', () => decodeJaegerProto(jaegerProto(probe), '')],
    ['Jaeger Thrift batch', () => decodeJaegerThriftBatch(jaegerThriftBatch(probe), '')],
    ['Jaeger agent binary datagram', () => decodeJaegerAgentBinary(jaegerAgentBinary(probe), '')],
    ['Jaeger agent compact datagram', () => decodeJaegerAgentCompact(jaegerAgentCompact(probe), '')],
  ] as const;
  it.each(cases)('%s', (_name, decode) => {
    const spans = decode();
    expect(spans.map((s) => [s.traceId, s.spanId, s.name, s.service, s.startUs, s.durationUs])).toEqual([
      [probe.traceId, probe.spanId, 'doctor check', DOCTOR_SERVICE, 1_764_000_000_000_000 - 1500, 1000],
    ]);
  });

  it('writes the compact datagram byte for byte as Apache thrift\'s TCompactProtocol does', () => {
    const p = { ...probe, traceId: `${'0'.repeat(16)}d0c7ffffffffffff`, spanId: '8000000000000001' };
    const fromApache = encodeEmitBatch({
      process: { serviceName: DOCTOR_SERVICE },
      spans: [{
        // node-int64 reads strings as hex: both ids have the top bit set, so they travel as negative i64.
        traceIdLow: 'd0c7ffffffffffff', traceIdHigh: 0, spanId: '8000000000000001', parentSpanId: 0, operationName: p.name,
        flags: 1, startTime: p.startUs, duration: p.durationUs,
      }],
    }, 'compact');
    expect(jaegerAgentCompact(p).toString('hex')).toBe(fromApache.toString('hex'));
  });

  it('gives every probe a fresh 64-bit-compatible trace id', () => {
    const a = probeSpan('x');
    const b = probeSpan('x');
    expect(a.traceId).toMatch(/^0{16}d0c7[0-9a-f]{12}$/);
    expect(a.traceId).not.toBe(b.traceId);
  });
});
