import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodesOrRejects, mutationsOf } from '../fuzz.js';
import { decodeZipkinV2Json } from './decode-v2.js';
import { formatIpv6 } from './decode-common.js';
import { ZIPKIN_V2_PROTO, decodeZipkinV2Proto } from './decode-proto.js';

// Fixtures are encoded by protobufjs from the upstream zipkin.proto, not by the decoder's generated code.
const root = protobuf.loadSync(new URL('../../../proto/zipkin/zipkin.proto', import.meta.url).pathname);
const ListOfSpans = root.lookupType('zipkin.proto3.ListOfSpans');
const encode = (spans: object[]): Buffer => Buffer.from(ListOfSpans.encode(ListOfSpans.fromObject({ spans })).finish());
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const ip = (...bytes: number[]): Buffer => Buffer.from(bytes);

interface Case { name: string; proto: object; json: object }

const cases: Case[] = [
  {
    name: 'client span with every field',
    proto: {
      traceId: hex('5af7183fb1d4cf5f5af7183fb1d4cf5f'), parentId: hex('6b221d5bc9e6496c'), id: hex('352bff9a74ca9ad2'), kind: 1,
      name: 'get /api', timestamp: 1_700_000_000_123_456, duration: 207_000,
      localEndpoint: { serviceName: 'frontend', ipv4: ip(192, 168, 99, 1), port: 8080 },
      remoteEndpoint: { serviceName: 'backend', ipv6: ip(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), port: 9000 },
      annotations: [{ timestamp: 1_700_000_000_123_500, value: 'ws' }, { timestamp: 1_700_000_000_330_000, value: 'wr' }],
      tags: { 'http.path': '/api', 'clnt/finagle.version': '6.45.0', error: 'timeout' }, debug: true,
    },
    json: {
      traceId: '5af7183fb1d4cf5f5af7183fb1d4cf5f', parentId: '6b221d5bc9e6496c', id: '352bff9a74ca9ad2', kind: 'CLIENT',
      name: 'get /api', timestamp: 1_700_000_000_123_456, duration: 207_000,
      localEndpoint: { serviceName: 'frontend', ipv4: '192.168.99.1', port: 8080 },
      remoteEndpoint: { serviceName: 'backend', ipv6: '2001:db8::1', port: 9000 },
      annotations: [{ timestamp: 1_700_000_000_123_500, value: 'ws' }, { timestamp: 1_700_000_000_330_000, value: 'wr' }],
      tags: { 'http.path': '/api', 'clnt/finagle.version': '6.45.0', error: 'timeout' }, debug: true,
    },
  },
  {
    name: 'shared server span with a 64-bit trace id',
    proto: { traceId: hex('5af7183fb1d4cf5f'), id: hex('352bff9a74ca9ad2'), kind: 2, shared: true, timestamp: 1_700_000_000_000_000, duration: 5, localEndpoint: { serviceName: 'backend' } },
    json: { traceId: '5af7183fb1d4cf5f', id: '352bff9a74ca9ad2', kind: 'SERVER', shared: true, timestamp: 1_700_000_000_000_000, duration: 5, localEndpoint: { serviceName: 'backend' } },
  },
  {
    name: 'no timestamp: taken from the earliest annotation; parent equal to self dropped',
    proto: { traceId: hex('0000000000000001'), id: hex('0000000000000002'), parentId: hex('0000000000000002'), kind: 4, annotations: [{ timestamp: 1_700_000_000_000_009, value: 'b' }, { timestamp: 1_700_000_000_000_001, value: 'a' }] },
    json: { traceId: '0000000000000001', id: '0000000000000002', parentId: '0000000000000002', kind: 'CONSUMER', annotations: [{ timestamp: 1_700_000_000_000_009, value: 'b' }, { timestamp: 1_700_000_000_000_001, value: 'a' }] },
  },
];

describe('decodeZipkinV2Proto', () => {
  it('has its format key', () => expect(ZIPKIN_V2_PROTO).toBe('zipkin-v2-proto'));
  for (const c of cases) {
    it(`${c.name}: the same span as the v2 JSON decoder`, () => {
      const fromProto = decodeZipkinV2Proto(encode([c.proto]), 't1');
      const fromJson = decodeZipkinV2Json(Buffer.from(JSON.stringify([c.json])), 't1');
      expect(fromProto).toEqual(fromJson);
      expect(fromProto).toHaveLength(1);
    });
  }

  const bad: Array<{ name: string; bytes: Buffer; message: string }> = [
    { name: 'truncated', bytes: encode([cases[0]!.proto]).subarray(0, 20), message: 'ListOfSpans: not a valid protobuf message: index out of range' },
    { name: 'missing trace id', bytes: encode([{ id: hex('0000000000000002'), timestamp: 1_700_000_000_000_000 }]), message: 'span[0].traceId: expected 16 or 32 hex chars, not all zeros, got ""' },
    { name: 'zero span id', bytes: encode([{ traceId: hex('01'), id: hex('0000000000000000'), timestamp: 1_700_000_000_000_000 }]), message: 'span[0].id: expected 16 hex chars, not all zeros, got "0000000000000000"' },
    { name: 'unknown kind', bytes: encode([{ traceId: hex('01'), id: hex('02'), kind: 9, timestamp: 1_700_000_000_000_000 }]), message: 'span[0].kind: expected one of CLIENT, SERVER, PRODUCER, CONSUMER, got 9' },
    { name: '5-byte ipv4', bytes: encode([{ traceId: hex('01'), id: hex('02'), timestamp: 1_700_000_000_000_000, localEndpoint: { ipv4: ip(1, 2, 3, 4, 5) } }]), message: 'span[0].localEndpoint.ipv4: expected 4 bytes, got "5 bytes"' },
    { name: 'no timestamp, no annotations', bytes: encode([{ traceId: hex('01'), id: hex('02') }]), message: 'span[0].timestamp: required when a span has no annotations, got 0' },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, () => {
      expect(() => decodeZipkinV2Proto(c.bytes, '')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: c.message }));
    });
  }

  it('formats IPv6 addresses as RFC 5952 text', () => {
    const table: Array<[number[], string]> = [
      [[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
      [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], '::1'],
      [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], '::'],
      [[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], '2001:db8:0:1::1'],
      [[0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], '2001:db8:1:1:1:1:1:1'],
    ];
    for (const [bytes, text] of table) expect(formatIpv6(Uint8Array.from(bytes))).toBe(text);
  });

  it('fuzz: random and mutated messages give spans or INVALID_ARGUMENT', () => {
    const valid = encode(cases.map((c) => c.proto));
    const check = decodesOrRejects((bytes) => decodeZipkinV2Proto(bytes, ''));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 2000 });
    fc.assert(mutationsOf(valid, check), { numRuns: 2000 });
  });
});
