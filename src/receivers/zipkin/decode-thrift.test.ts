import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../errors.js';
import { decodesOrRejects, mutationsOf } from '../fuzz.js';
import type { Span } from '../../model/index.js';
import { encodeZipkinSpan, encodeZipkinSpans, type ZipkinSpanFixture } from '../thrift/fixtures.js';
import { formatIpv6 } from './decode-common.js';
import { decodeZipkinV1Thrift } from './decode-thrift.js';
import { decodeZipkinV1Json } from './decode-v1.js';

const T0 = 1_700_000_000_000_000;
const ip = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) | 0;
const FRONTEND = { ipv4: ip(10, 0, 0, 1), port: 8080, service_name: 'frontend' };
const BACKEND = { ipv4: ip(192, 168, 1, 2), port: -1 /* 65535 as i16 */, service_name: 'backend', ipv6: Buffer.from('20010db8000000000000000000000001', 'hex') };
const FRONTEND_JSON = { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 };
const BACKEND_JSON = { serviceName: 'backend', ipv4: '192.168.1.2', ipv6: '2001:db8::1', port: 65535 };

const RPC: ZipkinSpanFixture = {
  trace_id: 'a1b2c3d4e5f60718', trace_id_high: '0102030405060708', id: 2, parent_id: 1, name: 'get /api', timestamp: T0, duration: 1500,
  annotations: [
    { timestamp: T0, value: 'cs', host: FRONTEND },
    { timestamp: T0 + 100, value: 'sr', host: BACKEND },
    { timestamp: T0 + 700, value: 'cache miss', host: BACKEND },
    { timestamp: T0 + 1200, value: 'ss', host: BACKEND },
    { timestamp: T0 + 1500, value: 'cr', host: FRONTEND },
  ],
  binary_annotations: [
    { key: 'http.path', value: Buffer.from('/api'), annotation_type: 6, host: FRONTEND },
    { key: 'retried', value: Buffer.from([1]), annotation_type: 0, host: FRONTEND },
    { key: 'bytes', value: Buffer.from([0xde, 0xad]), annotation_type: 1, host: BACKEND },
    { key: 'i16', value: Buffer.from([0xff, 0xfe]), annotation_type: 2, host: BACKEND },
    { key: 'i32', value: Buffer.from([0, 1, 0, 0]), annotation_type: 3, host: BACKEND },
    { key: 'i64', value: Buffer.from('7fffffffffffffff', 'hex'), annotation_type: 4, host: BACKEND },
    { key: 'double', value: Buffer.from('3ff8000000000000', 'hex'), annotation_type: 5, host: BACKEND },
    { key: 'error', value: Buffer.from('timeout'), annotation_type: 6, host: BACKEND },
  ],
  debug: true,
};

/** The same span as a v1 JSON sender writes it. */
const RPC_JSON = {
  traceId: '0102030405060708a1b2c3d4e5f60718', id: '0000000000000002', parentId: '0000000000000001', name: 'get /api',
  timestamp: T0, duration: 1500, debug: true,
  annotations: [
    { timestamp: T0, value: 'cs', endpoint: FRONTEND_JSON },
    { timestamp: T0 + 100, value: 'sr', endpoint: BACKEND_JSON },
    { timestamp: T0 + 700, value: 'cache miss', endpoint: BACKEND_JSON },
    { timestamp: T0 + 1200, value: 'ss', endpoint: BACKEND_JSON },
    { timestamp: T0 + 1500, value: 'cr', endpoint: FRONTEND_JSON },
  ],
  binaryAnnotations: [
    { key: 'http.path', value: '/api', type: 'STRING', endpoint: FRONTEND_JSON },
    { key: 'retried', value: true, type: 'BOOL', endpoint: FRONTEND_JSON },
    { key: 'bytes', value: '3q0=', type: 'BYTES', endpoint: BACKEND_JSON },
    { key: 'i16', value: '-2', type: 'I16', endpoint: BACKEND_JSON },
    { key: 'i32', value: '65536', type: 'I32', endpoint: BACKEND_JSON },
    { key: 'i64', value: '9223372036854775807', type: 'I64', endpoint: BACKEND_JSON },
    { key: 'double', value: '1.5', type: 'DOUBLE', endpoint: BACKEND_JSON },
    { key: 'error', value: 'timeout', type: 'STRING', endpoint: BACKEND_JSON },
  ],
};

const RPC_SPANS: Span[] = [
  {
    traceId: '0102030405060708a1b2c3d4e5f60718', spanId: '0000000000000002', parentSpanId: '0000000000000001', kind: 'client',
    name: 'get /api', service: 'frontend', startUs: T0, durationUs: 1500, statusCode: 'unset',
    attributes: { 'http.path': '/api', retried: 'true' }, events: [], links: [], resource: {}, tenant: 'acme',
    localEndpoint: FRONTEND_JSON, debug: true,
  },
  {
    traceId: '0102030405060708a1b2c3d4e5f60718', spanId: '0000000000000002', parentSpanId: '0000000000000001', kind: 'server',
    name: 'get /api', service: 'backend', startUs: T0 + 100, durationUs: 1100, statusCode: 'error', statusMessage: 'timeout',
    attributes: { bytes: '3q0=', i16: '-2', i32: '65536', i64: '9223372036854775807', double: '1.5', error: 'timeout' },
    events: [{ timeUs: T0 + 700, name: 'cache miss' }], links: [], resource: {}, tenant: 'acme',
    localEndpoint: BACKEND_JSON, shared: true, debug: true,
  },
];

