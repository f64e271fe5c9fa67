/**
 * End to end: the real npm `zipkin` tracer + `zipkin-transport-http` send v1 and v2 JSON to the
 * running server; the trace is read back through the Jaeger and Zipkin APIs with exact content.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zipkin from 'zipkin';
import transport from 'zipkin-transport-http';
import { eventually, getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

const { Tracer, BatchRecorder, ExplicitContext, Annotation, InetAddress, TraceId, option, jsonEncoder } = zipkin;
const { HttpLogger } = transport;

let server: ServerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = await tempDir();
  server = await startServerProcess({ dataDir });
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDir(dataDir);
});

interface Sent {
  traceId: string;
  rootId: string;
  clientId: string;
  t0: number;
}

/** Records frontend → backend (a shared client/server span id, as B3 propagation gives) with fixed µs times. */
function sendTrace(version: 'v1' | 'v2', t0: number, tenantPrefix = ''): { sent: Sent; flush: () => Promise<void> } {
  const logger = new HttpLogger({
    endpoint: `${server.zipkin}${tenantPrefix}/api/${version}/spans`,
    jsonEncoder: version === 'v1' ? jsonEncoder.JSON_V1 : jsonEncoder.JSON_V2,
    httpInterval: 60_000,
  });
  const recorder = new BatchRecorder({ logger });
  const ctxImpl = new ExplicitContext();
  const frontend = new Tracer({ ctxImpl, recorder, localServiceName: 'frontend', traceId128Bit: version === 'v2' });
  const backend = new Tracer({ ctxImpl, recorder, localServiceName: 'backend' });

  const root = frontend.createRootId(new option.Some(true));
  frontend.letId(root, () => {
    frontend.recordServiceName('frontend');
    frontend.recordRpc('get /home');
    frontend.recordAnnotation(new Annotation.ServerRecv(), t0);
    frontend.recordAnnotation(new Annotation.LocalAddr({ host: new InetAddress('10.0.0.1'), port: 8080 }));
    frontend.recordBinary('http.path', '/home');
  });
  const client = frontend.createChildId(root);
  frontend.letId(client, () => {
    frontend.recordServiceName('frontend');
    frontend.recordRpc('get /api/items');
    frontend.recordAnnotation(new Annotation.ClientSend(), t0 + 100);
    frontend.recordAnnotation(new Annotation.ServerAddr({ serviceName: 'backend' }));
    frontend.recordBinary('http.status_code', '500');
    frontend.recordAnnotation(new Annotation.ClientRecv(), t0 + 900);
  });
  const serverSide = new TraceId({
    traceId: client.traceId, parentId: new option.Some(root.spanId), spanId: client.spanId, sampled: new option.Some(true), shared: true,
  });
  backend.letId(serverSide, () => {
    backend.recordServiceName('backend');
    backend.recordRpc('get /api/items');
    backend.recordAnnotation(new Annotation.ServerRecv(), t0 + 200);
    backend.recordBinary('error', 'database down');
    backend.recordAnnotation(new Annotation.ServerSend(), t0 + 800);
  });
  frontend.letId(root, () => frontend.recordAnnotation(new Annotation.ServerSend(), t0 + 1000));
  const sent = { traceId: root.traceId as string, rootId: root.spanId as string, clientId: client.spanId as string, t0 };
  return { sent, flush: () => (logger as unknown as { processQueue(f: typeof fetch): Promise<void> }).processQueue(fetch) };
}

