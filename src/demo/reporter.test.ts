import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createZipkinReporter, encodeZipkinBatch, encodingForUrl, toZipkinV1, type ZipkinSpan, type ZipkinV1Span } from './reporter.js';

const LOCAL = { serviceName: 'reviews.default', ipv4: '127.0.0.1', port: 9080 };
const REMOTE = { ipv4: '127.0.0.1', port: 41000 };

function span(overrides: Partial<ZipkinSpan>): ZipkinSpan {
  return {
    traceId: '463ac35c9f6413ad', id: 'a2fb4a1d1a96d312', parentId: '0020000000000001', name: 'ratings.default.svc.cluster.local:9080/*',
    kind: 'CLIENT', timestamp: 1_700_000_000_000_000, duration: 250, localEndpoint: LOCAL, remoteEndpoint: REMOTE,
    tags: { 'http.status_code': '200' }, ...overrides,
  };
}

describe('toZipkinV1', () => {
  const cases: Array<{ name: string; span: ZipkinSpan; want: ZipkinV1Span }> = [
    {
      name: 'client span: cs/cr, tags, sa',
      span: span({}),
      want: {
        traceId: '463ac35c9f6413ad', id: 'a2fb4a1d1a96d312', parentId: '0020000000000001', name: 'ratings.default.svc.cluster.local:9080/*',
        timestamp: 1_700_000_000_000_000, duration: 250,
        annotations: [
          { timestamp: 1_700_000_000_000_000, value: 'cs', endpoint: LOCAL },
          { timestamp: 1_700_000_000_000_250, value: 'cr', endpoint: LOCAL },
        ],
        binaryAnnotations: [
          { key: 'http.status_code', value: '200', endpoint: LOCAL },
          { key: 'sa', value: true, endpoint: REMOTE },
        ],
      },
    },
    {
      name: 'shared server span: sr/ss, ca, no span timestamp or duration',
      span: span({ kind: 'SERVER', shared: true, tags: {} }),
      want: {
        traceId: '463ac35c9f6413ad', id: 'a2fb4a1d1a96d312', parentId: '0020000000000001', name: 'ratings.default.svc.cluster.local:9080/*',
        annotations: [
          { timestamp: 1_700_000_000_000_000, value: 'sr', endpoint: LOCAL },
          { timestamp: 1_700_000_000_000_250, value: 'ss', endpoint: LOCAL },
        ],
        binaryAnnotations: [{ key: 'ca', value: true, endpoint: REMOTE }],
      },
    },
    {
      name: 'root server span with debug and no remote endpoint',
      span: span({ kind: 'SERVER', parentId: undefined, remoteEndpoint: undefined, debug: true, tags: {} }),
      want: {
        traceId: '463ac35c9f6413ad', id: 'a2fb4a1d1a96d312', name: 'ratings.default.svc.cluster.local:9080/*',
        timestamp: 1_700_000_000_000_000, duration: 250, debug: true,
        annotations: [
          { timestamp: 1_700_000_000_000_000, value: 'sr', endpoint: LOCAL },
          { timestamp: 1_700_000_000_000_250, value: 'ss', endpoint: LOCAL },
        ],
        binaryAnnotations: [],
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { parentId, remoteEndpoint, ...rest } = c.span;
      const input: ZipkinSpan = { ...rest, ...(parentId === undefined ? {} : { parentId }), ...(remoteEndpoint === undefined ? {} : { remoteEndpoint }) };
      expect(toZipkinV1(input)).toEqual(c.want);
    });
  }
});

describe('encodingForUrl', () => {
  const cases = [
    { url: 'http://127.0.0.1:9411/api/v2/spans', want: 'json-v2' },
    { url: 'http://127.0.0.1:9411/api/v1/spans', want: 'json-v1' },
    { url: 'http://collector/token123/api/v1/spans/', want: 'json-v1' },
    { url: 'http://collector/zipkin', want: 'json-v2' },
  ];
  for (const c of cases) {
    it(c.url, () => {
      expect(encodingForUrl(c.url)).toBe(c.want);
    });
  }
});

