import { describe, expect, it } from 'vitest';
import { TraceId, jsonEncoder, model, option } from 'zipkin';
import { AppError } from '../../errors.js';
import type { Span } from '../../model/index.js';
import { decodeZipkinV2Json } from './decode-v2.js';

const T0 = 1_556_604_172_355_737;

/** A complete v2 span as a sender would post it. */
const FULL = {
  traceId: '5af7183fb1d4cf5f',
  parentId: '6b221d5bc9e6496c',
  id: '352bff9a74ca9ad2',
  kind: 'SERVER',
  name: 'get /api',
  timestamp: T0,
  duration: 1431,
  debug: true,
  shared: true,
  localEndpoint: { serviceName: 'Backend', ipv4: '192.168.99.1', port: 9000 },
  remoteEndpoint: { ipv4: '172.19.0.2', ipv6: '2001:db8::c001', port: 58648 },
  annotations: [
    { timestamp: T0 + 10, value: 'wire.recv' },
    { timestamp: T0 + 1400, value: 'wire.send' },
  ],
  tags: { 'http.method': 'GET', 'http.path': '/api', 'clnt/finagle.version': '6.45.0' },
};

function decodeOne(span: Record<string, unknown>): Span {
  const spans = decodeZipkinV2Json(JSON.stringify([span]), 't1');
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

/** The minimal valid span, with overrides; `undefined` removes a field. */
function minimal(overrides: Record<string, unknown>): Record<string, unknown> {
  return { traceId: 'a', id: 'b', timestamp: T0, ...overrides };
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_ARGUMENT');
    expect((err as AppError).httpStatus).toBe(400);
    return (err as AppError).message;
  }
  throw new Error('expected the decoder to throw');
}

