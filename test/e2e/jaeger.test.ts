/**
 * Jaeger clients end to end through the real CLI: jaeger-client's UDP (6832) and HTTP (14268)
 * senders and its remote sampler, compact-Thrift datagrams on 6831, a grpc-js client on 14250 —
 * into an all-in-one, and through `ariadne agent` processes forwarding to it over HTTP and gRPC.
 * Every trace is read back through the Jaeger query API with its tag types, logs and references.
 */
import { createSocket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEmitBatch } from '../../src/receivers/thrift/fixtures.js';
import { eventually, getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

interface JaegerSpan {
  context(): { traceIdStr: string; spanIdStr: string };
  log(fields: Record<string, unknown>, timestampMs?: number): JaegerSpan;
  finish(finishTimeMs?: number): void;
}
interface JaegerTracer {
  startSpan(name: string, options?: { childOf?: JaegerSpan; startTime?: number; tags?: Record<string, unknown> }): JaegerSpan;
  close(callback?: () => void): void;
  _sampler: { _samplers?: unknown; toString(): string };
}
const { initTracer } = createRequire(import.meta.url)('jaeger-client') as {
  initTracer(config: Record<string, unknown>, options: Record<string, unknown>): JaegerTracer;
};
const quiet = { info() {}, error() {} };

let dir: string;
let collector: ServerProcess;
let httpAgent: ServerProcess;
let grpcAgent: ServerProcess;

beforeAll(async () => {
  dir = await tempDir();
  const strategies = join(dir, 'strategies.json');
  await writeFile(strategies, JSON.stringify({
    default_strategy: { type: 'probabilistic', param: 0 },
    service_strategies: [{ service: 'sampled-svc', type: 'probabilistic', param: 0, operation_strategies: [{ operation: 'always', type: 'probabilistic', param: 1 }] }],
  }));
  collector = await startServerProcess({ dataDir: join(dir, 'data'), args: ['--sampling.strategies-file', strategies] });
  const agentArgs = (target: string) => ['--agent.collector', target, '--agent.sampling-url', `http://127.0.0.1:${collector.ports.jaegerHttp}`];
  [httpAgent, grpcAgent] = await Promise.all([
    startServerProcess({ role: 'agent', dataDir: join(dir, 'unused'), args: agentArgs(`http://127.0.0.1:${collector.ports.jaegerHttp}`) }),
    startServerProcess({ role: 'agent', dataDir: join(dir, 'unused'), args: agentArgs(`grpc://127.0.0.1:${collector.ports.jaegerGrpc}`) }),
  ]);
});

afterAll(async () => {
  for (const p of [httpAgent, grpcAgent, collector]) expect(await p?.stop()).toBe(0);
  await removeDir(dir);
});

const T0_MS = Date.now() - 120_000;

/** Sends checkout → mysql from a real jaeger-client tracer; resolves with the ids once flushed. */
async function sendWithClient(service: string, reporter: Record<string, unknown>): Promise<{ traceId: string; rootId: string; childId: string }> {
  const tracer = initTracer(
    { serviceName: service, sampler: { type: 'const', param: 1 }, reporter: { ...reporter, flushIntervalMs: 20 } },
    { logger: quiet, tags: { 'deploy.zone': 'z1', 'build.number': 42 } },
  );
  const root = tracer.startSpan('GET /cart', { startTime: T0_MS, tags: { 'span.kind': 'server', 'http.status_code': 200, 'cache.hit': false, ratio: 0.25 } });
  root.log({ event: 'lookup', items: 3 }, T0_MS + 1);
  const child = tracer.startSpan('SELECT cart', { childOf: root, startTime: T0_MS + 2, tags: { 'span.kind': 'client', 'peer.service': 'mysql', error: true } });
  child.finish(T0_MS + 7);
  root.finish(T0_MS + 10);
  await new Promise<void>((resolve) => tracer.close(resolve));
  return { traceId: root.context().traceIdStr, rootId: root.context().spanIdStr, childId: child.context().spanIdStr };
}

/** The Jaeger API's view of a trace once it has `count` spans. */
async function readTrace(traceId: string, count = 2): Promise<any> {
  return eventually(async () => {
    const res = await getJson(`${collector.query}/api/traces/${traceId}`);
    return res.status === 200 && res.body.data[0].spans.length === count ? res.body.data[0] : undefined;
  }, 10_000);
}

/** Checks sendWithClient's trace as the Jaeger API shows it. */
function expectClientTrace(trace: any, ids: { rootId: string; childId: string }, service: string): void {
  const byName = Object.fromEntries(trace.spans.map((s: any) => [s.operationName, s]));
  const root = byName['GET /cart'];
  const child = byName['SELECT cart'];
  expect(root.spanID).toBe(ids.rootId.padStart(16, '0'));
  expect(root.startTime).toBe(T0_MS * 1000);
  expect(root.duration).toBe(10_000);
  const tags = (s: any) => Object.fromEntries(s.tags.map((t: any) => [t.key, [t.type, t.value]]));
  expect(tags(root)).toMatchObject({
    'http.status_code': ['int64', 200], 'cache.hit': ['bool', false], ratio: ['float64', 0.25], 'span.kind': ['string', 'server'],
  });
  expect(root.logs).toEqual([{ timestamp: (T0_MS + 1) * 1000, fields: [{ key: 'event', type: 'string', value: 'lookup' }, { key: 'items', type: 'int64', value: 3 }] }]);
  expect(child.references).toEqual([{ refType: 'CHILD_OF', traceID: trace.traceID, spanID: root.spanID }]);
  expect(tags(child)).toMatchObject({ error: ['bool', true], 'peer.service': ['string', 'mysql'], 'span.kind': ['string', 'client'] });
  const process = trace.processes[root.processID];
  expect(process.serviceName).toBe(service);
  expect(Object.fromEntries(process.tags.map((t: any) => [t.key, t.value]))).toMatchObject({ 'deploy.zone': 'z1', 'build.number': 42 });
}

/** A compact-Thrift emitBatch datagram (Apache thrift's TCompactProtocol) with one span. */
function compactDatagram(service: string, traceIdLow: number, spanId: number): Buffer {
  return encodeEmitBatch({
    process: { serviceName: service, tags: [{ key: 'hostname', vType: 0, vStr: 'edge-1' }] },
    spans: [{
      traceIdLow, traceIdHigh: 0, spanId, parentSpanId: 0, operationName: 'compact-op', flags: 1,
      startTime: T0_MS * 1000, duration: 1234, tags: [{ key: 'retries', vType: 3, vLong: 2 }, { key: 'ok', vType: 2, vBool: true }],
      logs: [{ timestamp: T0_MS * 1000 + 5, fields: [{ key: 'event', vType: 0, vStr: 'sent' }] }],
    }],
  }, 'compact');
}

async function sendUdp(port: number, datagram: Buffer): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => socket.send(datagram, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  socket.close();
}

async function expectCompactSpan(traceId: string, service: string): Promise<void> {
  const trace = await readTrace(traceId, 1);
  const [span] = trace.spans;
  expect(span.operationName).toBe('compact-op');
  expect(span.duration).toBe(1234);
  expect(span.tags).toEqual(expect.arrayContaining([{ key: 'retries', type: 'int64', value: 2 }, { key: 'ok', type: 'bool', value: true }]));
  expect(span.logs).toEqual([{ timestamp: T0_MS * 1000 + 5, fields: [{ key: 'event', type: 'string', value: 'sent' }] }]);
  expect(trace.processes[span.processID]).toEqual({ serviceName: service, tags: [{ key: 'hostname', type: 'string', value: 'edge-1' }] });
}

describe('Jaeger senders into the all-in-one', () => {
  it('jaeger-client UDPSender → 6832 (binary Thrift)', async () => {
    const ids = await sendWithClient('udp-svc', { agentHost: '127.0.0.1', agentPort: collector.ports.jaegerBinary });
    expectClientTrace(await readTrace(ids.traceId), ids, 'udp-svc');
  });

  it('jaeger-client HTTPSender → 14268 /api/traces', async () => {
    const ids = await sendWithClient('http-svc', { collectorEndpoint: `http://127.0.0.1:${collector.ports.jaegerHttp}/api/traces` });
    expectClientTrace(await readTrace(ids.traceId), ids, 'http-svc');
  });

  it('compact Thrift datagram → 6831', async () => {
    await sendUdp(collector.ports.jaegerCompact!, compactDatagram('compact-svc', 0x5eed01, 0x101));
    await expectCompactSpan('00000000005eed01', 'compact-svc');
  });

  it('grpc-js PostSpans with the published api_v2 protos → 14250', async () => {
    const definition = protoLoader.loadSync('collector.proto', { includeDirs: [new URL('../../proto/jaeger/api_v2', import.meta.url).pathname], longs: Number, enums: String });
    const api = (grpc.loadPackageDefinition(definition) as any).jaeger.api_v2;
    const client = new api.CollectorService(`127.0.0.1:${collector.ports.jaegerGrpc}`, grpc.credentials.createInsecure());
    const traceId = Buffer.from('00000000000000000000000000c0ffee', 'hex');
    const request = {
      batch: {
        process: { serviceName: 'grpc-svc', tags: [{ key: 'pod', vType: 'STRING', vStr: 'grpc-0' }] },
        spans: [{
          traceId, spanId: Buffer.from('00000000000000a1', 'hex'), operationName: 'grpc-op',
          startTime: { seconds: Math.floor(T0_MS / 1000), nanos: (T0_MS % 1000) * 1e6 }, duration: { seconds: 0, nanos: 2_500_000 },
          tags: [{ key: 'attempt', vType: 'INT64', vInt64: 3 }, { key: 'load', vType: 'FLOAT64', vFloat64: 0.5 }],
        }],
      },
    };
    await new Promise<void>((resolve, reject) => client.PostSpans(request, (err: Error | null) => (err ? reject(err) : resolve())));
    client.close();
    const trace = await readTrace('c0ffee', 1);
    expect(trace.spans[0].startTime).toBe(T0_MS * 1000);
    expect(trace.spans[0].duration).toBe(2500);
    expect(trace.spans[0].tags).toEqual(expect.arrayContaining([{ key: 'attempt', type: 'int64', value: 3 }, { key: 'load', type: 'float64', value: 0.5 }]));
    expect(trace.processes[trace.spans[0].processID]).toEqual({ serviceName: 'grpc-svc', tags: [{ key: 'pod', type: 'string', value: 'grpc-0' }] });
  });

  it('counts a garbage datagram as dropped, by reason, and keeps serving', async () => {
    await sendUdp(collector.ports.jaegerCompact!, Buffer.from('not thrift at all'));
    const metrics = await eventually(async () => {
      const text = await (await fetch(`${collector.admin}/metrics`)).text();
      return /ariadne_udp_dropped_total\{[^}]*reason="invalid"[^}]*\} 1/.test(text) ? text : undefined;
    });
    expect(metrics).toMatch(/ariadne_spans_received_total\{protocol="jaeger-agent-binary"\} 2/);
    // Loss before the process (receive buffer full) is read from the kernel, per port.
    expect(metrics).toContain(`ariadne_udp_kernel_dropped_datagrams{port="${collector.ports.jaegerCompact}"} 0`);
    await sendUdp(collector.ports.jaegerCompact!, compactDatagram('compact-after-garbage', 0x5eed02, 0x102));
    await expectCompactSpan('00000000005eed02', 'compact-after-garbage');
  });

  it('jaeger-client\'s remote sampler obeys the per-operation strategy from 5778', async () => {
    const tracer = initTracer({
      serviceName: 'sampled-svc', reporter: { agentHost: '127.0.0.1', agentPort: collector.ports.jaegerBinary },
      sampler: { type: 'remote', hostPort: `127.0.0.1:${collector.ports.sampling}`, refreshIntervalMs: 50, param: 0 },
    }, { logger: quiet });
    const sampled = (name: string) => (tracer.startSpan(name) as unknown as { _spanContext: { isSampled(): boolean } })._spanContext.isSampled();
    await eventually(async () => (sampled('always') ? true : undefined));
    const outcomes = Array.from({ length: 20 }, (_, i) => [sampled('always'), sampled(`other-${i}`)]);
    await new Promise<void>((resolve) => tracer.close(resolve));
    expect(outcomes.every(([always, other]) => always === true && other === false)).toBe(true);
  });
});