describe.each(['v2', 'v1'] as const)('zipkin-js %s sender', (version) => {
  let sent: Sent;
  const t0 = (Date.now() - 60_000) * 1000 + (version === 'v1' ? 7 : 3);

  beforeAll(async () => {
    const s = sendTrace(version, t0);
    sent = s.sent;
    await s.flush();
  });

  it('is readable through the Jaeger API with exact ids, parents, tags and times', async () => {
    const { status, body } = await eventually(async () => {
      const r = await getJson(`${server.query}/api/traces/${sent.traceId}`);
      return r.status === 200 ? r : undefined;
    });
    expect(status).toBe(200);
    expect(body.errors).toBeNull();
    const trace = body.data[0];
    expect(trace.traceID).toBe(sent.traceId);
    expect(trace.spans).toHaveLength(3);
    const byName = (svc: string, op: string) =>
      trace.spans.find((s: any) => s.operationName === op && trace.processes[s.processID].serviceName === svc);
    const root = byName('frontend', 'get /home');
    const client = byName('frontend', 'get /api/items');
    const srv = byName('backend', 'get /api/items');
    expect(root).toMatchObject({ spanID: sent.rootId, startTime: t0, duration: 1000, references: [] });
    expect(client).toMatchObject({ spanID: sent.clientId, startTime: t0 + 100, duration: 800 });
    expect(client.references).toEqual([{ refType: 'CHILD_OF', traceID: sent.traceId, spanID: sent.rootId }]);
    // The server half shares the client's id on the wire; the Jaeger API gives it its own id under the client.
    expect(srv.spanID).not.toBe(sent.clientId);
    expect(srv.references).toEqual([{ refType: 'CHILD_OF', traceID: sent.traceId, spanID: sent.clientId }]);
    expect(srv).toMatchObject({ startTime: t0 + 200, duration: 600 });
    const tag = (span: any, key: string) => span.tags.find((t: any) => t.key === key);
    expect(tag(client, 'http.status_code')).toEqual({ key: 'http.status_code', type: 'string', value: '500' });
    expect(tag(client, 'span.kind')).toEqual({ key: 'span.kind', type: 'string', value: 'client' });
    expect(tag(client, 'peer.service')).toEqual({ key: 'peer.service', type: 'string', value: 'backend' });
    expect(tag(root, 'http.path')).toEqual({ key: 'http.path', type: 'string', value: '/home' });
    expect(tag(srv, 'error')?.value).toBeTruthy();
  });

  it('is readable through the Zipkin v2 API as Zipkin shows it', async () => {
    const { status, body } = await getJson(`${server.zipkin}/api/v2/trace/${sent.traceId}`);
    expect(status).toBe(200);
    expect(body).toHaveLength(3);
    const srv = body.find((s: any) => s.kind === 'SERVER' && s.localEndpoint?.serviceName === 'backend');
    expect(srv).toMatchObject({
      traceId: sent.traceId, id: sent.clientId, parentId: sent.rootId, name: 'get /api/items',
      timestamp: t0 + 200, duration: 600, shared: true, tags: { error: 'database down' },
    });
    const client = body.find((s: any) => s.kind === 'CLIENT');
    expect(client).toMatchObject({
      id: sent.clientId, parentId: sent.rootId, timestamp: t0 + 100, duration: 800,
      localEndpoint: { serviceName: 'frontend' }, remoteEndpoint: { serviceName: 'backend' },
      tags: { 'http.status_code': '500' },
    });
    const root = body.find((s: any) => s.id === sent.rootId);
    expect(root).toMatchObject({
      kind: 'SERVER', timestamp: t0, duration: 1000, localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 },
    });
    expect(root.parentId).toBeUndefined();
  });

  it('lists services, operations and dependencies', async () => {
    expect((await getJson(`${server.zipkin}/api/v2/services`)).body).toEqual(expect.arrayContaining(['backend', 'frontend']));
    // Zipkin Lens hosted under /zipkin/ calls the same API below that base path.
    expect((await getJson(`${server.zipkin}/zipkin/api/v2/services`)).body).toEqual((await getJson(`${server.zipkin}/api/v2/services`)).body);
    expect((await getJson(`${server.zipkin}/api/v2/spans?serviceName=frontend`)).body).toEqual(['get /api/items', 'get /home']);
    expect((await getJson(`${server.zipkin}/api/v2/remoteServices?serviceName=frontend`)).body).toEqual(['backend']);
    const services = await getJson(`${server.query}/api/services`);
    expect(services.body.data).toEqual(expect.arrayContaining(['backend', 'frontend']));
    const ops = await getJson(`${server.query}/api/operations?service=backend`);
    expect(ops.body.data).toEqual([{ name: 'get /api/items', spanKind: 'server' }]);
    const deps = await getJson(`${server.query}/api/dependencies?endTs=${Date.now()}&lookback=3600000`);
    expect(deps.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ parent: 'frontend', child: 'backend' })]));
    const zdeps = await getJson(`${server.zipkin}/api/v2/dependencies?endTs=${Date.now()}&lookback=3600000`);
    const edge = zdeps.body.find((d: any) => d.parent === 'frontend' && d.child === 'backend');
    expect(edge.callCount).toBeGreaterThanOrEqual(1);
    expect(edge.errorCount).toBeGreaterThanOrEqual(1);
  });

  it('finds the trace by search in both APIs', async () => {
    const j = await getJson(`${server.query}/api/traces?service=backend&tags=${encodeURIComponent('{"error":"database down"}')}&lookback=1h&limit=50`);
    expect(j.status).toBe(200);
    expect(j.body.data.map((t: any) => t.traceID)).toContain(sent.traceId);
    const z = await getJson(`${server.zipkin}/api/v2/traces?serviceName=frontend&spanName=${encodeURIComponent('get /api/items')}&annotationQuery=http.status_code%3D500&limit=50`);
    expect(z.status).toBe(200);
    expect(z.body.map((t: any) => t[0].traceId)).toContain(sent.traceId);
  });
});

describe('tenant token prefix', () => {
  it('accepts /<token>/api/v1/spans with a trailing query string and records nothing else differently', async () => {
    const t0 = (Date.now() - 30_000) * 1000;
    const s = sendTrace('v1', t0, '/abc123');
    // ingress-nginx appends its own path after a URL ending in "?": it must land in the query string.
    const res = await fetch(`${server.zipkin}/abc123/api/v1/spans?:9411/api/v1/spans`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]',
    });
    expect(res.status).toBe(202);
    await s.flush();
    const r = await eventually(async () => {
      const got = await getJson(`${server.query}/api/traces/${s.sent.traceId}`);
      return got.status === 200 ? got : undefined;
    });
    expect(r.body.data[0].spans).toHaveLength(3);
  });
});
