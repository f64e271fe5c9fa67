import { describe, expect, it } from 'vitest';
import { TraceId, jsonEncoder, model, option } from 'zipkin';
import { AppError } from '../../errors.js';
import type { Endpoint, Span } from '../../model/index.js';
import { decodeZipkinV1Json } from './decode-v1.js';

const T0 = 1_556_604_172_355_737;
const TRACE = '00000000000000005af7183fb1d4cf5f';
const FRONTEND = { serviceName: 'frontend', ipv4: '172.17.0.13', port: 8080 };
const BACKEND = { serviceName: 'backend', ipv4: '172.17.0.9', port: 9000 };
const CLIENT_SOCKET = { serviceName: 'frontend', ipv4: '172.17.0.13', port: 58648 };

/** Fields every v1 test span starts with. */
const IDS = { traceId: '5af7183fb1d4cf5f', id: '352bff9a74ca9ad2', parentId: '6b221d5bc9e6496c', name: 'get /api' };

function at(offsetUs: number, value: string, endpoint?: unknown): Record<string, unknown> {
  return endpoint === undefined ? { timestamp: T0 + offsetUs, value } : { timestamp: T0 + offsetUs, value, endpoint };
}

function decode(...spans: Record<string, unknown>[]): Span[] {
  return decodeZipkinV1Json(JSON.stringify(spans), 't1');
}

/** The span every case expects, plus the fields that differ. */
function expected(fields: Partial<Span>): Span {
  return {
    traceId: TRACE,
    spanId: '352bff9a74ca9ad2',
    parentSpanId: '6b221d5bc9e6496c',
    kind: 'unspecified',
    name: 'get /api',
    service: 'unknown',
    startUs: T0,
    durationUs: 0,
    statusCode: 'unset',
    attributes: {},
    events: [],
    links: [],
    resource: {},
    tenant: 't1',
    ...fields,
  };
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_ARGUMENT');
    return (err as AppError).message;
  }
  throw new Error('expected the decoder to throw');
}

