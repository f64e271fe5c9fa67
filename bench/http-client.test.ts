import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCeilingServer } from './ceiling.js';
import { createGetter, sendBatches } from './http-client.js';
import { createWorkload } from './workload.js';

const workload = createWorkload({ spans: 5_000, endUs: 1_800_000_000_000_000 });

describe('sendBatches against the ceiling server', () => {
  it('delivers every batch and the server parses every span', async () => {
    const ceiling = await startCeilingServer();
    try {
      const before = await ceiling.stats();
      const r = await sendBatches({ url: ceiling.url, batches: workload.batches, concurrency: 3 });
      const after = await ceiling.stats();
      expect(Object.fromEntries(r.statusCounts)).toEqual({ 202: 5 });
      expect(r.acceptedSpans).toBe(5_000);
      expect([...r.acceptedBatches].sort()).toEqual([0, 1, 2, 3, 4]);
      expect(r.sentBytes).toBe(workload.bodyBytes);
      expect(after.parsedSpans - before.parsedSpans).toBe(5_000);
      expect(after.cpuSeconds).toBeGreaterThanOrEqual(before.cpuSeconds);
    } finally {
      await ceiling.close();
    }
  });
});

describe('sendBatches retries and failures', () => {
  let server: Server;
  let base = '';
  const seen = new Map<string, number>();
  beforeAll(async () => {
    // First attempt of each body: 429; batch 2 is always refused with 400.
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const key = body.slice(0, 60);
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        if (body === workload.batches[2]!.body.toString('utf8')) {
          res.statusCode = 400;
          res.end('span[0].traceId: bad');
        } else if (n === 1) {
          res.statusCode = 429;
          res.setHeader('retry-after', '0');
          res.end();
        } else {
          res.statusCode = 202;
          res.end();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('retries 429, keeps other answers final and reports them', async () => {
    const r = await sendBatches({ url: `${base}/api/v2/spans`, batches: workload.batches, concurrency: 2 });
    expect(Object.fromEntries(r.statusCounts)).toEqual({ 202: 4, 400: 1 });
    expect(Object.fromEntries(r.attemptCounts)).toEqual({ 202: 4, 400: 1, 429: 4 });
    expect(r.acceptedSpans).toBe(4_000);
    expect(r.acceptedBatches.has(2)).toBe(false);
    expect(r.failures).toEqual([{ batch: 2, status: 400, body: 'span[0].traceId: bad' }]);
  });

  it('times sequential GETs and reports connection errors as status 0', async () => {
    const getter = createGetter(base);
    const res = await getter.get('/anything');
    getter.close();
    expect(res.status).toBe(429);
    expect(res.ms).toBeGreaterThan(0);
    const dead = createGetter('http://127.0.0.1:1');
    expect((await dead.get('/')).status).toBe(0);
    dead.close();
  });
});
