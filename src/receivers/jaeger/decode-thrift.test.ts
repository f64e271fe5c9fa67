import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../errors.js';
import { brokenInvariant, mutationsOf, onlyInvalidArgument } from '../fuzz.js';
import type { Span } from '../../model/index.js';
import { toJaegerTrace } from '../../query/jaeger/index.js';
import { encodeBatch, encodeEmitBatch, type BatchFixture, type SpanFixture, type TagFixture } from '../thrift/fixtures.js';
import {
  agentBatchToCollectorBody,
  decodeJaegerAgentBinary,
  decodeJaegerAgentCompact,
  decodeJaegerThriftBatch,
} from './index.js';

const T0 = 1_700_000_000_000_000;
const TRACE = 'a1b2c3d4e5f60718';
const str = (key: string, vStr: string): TagFixture => ({ key, vType: 0, vStr });

function span(overrides: Partial<SpanFixture> = {}): SpanFixture {
  return {
    traceIdLow: TRACE, traceIdHigh: 0, spanId: 2, parentSpanId: 1, operationName: 'get /api', flags: 1,
    startTime: T0, duration: 1500, ...overrides,
  };
}

function batch(spans: SpanFixture[], process: BatchFixture['process'] = { serviceName: 'frontend' }): BatchFixture {
  return { process, spans };
}

/** The same batch through every entry point: they must all give the same spans. */
const ENTRY_POINTS: Array<[string, (b: BatchFixture) => Span[]]> = [
  ['collector body (binary Batch)', (b) => decodeJaegerThriftBatch(encodeBatch(b), 't1')],
  ['agent datagram, compact', (b) => decodeJaegerAgentCompact(encodeEmitBatch(b, 'compact'), 't1')],
  ['agent datagram, binary', (b) => decodeJaegerAgentBinary(encodeEmitBatch(b, 'binary'), 't1')],
  ['compact datagram transcoded for a collector', (b) => decodeJaegerThriftBatch(agentBatchToCollectorBody(encodeEmitBatch(b, 'compact'), 'compact'), 't1')],
  ['binary datagram copied for a collector', (b) => decodeJaegerThriftBatch(agentBatchToCollectorBody(encodeEmitBatch(b, 'binary'), 'binary'), 't1')],
];

const FULL: BatchFixture = {
  process: {
    serviceName: 'frontend',
    tags: [str('hostname', 'host-1'), str('ip', '10.0.0.1'), str('service.name', 'frontend'), { key: 'jaeger.pid', vType: 3, vLong: 4242 }],
  },
  seqNo: 9,
  spans: [
    span({
      traceIdHigh: '0102030405060708', flags: 3,
      references: [
        { refType: 0, traceIdLow: TRACE, traceIdHigh: '0102030405060708', spanId: 1 },
        { refType: 1, traceIdLow: 'ffffffffffffffff', traceIdHigh: 0, spanId: 'ab' },
      ],
      tags: [
        str('span.kind', 'client'),
        str('http.method', 'GET'),
        { key: 'http.status_code', vType: 3, vLong: 503 },
        { key: 'big', vType: 3, vLong: '7fffffffffffffff' },
        { key: 'ratio', vType: 1, vDouble: 0.25 },
        { key: 'nan', vType: 1, vDouble: Number.NaN },
        { key: 'error', vType: 2, vBool: true },
        { key: 'payload', vType: 4, vBinary: Buffer.from([1, 2, 3]) },
        str('peer.service', 'backend'),
        str('otel.status_description', 'upstream unavailable'),
      ],
      logs: [
        { timestamp: T0 + 10, fields: [str('event', 'retry'), { key: 'attempt', vType: 3, vLong: 2 }] },
        { timestamp: T0 + 20, fields: [str('message', 'no event field')] },
      ],
    }),
  ],
};

const FULL_SPAN: Span = {
  traceId: `0102030405060708${TRACE}`,
  spanId: '0000000000000002',
  parentSpanId: '0000000000000001',
  kind: 'client',
  name: 'get /api',
  service: 'frontend',
  startUs: T0,
  durationUs: 1500,
  statusCode: 'error',
  statusMessage: 'upstream unavailable',
  attributes: {
    'http.method': 'GET', 'http.status_code': 503, big: '9223372036854775807', ratio: 0.25, nan: 'NaN', error: true,
    payload: 'AQID', 'peer.service': 'backend',
  },
  events: [
    { timeUs: T0 + 10, name: 'retry', attributes: { attempt: 2 } },
    { timeUs: T0 + 20, name: 'log', attributes: { message: 'no event field' } },
  ],
  links: [{ traceId: '0000000000000000ffffffffffffffff', spanId: '00000000000000ab', type: 'follows_from' }],
  resource: { hostname: 'host-1', ip: '10.0.0.1', 'jaeger.pid': 4242 },
  remoteEndpoint: { serviceName: 'backend' },
  debug: true,
  tenant: 't1',
};