describe('decodeZipkinV2Json', () => {
  it('converts every field of a complete span', () => {
    expect(decodeOne(FULL)).toStrictEqual({
      traceId: '00000000000000005af7183fb1d4cf5f',
      spanId: '352bff9a74ca9ad2',
      parentSpanId: '6b221d5bc9e6496c',
      kind: 'server',
      name: 'get /api',
      service: 'Backend',
      startUs: T0,
      durationUs: 1431,
      statusCode: 'unset',
      attributes: { 'http.method': 'GET', 'http.path': '/api', 'clnt/finagle.version': '6.45.0' },
      events: [
        { timeUs: T0 + 10, name: 'wire.recv' },
        { timeUs: T0 + 1400, name: 'wire.send' },
      ],
      links: [],
      resource: {},
      localEndpoint: { serviceName: 'Backend', ipv4: '192.168.99.1', port: 9000 },
      remoteEndpoint: { ipv4: '172.19.0.2', ipv6: '2001:db8::c001', port: 58648 },
      shared: true,
      debug: true,
      tenant: 't1',
    } satisfies Span);
  });

  it('gives the minimal span its defaults', () => {
    expect(decodeOne(minimal({}))).toStrictEqual({
      traceId: '0000000000000000000000000000000a',
      spanId: '000000000000000b',
      kind: 'unspecified',
      name: '',
      service: 'unknown',
      startUs: T0,
      durationUs: 0,
      statusCode: 'unset',
      attributes: {},
      events: [],
      links: [],
      resource: {},
      tenant: 't1',
    } satisfies Span);
  });

  it('decodes an empty array, a Buffer body and a body with a byte order mark', () => {
    expect(decodeZipkinV2Json('[]', '')).toEqual([]);
    expect(decodeZipkinV2Json(Buffer.from(' [ ] '), '')).toEqual([]);
    const body = `\ufeff${JSON.stringify([minimal({})])}`;
    expect(decodeZipkinV2Json(Buffer.from(body, 'utf8'), 'x').map((s) => s.spanId)).toEqual(['000000000000000b']);
  });

  it('keeps batch order', () => {
    const body = JSON.stringify([minimal({ id: '1' }), minimal({ id: '2' }), minimal({ id: '3' })]);
    expect(decodeZipkinV2Json(body, '').map((s) => s.spanId)).toEqual([
      '0000000000000001',
      '0000000000000002',
      '0000000000000003',
    ]);
  });

  const idCases: { name: string; fields: Record<string, unknown>; traceId: string; spanId: string; parentSpanId?: string }[] = [
    {
      name: '64-bit trace id is left-padded',
      fields: { traceId: '463ac35c9f6413ad', id: '72485a3953bb6124' },
      traceId: '0000000000000000463ac35c9f6413ad',
      spanId: '72485a3953bb6124',
    },
    {
      name: '128-bit trace id is kept',
      fields: { traceId: '463ac35c9f6413ad48485a3953bb6124', id: '72485a3953bb6124' },
      traceId: '463ac35c9f6413ad48485a3953bb6124',
      spanId: '72485a3953bb6124',
    },
    {
      name: 'upper case is lowered',
      fields: { traceId: '463AC35C9F6413AD48485A3953BB6124', id: '72485A3953BB6124', parentId: 'ABCDEF0123456789' },
      traceId: '463ac35c9f6413ad48485a3953bb6124',
      spanId: '72485a3953bb6124',
      parentSpanId: 'abcdef0123456789',
    },
    {
      name: 'short ids are left-padded',
      fields: { traceId: '1f', id: '2', parentId: '30' },
      traceId: '0000000000000000000000000000001f',
      spanId: '0000000000000002',
      parentSpanId: '0000000000000030',
    },
    { name: 'empty parent id is a root', fields: { parentId: '' }, traceId: '0000000000000000000000000000000a', spanId: '000000000000000b' },
    { name: 'null parent id is a root', fields: { parentId: null }, traceId: '0000000000000000000000000000000a', spanId: '000000000000000b' },
    { name: 'parent id "0" is a root', fields: { parentId: '0' }, traceId: '0000000000000000000000000000000a', spanId: '000000000000000b' },
    {
      name: 'all-zero parent id is a root',
      fields: { parentId: '0000000000000000' },
      traceId: '0000000000000000000000000000000a',
      spanId: '000000000000000b',
    },
    {
      name: 'a parent id equal to the span id is dropped',
      fields: { parentId: '000000000000000B' },
      traceId: '0000000000000000000000000000000a',
      spanId: '000000000000000b',
    },
  ];
  it.each(idCases)('ids: $name', ({ fields, traceId, spanId, parentSpanId }) => {
    const span = decodeOne(minimal(fields));
    expect([span.traceId, span.spanId, span.parentSpanId]).toEqual([traceId, spanId, parentSpanId]);
    expect('parentSpanId' in span).toBe(parentSpanId !== undefined);
  });

  const kindCases = [
    { kind: 'CLIENT', want: 'client' },
    { kind: 'SERVER', want: 'server' },
    { kind: 'PRODUCER', want: 'producer' },
    { kind: 'CONSUMER', want: 'consumer' },
    { kind: undefined, want: 'unspecified' },
    { kind: null, want: 'unspecified' },
  ];
  it.each(kindCases)('kind $kind -> $want', ({ kind, want }) => {
    expect(decodeOne(minimal({ kind })).kind).toBe(want);
  });

  const timeCases: { name: string; fields: Record<string, unknown>; startUs: number; durationUs: number }[] = [
    { name: 'integers kept', fields: { timestamp: T0, duration: 5 }, startUs: T0, durationUs: 5 },
    { name: 'fractions rounded', fields: { timestamp: T0 + 0.6, duration: 2.5 }, startUs: T0 + 1, durationUs: 3 },
    { name: 'missing duration is 0', fields: { duration: undefined }, startUs: T0, durationUs: 0 },
    { name: 'zero duration kept', fields: { duration: 0 }, startUs: T0, durationUs: 0 },
    { name: 'largest duration', fields: { duration: 1e12 }, startUs: T0, durationUs: 1e12 },
    { name: 'first second of 2000', fields: { timestamp: 946_684_800_000_000 }, startUs: 946_684_800_000_000, durationUs: 0 },
    {
      name: 'missing timestamp from the earliest annotation',
      fields: { timestamp: undefined, annotations: [{ timestamp: T0 + 9, value: 'b' }, { timestamp: T0 + 3, value: 'a' }] },
      startUs: T0 + 3,
      durationUs: 0,
    },
    {
      name: 'timestamp 0 means unset',
      fields: { timestamp: 0, duration: 7, annotations: [{ timestamp: T0 + 3, value: 'a' }] },
      startUs: T0 + 3,
      durationUs: 7,
    },
  ];
  it.each(timeCases)('times: $name', ({ fields, startUs, durationUs }) => {
    const span = decodeOne(minimal(fields));
    expect([span.startUs, span.durationUs]).toEqual([startUs, durationUs]);
  });

  const tagCases: { name: string; tags: Record<string, unknown>; attributes: Record<string, string>; status: string; message?: string }[] = [
    { name: 'strings kept', tags: { a: 'x', b: '' }, attributes: { a: 'x', b: '' }, status: 'unset' },
    {
      name: 'numbers and booleans become strings',
      tags: { n: 200, f: 1.5, neg: -3, t: true, no: false },
      attributes: { n: '200', f: '1.5', neg: '-3', t: 'true', no: 'false' },
      status: 'unset',
    },
    { name: 'error "true"', tags: { error: 'true' }, attributes: { error: 'true' }, status: 'error' },
    { name: 'error ""', tags: { error: '' }, attributes: { error: '' }, status: 'error' },
    { name: 'error boolean', tags: { error: true }, attributes: { error: 'true' }, status: 'error' },
    {
      name: 'error with a message',
      tags: { error: 'connection refused' },
      attributes: { error: 'connection refused' },
      status: 'error',
      message: 'connection refused',
    },
    { name: 'error as a number', tags: { error: 500 }, attributes: { error: '500' }, status: 'error', message: '500' },
  ];
  it.each(tagCases)('tags: $name', ({ tags, attributes, status, message }) => {
    const span = decodeOne(minimal({ tags }));
    expect(span.attributes).toStrictEqual(attributes);
    expect(span.statusCode).toBe(status);
    expect(span.statusMessage).toBe(message);
    expect('statusMessage' in span).toBe(message !== undefined);
  });

  const endpointCases: { name: string; fields: Record<string, unknown>; service: string; local?: object; remote?: object }[] = [
    { name: 'no endpoint', fields: {}, service: 'unknown' },
    { name: 'service name keeps its case', fields: { localEndpoint: { serviceName: 'FrontEnd' } }, service: 'FrontEnd', local: { serviceName: 'FrontEnd' } },
    { name: 'empty service name is unknown', fields: { localEndpoint: { serviceName: '', ipv4: '10.0.0.1' } }, service: 'unknown', local: { ipv4: '10.0.0.1' } },
    { name: 'empty endpoint is dropped', fields: { localEndpoint: {}, remoteEndpoint: { serviceName: '', port: 0 } }, service: 'unknown' },
    { name: 'null fields are unset', fields: { localEndpoint: { serviceName: 'a', ipv4: null, ipv6: null, port: null } }, service: 'a', local: { serviceName: 'a' } },
    {
      name: 'remote endpoint only',
      fields: { remoteEndpoint: { serviceName: 'mysql', ipv6: '::1', port: 3306 } },
      service: 'unknown',
      remote: { serviceName: 'mysql', ipv6: '::1', port: 3306 },
    },
  ];
  it.each(endpointCases)('endpoints: $name', ({ fields, service, local, remote }) => {
    const span = decodeOne(minimal(fields));
    expect(span.service).toBe(service);
    expect(span.localEndpoint).toStrictEqual(local);
    expect(span.remoteEndpoint).toStrictEqual(remote);
  });

  const flagCases: { name: string; fields: Record<string, unknown>; shared?: true; debug?: true }[] = [
    { name: 'shared server', fields: { kind: 'SERVER', shared: true }, shared: true },
    { name: 'shared false is absent', fields: { kind: 'SERVER', shared: false } },
    { name: 'shared on a client is cleared', fields: { kind: 'CLIENT', shared: true } },
    { name: 'debug', fields: { debug: true }, debug: true },
    { name: 'debug false is absent', fields: { debug: false } },
  ];
  it.each(flagCases)('flags: $name', ({ fields, shared, debug }) => {
    const span = decodeOne(minimal(fields));
    expect([span.shared, span.debug]).toEqual([shared, debug]);
  });

  it('keeps a "__proto__" tag as an ordinary tag', () => {
    const [span] = decodeZipkinV2Json(`[{"traceId":"a","id":"b","timestamp":${T0},"tags":{"__proto__":"x","n":1}}]`, '');
    expect(Object.entries(span!.attributes)).toEqual([
      ['__proto__', 'x'],
      ['n', '1'],
    ]);
    expect(Object.getPrototypeOf(span!.attributes)).toBe(Object.prototype);
  });

  const long = 'x'.repeat(100);
  const rejections: { name: string; body: string; message: string }[] = [
    { name: 'malformed JSON', body: '[{"traceId": ', message: 'invalid JSON: ' },
    { name: 'object body', body: '{"traceId":"a"}', message: 'body: expected a JSON array of spans, got an object' },
    { name: 'null body', body: 'null', message: 'body: expected a JSON array of spans, got null' },
    { name: 'string body', body: '"spans"', message: 'body: expected a JSON array of spans, got "spans"' },
    { name: 'element not an object', body: JSON.stringify([minimal({}), 5]), message: 'span[1]: expected an object, got 5' },
    { name: 'element an array', body: '[[]]', message: 'span[0]: expected an object, got []' },
  ];
  const spanRejections: { name: string; fields: Record<string, unknown>; message: string }[] = [
    { name: 'missing traceId', fields: { traceId: undefined }, message: 'span[0].traceId: expected 16 or 32 hex chars, not all zeros, got undefined' },
    { name: 'non-hex traceId', fields: { traceId: 'xyz' }, message: 'span[0].traceId: expected 16 or 32 hex chars, not all zeros, got "xyz"' },
    { name: 'numeric traceId', fields: { traceId: 12 }, message: 'span[0].traceId: expected 16 or 32 hex chars, not all zeros, got 12' },
    { name: 'empty traceId', fields: { traceId: '' }, message: 'span[0].traceId: expected 16 or 32 hex chars, not all zeros, got ""' },
    { name: 'all-zero traceId', fields: { traceId: '0'.repeat(32) }, message: `span[0].traceId: expected 16 or 32 hex chars, not all zeros, got "${'0'.repeat(32)}"` },
    { name: '33-char traceId', fields: { traceId: 'a'.repeat(33) }, message: `span[0].traceId: expected 16 or 32 hex chars, not all zeros, got "${'a'.repeat(33)}"` },
    { name: 'missing id', fields: { id: undefined }, message: 'span[0].id: expected 16 hex chars, not all zeros, got undefined' },
    { name: '17-char id', fields: { id: 'a'.repeat(17) }, message: `span[0].id: expected 16 hex chars, not all zeros, got "${'a'.repeat(17)}"` },
    { name: 'all-zero id', fields: { id: '0000000000000000' }, message: 'span[0].id: expected 16 hex chars, not all zeros, got "0000000000000000"' },
    { name: 'non-hex parentId', fields: { parentId: 'zz' }, message: 'span[0].parentId: expected 16 hex chars or absent for a root span, got "zz"' },
    { name: 'numeric parentId', fields: { parentId: 1 }, message: 'span[0].parentId: expected 16 hex chars or absent for a root span, got 1' },
    { name: 'lower-case kind', fields: { kind: 'client' }, message: 'span[0].kind: expected one of CLIENT, SERVER, PRODUCER, CONSUMER, got "client"' },
    { name: 'unknown kind', fields: { kind: 'LOCAL' }, message: 'span[0].kind: expected one of CLIENT, SERVER, PRODUCER, CONSUMER, got "LOCAL"' },
    { name: 'numeric name', fields: { name: 3 }, message: 'span[0].name: expected a string, got 3' },
    { name: 'timestamp as string', fields: { timestamp: '1556604172355737' }, message: 'span[0].timestamp: expected epoch microseconds between 2000-01-01 and 2100-01-01, got "1556604172355737"' },
    { name: 'timestamp in milliseconds', fields: { timestamp: 1556604172355 }, message: 'span[0].timestamp: expected epoch microseconds between 2000-01-01 and 2100-01-01, got 1556604172355' },
    { name: 'timestamp in nanoseconds', fields: { timestamp: 1556604172355737000 }, message: 'span[0].timestamp: expected epoch microseconds between 2000-01-01 and 2100-01-01, got 1556604172355737000' },
    { name: 'negative timestamp', fields: { timestamp: -1 }, message: 'span[0].timestamp: expected epoch microseconds between 2000-01-01 and 2100-01-01, got -1' },
    { name: 'timestamp at 2100', fields: { timestamp: 4_102_444_800_000_000 }, message: 'span[0].timestamp: expected epoch microseconds between 2000-01-01 and 2100-01-01, got 4102444800000000' },
    { name: 'no timestamp and no annotations', fields: { timestamp: undefined }, message: 'span[0].timestamp: required when a span has no annotations, got undefined' },
    { name: 'negative duration', fields: { duration: -5 }, message: 'span[0].duration: expected microseconds between 0 and 1e12, got -5' },
    { name: 'huge duration', fields: { duration: 1e12 + 1 }, message: 'span[0].duration: expected microseconds between 0 and 1e12, got 1000000000001' },
    { name: 'duration as string', fields: { duration: '5' }, message: 'span[0].duration: expected microseconds between 0 and 1e12, got "5"' },
    { name: 'shared as string', fields: { shared: 'true' }, message: 'span[0].shared: expected a boolean, got "true"' },
    { name: 'debug as number', fields: { debug: 1 }, message: 'span[0].debug: expected a boolean, got 1' },
    { name: 'localEndpoint as string', fields: { localEndpoint: 'svc' }, message: 'span[0].localEndpoint: expected an endpoint object, got "svc"' },
    { name: 'remoteEndpoint as array', fields: { remoteEndpoint: [] }, message: 'span[0].remoteEndpoint: expected an endpoint object, got []' },
    { name: 'numeric serviceName', fields: { localEndpoint: { serviceName: 7 } }, message: 'span[0].localEndpoint.serviceName: expected a string, got 7' },
    { name: 'numeric ipv4', fields: { localEndpoint: { ipv4: 167772161 } }, message: 'span[0].localEndpoint.ipv4: expected a string, got 167772161' },
    { name: 'boolean ipv6', fields: { remoteEndpoint: { ipv6: true } }, message: 'span[0].remoteEndpoint.ipv6: expected a string, got true' },
    { name: 'port too large', fields: { remoteEndpoint: { port: 70000 } }, message: 'span[0].remoteEndpoint.port: expected an integer port between 0 and 65535, got 70000' },
    { name: 'port as string', fields: { remoteEndpoint: { port: '80' } }, message: 'span[0].remoteEndpoint.port: expected an integer port between 0 and 65535, got "80"' },
    { name: 'fractional port', fields: { localEndpoint: { port: 80.5 } }, message: 'span[0].localEndpoint.port: expected an integer port between 0 and 65535, got 80.5' },
    { name: 'annotations as object', fields: { annotations: {} }, message: 'span[0].annotations: expected an array, got {}' },
    { name: 'annotation not an object', fields: { annotations: ['cs'] }, message: 'span[0].annotations[0]: expected an object with timestamp and value, got "cs"' },
    { name: 'annotation without timestamp', fields: { annotations: [{ timestamp: T0, value: 'a' }, { value: 'b' }] }, message: 'span[0].annotations[1].timestamp: expected epoch microseconds between 2000-01-01 and 2100-01-01, got undefined' },
    { name: 'annotation timestamp 0', fields: { annotations: [{ timestamp: 0, value: 'b' }] }, message: 'span[0].annotations[0].timestamp: expected epoch microseconds between 2000-01-01 and 2100-01-01, got 0' },
    { name: 'annotation without value', fields: { annotations: [{ timestamp: T0 }] }, message: 'span[0].annotations[0].value: expected a string, got undefined' },
    { name: 'tags as array', fields: { tags: ['a'] }, message: 'span[0].tags: expected an object, got ["a"]' },
    { name: 'tags as string', fields: { tags: 'a=b' }, message: 'span[0].tags: expected an object, got "a=b"' },
    { name: 'null tag value', fields: { tags: { ok: 'x', 'http.url': null } }, message: 'span[0].tags["http.url"]: expected a string, number or boolean, got null' },
    { name: 'object tag value', fields: { tags: { a: { b: 1 } } }, message: 'span[0].tags["a"]: expected a string, number or boolean, got {"b":1}' },
    { name: 'array tag value', fields: { tags: { a: [1, 2] } }, message: 'span[0].tags["a"]: expected a string, number or boolean, got [1,2]' },
    { name: 'long values are cut', fields: { traceId: long }, message: `span[0].traceId: expected 16 or 32 hex chars, not all zeros, got "${'x'.repeat(64)}"...` },
  ];
  for (const { name, fields, message } of spanRejections) {
    rejections.push({ name, body: JSON.stringify([minimal(fields)]), message });
  }
  rejections.push({
    name: 'index of a later span',
    body: JSON.stringify([minimal({}), minimal({}), minimal({ duration: -1 })]),
    message: 'span[2].duration: expected microseconds between 0 and 1e12, got -1',
  });

  it.each(rejections)('rejects $name', ({ body, message }) => {
    const got = messageOf(() => decodeZipkinV2Json(body, ''));
    if (message.endsWith(': ')) expect(got.startsWith(message)).toBe(true);
    else expect(got).toBe(message);
  });
});

