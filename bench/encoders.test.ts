import { describe, expect, it } from 'vitest';
import type { Span } from '../src/model/index.js';
import { decodeJaegerAgentBinary, decodeJaegerAgentCompact, decodeJaegerProto, decodeJaegerThriftBatch } from '../src/receivers/jaeger/index.js';
import { decodeOtlpJson, decodeOtlpProto } from '../src/receivers/otlp/index.js';
import { decodeZipkinV2Json } from '../src/receivers/zipkin/index.js';
import { decodeZipkinV1Thrift } from '../src/receivers/zipkin/decode-thrift.js';
import { decodeZipkinV2Proto } from '../src/receivers/zipkin/decode-proto.js';
import {
  chunkByProcess, encodeJaegerEmitBatch, encodeJaegerProto, encodeJaegerThriftBatch, encodeOtlpJson, encodeOtlpProto, encodeToFit,
  encodeZipkinV1Thrift, encodeZipkinV2Proto, ipv4ToInt, parseWireSpans, type WireSpan,
} from './encoders.js';
import { createWorkload } from './workload.js';

const workload = createWorkload({ spans: 300, seed: 7, spansPerBatch: 300, endUs: 1_764_000_000_000_000 });
const body = workload.batches[0]!.body;
const spans = parseWireSpans(body);

/** What every protocol must carry unchanged (protocol-specific extras such as endpoints or scope are left out). */
function core(s: Span) {
  const { 'otel.scope.name': _scope, ...attributes } = s.attributes;
  return {
    traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId, kind: s.kind, name: s.name, service: s.service,
    startUs: s.startUs, durationUs: s.durationUs, statusCode: s.statusCode, attributes,
  };
}

const expected = decodeZipkinV2Json(body, '').map(core);
const byProcess = chunkByProcess(spans, 1000);

const cases: Array<{ name: string; decode: () => Span[] }> = [
  { name: 'zipkin v2 proto', decode: () => decodeZipkinV2Proto(encodeZipkinV2Proto(spans), '') },
  { name: 'zipkin v1 thrift', decode: () => decodeZipkinV1Thrift(encodeZipkinV1Thrift(spans), '') },
  { name: 'jaeger thrift batch (one per process)', decode: () => byProcess.flatMap((c) => decodeJaegerThriftBatch(encodeJaegerThriftBatch(c), '')) },
  { name: 'jaeger agent compact (one per process)', decode: () => byProcess.flatMap((c) => decodeJaegerAgentCompact(encodeJaegerEmitBatch(c, 'compact'), '')) },
  { name: 'jaeger agent binary (one per process)', decode: () => byProcess.flatMap((c) => decodeJaegerAgentBinary(encodeJaegerEmitBatch(c, 'binary'), '')) },
  { name: 'jaeger proto', decode: () => decodeJaegerProto(encodeJaegerProto(spans), '') },
  { name: 'otlp proto', decode: () => decodeOtlpProto(encodeOtlpProto(spans), '') },
  { name: 'otlp json', decode: () => decodeOtlpJson(encodeOtlpJson(spans), '') },
];

describe('encoders', () => {
  it('the workload sample has both kinds, parents, roots and errors', () => {
    expect(spans).toHaveLength(300);
    expect(new Set(spans.map((s) => s.kind))).toEqual(new Set(['CLIENT', 'SERVER']));
    expect(spans.some((s) => s.parentId === undefined)).toBe(true);
    expect(spans.some((s) => s.tags['error'] === 'true')).toBe(true);
  });
  for (const c of cases) {
    it(`${c.name}: the receiver's decoder gives back the v2 JSON spans`, () => {
      const key = (s: { traceId: string; spanId: string }) => `${s.traceId}/${s.spanId}`;
      const got = c.decode().map(core).sort((a, b) => key(a).localeCompare(key(b)));
      const want = [...expected].sort((a, b) => key(a).localeCompare(key(b)));
      expect(got).toEqual(want);
    });
  }
  it('a Jaeger Thrift batch refuses spans of two processes', () => {
    const a = spans.find((s) => s.localEndpoint.serviceName !== spans[0]!.localEndpoint.serviceName)!;
    expect(() => encodeJaegerThriftBatch([spans[0]!, a])).toThrow(/use chunkByProcess/);
  });
});

const span = (service: string, ipv4: string, id: string): WireSpan => ({
  traceId: '0'.repeat(32), id, kind: 'SERVER', name: 'op', timestamp: 1, duration: 1, localEndpoint: { serviceName: service, ipv4 }, tags: {},
});

describe('chunkByProcess', () => {
  const table: Array<{ name: string; input: WireSpan[]; max: number; want: string[][] }> = [
    { name: 'empty', input: [], max: 3, want: [] },
    {
      name: 'groups by service and address, keeps order, closes full chunks',
      input: [span('a', '1.1.1.1', '1'), span('b', '1.1.1.1', '2'), span('a', '1.1.1.1', '3'), span('a', '1.1.1.2', '4'), span('a', '1.1.1.1', '5')],
      max: 2,
      want: [['1', '3'], ['2'], ['4'], ['5']],
    },
    { name: 'max 1: one span each', input: [span('a', '1.1.1.1', '1'), span('a', '1.1.1.1', '2')], max: 1, want: [['1'], ['2']] },
  ];
  for (const t of table) {
    it(t.name, () => expect(chunkByProcess(t.input, t.max).map((c) => c.map((s) => s.id))).toEqual(t.want));
  }
  it('refuses a max below 1', () => expect(() => chunkByProcess([], 0)).toThrow('chunkByProcess: max must be a positive integer, got 0'));
});

describe('encodeToFit', () => {
  // A fake size: 10 bytes per span, so the split points are exact.
  const encode = (list: readonly WireSpan[]) => Buffer.alloc(list.length * 10);
  const five = ['1', '2', '3', '4', '5'].map((id) => span('a', '1.1.1.1', id));
  const table: Array<{ name: string; input: WireSpan[]; maxBytes: number; want: number[] }> = [
    { name: 'fits whole', input: five, maxBytes: 50, want: [5] },
    { name: 'halved once', input: five, maxBytes: 49, want: [3, 2] },
    { name: 'halved until each fits', input: five, maxBytes: 20, want: [2, 1, 2] },
    { name: 'nothing to encode', input: [], maxBytes: 10, want: [] },
  ];
  for (const t of table) {
    it(t.name, () => {
      const out = encodeToFit(t.input, encode, t.maxBytes);
      expect(out.map((b) => b.spans)).toEqual(t.want);
      expect(out.map((b) => b.body.length)).toEqual(t.want.map((n) => n * 10));
    });
  }
  it('throws when one span is too large', () => {
    expect(() => encodeToFit(five, encode, 9)).toThrow('encodeToFit: one span encodes to 10 bytes, more than the limit of 9');
  });
});

describe('ipv4ToInt', () => {
  const table = [
    { text: '10.1.2.3', want: 0x0a010203 },
    { text: '0.0.0.0', want: 0 },
    { text: '255.255.255.255', want: -1 },
    { text: '192.168.0.1', want: -1062731775 },
  ];
  for (const t of table) it(t.text, () => expect(ipv4ToInt(t.text)).toBe(t.want));
  it('refuses what is not an address', () => expect(() => ipv4ToInt('1.2.3')).toThrow('ipv4ToInt: not an IPv4 address: "1.2.3"'));
});