describe('every entry point gives the same spans', () => {
  it.each(ENTRY_POINTS)('%s', (_name, decode) => {
    expect(decode(FULL)).toEqual([FULL_SPAN]);
  });
});

describe('read back through the Jaeger query API', () => {
  it('keeps tag types, references, logs and process tags', () => {
    const trace = toJaegerTrace(decodeJaegerThriftBatch(encodeBatch(FULL), ''), { adjustClockSkew: false, raw: true });
    const [jaegerSpan] = trace.spans;
    expect(jaegerSpan?.flags).toBe(3);
    expect(jaegerSpan?.references).toEqual([
      { refType: 'CHILD_OF', traceID: `0102030405060708${TRACE}`, spanID: '0000000000000001' },
      { refType: 'FOLLOWS_FROM', traceID: 'ffffffffffffffff', spanID: '00000000000000ab' },
    ]);
    expect(jaegerSpan?.tags).toEqual([
      { key: 'http.method', type: 'string', value: 'GET' },
      { key: 'http.status_code', type: 'int64', value: 503 },
      { key: 'big', type: 'string', value: '9223372036854775807' },
      { key: 'ratio', type: 'float64', value: 0.25 },
      { key: 'nan', type: 'string', value: 'NaN' },
      { key: 'error', type: 'bool', value: true },
      { key: 'payload', type: 'string', value: 'AQID' },
      { key: 'peer.service', type: 'string', value: 'backend' },
      { key: 'span.kind', type: 'string', value: 'client' },
      { key: 'otel.status_description', type: 'string', value: 'upstream unavailable' },
    ]);
    expect(jaegerSpan?.logs).toEqual([
      { timestamp: T0 + 10, fields: [{ key: 'event', type: 'string', value: 'retry' }, { key: 'attempt', type: 'int64', value: 2 }] },
      { timestamp: T0 + 20, fields: [{ key: 'message', type: 'string', value: 'no event field' }] },
    ]);
    expect(trace.processes).toEqual({
      p1: { serviceName: 'frontend', tags: [
        { key: 'hostname', type: 'string', value: 'host-1' },
        { key: 'ip', type: 'string', value: '10.0.0.1' },
        { key: 'jaeger.pid', type: 'int64', value: 4242 },
      ] },
    });
  });
});

