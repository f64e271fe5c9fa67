/**
 * The forwarder against a real HTTP collector stand-in (node:http) that records bodies and answers
 * chosen statuses: order of delivery, retries, drops by reason, the bounded queue and shutdown.
 */
import { rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeJaegerAgentCompact, decodeJaegerThriftBatch, JAEGER_AGENT_COMPACT } from '../receivers/jaeger/decode-thrift.js';
import { encodeEmitBatch } from '../receivers/thrift/fixtures.js';
import { createMetrics, type Metrics } from '../server/metrics.js';
import { createForwarder, type Forwarder } from './forwarder.js';

const logger = pino({ level: 'silent' });
let server: Server | undefined;
let forwarder: Forwarder | undefined;

afterEach(async () => {
  await forwarder?.close(100);
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  forwarder = undefined;
});

/** A collector that answers each POST with the next status of `statuses` (then 202), after `delayMs`. */
async function collector(statuses: number[], delayMs = 0): Promise<{ url: string; bodies: Buffer[]; requests: () => number; headers: IncomingHttpHeaders[] }> {
  const bodies: Buffer[] = [];
  const headers: IncomingHttpHeaders[] = [];
  let requests = 0;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      headers.push(req.headers);
      const status = statuses.shift() ?? 202;
      if (status === 202) bodies.push(Buffer.concat(chunks));
      setTimeout(() => { res.statusCode = status; res.end(status === 202 ? '' : 'no'); }, delayMs);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, bodies, requests: () => requests, headers };
}

function datagram(service: string): Buffer {
  return encodeEmitBatch({
    process: { serviceName: service },
    spans: [{ traceIdLow: 7, traceIdHigh: 0, spanId: 1, parentSpanId: 0, operationName: 'op', flags: 1, startTime: 1_700_000_000_000_000, duration: 5 }],
  }, 'compact');
}

async function send(f: Forwarder, service: string): Promise<void> {
  const bytes = datagram(service);
  await f.accept({ format: JAEGER_AGENT_COMPACT, tenant: '', bytes, spans: decodeJaegerAgentCompact(bytes, '') });
}

async function counter(metrics: Metrics, name: string): Promise<Record<string, number>> {
  const values = (await metrics.registry.getSingleMetric(name)!.get()).values;
  return Object.fromEntries(values.map((v) => [Object.values(v.labels).join(',') || 'total', v.value]));
}

async function settle(f: Forwarder): Promise<void> {
  await f.close(5000);
}