describe('ariadne agent → collector', () => {
  const agents = [
    ['over HTTP (Thrift)', () => httpAgent, 'agent-http'],
    ['over gRPC (PostSpans)', () => grpcAgent, 'agent-grpc'],
  ] as const;

  it.each(agents)('%s: jaeger-client UDPSender → agent 6832 → collector', async (_name, agent, service) => {
    const ids = await sendWithClient(`${service}-binary`, { agentHost: '127.0.0.1', agentPort: agent().ports.jaegerBinary });
    expectClientTrace(await readTrace(ids.traceId), ids, `${service}-binary`);
  });

  it.each(agents)('%s: compact datagram → agent 6831 → collector', async (_name, agent, service) => {
    const low = service === 'agent-http' ? 0x5eed11 : 0x5eed12;
    await sendUdp(agent().ports.jaegerCompact!, compactDatagram(`${service}-compact`, low, 0x111));
    await expectCompactSpan(low.toString(16).padStart(16, '0'), `${service}-compact`);
  });

  it('answers sampling on the agent\'s 5778 by asking the collector', async () => {
    const res = await getJson(`http://127.0.0.1:${httpAgent.ports.sampling}/sampling?service=sampled-svc`);
    expect(res.status).toBe(200);
    expect(res.body.operationSampling.perOperationStrategies).toEqual([{ operation: 'always', probabilisticSampling: { samplingRate: 1 } }]);
    const legacy = await getJson(`http://127.0.0.1:${grpcAgent.ports.sampling}/?service=other`);
    expect(legacy.body).toEqual({ strategyType: 0, probabilisticSampling: { samplingRate: 0 } });
  });

  it('counts forwarded spans in the agent\'s /metrics', async () => {
    const text = await (await fetch(`${httpAgent.admin}/metrics`)).text();
    expect(text).toMatch(/ariadne_agent_forwarded_spans_total 3/);
    expect(text).toMatch(/ariadne_agent_queue_batches 0/);
  });
});
