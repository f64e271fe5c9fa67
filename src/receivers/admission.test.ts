import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Registry } from 'prom-client';
import { isAppError } from '../errors.js';
import { createHttpApp } from '../server/http.js';
import { createMetrics } from '../server/metrics.js';
import { createMemoryStore } from '../storage/memory/index.js';
import {
  BYTES_PER_BUFFERED_SPAN, DECODE_FACTOR, HIGH_WATER, MIN_SPAN_BYTES, admitGrpc, admitHttp, budgetShortfall, bufferedSpansLimit, createAdmission, type Admission,
} from './admission.js';
import { createIngest } from './ingest.js';
import { zipkinReceiverPlugin } from './zipkin/http.js';

const MiB = 1024 * 1024;
const opened: Admission[] = [];
afterEach(() => {
  for (const a of opened.splice(0)) a.close();
});
function admission(options: Parameters<typeof createAdmission>[0]): Admission {
  const a = createAdmission(options);
  opened.push(a);
  return a;
}

/** A budget whose high water sits `headroom` bytes above the RSS of now. */
function budgetWithHeadroom(headroom: number): number {
  return Math.ceil((process.memoryUsage.rss() + headroom) / HIGH_WATER);
}

function refusal(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (err) {
    expect(isAppError(err, 'RESOURCE_EXHAUSTED')).toBe(true);
    return (err as Error).message;
  }
}

describe('createAdmission', () => {
  it('bounds the requests in flight per receiver and admits again once one leaves', () => {
    const registry = new Registry();
    const a = admission({ maxBytes: 0, maxInflight: 2, registry });
    const leaveA = a.enter('zipkin', 10);
    a.enter('zipkin', 10);
    a.enter('otlpHttp', 10);
    expect(refusal(() => a.enter('zipkin', 10))).toBe('zipkin: 2 requests already in flight (--ingest.max-inflight 2); retry later');
    leaveA();
    leaveA();
    expect(a.inflight('zipkin')).toBe(1);
    expect(refusal(() => a.enter('zipkin', 10))).toBeUndefined();
    expect(a.usage().inflightBytes).toBe(30);
  });

  it('refuses a request whose decoding would take the estimate over the high water, and names the budget', () => {
    const maxBytes = budgetWithHeadroom(64 * MiB);
    const a = admission({ maxBytes, maxInflight: 100 });
    const cases = [
      { name: 'a small body', bytes: 1024, refused: false },
      { name: 'a body that would need more than the headroom once decoded', bytes: 32 * MiB, refused: true },
    ];
    const got = cases.map((c) => ({ name: c.name, refused: refusal(() => a.enter('zipkin', c.bytes)) !== undefined }));
    expect(got).toEqual(cases.map(({ name, refused }) => ({ name, refused })));
    const message = refusal(() => a.enter('zipkin', 32 * MiB))!;
    expect(message).toMatch(new RegExp(`^memory budget: about \\d+ MiB in use and a 32 MiB request exceed 75 % of --memory.max ${Math.round(maxBytes / MiB)} MiB; retry later$`));
  });

  it('counts spans the store buffered since the last sample, and bodies in flight', () => {
    let buffered = 0;
    const a = admission({ maxBytes: budgetWithHeadroom(64 * MiB), maxInflight: 100, bufferedSpans: () => buffered, bytesPerBufferedSpan: 1000, sampleIntervalMs: 60_000 });
    expect(refusal(() => a.check('zipkin'))).toBeUndefined();
    buffered = 10_000;
    expect(a.usage().bufferedBytes).toBe(10_000_000);
    const leave = a.enter('zipkin', 2 * MiB);
    expect(a.usage().estimatedBytes - a.usage().rssBytes).toBe(10_000_000 + 2 * MiB * DECODE_FACTOR);
    leave();
    buffered = 200_000;
    // A fresh sample before refusing takes RSS as it is: these spans exist only in the count, so they stay counted on top.
    expect(refusal(() => a.check('zipkin'))).toBeUndefined();
    expect(a.usage().bufferedBytes).toBe(0);
  });

  it('refuses everything once RSS alone is over the budget', () => {
    const a = admission({ maxBytes: 16 * MiB, maxInflight: 100 });
    expect(refusal(() => a.check('udp'))).toMatch(/^memory budget: about \d+ MiB in use exceed 75 % of --memory.max 16 MiB; retry later$/);
    expect(refusal(() => a.enter('zipkin', 0))).toMatch(/^memory budget/);
    expect(a.inflight('zipkin')).toBe(0);
  });

  it('admits gRPC calls by message size and lets them leave when answered or failed', async () => {
    const a = admission({ maxBytes: 0, maxInflight: 1 });
    let release: () => void = () => {};
    const service = admitGrpc({
      name: 'test.Service',
      methods: { Call: async (request) => { await new Promise<void>((r) => { release = r; }); return request; } },
    }, a, 'otlpGrpc');
    const call = { metadata: undefined as never, signal: new AbortController().signal, peer: 'x' };
    const first = service.methods.Call!(Buffer.from('abc'), call);
    await expect(service.methods.Call!(Buffer.from('d'), call)).rejects.toThrow('otlpGrpc: 1 requests already in flight (--ingest.max-inflight 1); retry later');
    release();
    expect((await first).toString()).toBe('abc');
    expect(a.inflight('otlpGrpc')).toBe(0);
  });

  it('hands a gRPC refusal to the receiver before answering, so the ingest figures see it', async () => {
    const metrics = createMetrics();
    const ingest = createIngest({ writer: createMemoryStore({ maxSpans: 10 }).writer, metrics });
    const a = admission({ maxBytes: 0, maxInflight: 0 });
    const seen: string[] = [];
    const service = admitGrpc({ name: 'test.Service', methods: { Call: async (request) => request } }, a, 'otlpGrpc', (err, peer) => {
      seen.push(peer);
      return ingest.refuse('otlp-proto', err, { source: peer });
    });
    const call = { metadata: undefined as never, signal: new AbortController().signal, peer: 'ipv4:10.1.2.3:5000' };
    await expect(service.methods.Call!(Buffer.from('abc'), call)).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    expect(seen).toEqual(['ipv4:10.1.2.3:5000']);
    expect(await metrics.registry.getSingleMetricAsString('ariadne_requests_rejected_total')).toContain('ariadne_requests_rejected_total{protocol="otlp-proto",reason="overloaded"} 1');
  });
});