describe('createForwarder over HTTP', () => {
  it('delivers each batch as a binary-Thrift Batch the collector decodes to the same spans', async () => {
    const c = await collector([]);
    const metrics = createMetrics();
    forwarder = createForwarder({ collector: c.url, queueSize: 10, metrics, logger });
    await send(forwarder, 'a');
    await send(forwarder, 'b');
    await settle(forwarder);
    expect(c.bodies.map((b) => decodeJaegerThriftBatch(b, '').map((s) => [s.service, s.traceId, s.spanId, s.durationUs])).sort()).toEqual([
      [['a', '00000000000000000000000000000007', '0000000000000001', 5]],
      [['b', '00000000000000000000000000000007', '0000000000000001', 5]],
    ]);
    expect(await counter(metrics, 'ariadne_agent_forwarded_spans_total')).toEqual({ total: 2 });
  });

  it('retries 503 and 429, then delivers', async () => {
    const c = await collector([503, 429]);
    const metrics = createMetrics();
    forwarder = createForwarder({ collector: c.url, queueSize: 10, metrics, logger, backoffMs: 1, concurrency: 1 });
    await send(forwarder, 'a');
    await settle(forwarder);
    expect([c.requests(), c.bodies.length]).toEqual([3, 1]);
    expect(await counter(metrics, 'ariadne_agent_dropped_batches_total')).toEqual({});
  });

  it('drops a batch the collector refuses (400) without retrying, and one it keeps failing after 3 attempts', async () => {
    const c = await collector([400, 500, 500, 500]);
    const metrics = createMetrics();
    forwarder = createForwarder({ collector: c.url, queueSize: 10, metrics, logger, backoffMs: 1, concurrency: 1 });
    await send(forwarder, 'refused');
    await send(forwarder, 'failing');
    await settle(forwarder);
    expect(c.requests()).toBe(4);
    expect(await counter(metrics, 'ariadne_agent_dropped_batches_total')).toEqual({ rejected: 1, send_failed: 1 });
  });

  it('refuses batches beyond the queue with RESOURCE_EXHAUSTED and counts them', async () => {
    const c = await collector([], 200);
    const metrics = createMetrics();
    forwarder = createForwarder({ collector: c.url, queueSize: 2, metrics, logger, concurrency: 1 });
    const results = await Promise.allSettled(['1', '2', '3', '4', '5'].map((s) => send(forwarder!, s)));
    // One is in flight, two wait; the rest are refused.
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    expect(await counter(metrics, 'ariadne_agent_dropped_batches_total')).toEqual({ queue_full: 2 });
  });

  it('counts an unreachable collector as send_failed, and what is queued at shutdown as shutdown', async () => {
    const metrics = createMetrics();
    forwarder = createForwarder({ collector: 'http://127.0.0.1:9', queueSize: 10, metrics, logger, backoffMs: 50, concurrency: 1 });
    await send(forwarder, 'a');
    await send(forwarder, 'b');
    await forwarder.close(10);
    const dropped = await counter(metrics, 'ariadne_agent_dropped_batches_total');
    expect((dropped['send_failed'] ?? 0) + (dropped['shutdown'] ?? 0)).toBe(2);
    expect(dropped['shutdown']).toBe(1);
    await expect(send(forwarder, 'late')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it.each([
    ['a tenant and a bearer token from a file', { tenant: 'team-a', tokenFile: 'token' }, '', { 'x-tenant': 'team-a', authorization: 'Bearer 3f9c1d0e6b2a47c5a8e1b7d4c2f09e6a' }],
    ['a tenant under another header', { tenant: 'team-a', tenantHeader: 'x-scope-orgid' }, '', { 'x-scope-orgid': 'team-a' }],
    ['basic auth from the URL, stripped from it', {}, 'agent:p%40ss@', { authorization: `Basic ${Buffer.from('agent:p@ss').toString('base64')}` }],
  ])('sends %s with every batch', async (_name, extra, userinfo, expected) => {
    const c = await collector([]);
    const tokenFile = join(tmpdir(), `ariadne-forwarder-token-${process.pid}`);
    await writeFile(tokenFile, '3f9c1d0e6b2a47c5a8e1b7d4c2f09e6a\n');
    const options = { ...extra, ...('tokenFile' in extra ? { tokenFile } : {}) };
    forwarder = createForwarder({ collector: c.url.replace('//', `//${userinfo}`), queueSize: 10, metrics: createMetrics(), logger, ...options });
    expect(forwarder.target).toBe(`${c.url}/api/traces`);
    await send(forwarder, 'a');
    await settle(forwarder);
    await rm(tokenFile, { force: true });
    expect(c.headers).toHaveLength(1);
    expect(c.headers[0]).toMatchObject(expected);
    if (!('tenant' in extra)) expect(c.headers[0]!['x-tenant']).toBeUndefined();
  });

  it('drops batches refused with 401 and 403 as rejected, without retrying', async () => {
    const c = await collector([401, 403]);
    const metrics = createMetrics();
    forwarder = createForwarder({ collector: c.url, queueSize: 10, metrics, logger, backoffMs: 1, concurrency: 1 });
    await send(forwarder, 'a');
    await send(forwarder, 'b');
    await settle(forwarder);
    expect(c.requests()).toBe(2);
    expect(await counter(metrics, 'ariadne_agent_dropped_batches_total')).toEqual({ rejected: 2 });
    expect(await counter(metrics, 'ariadne_agent_dropped_spans_total')).toEqual({ rejected: 2 });
  });

  it('refuses a collector URL it cannot use', () => {
    expect(() => createForwarder({ collector: 'ftp://x', queueSize: 1, metrics: createMetrics(), logger })).toThrow('--agent.collector: expected an http://, https:// or grpc:// URL, got "ftp://x"');
    expect(() => createForwarder({ collector: 'nope', queueSize: 1, metrics: createMetrics(), logger })).toThrow('--agent.collector: expected http://host:port or grpc://host:port, got "nope"');
    expect(() => createForwarder({ collector: 'ftp://agent:secret@x', queueSize: 1, metrics: createMetrics(), logger }))
      .toThrow('--agent.collector: expected an http://, https:// or grpc:// URL, got "ftp://agent:***@x"');
  });
});
