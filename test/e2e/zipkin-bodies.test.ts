/**
 * Zipkin's binary bodies through the real CLI: a v2 proto3 ListOfSpans (encoded by protobufjs from
 * zipkin.proto) and a v1 Thrift list<Span> (encoded by Apache thrift) on :9411 read back through the
 * Zipkin API exactly as their JSON twins posted to the same server.
 */
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeZipkinSpans } from '../../src/receivers/thrift/fixtures.js';
import { eventually, getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

let server: ServerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = await tempDir();
  server = await startServerProcess({ dataDir, args: ['--storage', 'memory'] });
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDir(dataDir);
});

const root = protobuf.loadSync(new URL('../../proto/zipkin/zipkin.proto', import.meta.url).pathname);
const ListOfSpans = root.lookupType('zipkin.proto3.ListOfSpans');
const T0 = (Date.now() - 60_000) * 1000;

async function post(path: string, type: string, body: Buffer | string): Promise<number> {
  const res = await fetch(`${server.zipkin}${path}`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return res.status;
}

async function readTrace(id: string, count: number): Promise<unknown[]> {
  return eventually(async () => {
    const res = await getJson(`${server.zipkin}/api/v2/trace/${id}`);
    return res.status === 200 && res.body.length === count ? res.body : undefined;
  });
}

/** The same two spans as v2 JSON, for trace `traceId`. */
function jsonSpans(traceId: string) {
  return [
    {
      traceId, id: '00000000000000b1', name: 'get /books', kind: 'SERVER', timestamp: T0, duration: 1500,
      localEndpoint: { serviceName: 'productpage', ipv4: '10.0.0.7', port: 9080 }, remoteEndpoint: { ipv6: '2001:db8::1' },
      tags: { 'http.status_code': '200' }, annotations: [{ timestamp: T0 + 10, value: 'wr' }],
    },
    {
      traceId, parentId: '00000000000000b1', id: '00000000000000b2', name: 'get /reviews', kind: 'CLIENT', timestamp: T0 + 100, duration: 900,
      localEndpoint: { serviceName: 'productpage' }, remoteEndpoint: { serviceName: 'reviews' }, tags: { error: 'timeout' }, debug: true,
    },
  ];
}

function protoSpans(traceId: string) {
  const bytes = (hex: string) => Buffer.from(hex, 'hex');
  return jsonSpans(traceId).map((s) => ({
    traceId: bytes(s.traceId), id: bytes(s.id), parentId: 'parentId' in s ? bytes(s.parentId as string) : undefined, name: s.name,
    kind: s.kind, timestamp: s.timestamp, duration: s.duration, debug: 'debug' in s ? s.debug : undefined, tags: s.tags,
    localEndpoint: { serviceName: s.localEndpoint.serviceName, ...('ipv4' in s.localEndpoint ? { ipv4: bytes('0a000007'), port: 9080 } : {}) },
    remoteEndpoint: 'ipv6' in s.remoteEndpoint ? { ipv6: bytes('20010db8000000000000000000000001') } : { serviceName: (s.remoteEndpoint as { serviceName: string }).serviceName },
    annotations: (s.annotations ?? []).map((a) => ({ timestamp: a.timestamp, value: a.value })),
  }));
}

describe('Zipkin binary bodies on :9411', () => {
  it('v2 proto3 (application/x-protobuf) reads back as its JSON twin', async () => {
    const body = Buffer.from(ListOfSpans.encode(ListOfSpans.fromObject({ spans: protoSpans('0000000000000000000000000000a001') })).finish());
    expect(await post('/api/v2/spans', 'application/x-protobuf', body)).toBe(202);
    expect(await post('/api/v2/spans', 'application/json', JSON.stringify(jsonSpans('0000000000000000000000000000a002')))).toBe(202);
    const fromProto = await readTrace('a001', 2);
    const fromJson = await readTrace('a002', 2);
    expect(JSON.parse(JSON.stringify(fromProto).replaceAll('a001', 'a002'))).toEqual(fromJson);
  });

  it('v1 Thrift (application/x-thrift) reads back as its v1 JSON twin', async () => {
    const v1Json = (traceId: string) => [{
      traceId, id: '00000000000000c1', name: 'get /ratings',
      annotations: [
        { timestamp: T0, value: 'sr', endpoint: { serviceName: 'ratings', ipv4: '10.0.0.9', port: 9080 } },
        { timestamp: T0 + 700, value: 'ss', endpoint: { serviceName: 'ratings', ipv4: '10.0.0.9', port: 9080 } },
      ],
      binaryAnnotations: [{ key: 'http.path', value: '/ratings/0', endpoint: { serviceName: 'ratings', ipv4: '10.0.0.9', port: 9080 } }],
    }];
    const endpoint = { service_name: 'ratings', ipv4: 0x0a000009, port: 9080 };
    const thrift = encodeZipkinSpans([{
      trace_id: 0xb001, id: 0xc1, name: 'get /ratings',
      annotations: [{ timestamp: T0, value: 'sr', host: endpoint }, { timestamp: T0 + 700, value: 'ss', host: endpoint }],
      binary_annotations: [{ key: 'http.path', value: Buffer.from('/ratings/0'), annotation_type: 6, host: endpoint }],
    }]);
    expect(await post('/api/v1/spans', 'application/x-thrift', thrift)).toBe(202);
    expect(await post('/api/v1/spans', 'application/json', JSON.stringify(v1Json('000000000000b002')))).toBe(202);
    const fromThrift = await readTrace('b001', 1);
    expect(JSON.parse(JSON.stringify(fromThrift).replaceAll('b001', 'b002'))).toEqual(await readTrace('b002', 1));
    expect(fromThrift).toEqual([expect.objectContaining({ kind: 'SERVER', duration: 700, tags: { 'http.path': '/ratings/0' } })]);
  });

  it.each([
    ['garbage proto', '/api/v2/spans', 'application/x-protobuf', Buffer.from([0x0a, 0xff, 0xff, 0xff]), 400],
    ['garbage thrift', '/api/v1/spans', 'application/x-thrift', Buffer.from([0x0c, 0x00, 0x00, 0x00, 0x05, 0x0b]), 400],
    ['thrift on v2', '/api/v2/spans', 'application/x-thrift', Buffer.from([0]), 415],
    ['proto on v1', '/api/v1/spans', 'application/x-protobuf', Buffer.from([0]), 415],
  ])('%s answers %d in text', async (_name, path, type, body, status) => {
    const res = await fetch(`${server.zipkin}${path}`, { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(body) });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect((await res.text()).length).toBeGreaterThan(10);
  });
});