describe('decodeZipkinV1Json', () => {
  const cases: { name: string; span: Record<string, unknown>; want: Span[] }[] = [
    {
      name: 'client and server in one span become two spans, the server shared',
      span: {
        ...IDS,
        timestamp: T0,
        duration: 200,
        debug: true,
        annotations: [
          at(0, 'cs', FRONTEND),
          at(50, 'sr', BACKEND),
          at(70, 'cache.miss', BACKEND),
          at(150, 'ss', BACKEND),
          at(200, 'cr', FRONTEND),
        ],
        binaryAnnotations: [
          { key: 'http.path', value: '/api', endpoint: FRONTEND },
          { key: 'db.rows', value: '3', endpoint: BACKEND },
          { key: 'sa', value: true, endpoint: BACKEND },
          { key: 'ca', value: true, endpoint: { serviceName: 'frontend', ipv4: '172.17.0.13', port: 58648 } },
        ],
      },
      want: [
        expected({
          kind: 'client',
          service: 'frontend',
          startUs: T0,
          durationUs: 200,
          attributes: { 'http.path': '/api' },
          localEndpoint: FRONTEND,
          remoteEndpoint: BACKEND,
          debug: true,
        }),
        expected({
          kind: 'server',
          service: 'backend',
          startUs: T0 + 50,
          durationUs: 100,
          attributes: { 'db.rows': '3' },
          events: [{ timeUs: T0 + 70, name: 'cache.miss' }],
          localEndpoint: BACKEND,
          // Same service as the server? No: "frontend" differs from "backend", so the name stays.
          remoteEndpoint: CLIENT_SOCKET,
          shared: true,
          debug: true,
        }),
      ],
    },
    {
      name: 'client and server without span timestamp: each side timed by its annotations',
      span: { ...IDS, annotations: [at(0, 'cs', FRONTEND), at(50, 'sr', BACKEND), at(150, 'ss', BACKEND), at(200, 'cr', FRONTEND)] },
      want: [
        expected({ kind: 'client', service: 'frontend', startUs: T0, durationUs: 200, localEndpoint: FRONTEND }),
        expected({ kind: 'server', service: 'backend', startUs: T0 + 50, durationUs: 100, localEndpoint: BACKEND, shared: true }),
      ],
    },
    {
      name: 'loopback: a service calling itself still splits into client and server',
      span: { ...IDS, annotations: [at(0, 'cs', FRONTEND), at(10, 'sr', FRONTEND), at(90, 'ss', FRONTEND), at(100, 'cr', FRONTEND)] },
      want: [
        expected({ kind: 'client', service: 'frontend', startUs: T0, durationUs: 100, localEndpoint: FRONTEND }),
        expected({ kind: 'server', service: 'frontend', startUs: T0 + 10, durationUs: 80, localEndpoint: FRONTEND, shared: true }),
      ],
    },
    {
      name: 'client side only (cs/cr) with its server address',
      span: {
        ...IDS,
        annotations: [at(0, 'cs', FRONTEND), at(30, 'wire.send', FRONTEND), at(200, 'cr', FRONTEND)],
        binaryAnnotations: [{ key: 'sa', value: true, endpoint: BACKEND }],
      },
      want: [
        expected({
          kind: 'client',
          service: 'frontend',
          durationUs: 200,
          events: [{ timeUs: T0 + 30, name: 'wire.send' }],
          localEndpoint: FRONTEND,
          remoteEndpoint: BACKEND,
        }),
      ],
    },
    {
      name: 'server side only (sr/ss) without span timestamp is shared',
      span: {
        ...IDS,
        annotations: [at(50, 'sr', BACKEND), at(150, 'ss', BACKEND)],
        binaryAnnotations: [{ key: 'ca', value: true, endpoint: CLIENT_SOCKET }],
      },
      want: [
        expected({ kind: 'server', service: 'backend', startUs: T0 + 50, durationUs: 100, localEndpoint: BACKEND, remoteEndpoint: CLIENT_SOCKET, shared: true }),
      ],
    },
    {
      name: 'server side only with its own timestamp and duration is a root server, not shared',
      span: { ...IDS, parentId: undefined, timestamp: T0 + 50, duration: 100, annotations: [at(50, 'sr', BACKEND), at(150, 'ss', BACKEND)] },
      want: [
        (() => {
          const span = expected({ kind: 'server', service: 'backend', startUs: T0 + 50, durationUs: 100, localEndpoint: BACKEND });
          delete span.parentSpanId;
          return span;
        })(),
      ],
    },
    {
      name: 'timestamp and duration fields win over cs/cr',
      span: { ...IDS, timestamp: T0 - 5, duration: 222, annotations: [at(0, 'cs', FRONTEND), at(200, 'cr', FRONTEND)] },
      want: [expected({ kind: 'client', service: 'frontend', startUs: T0 - 5, durationUs: 222, localEndpoint: FRONTEND })],
    },
    {
      name: 'cr with the span timestamp and duration stands in for a missing cs',
      span: { ...IDS, timestamp: T0, duration: 200, annotations: [at(50, 'sr', BACKEND), at(150, 'ss', BACKEND), at(200, 'cr', FRONTEND)] },
      want: [
        expected({ kind: 'server', service: 'backend', startUs: T0 + 50, durationUs: 100, localEndpoint: BACKEND, shared: true }),
        expected({ kind: 'client', service: 'frontend', startUs: T0, durationUs: 200, localEndpoint: FRONTEND }),
      ],
    },
    {
      name: 'one-way client send (cs only)',
      span: { ...IDS, annotations: [at(0, 'cs', FRONTEND)] },
      want: [expected({ kind: 'client', service: 'frontend', localEndpoint: FRONTEND })],
    },
    {
      name: 'lone cr stays an event and the client starts at the span timestamp',
      span: { ...IDS, timestamp: T0, duration: 200, annotations: [at(150, 'cr', FRONTEND)] },
      want: [expected({ kind: 'client', service: 'frontend', durationUs: 200, events: [{ timeUs: T0 + 150, name: 'cr' }], localEndpoint: FRONTEND })],
    },
    {
      name: 'lone ss without timestamp: server starts at its earliest event',
      span: { ...IDS, annotations: [at(150, 'ss', BACKEND)] },
      want: [expected({ kind: 'server', service: 'backend', startUs: T0 + 150, events: [{ timeUs: T0 + 150, name: 'ss' }], localEndpoint: BACKEND })],
    },
    {
      name: 'core annotations without an endpoint are plain events',
      span: { ...IDS, annotations: [at(0, 'cs'), at(200, 'cr')] },
      want: [expected({ events: [{ timeUs: T0, name: 'cs' }, { timeUs: T0 + 200, name: 'cr' }] })],
    },
    {
      name: 'producer (ms/ws) with broker address',
      span: {
        ...IDS,
        annotations: [at(0, 'ms', FRONTEND), at(5, 'ws', FRONTEND)],
        binaryAnnotations: [{ key: 'ma', value: true, endpoint: { serviceName: 'kafka' } }],
      },
      want: [expected({ kind: 'producer', service: 'frontend', durationUs: 5, localEndpoint: FRONTEND, remoteEndpoint: { serviceName: 'kafka' } })],
    },
    {
      name: 'consumer (wr/mr) with broker address',
      span: {
        ...IDS,
        annotations: [at(10, 'wr', BACKEND), at(12, 'mr', BACKEND)],
        binaryAnnotations: [{ key: 'ma', value: true, type: 'BOOL', endpoint: { serviceName: 'kafka' } }],
      },
      want: [expected({ kind: 'consumer', service: 'backend', startUs: T0 + 10, durationUs: 2, localEndpoint: BACKEND, remoteEndpoint: { serviceName: 'kafka' } })],
    },
    {
      name: 'consumer with mr only',
      span: { ...IDS, annotations: [at(12, 'mr', BACKEND)] },
      want: [expected({ kind: 'consumer', service: 'backend', startUs: T0 + 12, localEndpoint: BACKEND })],
    },
    {
      name: 'producer and consumer in one span become two spans',
      span: {
        ...IDS,
        annotations: [at(0, 'ms', FRONTEND), at(5, 'ws', FRONTEND), at(10, 'wr', BACKEND), at(12, 'mr', BACKEND)],
        binaryAnnotations: [{ key: 'ma', value: true, endpoint: { serviceName: 'kafka' } }],
      },
      want: [
        expected({ kind: 'producer', service: 'frontend', durationUs: 5, localEndpoint: FRONTEND, remoteEndpoint: { serviceName: 'kafka' } }),
        expected({
          kind: 'consumer',
          service: 'backend',
          startUs: T0 + 10,
          durationUs: 2,
          localEndpoint: BACKEND,
          remoteEndpoint: { serviceName: 'kafka' },
          shared: true,
        }),
      ],
    },
    {
      name: 'ws and wr without ms/mr are events',
      span: { ...IDS, timestamp: T0, annotations: [at(1, 'ws', FRONTEND), at(2, 'wr', FRONTEND)] },
      want: [expected({ service: 'frontend', localEndpoint: FRONTEND, events: [{ timeUs: T0 + 1, name: 'ws' }, { timeUs: T0 + 2, name: 'wr' }] })],
    },
    {
      name: 'local span: "lc" is a tag and names the service',
      span: { ...IDS, timestamp: T0, duration: 40, binaryAnnotations: [{ key: 'lc', value: 'jdbc', endpoint: BACKEND }] },
      want: [expected({ service: 'backend', durationUs: 40, attributes: { lc: 'jdbc' }, localEndpoint: BACKEND })],
    },
    {
      name: 'local span: empty "lc" only names the service',
      span: { ...IDS, timestamp: T0, duration: 40, binaryAnnotations: [{ key: 'lc', value: '', endpoint: BACKEND }] },
      want: [expected({ service: 'backend', durationUs: 40, localEndpoint: BACKEND })],
    },
    {
      name: 'ca alone, no core annotations: a server',
      span: { ...IDS, timestamp: T0, binaryAnnotations: [{ key: 'ca', value: true, endpoint: CLIENT_SOCKET }] },
      want: [expected({ kind: 'server', remoteEndpoint: CLIENT_SOCKET })],
    },
    {
      name: 'sa alone, no core annotations: only the remote address',
      span: { ...IDS, timestamp: T0, binaryAnnotations: [{ key: 'sa', value: true, endpoint: BACKEND }] },
      want: [expected({ remoteEndpoint: BACKEND })],
    },
    {
      name: 'ca and sa, no core annotations: the client address is the local side',
      span: {
        ...IDS,
        timestamp: T0,
        binaryAnnotations: [
          { key: 'ca', value: true, endpoint: FRONTEND },
          { key: 'sa', value: true, endpoint: BACKEND },
        ],
      },
      want: [expected({ service: 'frontend', localEndpoint: FRONTEND, remoteEndpoint: BACKEND })],
    },
    {
      name: 'ca of the server\'s own service loses its name (client socket)',
      span: {
        ...IDS,
        annotations: [at(50, 'sr', BACKEND), at(150, 'ss', BACKEND)],
        binaryAnnotations: [{ key: 'ca', value: true, endpoint: { serviceName: 'backend', ipv4: '10.0.0.7', port: 40000 } }],
      },
      want: [
        expected({
          kind: 'server',
          service: 'backend',
          startUs: T0 + 50,
          durationUs: 100,
          localEndpoint: BACKEND,
          remoteEndpoint: { ipv4: '10.0.0.7', port: 40000 },
          shared: true,
        }),
      ],
    },
    {
      name: 'address annotations that say nothing are dropped',
      span: {
        ...IDS,
        timestamp: T0,
        binaryAnnotations: [
          { key: 'ca', value: false, endpoint: CLIENT_SOCKET },
          { key: 'sa', value: true },
        ],
      },
      want: [expected({})],
    },
    {
      name: 'binary annotation types become tag strings',
      span: {
        ...IDS,
        timestamp: T0,
        binaryAnnotations: [
          { key: 's', value: 'text', type: 'STRING' },
          { key: 'plain', value: 'text' },
          { key: 'b', value: true, type: 'BOOL' },
          { key: 'bf', value: false },
          { key: 'i16', value: 7, type: 'I16' },
          { key: 'i32', value: -70000, type: 'I32' },
          { key: 'i64', value: 9007199254740991, type: 'I64' },
          { key: 'i64s', value: '9223372036854775807', type: 'I64' },
          { key: 'd', value: 1.25, type: 'DOUBLE' },
          { key: 'n', value: 3 },
          { key: 'bytes', value: 'AQID', type: 'BYTES' },
          { key: 'raw', value: [1, 2, 3], type: 'BYTES' },
          { key: 'error', value: 'timeout' },
        ],
      },
      want: [
        expected({
          statusCode: 'error',
          statusMessage: 'timeout',
          attributes: {
            s: 'text',
            plain: 'text',
            b: 'true',
            bf: 'false',
            i16: '7',
            i32: '-70000',
            i64: '9007199254740991',
            i64s: '9223372036854775807',
            d: '1.25',
            n: '3',
            bytes: 'AQID',
            raw: 'AQID',
            error: 'timeout',
          },
        }),
      ],
    },
    {
      name: 'tags go to the side whose endpoint logged them, errors too',
      span: {
        ...IDS,
        annotations: [at(0, 'cs', FRONTEND), at(50, 'sr', BACKEND), at(150, 'ss', BACKEND), at(200, 'cr', FRONTEND)],
        binaryAnnotations: [
          { key: 'error', value: 'true', endpoint: BACKEND },
          { key: 'http.status_code', value: '500', endpoint: BACKEND },
        ],
      },
      want: [
        expected({ kind: 'client', service: 'frontend', durationUs: 200, localEndpoint: FRONTEND }),
        expected({
          kind: 'server',
          service: 'backend',
          startUs: T0 + 50,
          durationUs: 100,
          localEndpoint: BACKEND,
          shared: true,
          statusCode: 'error',
          attributes: { error: 'true', 'http.status_code': '500' },
        }),
      ],
    },
    {
      name: 'no timestamp field: starts at the earliest annotation',
      span: { ...IDS, parentId: '0', annotations: [at(30, 'b'), at(20, 'a')] },
      want: [
        (() => {
          const span = expected({ startUs: T0 + 20, events: [{ timeUs: T0 + 30, name: 'b' }, { timeUs: T0 + 20, name: 'a' }] });
          delete span.parentSpanId;
          return span;
        })(),
      ],
    },
    {
      name: '128-bit upper-case ids',
      span: { traceId: '463AC35C9F6413AD48485A3953BB6124', id: 'A', name: '', timestamp: T0 },
      want: [
        (() => {
          const span = expected({ traceId: '463ac35c9f6413ad48485a3953bb6124', spanId: '000000000000000a', name: '' });
          delete span.parentSpanId;
          return span;
        })(),
      ],
    },
  ];
  it.each(cases)('$name', ({ span, want }) => {
    expect(decode(span)).toStrictEqual(want);
  });

  it('decodes an empty array and keeps the order of a batch', () => {
    expect(decodeZipkinV1Json(Buffer.from('[]'), '')).toEqual([]);
    const spans = decode(
      { ...IDS, id: '1', timestamp: T0 },
      { ...IDS, id: '2', annotations: [at(0, 'cs', FRONTEND), at(1, 'sr', BACKEND)] },
      { ...IDS, id: '3', timestamp: T0 },
    );
    expect(spans.map((s) => [s.spanId, s.kind])).toEqual([
      ['0000000000000001', 'unspecified'],
      ['0000000000000002', 'client'],
      ['0000000000000002', 'server'],
      ['0000000000000003', 'unspecified'],
    ]);
  });

  it('keeps a "__proto__" tag as an ordinary tag', () => {
    const [span] = decodeZipkinV1Json(
      `[{"traceId":"a","id":"b","timestamp":${T0},"binaryAnnotations":[{"key":"__proto__","value":"x"}]}]`,
      '',
    );
    expect(Object.entries(span!.attributes)).toEqual([['__proto__', 'x']]);
    expect(Object.getPrototypeOf(span!.attributes)).toBe(Object.prototype);
  });

  const rejections: { name: string; body: unknown; message: string }[] = [
    {
      name: 'index counts request elements, not decoded spans',
      body: [
        { ...IDS, annotations: [at(0, 'cs', FRONTEND), at(1, 'sr', BACKEND)] },
        { ...IDS, timestamp: T0 },
        { ...IDS, timestamp: T0, duration: 1e13 },
      ],
      message: 'span[2].duration: expected microseconds between 0 and 1e12, got 10000000000000',
    },
    { name: 'object body', body: { spans: [] }, message: 'body: expected a JSON array of spans, got an object' },
    { name: 'element not an object', body: [{ ...IDS, timestamp: T0 }, 'x'], message: 'span[1]: expected an object, got "x"' },
    { name: 'bad traceId', body: [{ ...IDS, traceId: 'g1' }], message: 'span[0].traceId: expected 16 or 32 hex chars, not all zeros, got "g1"' },
    { name: 'bad id', body: [{ ...IDS, id: 5 }], message: 'span[0].id: expected 16 hex chars, not all zeros, got 5' },
    { name: 'bad parentId', body: [{ ...IDS, parentId: 'root' }], message: 'span[0].parentId: expected 16 hex chars or absent for a root span, got "root"' },
    { name: 'bad name', body: [{ ...IDS, name: ['a'] }], message: 'span[0].name: expected a string, got ["a"]' },
    { name: 'timestamp in ms', body: [{ ...IDS, timestamp: 1556604172355 }], message: 'span[0].timestamp: expected epoch microseconds between 2000-01-01 and 2100-01-01, got 1556604172355' },
    { name: 'negative duration', body: [{ ...IDS, timestamp: T0, duration: -1 }], message: 'span[0].duration: expected microseconds between 0 and 1e12, got -1' },
    { name: 'debug as string', body: [{ ...IDS, timestamp: T0, debug: 'yes' }], message: 'span[0].debug: expected a boolean, got "yes"' },
    { name: 'no timestamp, no annotations', body: [{ ...IDS, binaryAnnotations: [{ key: 'lc', value: '' }] }], message: 'span[0].timestamp: required when a span has no annotations, got undefined' },
    { name: 'annotations not an array', body: [{ ...IDS, annotations: 'cs' }], message: 'span[0].annotations: expected an array, got "cs"' },
    { name: 'annotation not an object', body: [{ ...IDS, annotations: [null] }], message: 'span[0].annotations[0]: expected an object with timestamp and value, got null' },
    { name: 'annotation timestamp in seconds', body: [{ ...IDS, annotations: [at(0, 'cs'), { timestamp: 1556604172, value: 'cr' }] }], message: 'span[0].annotations[1].timestamp: expected epoch microseconds between 2000-01-01 and 2100-01-01, got 1556604172' },
    { name: 'annotation value not a string', body: [{ ...IDS, annotations: [{ timestamp: T0, value: 1 }] }], message: 'span[0].annotations[0].value: expected a string, got 1' },
    { name: 'annotation endpoint port', body: [{ ...IDS, annotations: [at(0, 'cs'), at(1, 'cr', { serviceName: 'a', port: -1 })] }], message: 'span[0].annotations[1].endpoint.port: expected an integer port between 0 and 65535, got -1' },
    { name: 'annotation endpoint not an object', body: [{ ...IDS, annotations: [at(0, 'cs', 'frontend')] }], message: 'span[0].annotations[0].endpoint: expected an endpoint object, got "frontend"' },
    { name: 'binaryAnnotations not an array', body: [{ ...IDS, timestamp: T0, binaryAnnotations: {} }], message: 'span[0].binaryAnnotations: expected an array, got {}' },
    { name: 'binary annotation not an object', body: [{ ...IDS, timestamp: T0, binaryAnnotations: [3] }], message: 'span[0].binaryAnnotations[0]: expected an object with key and value, got 3' },
    { name: 'binary annotation without key', body: [{ ...IDS, timestamp: T0, binaryAnnotations: [{ value: 'x' }] }], message: 'span[0].binaryAnnotations[0].key: expected a string, got undefined' },
    { name: 'binary annotation null value', body: [{ ...IDS, timestamp: T0, binaryAnnotations: [{ key: 'k', value: null }] }], message: 'span[0].binaryAnnotations[0].value: expected a string, number or boolean, got null' },
    { name: 'binary annotation object value', body: [{ ...IDS, timestamp: T0, binaryAnnotations: [{ key: 'k', value: { a: 1 } }] }], message: 'span[0].binaryAnnotations[0].value: expected a string, number or boolean, got {"a":1}' },
    { name: 'binary annotation unknown type', body: [{ ...IDS, timestamp: T0, binaryAnnotations: [{ key: 'k', value: 'v', type: 'LONG' }] }], message: 'span[0].binaryAnnotations[0].type: expected one of STRING, BOOL, BYTES, I16, I32, I64, DOUBLE, got "LONG"' },
    { name: 'BYTES that are not bytes', body: [{ ...IDS, timestamp: T0, binaryAnnotations: [{ key: 'k', value: [256], type: 'BYTES' }] }], message: 'span[0].binaryAnnotations[0].value: expected a base64 string, got [256]' },
    { name: 'binary annotation endpoint', body: [{ ...IDS, timestamp: T0, binaryAnnotations: [{ key: 'k', value: 'v', endpoint: { ipv4: 1 } }] }], message: 'span[0].binaryAnnotations[0].endpoint.ipv4: expected a string, got 1' },
    { name: 'malformed JSON', body: undefined, message: 'invalid JSON: ' },
  ];
  it.each(rejections)('rejects $name', ({ body, message }) => {
    const text = body === undefined ? '[{"traceId":' : JSON.stringify(body);
    const got = messageOf(() => decodeZipkinV1Json(text, ''));
    if (message.endsWith(': ')) expect(got.startsWith(message)).toBe(true);
    else expect(got).toBe(message);
  });
});