describe('decodeZipkinV2Json with bodies from the zipkin npm library', () => {
  function zipkinSpan(setup: (span: model.Span) => void, ids: { traceId: string; spanId: string; parentId?: string; shared?: boolean; debug?: boolean }): model.Span {
    const traceId = new TraceId({
      traceId: ids.traceId,
      spanId: ids.spanId,
      parentId: ids.parentId === undefined ? option.None : new option.Some(ids.parentId),
      sampled: new option.Some(true),
      debug: ids.debug ?? false,
      shared: ids.shared ?? false,
    });
    const span = new model.Span(traceId);
    setup(span);
    return span;
  }

  const cases: { name: string; span: model.Span; want: Partial<Span> }[] = [
    {
      name: 'client span with remote endpoint, tags and annotations',
      span: zipkinSpan(
        (s) => {
          s.setName('GET /reviews');
          s.setKind('CLIENT');
          s.setTimestamp(T0);
          s.setDuration(2500);
          s.setLocalEndpoint(new model.Endpoint({ serviceName: 'productpage', ipv4: '10.1.2.3', port: 9080 }));
          s.setRemoteEndpoint(new model.Endpoint({ serviceName: 'reviews', port: 9080 }));
          s.addAnnotation(T0 + 100, 'wire.send');
          s.putTag('http.method', 'GET');
          s.putTag('http.status_code', '500');
          s.putTag('error', '500');
        },
        { traceId: '463ac35c9f6413ad48485a3953bb6124', spanId: 'a2fb4a1d1a96d312', parentId: '0020000000000001' },
      ),
      want: {
        traceId: '463ac35c9f6413ad48485a3953bb6124',
        spanId: 'a2fb4a1d1a96d312',
        parentSpanId: '0020000000000001',
        kind: 'client',
        name: 'get /reviews',
        service: 'productpage',
        startUs: T0,
        durationUs: 2500,
        statusCode: 'error',
        statusMessage: '500',
        attributes: { 'http.method': 'GET', 'http.status_code': '500', error: '500' },
        events: [{ timeUs: T0 + 100, name: 'wire.send' }],
        localEndpoint: { serviceName: 'productpage', ipv4: '10.1.2.3', port: 9080 },
        remoteEndpoint: { serviceName: 'reviews', port: 9080 },
      },
    },
    {
      name: 'shared server span with a 64-bit trace id, debug',
      span: zipkinSpan(
        (s) => {
          s.setName('get');
          s.setKind('SERVER');
          s.setTimestamp(T0 + 50);
          s.setDuration(1000);
          s.setLocalEndpoint(new model.Endpoint({ serviceName: 'reviews' }));
        },
        { traceId: '48485a3953bb6124', spanId: 'a2fb4a1d1a96d312', parentId: '0020000000000001', shared: true, debug: true },
      ),
      want: {
        traceId: '000000000000000048485a3953bb6124',
        spanId: 'a2fb4a1d1a96d312',
        parentSpanId: '0020000000000001',
        kind: 'server',
        service: 'reviews',
        startUs: T0 + 50,
        durationUs: 1000,
        shared: true,
        debug: true,
        statusCode: 'unset',
        attributes: {},
      },
    },
    {
      name: 'producer root span',
      span: zipkinSpan(
        (s) => {
          s.setName('send');
          s.setKind('PRODUCER');
          s.setTimestamp(T0);
          s.setDuration(10);
          s.setLocalEndpoint(new model.Endpoint({ serviceName: 'orders' }));
          s.setRemoteEndpoint(new model.Endpoint({ serviceName: 'kafka' }));
        },
        { traceId: '0000000000000001', spanId: '0000000000000001' },
      ),
      want: { kind: 'producer', service: 'orders', startUs: T0, durationUs: 10, remoteEndpoint: { serviceName: 'kafka' } },
    },
  ];
  it.each(cases)('$name', ({ span, want }) => {
    const body = `[${jsonEncoder.JSON_V2.encode(span)}]`;
    const [decoded] = decodeZipkinV2Json(body, '');
    expect(decoded).toMatchObject(want);
  });
});
