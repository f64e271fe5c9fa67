/**
 * GET /api/ariadne/ingest through the real CLI: accepted spans per receiver and source service,
 * refused requests with their reason, sender and a sample, whatever the transport.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const post = (url: string, type: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': type }, body });

describe('ingest diagnostics', () => {
  it('shows what arrived and what was refused, per receiver and per source', async () => {
    const now = Date.now() * 1000;
    expect((await post(`${server.zipkin}/api/v2/spans`, 'application/json', JSON.stringify([
      { traceId: 'd1a9000000000001', id: '0000000000000001', name: 'get', timestamp: now - 2000, duration: 1000, localEndpoint: { serviceName: 'productpage' }, tags: { error: 'boom' } },
      { traceId: 'd1a9000000000001', id: '0000000000000002', name: 'get', timestamp: now - 1500, duration: 500, localEndpoint: { serviceName: 'reviews' } },
    ]))).status).toBe(202);
    expect((await post(`${server.zipkin}/api/v2/spans`, 'application/json', '[{"traceId":"nothex","id":"1"}]')).status).toBe(400);
    expect((await post(`http://127.0.0.1:${server.ports.otlpHttp}/v1/traces`, 'text/plain', 'hello')).status).toBe(415);
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.send(Buffer.from([0x82, 0x21, 0x01]), server.ports.jaegerCompact!, '127.0.0.1', () => r()));
    socket.close();

    const data = await eventually(async () => {
      const { body } = await getJson(`${server.query}/api/ariadne/ingest`);
      return body.data.receivers.some((r: any) => r.format === 'jaeger-agent-compact') ? body.data : undefined;
    });
    expect(data.listeners).toEqual([
      { name: 'zipkin', port: server.ports.zipkin, transport: 'http', formats: ['zipkin-v2-json', 'zipkin-v2-proto', 'zipkin-v1-json', 'zipkin-v1-thrift'] },
      { name: 'otlpGrpc', port: server.ports.otlpGrpc, transport: 'grpc', formats: ['otlp-proto'] },
      { name: 'otlpHttp', port: server.ports.otlpHttp, transport: 'http', formats: ['otlp-proto', 'otlp-json'] },
      { name: 'jaegerHttp', port: server.ports.jaegerHttp, transport: 'http', formats: ['jaeger-thrift-binary'] },
      { name: 'jaegerGrpc', port: server.ports.jaegerGrpc, transport: 'grpc', formats: ['jaeger-proto'] },
      { name: 'jaegerCompact', port: server.ports.jaegerCompact, transport: 'udp', formats: ['jaeger-agent-compact'] },
      { name: 'jaegerBinary', port: server.ports.jaegerBinary, transport: 'udp', formats: ['jaeger-agent-binary'] },
    ]);
    const receivers = Object.fromEntries(data.receivers.map((r: any) => [r.format, r]));
    expect(receivers['zipkin-v2-json']).toMatchObject({ requests: 2, spans: 2, refusedRequests: 1 });
    expect(receivers['zipkin-v2-json'].refusals).toEqual([expect.objectContaining({
      code: 'INVALID_ARGUMENT', source: '127.0.0.1', sample: '[{"traceId":"nothex","id":"1"}]',
      message: expect.stringContaining('span[0].traceId'),
    })]);
    expect(receivers['otlp-proto'].refusals[0]).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', sample: 'hello' });
    expect(receivers['jaeger-agent-compact'].refusals[0]).toMatchObject({ code: 'INVALID_ARGUMENT', source: '127.0.0.1', sample: 'base64:giEB' });
    const sources = Object.fromEntries(data.sources.map((s: any) => [s.service, s]));
    expect(sources['productpage']).toMatchObject({ format: 'zipkin-v2-json', spans: 1, errorSpans: 1, addresses: ['127.0.0.1'] });
    expect(sources['reviews']).toMatchObject({ format: 'zipkin-v2-json', spans: 1, errorSpans: 0 });
    // The span ended about 1 ms before it was sent: the offset is small and positive on one host.
    expect(sources['reviews'].clockOffsetMs.last).toBeGreaterThanOrEqual(0);
    expect(sources['reviews'].clockOffsetMs.last).toBeLessThan(5000);
  });
});