describe('mapping rules', () => {
  const base = (over: Partial<Span>): Span => ({
    traceId: `0000000000000000${TRACE}`, spanId: '0000000000000002', parentSpanId: '0000000000000001', kind: 'unspecified',
    name: 'get /api', service: 'frontend', startUs: T0, durationUs: 1500, statusCode: 'unset', attributes: {}, events: [],
    links: [], resource: {}, tenant: 't1', ...over,
  });
  const cases: Array<[string, BatchFixture, Span[]]> = [
    ['plain span, no tags', batch([span()]), [base({})]],
    ['span.kind server becomes the kind and is not kept', batch([span({ tags: [str('span.kind', 'server')] })]), [base({ kind: 'server' })]],
    ['an unknown span.kind stays a tag', batch([span({ tags: [str('span.kind', 'rpc')] })]), [base({ attributes: { 'span.kind': 'rpc' } })]],
    ['error="true" string fails the span', batch([span({ tags: [str('error', 'true')] })]), [base({ statusCode: 'error', attributes: { error: 'true' } })]],
    ['error=false does not', batch([span({ tags: [{ key: 'error', vType: 2, vBool: false }] })]), [base({ attributes: { error: false } })]],
    [
      'otel.status_code OK and description become the status, not tags',
      batch([span({ tags: [str('otel.status_code', 'OK'), str('otel.status_description', 'fine')] })]),
      [base({ statusCode: 'ok', statusMessage: 'fine' })],
    ],
    ['otel.status_code ERROR', batch([span({ tags: [str('otel.status_code', 'ERROR')] })]), [base({ statusCode: 'error' })]],
    [
      'parentSpanId 0: the first CHILD_OF of the same trace is the parent',
      batch([span({
        parentSpanId: 0,
        references: [
          { refType: 1, traceIdLow: TRACE, traceIdHigh: 0, spanId: 7 },
          { refType: 0, traceIdLow: 'eeee', traceIdHigh: 0, spanId: 8 },
          { refType: 0, traceIdLow: TRACE, traceIdHigh: 0, spanId: 9 },
          { refType: 0, traceIdLow: TRACE, traceIdHigh: 0, spanId: 10 },
        ],
      })]),
      [base({
        parentSpanId: '0000000000000009',
        links: [
          { traceId: `0000000000000000${TRACE}`, spanId: '0000000000000007', type: 'follows_from' },
          { traceId: '0000000000000000000000000000eeee', spanId: '0000000000000008', type: 'child_of' },
          { traceId: `0000000000000000${TRACE}`, spanId: '000000000000000a', type: 'child_of' },
        ],
      })],
    ],
    ['a root span', batch([span({ parentSpanId: 0 })]), [(({ parentSpanId: _, ...rest }) => rest)(base({}))]],
    [
      'process: empty service is "unknown", service.name tag dropped, types kept',
      batch([span()], { serviceName: '', tags: [str('service.name', 'x'), { key: 'up', vType: 2, vBool: true }, { key: 'load', vType: 1, vDouble: 1.5 }] }),
      [base({ service: 'unknown', resource: { up: true, load: 1.5 } })],
    ],
    ['a log whose event field is not a string keeps it as a field', batch([span({ logs: [{ timestamp: T0, fields: [{ key: 'event', vType: 3, vLong: 1 }] }] })]), [base({ events: [{ timeUs: T0, name: 'log', attributes: { event: 1 } }] })]],
    ['a log with no fields', batch([span({ logs: [{ timestamp: T0, fields: [] }] })]), [base({ events: [{ timeUs: T0, name: 'log' }] })]],
    ['a __proto__ tag is an ordinary attribute', batch([span({ tags: [str('__proto__', 'x')] })]), [base({ attributes: JSON.parse('{"__proto__":"x"}') as Span['attributes'] })]],
    ['an empty batch', batch([]), []],
    [
      'two spans share the process',
      batch([span({ spanId: 3 }), span({ spanId: 4 })], { serviceName: 'svc', tags: [str('k', 'v')] }),
      [base({ spanId: '0000000000000003', service: 'svc', resource: { k: 'v' } }), base({ spanId: '0000000000000004', service: 'svc', resource: { k: 'v' } })],
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    for (const [, decode] of ENTRY_POINTS) expect(decode(input)).toEqual(expected);
  });
});