describe('decodeZipkinV1Thrift', () => {
  it('decodes a client+server RPC span into two spans', () => {
    expect(decodeZipkinV1Thrift(encodeZipkinSpans([RPC]), 'acme')).toEqual(RPC_SPANS);
  });

  const cases: Array<[string, ZipkinSpanFixture, unknown]> = [
    ['the full RPC span', RPC, RPC_JSON],
    [
      'address annotations give remote endpoints; 64-bit trace id; no parent',
      {
        trace_id: 'ab', id: 'cd', name: 'query', timestamp: T0, duration: 10,
        annotations: [{ timestamp: T0, value: 'cs', host: FRONTEND }, { timestamp: T0 + 10, value: 'cr', host: FRONTEND }],
        binary_annotations: [{ key: 'sa', value: Buffer.from([1]), annotation_type: 0, host: { service_name: 'mysql', port: 3306, ipv6: Buffer.from('00000000000000000000ffff0a000005', 'hex') } }],
      },
      {
        traceId: '00000000000000ab', id: '00000000000000cd', name: 'query', timestamp: T0, duration: 10,
        annotations: [{ timestamp: T0, value: 'cs', endpoint: FRONTEND_JSON }, { timestamp: T0 + 10, value: 'cr', endpoint: FRONTEND_JSON }],
        binaryAnnotations: [{ key: 'sa', value: true, type: 'BOOL', endpoint: { serviceName: 'mysql', ipv4: '10.0.0.5', port: 3306 } }],
      },
    ],
    [
      'a local span: lc annotation, no core annotations, type omitted',
      { trace_id: 1, id: 3, parent_id: 0, name: 'compute', timestamp: T0, duration: 5, binary_annotations: [{ key: 'lc', value: Buffer.from(''), host: { service_name: 'worker' } }] },
      { traceId: '0000000000000001', id: '0000000000000003', name: 'compute', timestamp: T0, duration: 5, binaryAnnotations: [{ key: 'lc', value: '', endpoint: { serviceName: 'worker' } }] },
    ],
  ];
  it.each(cases)('same spans as v1 JSON: %s', (_name, fixture, json) => {
    const expected = decodeZipkinV1Json(JSON.stringify([json]), 'acme');
    expect(decodeZipkinV1Thrift(encodeZipkinSpans([fixture]), 'acme')).toEqual(expected);
    expect(decodeZipkinV1Thrift(encodeZipkinSpan(fixture), 'acme')).toEqual(expected);
  });

  it('decodes an empty list', () => {
    expect(decodeZipkinV1Thrift(encodeZipkinSpans([]), '')).toEqual([]);
  });

  const invalid: Array<[string, () => unknown, string]> = [
    ['empty body', () => decodeZipkinV1Thrift(Buffer.alloc(0), ''), 'span[0]: invalid Thrift at byte 0: truncated'],
    ['missing trace id', () => decodeZipkinV1Thrift(encodeZipkinSpans([{ id: 1, timestamp: T0 }]), ''), 'span[0].traceId: expected 16 or 32 hex chars, not all zeros, got undefined'],
    ['zero span id', () => decodeZipkinV1Thrift(encodeZipkinSpans([{ trace_id: 1, id: 1, timestamp: T0 }, { trace_id: 1, id: 0, timestamp: T0 }]), ''), 'span[1].id: expected 16 hex chars, not all zeros, got "0000000000000000"'],
    ['no timestamp at all', () => decodeZipkinV1Thrift(encodeZipkinSpans([{ trace_id: 1, id: 1 }]), ''), 'span[0].timestamp: required when a span has no annotations'],
    ['an I64 value of 3 bytes', () => decodeZipkinV1Thrift(encodeZipkinSpans([{ ...RPC, binary_annotations: [{ key: 'x', value: Buffer.from([1, 2, 3]), annotation_type: 4 }] }]), ''), 'span[0].binaryAnnotations[0].value: expected 8 bytes for I64, got 3'],
    ['an unknown annotation type', () => decodeZipkinV1Thrift(encodeZipkinSpans([{ ...RPC, binary_annotations: [{ key: 'x', value: Buffer.from('v'), annotation_type: 7 }] }]), ''), 'span[0].binaryAnnotations[0].type: expected 0..6 (BOOL, BYTES, I16, I32, I64, DOUBLE, STRING), got 7'],
    ['truncated list', () => decodeZipkinV1Thrift(encodeZipkinSpans([RPC, RPC]).subarray(0, encodeZipkinSpans([RPC]).length + 20), ''), 'span[1]: invalid Thrift at byte'],
  ];
  it.each(invalid)('rejects %s', (_name, run, message) => {
    let caught: unknown;
    try {
      run();
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toContain(message);
  });
});

describe('formatIpv6', () => {
  const cases: Array<[string, string]> = [
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['00000000000000000000000000000001', '::1'],
    ['fe800000000000000202b3fffe1e8329', 'fe80::202:b3ff:fe1e:8329'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
    ['20010db8000100010001000100010001', '2001:db8:1:1:1:1:1:1'],
    ['20010db8000000000001000000000000', '2001:db8:0:0:1::'],
    ['20010000000000010000000000010001', '2001::1:0:0:1:1'],
  ];
  it.each(cases)('%s → %s', (hex, text) => {
    expect(formatIpv6(Buffer.from(hex, 'hex'))).toBe(text);
  });
});

describe('fuzz: spans or INVALID_ARGUMENT, never another error', () => {
  const check = decodesOrRejects((bytes) => decodeZipkinV1Thrift(bytes, ''));
  const valid = encodeZipkinSpans([RPC, RPC]);
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), check), { numRuns: 2000 });
  });
  it('mutated valid bodies', () => {
    fc.assert(mutationsOf(valid, check), { numRuns: 2000 });
  });
});