describe('decodeZipkinV1Json with bodies from the zipkin npm library', () => {
  const ep = (e: Endpoint): model.Endpoint => new model.Endpoint(e);

  function zipkinSpan(ids: { spanId: string; parentId?: string; shared?: boolean }, setup: (span: model.Span) => void): model.Span {
    const span = new model.Span(
      new TraceId({
        traceId: '463ac35c9f6413ad48485a3953bb6124',
        spanId: ids.spanId,
        parentId: ids.parentId === undefined ? option.None : new option.Some(ids.parentId),
        sampled: new option.Some(true),
        shared: ids.shared ?? false,
      }),
    );
    setup(span);
    return span;
  }

  const cases: { name: string; span: model.Span; want: Partial<Span> }[] = [
    {
      name: 'client span with server address and tags',
      span: zipkinSpan({ spanId: 'a2fb4a1d1a96d312', parentId: '0020000000000001' }, (s) => {
        s.setName('GET');
        s.setKind('CLIENT');
        s.setTimestamp(T0);
        s.setDuration(2500);
        s.setLocalEndpoint(ep({ serviceName: 'productpage', ipv4: '10.1.2.3', port: 9080 }));
        s.setRemoteEndpoint(ep({ serviceName: 'reviews', port: 9080 }));
        s.addAnnotation(T0 + 100, 'wire.send');
        s.putTag('http.path', '/reviews/0');
      }),
      want: {
        traceId: '463ac35c9f6413ad48485a3953bb6124',
        spanId: 'a2fb4a1d1a96d312',
        parentSpanId: '0020000000000001',
        kind: 'client',
        name: 'get',
        service: 'productpage',
        startUs: T0,
        durationUs: 2500,
        attributes: { 'http.path': '/reviews/0' },
        events: [{ timeUs: T0 + 100, name: 'wire.send' }],
        localEndpoint: { serviceName: 'productpage', ipv4: '10.1.2.3', port: 9080 },
        remoteEndpoint: { serviceName: 'reviews', port: 9080 },
      },
    },
    {
      name: 'shared server span (no timestamp field, sr/ss) with client address',
      span: zipkinSpan({ spanId: 'a2fb4a1d1a96d312', parentId: '0020000000000001', shared: true }, (s) => {
        s.setName('get');
        s.setKind('SERVER');
        s.setTimestamp(T0 + 40);
        s.setDuration(2000);
        s.setLocalEndpoint(ep({ serviceName: 'reviews', ipv4: '10.1.2.4' }));
        s.setRemoteEndpoint(ep({ serviceName: 'productpage', ipv4: '10.1.2.3' }));
        s.putTag('error', 'boom');
      }),
      want: {
        kind: 'server',
        service: 'reviews',
        startUs: T0 + 40,
        durationUs: 2000,
        shared: true,
        statusCode: 'error',
        statusMessage: 'boom',
        attributes: { error: 'boom' },
        events: [],
        remoteEndpoint: { serviceName: 'productpage', ipv4: '10.1.2.3' },
      },
    },
    {
      name: 'producer span',
      span: zipkinSpan({ spanId: '0000000000000002' }, (s) => {
        s.setName('send');
        s.setKind('PRODUCER');
        s.setTimestamp(T0);
        s.setDuration(30);
        s.setLocalEndpoint(ep({ serviceName: 'orders' }));
        s.setRemoteEndpoint(ep({ serviceName: 'kafka' }));
      }),
      want: { kind: 'producer', service: 'orders', startUs: T0, durationUs: 30, remoteEndpoint: { serviceName: 'kafka' }, events: [] },
    },
    {
      name: 'consumer span',
      span: zipkinSpan({ spanId: '0000000000000003', parentId: '0000000000000002' }, (s) => {
        s.setName('receive');
        s.setKind('CONSUMER');
        s.setTimestamp(T0 + 500);
        s.setDuration(20);
        s.setLocalEndpoint(ep({ serviceName: 'billing' }));
      }),
      want: { kind: 'consumer', service: 'billing', startUs: T0 + 500, durationUs: 20, events: [] },
    },
    {
      name: 'local span (no kind)',
      span: zipkinSpan({ spanId: '0000000000000004' }, (s) => {
        s.setName('compute');
        s.setTimestamp(T0);
        s.setDuration(7);
        s.setLocalEndpoint(ep({ serviceName: 'ratings' }));
        s.putTag('lc', 'cache');
      }),
      want: { kind: 'unspecified', service: 'ratings', startUs: T0, durationUs: 7, attributes: { lc: 'cache' }, events: [] },
    },
  ];
  it.each(cases)('$name', ({ span, want }) => {
    const spans = decodeZipkinV1Json(`[${jsonEncoder.JSON_V1.encode(span)}]`, '');
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject(want);
  });
});