describe('invalid input', () => {
  const rejects = (run: () => unknown): string => {
    try {
      run();
    } catch (err) {
      expect(isAppError(err, 'INVALID_ARGUMENT')).toBe(true);
      return (err as Error).message;
    }
    throw new Error('expected an error');
  };
  const batchCases: Array<[string, BatchFixture, string]> = [
    ['zero trace id', batch([span({ traceIdLow: 0 })]), 'span[0].traceIdLow: expected a non-zero trace id, got 0 (traceIdHigh 0)'],
    ['zero span id', batch([span(), span({ spanId: 0 })]), 'span[1].spanId: expected a non-zero span id, got 0'],
    ['start time in seconds', batch([span({ startTime: 1_700_000_000 })]), 'span[0].startTime: expected epoch microseconds between 2000-01-01 and 2100-01-01, got 1700000000'],
    ['negative duration', batch([span({ duration: -1 })]), 'span[0].duration: expected microseconds between 0 and 1e12, got -1'],
    ['unknown tag type', batch([span({ tags: [str('a', 'b'), { key: 'x', vType: 9 }] })]), 'span[0].tags[1].vType: expected 0..4 (STRING, DOUBLE, BOOL, LONG, BINARY), got 9'],
    ['bad tag type in a log', batch([span({ logs: [{ timestamp: T0, fields: [{ key: 'x', vType: -3 }] }] })]), 'span[0].logs[0].fields[0].vType: expected 0..4'],
    ['bad tag type in the process', batch([], { serviceName: 's', tags: [{ key: 'x', vType: 5 }] }), 'batch.process.tags[0].vType: expected 0..4'],
    ['unknown reference type', batch([span({ references: [{ refType: 2, traceIdLow: 1, traceIdHigh: 0, spanId: 1 }] })]), 'span[0].references[0].refType: expected 0 (CHILD_OF) or 1 (FOLLOWS_FROM), got 2'],
    ['log time out of range', batch([span({ logs: [{ timestamp: 5, fields: [] }] })]), 'span[0].logs[0].timestamp: expected epoch microseconds between 2000-01-01 and 2100-01-01, got 5'],
  ];
  it.each(batchCases)('%s', (_name, input, message) => {
    for (const [, decode] of ENTRY_POINTS) expect(rejects(() => decode(input))).toContain(message);
  });

  const full = encodeBatch(FULL);
  const methodAt = full.indexOf('http.method');
  const byteCases: Array<[string, () => unknown, string]> = [
    ['empty body', () => decodeJaegerThriftBatch(Buffer.alloc(0), ''), 'batch: invalid Thrift at byte 0: truncated: a field header needs 1 byte, 0 left'],
    ['truncated inside a tag', () => decodeJaegerThriftBatch(full.subarray(0, methodAt + 3), ''), `span[0].tags[1]: invalid Thrift at byte ${methodAt}: truncated: a string of 11 bytes, 3 left`],
    ['process missing', () => decodeJaegerThriftBatch(Buffer.from([15, 0, 2, 12, 0, 0, 0, 0, 0]), ''), 'batch.process: required field is missing'],
    ['spans missing', () => decodeJaegerThriftBatch(Buffer.from([12, 0, 1, 11, 0, 1, 0, 0, 0, 1, 65, 0, 0]), ''), 'batch.spans: required field is missing'],
    ['required span field missing', () => decodeJaegerThriftBatch(Buffer.from([12, 0, 1, 11, 0, 1, 0, 0, 0, 1, 65, 0, 15, 0, 2, 12, 0, 0, 0, 1, 0, 0]), ''), 'span[0].traceIdLow: required field is missing'],
    ['emitZipkinBatch', () => decodeJaegerAgentCompact(encodeEmitBatch(FULL, 'compact', 'emitZipkinBatch'), ''), 'Agent.emitZipkinBatch is not supported'],
    ['unknown method', () => decodeJaegerAgentBinary(encodeEmitBatch(FULL, 'binary', 'submitBatches'), ''), 'unknown Agent method "submitBatches": expected emitBatch'],
    ['binary datagram on the compact port', () => decodeJaegerAgentCompact(encodeEmitBatch(FULL, 'binary'), ''), 'expected compact protocol id 0x82, got 0x80'],
    ['compact datagram on the binary port', () => decodeJaegerAgentBinary(encodeEmitBatch(FULL, 'compact'), ''), 'batch: invalid Thrift at byte'],
    ['emitBatch without its argument', () => decodeJaegerAgentCompact(Buffer.from([0x82, 0x81, 0x01, 9, ...Buffer.from('emitBatch'), 0]), ''), 'emitBatch: the batch argument (field 1) is missing'],
    ['forwarding a truncated datagram', () => agentBatchToCollectorBody(encodeEmitBatch(FULL, 'compact').subarray(0, 50), 'compact'), 'emitBatch: invalid Thrift at byte 50'],
  ];
  it.each(byteCases)('%s', (_name, run, message) => {
    expect(rejects(run)).toContain(message);
  });
});

describe('fuzz: spans or INVALID_ARGUMENT, never another error', () => {
  const decoders: Array<[string, (bytes: Buffer) => unknown, Buffer]> = [
    ['collector body', (b) => decodeJaegerThriftBatch(b, ''), encodeBatch(FULL)],
    ['agent compact', (b) => decodeJaegerAgentCompact(b, ''), encodeEmitBatch(FULL, 'compact')],
    ['agent binary', (b) => decodeJaegerAgentBinary(b, ''), encodeEmitBatch(FULL, 'binary')],
    ['forwarding compact', (b) => agentBatchToCollectorBody(b, 'compact'), encodeEmitBatch(FULL, 'compact')],
    ['forwarding binary', (b) => agentBatchToCollectorBody(b, 'binary'), encodeEmitBatch(FULL, 'binary')],
  ];
  for (const [name, decode, valid] of decoders) {
    // Span decoders must also give valid spans; the forwarding transcoder gives bytes.
    const read = onlyInvalidArgument(decode);
    const check = (bytes: Uint8Array) => {
      const result = read(bytes);
      if (Array.isArray(result)) for (const span of result as Span[]) expect(brokenInvariant(span)).toBeUndefined();
    };
    it(`${name}: random bytes`, () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), check), { numRuns: 2000 });
    });
    it(`${name}: mutated valid messages`, () => {
      fc.assert(mutationsOf(valid, check), { numRuns: 2000 });
    });
  }
});
