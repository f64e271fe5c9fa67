/**
 * Jaeger gRPC :14250 with a @grpc/grpc-js client built from the api_v2 protos by
 * @grpc/proto-loader, against the real memory store; plus the decoder's bad input and fuzz.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodesOrRejects, mutationsOf } from '../fuzz.js';
import type { Span } from '../../model/index.js';
import { createMetrics } from '../../server/metrics.js';
import { openStore, type Store } from '../../storage/index.js';
import { startGrpcServer, type GrpcServerHandle } from '../grpc.js';
import { createIngest } from '../ingest.js';
import { JAEGER_PROTO, decodeJaegerProto } from './decode-proto.js';
import { createJaegerCollectorService } from './grpc.js';

const logger = pino({ level: 'silent' });
const PROTO_DIR = new URL('../../../proto/jaeger/api_v2', import.meta.url).pathname;
const TRACE = '0000000000000000a1b2c3d4e5f60718';
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const ts = (us: number) => ({ seconds: Math.floor(us / 1e6), nanos: (us % 1e6) * 1000 + 999 });

type Client = grpc.Client & { PostSpans(req: object, cb: (err: grpc.ServiceError | null, res: object) => void): void };
let store: Store;
let server: GrpcServerHandle;
let client: Client;

beforeAll(async () => {
  store = await openStore({
    storage: 'memory', dataDir: '', retentionUs: 0, maxDiskBytes: 0, memoryMaxSpans: 10_000, flushSpans: 0, flushIntervalMs: 0,
    maxBufferedSpans: 0, decode: () => [], logger,
  });
  const ingest = createIngest({ writer: store.writer, metrics: createMetrics() });
  server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [createJaegerCollectorService({ ingest })], maxMessageBytes: 64 * 1024, logger });
  const definition = protoLoader.loadSync('collector.proto', { includeDirs: [PROTO_DIR], keepCase: false, longs: Number, enums: Number });
  const api = grpc.loadPackageDefinition(definition) as unknown as { jaeger: { api_v2: { CollectorService: new (addr: string, creds: grpc.ChannelCredentials) => Client } } };
  client = new api.jaeger.api_v2.CollectorService(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await server.close();
  await store.close();
});

const post = (request: object) => new Promise<{ err: grpc.ServiceError | null; res: object }>((resolve) => {
  client.PostSpans(request, (err, res) => resolve({ err, res }));
});

const START = 1_700_000_000_000_000;
const batch = {
  process: { serviceName: 'frontend', tags: [{ key: 'hostname', vType: 0, vStr: 'fe-1' }, { key: 'ip', vType: 0, vStr: '10.0.0.1' }] },
  spans: [
    {
      traceId: hex(TRACE), spanId: hex('0000000000000001'), operationName: 'GET /', flags: 3, startTime: ts(START), duration: { seconds: 0, nanos: 2_000_500 },
      tags: [
        { key: 'span.kind', vType: 0, vStr: 'server' }, { key: 'http.status_code', vType: 2, vInt64: 500 },
        { key: 'error', vType: 1, vBool: true }, { key: 'ratio', vType: 3, vFloat64: 0.5 }, { key: 'blob', vType: 4, vBinary: Buffer.from([1, 2, 3]) },
        { key: 'big', vType: 2, vInt64: '9007199254740993' }, { key: 'otel.status_description', vType: 0, vStr: 'boom' },
      ],
      logs: [
        { timestamp: ts(START + 10), fields: [{ key: 'event', vType: 0, vStr: 'cache miss' }, { key: 'key', vType: 0, vStr: 'k1' }] },
        { timestamp: ts(START + 20), fields: [{ key: 'message', vType: 0, vStr: 'plain' }] },
      ],
    },
    {
      traceId: hex(TRACE), spanId: hex('0000000000000002'), operationName: 'SELECT', startTime: ts(START + 100), duration: { seconds: 0, nanos: 1000 },
      references: [
        { traceId: hex('0000000000000000000000000000abcd'), spanId: hex('00000000000000ff'), refType: 1 },
        { traceId: hex(TRACE), spanId: hex('0000000000000001'), refType: 0 },
      ],
      tags: [{ key: 'span.kind', vType: 0, vStr: 'client' }, { key: 'peer.service', vType: 0, vStr: 'mysql' }],
      process: { serviceName: 'db-client', tags: [] },
    },
  ],
};

const expected: Span[] = [
  {
    traceId: TRACE, spanId: '0000000000000001', kind: 'server', name: 'GET /', service: 'frontend', startUs: START, durationUs: 2000,
    statusCode: 'error', statusMessage: 'boom',
    attributes: { 'http.status_code': 500, error: true, ratio: 0.5, blob: 'AQID', big: '9007199254740993' },
    events: [{ timeUs: START + 10, name: 'cache miss', attributes: { key: 'k1' } }, { timeUs: START + 20, name: 'log', attributes: { message: 'plain' } }],
    links: [], resource: { hostname: 'fe-1', ip: '10.0.0.1' }, debug: true, tenant: '',
  },
  {
    traceId: TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', kind: 'client', name: 'SELECT', service: 'db-client',
    startUs: START + 100, durationUs: 1, statusCode: 'unset', attributes: { 'peer.service': 'mysql' }, events: [],
    links: [{ traceId: '0000000000000000000000000000abcd', spanId: '00000000000000ff', type: 'follows_from' }],
    resource: {}, remoteEndpoint: { serviceName: 'mysql' }, tenant: '',
  },
];

describe('Jaeger gRPC CollectorService/PostSpans', () => {
  it('stores every field a grpc-js client sends', async () => {
    const { err, res } = await post({ batch });
    expect([err, res]).toEqual([null, {}]);
    const stored = await store.reader.getTrace({ traceId: TRACE });
    stored.sort((a, b) => a.startUs - b.startUs);
    expect(stored).toEqual(expected);
  });

  const bad: Array<{ name: string; request: object; code: number; details: string }> = [
    {
      name: 'short trace id', request: { batch: { process: { serviceName: 's' }, spans: [{ traceId: hex('0102'), spanId: hex('0000000000000001'), startTime: ts(START) }] } },
      code: grpc.status.INVALID_ARGUMENT, details: 'batch.spans[0].traceId: expected 16 bytes (or 8), not all zeros, got 2 bytes 0102',
    },
    {
      name: 'no process', request: { batch: { spans: [{ traceId: hex(TRACE), spanId: hex('0000000000000001'), startTime: ts(START) }] } },
      code: grpc.status.INVALID_ARGUMENT, details: 'batch.spans[0].process: required when the batch has no process',
    },
    {
      name: 'too large', request: { batch: { process: { serviceName: 'x'.repeat(70_000) } } },
      code: grpc.status.RESOURCE_EXHAUSTED, details: 'Received message larger than max (70012 vs 65536)',
    },
  ];
  for (const c of bad) {
    it(`answers ${c.name} with ${grpc.status[c.code]}`, async () => {
      const { err } = await post(c.request);
      expect([err?.code, err?.details]).toEqual([c.code, c.details]);
    });
  }
});

describe('decodeJaegerProto', () => {
  const root = protobuf.loadSync(`${PROTO_DIR}/collector.proto`);
  const PostSpansRequest = root.lookupType('jaeger.api_v2.PostSpansRequest');
  const valid = Buffer.from(PostSpansRequest.encode(PostSpansRequest.fromObject({ batch })).finish());

  it('decodes what the server stored (the replay path)', () => {
    expect(JAEGER_PROTO).toBe('jaeger-proto');
    expect(decodeJaegerProto(valid, '')).toEqual(expected);
  });

  it('rejects a truncated message', () => {
    expect(() => decodeJaegerProto(valid.subarray(0, 30), '')).toThrow(expect.objectContaining({
      code: 'INVALID_ARGUMENT', message: 'PostSpansRequest: not a valid protobuf message: index out of range',
    }));
  });

  it('fuzz: random and mutated messages give spans or INVALID_ARGUMENT', () => {
    const check = decodesOrRejects((bytes) => decodeJaegerProto(bytes, ''));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 2000 });
    fc.assert(mutationsOf(valid, check), { numRuns: 2000 });
  });
});

describe('PostSpans behind an authorize check', () => {
  let guarded: GrpcServerHandle;
  let guardedClient: Client;
  beforeAll(async () => {
    const ingest = createIngest({ writer: store.writer, metrics: createMetrics() });
    // A check in the shape the server's access guard gives: the tenant from metadata, or a refusal.
    const authorize = async (metadata: grpc.Metadata) => {
      const [tenant] = metadata.get('x-tenant');
      return typeof tenant === 'string' ? { ok: true as const, tenant } : { ok: false as const, code: grpc.status.UNAUTHENTICATED, message: 'missing tenant: send the x-tenant header' };
    };
    guarded = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [createJaegerCollectorService({ ingest })], maxMessageBytes: 64 * 1024, logger, authorize });
    const definition = protoLoader.loadSync('collector.proto', { includeDirs: [PROTO_DIR], keepCase: false, longs: Number, enums: Number });
    const api = grpc.loadPackageDefinition(definition) as unknown as { jaeger: { api_v2: { CollectorService: new (addr: string, creds: grpc.ChannelCredentials) => Client } } };
    guardedClient = new api.jaeger.api_v2.CollectorService(`127.0.0.1:${guarded.port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    guardedClient.close();
    await guarded.close();
  });

  const postWith = (metadata: grpc.Metadata, traceId: string) => new Promise<grpc.ServiceError | null>((resolve) => {
    const one = { process: batch.process, spans: [{ ...batch.spans[0]!, traceId: hex(traceId) }] };
    (guardedClient as unknown as { PostSpans(r: object, m: grpc.Metadata, cb: (err: grpc.ServiceError | null) => void): void }).PostSpans({ batch: one }, metadata, resolve);
  });

  it('answers the refusal without running the handler', async () => {
    const err = await postWith(new grpc.Metadata(), '000000000000000000000000000a0001');
    expect([err?.code, err?.details]).toEqual([grpc.status.UNAUTHENTICATED, 'missing tenant: send the x-tenant header']);
    expect(await store.reader.getTrace({ traceId: '000000000000000000000000000a0001' })).toEqual([]);
  });

  it('stores the spans for the tenant the check resolved', async () => {
    const metadata = new grpc.Metadata();
    metadata.add('x-tenant', 'team-a');
    expect(await postWith(metadata, '000000000000000000000000000a0002')).toBeNull();
    const spans = await store.reader.getTrace({ traceId: '000000000000000000000000000a0002' });
    expect(spans.map((s) => s.tenant)).toEqual(['team-a']);
    expect(await store.reader.getTrace({ tenant: 'team-b', traceId: '000000000000000000000000000a0002' })).toEqual([]);
  });
});
