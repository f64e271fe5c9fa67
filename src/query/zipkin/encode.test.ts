import { describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import { decodeZipkinV2Json } from '../../receivers/zipkin/index.js';
import { encodeDependencies, encodeTrace, toZipkinV2 } from './encode.js';

function span(overrides: Partial<Span> = {}): Span {
  return {
    traceId: '0000000000000000463ac35c9f6413ad',
    spanId: '72485a3953bb6124',
    kind: 'unspecified',
    name: 'get /api',
    service: 'frontend',
    startUs: 1_700_000_000_000_000,
    durationUs: 207_000,
    statusCode: 'unset',
    attributes: {},
    events: [],
    links: [],
    resource: {},
    tenant: '',
    ...overrides,
  };
}

describe('toZipkinV2', () => {
  const cases: Array<{ name: string; span: Span; json: string }> = [
    {
      name: 'minimal span: 64-bit trace id printed as 16 hex, kind omitted for unspecified',
      span: span(),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"get /api","timestamp":1700000000000000,"duration":207000,"localEndpoint":{"serviceName":"frontend"}}',
    },
    {
      name: 'full span in Zipkin key order, tags sorted, annotations sorted by time then value',
      span: span({
        traceId: '463ac35c9f6413ad48485a3953bb6124',
        parentSpanId: '00000000000004d2',
        kind: 'client',
        localEndpoint: { serviceName: 'frontend', ipv4: '127.0.0.1', port: 8080 },
        remoteEndpoint: { serviceName: 'backend', ipv6: '::1', port: 9000 },
        attributes: { 'http.path': '/api', 'clnt/finagle.version': '6.45.0', 'http.status_code': 200, retry: false },
        events: [
          { timeUs: 1_700_000_000_000_900, name: 'ws' },
          { timeUs: 1_700_000_000_000_100, name: 'wr' },
          { timeUs: 1_700_000_000_000_100, name: 'foo' },
        ],
        debug: true,
      }),
      json:
        '{"traceId":"463ac35c9f6413ad48485a3953bb6124","parentId":"00000000000004d2","id":"72485a3953bb6124","kind":"CLIENT",' +
        '"name":"get /api","timestamp":1700000000000000,"duration":207000,' +
        '"localEndpoint":{"serviceName":"frontend","ipv4":"127.0.0.1","port":8080},' +
        '"remoteEndpoint":{"serviceName":"backend","ipv6":"::1","port":9000},' +
        '"annotations":[{"timestamp":1700000000000100,"value":"foo"},{"timestamp":1700000000000100,"value":"wr"},{"timestamp":1700000000000900,"value":"ws"}],' +
        '"tags":{"clnt/finagle.version":"6.45.0","http.path":"/api","http.status_code":"200","retry":"false"},"debug":true}',
    },
    {
      name: 'server half of a shared span keeps shared; empty name, zero timestamp and duration are omitted',
      span: span({ kind: 'server', name: '', startUs: 0, durationUs: 0, shared: true, debug: false }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","kind":"SERVER","localEndpoint":{"serviceName":"frontend"},"shared":true}',
    },
    {
      name: 'shared is dropped on a client span, as Zipkin does',
      span: span({ kind: 'client', shared: true }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","kind":"CLIENT","name":"get /api","timestamp":1700000000000000,"duration":207000,"localEndpoint":{"serviceName":"frontend"}}',
    },
    {
      name: 'internal kind and an empty service name are omitted',
      span: span({ kind: 'internal', name: 'x', startUs: 5, durationUs: 1, service: '' }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"x","timestamp":5,"duration":1}',
    },
    {
      name: 'a Zipkin error tag is kept as it came, without adding otel.status_code',
      span: span({ statusCode: 'error', attributes: { error: 'timeout' } }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"get /api","timestamp":1700000000000000,"duration":207000,"localEndpoint":{"serviceName":"frontend"},"tags":{"error":"timeout"}}',
    },
    {
      name: 'an OTLP error status becomes the error tag with its message and otel.status_code',
      span: span({ statusCode: 'error', statusMessage: 'connection refused' }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"get /api","timestamp":1700000000000000,"duration":207000,"localEndpoint":{"serviceName":"frontend"},"tags":{"error":"connection refused","otel.status_code":"ERROR"}}',
    },
    {
      name: 'an error status without message gives an empty error tag',
      span: span({ statusCode: 'error' }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"get /api","timestamp":1700000000000000,"duration":207000,"localEndpoint":{"serviceName":"frontend"},"tags":{"error":"","otel.status_code":"ERROR"}}',
    },
    {
      name: 'an OK status becomes otel.status_code OK',
      span: span({ statusCode: 'ok' }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"get /api","timestamp":1700000000000000,"duration":207000,"localEndpoint":{"serviceName":"frontend"},"tags":{"otel.status_code":"OK"}}',
    },
    {
      name: 'resource attributes become tags under span attributes; service.name is the endpoint',
      span: span({ resource: { 'service.name': 'frontend', 'host.name': 'h1', region: 'eu' }, attributes: { region: 'us' } }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"get /api","timestamp":1700000000000000,"duration":207000,"localEndpoint":{"serviceName":"frontend"},"tags":{"host.name":"h1","region":"us"}}',
    },
    {
      name: 'events with attributes follow the OpenTelemetry mapping "name":{json}',
      span: span({ events: [{ timeUs: 10, name: 'exception', attributes: { 'exception.message': 'boom', count: 2 } }] }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"get /api","timestamp":1700000000000000,"duration":207000,"localEndpoint":{"serviceName":"frontend"},"annotations":[{"timestamp":10,"value":"\\"exception\\":{\\"exception.message\\":\\"boom\\",\\"count\\":2}"}]}',
    },
    {
      name: 'a remote endpoint with nothing in it is omitted; a self-parent is a root',
      span: span({ parentSpanId: '72485a3953bb6124', remoteEndpoint: {}, localEndpoint: { ipv4: '10.0.0.1', port: 0 } }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"get /api","timestamp":1700000000000000,"duration":207000,"localEndpoint":{"serviceName":"frontend","ipv4":"10.0.0.1"}}',
    },
    {
      name: 'the "unknown" service of a sender that named none is not written back',
      span: span({ service: 'unknown', localEndpoint: { ipv4: '10.0.0.1' } }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"get /api","timestamp":1700000000000000,"duration":207000,"localEndpoint":{"ipv4":"10.0.0.1"}}',
    },
    {
      name: 'no endpoint at all when the sender gave none',
      span: span({ service: 'unknown' }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"get /api","timestamp":1700000000000000,"duration":207000}',
    },
    {
      name: 'a service really named "unknown" is kept',
      span: span({ service: 'unknown', localEndpoint: { serviceName: 'unknown' } }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"get /api","timestamp":1700000000000000,"duration":207000,"localEndpoint":{"serviceName":"unknown"}}',
    },
    {
      name: 'a __proto__ tag is an ordinary key',
      span: span({ attributes: { ['__proto__']: 'x', a: 'b' } as Record<string, string> }),
      json: '{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124","name":"get /api","timestamp":1700000000000000,"duration":207000,"localEndpoint":{"serviceName":"frontend"},"tags":{"__proto__":"x","a":"b"}}',
    },
  ];
  it.each(cases)('$name', ({ span: input, json }) => {
    const before = JSON.stringify(input);
    expect(JSON.stringify(toZipkinV2(input))).toBe(json);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('maps every kind', () => {
    const kinds = (['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const).map((kind) => toZipkinV2(span({ kind })).kind);
    expect(kinds).toEqual([undefined, undefined, 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']);
  });
});

describe('encodeTrace', () => {
  it('orders by start, then roots first, then span id, then client before server for a shared id', () => {
    const spans = [
      span({ spanId: '0000000000000003', parentSpanId: '0000000000000001', startUs: 20, kind: 'server', shared: true }),
      span({ spanId: '0000000000000003', parentSpanId: '0000000000000001', startUs: 20, kind: 'client' }),
      span({ spanId: '0000000000000002', parentSpanId: '0000000000000001', startUs: 20 }),
      span({ spanId: '0000000000000009', parentSpanId: '0000000000000001', startUs: 10 }),
      span({ spanId: '0000000000000001', startUs: 10 }),
    ];
    expect(encodeTrace(spans).map((s) => `${s.id}/${s.kind ?? '-'}`)).toEqual([
      '0000000000000001/-',
      '0000000000000009/-',
      '0000000000000002/-',
      '0000000000000003/CLIENT',
      '0000000000000003/SERVER',
    ]);
  });
});

describe('encodeDependencies', () => {
  it('sorts links and omits errorCount when zero', () => {
    expect(
      encodeDependencies([
        { parent: 'web', child: 'db', callCount: 3, errorCount: 0 },
        { parent: 'api', child: 'web', callCount: 10, errorCount: 2 },
      ]),
    ).toEqual([
      { parent: 'api', child: 'web', callCount: 10, errorCount: 2 },
      { parent: 'web', child: 'db', callCount: 3 },
    ]);
    expect(JSON.stringify(encodeDependencies([{ parent: 'a', child: 'b', callCount: 1, errorCount: 0 }]))).toBe(
      '[{"parent":"a","child":"b","callCount":1}]',
    );
  });
});

describe('round trip through the Zipkin v2 JSON decoder', () => {
  const spans = [
    {
      traceId: '463ac35c9f6413ad', id: '463ac35c9f6413ad', kind: 'SERVER', name: 'get /', timestamp: 1_700_000_000_000_000,
      duration: 207_000, localEndpoint: { serviceName: 'frontend', ipv4: '192.168.99.1', port: 8080 },
      remoteEndpoint: { ipv6: '2001:db8::c001', port: 63_678 }, tags: { 'http.method': 'GET', 'http.path': '/' }, debug: true,
    },
    {
      traceId: '463ac35c9f6413ad48485a3953bb6124', parentId: '463ac35c9f6413ad', id: '72485a3953bb6124', kind: 'CLIENT',
      name: 'get /api', timestamp: 1_700_000_000_000_100, duration: 1500, localEndpoint: { serviceName: 'frontend' },
      remoteEndpoint: { serviceName: 'backend', ipv4: '10.0.0.2', port: 9000 },
      annotations: [{ timestamp: 1_700_000_000_000_150, value: 'wire.send' }, { timestamp: 1_700_000_000_001_500, value: 'wire.recv' }],
      tags: { error: 'timeout', 'http.status_code': '504' },
    },
    {
      traceId: '463ac35c9f6413ad48485a3953bb6124', parentId: '463ac35c9f6413ad', id: '72485a3953bb6124', kind: 'SERVER',
      name: 'get /api', timestamp: 1_700_000_000_000_200, duration: 1200, localEndpoint: { serviceName: 'backend' }, shared: true,
    },
    { traceId: '463ac35c9f6413ad', id: '0000000000000003', kind: 'PRODUCER', name: 'send', timestamp: 1_700_000_000_000_005, localEndpoint: { serviceName: 'q' } },
    { traceId: '463ac35c9f6413ad', id: '0000000000000004', kind: 'CONSUMER', timestamp: 1_700_000_000_000_006, duration: 1, localEndpoint: { ipv4: '10.0.0.9' } },
    { traceId: '463ac35c9f6413ad', id: '0000000000000005', name: 'local', timestamp: 1_700_000_000_000_007, duration: 2, tags: { error: '' } },
  ];
  it.each(spans.map((s) => [s.id + (s.kind ?? ''), s] as const))('%s', (_name, zipkin) => {
    const [decoded] = decodeZipkinV2Json(JSON.stringify([zipkin]), '');
    expect(toZipkinV2(decoded!)).toEqual(zipkin);
  });
});