describe('admitHttp on a real receiver', () => {
  it('answers 429 with Retry-After in the receiver\'s own format before reading an over-budget body, and counts it', async () => {
    const store = createMemoryStore({ maxSpans: 1000 });
    const metrics = createMetrics();
    const a = admission({ maxBytes: budgetWithHeadroom(64 * MiB), maxInflight: 8, registry: metrics.registry });
    const ingest = createIngest({ writer: store.writer, metrics, admission: a });
    const app = createHttpApp({ logger: pino({ level: 'silent' }), bodyLimit: 64 * MiB });
    admitHttp(app, a, 'zipkin');
    await app.register(zipkinReceiverPlugin, { ingest, maxBodyBytes: 64 * MiB });
    try {
      const span = { traceId: 'a'.repeat(32), id: 'b'.repeat(16), name: 'op', timestamp: 1_700_000_000_000_000, duration: 5, localEndpoint: { serviceName: 's' } };
      const small = await app.inject({ method: 'POST', url: '/api/v2/spans', headers: { 'content-type': 'application/json' }, payload: JSON.stringify([span]) });
      expect(small.statusCode).toBe(202);
      const big = JSON.stringify([{ ...span, tags: { pad: 'x'.repeat(24 * MiB) } }]);
      const refused = await app.inject({ method: 'POST', url: '/api/v2/spans', headers: { 'content-type': 'application/json' }, payload: big });
      expect({ status: refused.statusCode, retryAfter: refused.headers['retry-after'], type: refused.headers['content-type'] })
        .toEqual({ status: 429, retryAfter: '1', type: 'text/plain; charset=utf-8' });
      expect(refused.body).toMatch(/^memory budget: about \d+ MiB in use and a 24 MiB request exceed 75 % of --memory.max \d+ MiB; retry later\n$/);
      expect(a.inflight('zipkin')).toBe(0);
      const text = await metrics.registry.metrics();
      expect(text).toContain('ariadne_admission_refused_total{receiver="zipkin",reason="memory"} 1');
      expect(text).toContain('ariadne_requests_rejected_total{protocol="zipkin-v2-json",reason="overloaded"} 1');
    } finally {
      await app.close();
    }
  });
});

describe('bufferedSpansLimit', () => {
  it.each([
    ['no budget keeps the flag', 0, 500_000, 500_000],
    ['512 MiB gives the buffer and its flush 18 % at 1200 + 2200 B a span', 512 * MiB, 500_000, 28_422],
    ['a smaller flag wins', 1024 * MiB, 50_000, 50_000],
    ['a tiny budget still buffers 1000 spans', MiB, 500_000, 1000],
  ])('%s', (_name, maxBytes, configured, expected) => {
    expect(bufferedSpansLimit(maxBytes, configured)).toBe(expected);
  });
});

describe('admission by buffered spans', () => {
  it('refuses before reading once buffered spans plus those being read would pass the limit, and counts the reason', async () => {
    const registry = new Registry();
    let buffered = 900;
    const a = admission({ maxBytes: 0, maxInflight: 100, bufferedSpans: () => buffered, maxBufferedSpans: 1000, registry });
    // 900 buffered + 5000 B / MIN_SPAN_BYTES (50) = 950: admitted; the next 6000 B would make 1010.
    a.enter('zipkin', 50 * MIN_SPAN_BYTES);
    expect(refusal(() => a.enter('zipkin', 60 * MIN_SPAN_BYTES))).toBe('900 spans are waiting to be stored and more are being read (limit 1000 under --memory.max); retry later');
    expect(refusal(() => a.enter('zipkin', 40 * MIN_SPAN_BYTES))).toBeUndefined();
    buffered = 1000;
    expect(refusal(() => a.enter('otlpHttp', 0))).toBeDefined();
    const counted = (await registry.getSingleMetric('ariadne_admission_refused_total')!.get()).values
      .map((v) => [v.labels.receiver, v.labels.reason, v.value]);
    expect(counted).toEqual([['zipkin', 'buffer', 1], ['otlpHttp', 'buffer', 1]]);
  });
});

describe('budgetShortfall', () => {
  const rest = { rssBytes: 160 * MiB, engineBytes: 128 * MiB };
  it.each([
    ['no budget', { ...rest, maxBytes: 0, bufferedSpans: 500_000 }, undefined],
    ['512 MiB holds the process, DuckDB, its buffer and the buffer\'s flush under the high water',
      { ...rest, maxBytes: 512 * MiB, bufferedSpans: bufferedSpansLimit(512 * MiB, 500_000) }, undefined],
    ['300 MiB does not', { ...rest, maxBytes: 300 * MiB, bufferedSpans: bufferedSpansLimit(300 * MiB, 500_000) },
      '--memory.max 300 MiB is too small to take spans in steadily: the process holds 160 MiB at rest, the store may keep 128 MiB and buffer and flush 16653 spans (~54 MiB), '
      + 'above the 75 % at which ingest is refused; most requests will answer 429. Give it at least 512 MiB'],
  ])('%s', (_name, plan, expected) => {
    expect(budgetShortfall(plan)).toBe(expected);
  });
});