/** A real HTTP collector that records bodies and answers with `status`. */
async function collector(status = 202): Promise<{ url: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/spans`, bodies, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('createZipkinReporter', () => {
  it('posts full batches at once and the rest on flush, in order', async () => {
    const c = await collector();
    servers.push(c.server);
    const reporter = createZipkinReporter({ url: c.url, batchSize: 2, flushIntervalMs: 60_000 });
    const spans = ['0000000000000001', '0000000000000002', '0000000000000003'].map((id) => span({ id }));
    for (const s of spans) reporter.report(s);
    await reporter.flush();
    expect(c.bodies).toEqual([[spans[0], spans[1]], [spans[2]]]);
    expect(reporter.stats()).toEqual({ reported: 3, sent: 3, dropped: 0, failed: 0, requests: 2, lastError: undefined });
    await reporter.close();
  });

  it('sends what is queued on the flush interval', async () => {
    const c = await collector();
    servers.push(c.server);
    const reporter = createZipkinReporter({ url: c.url, batchSize: 100, flushIntervalMs: 20 });
    reporter.report(span({}));
    const deadline = Date.now() + 2000;
    while (c.bodies.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(c.bodies).toEqual([[span({})]]);
    await reporter.close();
  });

  it('drops spans beyond the queue bound and counts them', async () => {
    const c = await collector();
    servers.push(c.server);
    const reporter = createZipkinReporter({ url: c.url, batchSize: 100, maxQueueSpans: 2, flushIntervalMs: 60_000 });
    for (let i = 1; i <= 5; i++) reporter.report(span({ id: `000000000000000${i}` }));
    await reporter.close();
    expect(reporter.stats()).toEqual({ reported: 5, sent: 2, dropped: 3, failed: 0, requests: 1, lastError: undefined });
    expect((c.bodies[0] as ZipkinSpan[]).map((s) => s.id)).toEqual(['0000000000000001', '0000000000000002']);
  });

  it('counts spans of rejected and unreachable POSTs as failed', async () => {
    const c = await collector(400);
    servers.push(c.server);
    const rejected = createZipkinReporter({ url: c.url });
    rejected.report(span({}));
    await rejected.close();
    expect(rejected.stats()).toEqual({ reported: 1, sent: 0, dropped: 0, failed: 1, requests: 1, lastError: `POST ${c.url}: HTTP 400` });

    const closed = await collector();
    await new Promise((r) => closed.server.close(r));
    const unreachable = createZipkinReporter({ url: closed.url, timeoutMs: 2000 });
    unreachable.report(span({}));
    await unreachable.close();
    expect(unreachable.stats()).toMatchObject({ reported: 1, sent: 0, failed: 1, requests: 1 });
    expect(unreachable.stats().lastError).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/api\/v2\/spans: /);
  });

  it('posts v1 JSON when told to', async () => {
    const c = await collector();
    servers.push(c.server);
    const reporter = createZipkinReporter({ url: c.url, encoding: 'json-v1' });
    reporter.report(span({}));
    await reporter.close();
    expect(c.bodies).toEqual([JSON.parse(encodeZipkinBatch([span({})], 'json-v1'))]);
    expect((c.bodies[0] as ZipkinV1Span[])[0]!.annotations.map((a) => a.value)).toEqual(['cs', 'cr']);
  });

  it('rejects bad options with the field named', () => {
    expect(() => createZipkinReporter({ url: 'ftp://x/api/v2/spans' })).toThrow('reporter.url: expected an http(s) URL, got "ftp://x/api/v2/spans"');
    expect(() => createZipkinReporter({ url: 'http://x/api/v2/spans', batchSize: 0 })).toThrow('reporter.batchSize: expected a positive number, got 0');
  });
});
