import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodesOrRejects, mutationsOf } from '../fuzz.js';
import { opentelemetry } from '../../../proto/gen/otlp.js';
import { decodeOtlpJsonRequest, decodeOtlpProtoRequest } from './index.js';

const { ExportTraceServiceRequest } = opentelemetry.proto.collector.trace.v1;
const TRACE = '5b8efff798038103d269b633813fc60c';
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** One request in the protobuf JSON mapping; its proto twin is made by the generated encoder. */
const json = {
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }], droppedAttributesCount: 2 },
    scopeSpans: [{
      scope: { name: 'lib', version: '2' },
      spans: [{
        traceId: TRACE, spanId: '00000000000000a1', name: 'op', kind: 3, flags: 257,
        startTimeUnixNano: '1700000000000001999', endTimeUnixNano: '1700000000000005000', droppedEventsCount: 4,
        attributes: [
          { key: 'big', value: { intValue: '9223372036854775807' } },
          { key: 'neg', value: { intValue: '-5' } },
          { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { arrayValue: { values: [{ boolValue: true }, { doubleValue: 1.5 }] } } }] } } },
          { key: 'empty', value: {} },
        ],
        status: { code: 1 },
      }],
    }],
  }],
};
const protoBytes = Buffer.from(ExportTraceServiceRequest.encode({
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }], droppedAttributesCount: 2 },
    scopeSpans: [{
      scope: { name: 'lib', version: '2' },
      spans: [{
        traceId: hex(TRACE), spanId: hex('00000000000000a1'), name: 'op', kind: 3, flags: 257,
        startTimeUnixNano: '1700000000000001999' as never, endTimeUnixNano: '1700000000000005000' as never, droppedEventsCount: 4,
        attributes: [
          { key: 'big', value: { intValue: '9223372036854775807' as never } },
          { key: 'neg', value: { intValue: -5 } },
          { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { arrayValue: { values: [{ boolValue: true }, { doubleValue: 1.5 }] } } }] } } },
          { key: 'empty', value: {} },
        ],
        status: { code: 1 },
      }],
    }],
  }],
}).finish());

const expectedSpan = {
  traceId: TRACE, spanId: '00000000000000a1', kind: 'client', name: 'op', service: 'api',
  startUs: 1_700_000_000_000_001, durationUs: 4, statusCode: 'ok',
  attributes: {
    big: '9223372036854775807', neg: -5, kv: '{"a":[true,1.5]}', empty: '',
    'otel.scope.name': 'lib', 'otel.scope.version': '2', 'otel.dropped_events_count': 4,
  },
  events: [], links: [], resource: { 'otel.dropped_attributes_count': 2 }, tenant: 'x',
};

describe('OTLP decoders', () => {
  it('proto and JSON give the same span, every value type mapped', () => {
    expect(decodeOtlpProtoRequest(protoBytes, 'x')).toEqual({ spans: [expectedSpan], rejected: 0, message: '' });
    expect(decodeOtlpJsonRequest(Buffer.from(JSON.stringify(json)), 'x')).toEqual({ spans: [expectedSpan], rejected: 0, message: '' });
  });

  const jsonSpan = (patch: object) => Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...json.resourceSpans[0]!.scopeSpans[0]!.spans[0], ...patch }] }] }] }));
  const skipped: Array<{ name: string; patch: object; message: string }> = [
    { name: 'short span id', patch: { spanId: 'a1' }, message: 'spans[0].spanId: expected 16 hex chars, not all zeros, got "a1"' },
    { name: 'zero trace id', patch: { traceId: '0'.repeat(32) }, message: 'spans[0].traceId: expected 32 hex chars, not all zeros, got "00000000000000000000000000000000"' },
    { name: 'end before start', patch: { endTimeUnixNano: '1700000000000000000' }, message: 'spans[0].endTimeUnixNano: expected a time at or after startTimeUnixNano, got 1700000000000000 µs < 1700000000000001 µs' },
    { name: 'no start', patch: { startTimeUnixNano: undefined }, message: 'spans[0].startTimeUnixNano: expected epoch nanoseconds between 2000-01-01 and 2100-01-01, got none' },
    { name: 'bad link', patch: { links: [{ traceId: TRACE, spanId: 'zz' }] }, message: 'spans[0].links[0].spanId: expected 16 hex chars, not all zeros, got "zz"' },
  ];
  for (const c of skipped) {
    it(`skips and counts a span with ${c.name}`, () => {
      expect(decodeOtlpJsonRequest(jsonSpan(c.patch), '')).toEqual({
        spans: [], rejected: 1, message: `1 of 1 spans rejected; first: resourceSpans[0].scopeSpans[0].${c.message}`,
      });
    });
  }

  const malformed: Array<{ name: string; body: string; message: string }> = [
    { name: 'not JSON', body: 'nope', message: 'invalid JSON: Unexpected token \'o\', "nope" is not valid JSON' },
    { name: 'an array', body: '[]', message: 'request: expected an object, got []' },
    { name: 'a string name', body: jsonSpan({ name: 5 }).toString(), message: 'resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got 5' },
    { name: 'an unknown kind name', body: jsonSpan({ kind: 'SPAN_KIND_X' }).toString(), message: 'resourceSpans[0].scopeSpans[0].spans[0].kind: expected one of SPAN_KIND_UNSPECIFIED, SPAN_KIND_INTERNAL, SPAN_KIND_SERVER, SPAN_KIND_CLIENT, SPAN_KIND_PRODUCER, SPAN_KIND_CONSUMER or its number, got "SPAN_KIND_X"' },
  ];
  for (const c of malformed) {
    it(`rejects a request with ${c.name}`, () => {
      expect(() => decodeOtlpJsonRequest(Buffer.from(c.body), '')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: c.message }));
    });
  }

  it('accepts enum names and numbers as int64 fields', () => {
    const result = decodeOtlpJsonRequest(jsonSpan({ kind: 'SPAN_KIND_SERVER', startTimeUnixNano: 1700000000000001000, status: { code: 'STATUS_CODE_ERROR', message: 'bad' } }), '');
    expect(result.spans.map((s) => [s.kind, s.startUs, s.statusCode, s.statusMessage])).toEqual([['server', 1_700_000_000_000_001, 'error', 'bad']]);
  });

  it('fuzz proto: random and mutated messages give a result or INVALID_ARGUMENT', () => {
    const run = decodesOrRejects((b) => decodeOtlpProtoRequest(b, '').spans);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), run), { numRuns: 2000 });
    fc.assert(mutationsOf(protoBytes, run), { numRuns: 2000 });
  });
  it('fuzz JSON: random and mutated bodies give a result or INVALID_ARGUMENT', () => {
    const run = decodesOrRejects((b) => decodeOtlpJsonRequest(b, '').spans);
    fc.assert(fc.property(fc.json(), (text) => run(Buffer.from(text))), { numRuns: 1000 });
    fc.assert(mutationsOf(Buffer.from(JSON.stringify(json)), run), { numRuns: 2000 });
  });
});
