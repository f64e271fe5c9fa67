import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import type { Span } from '../model/index.js';
import { MAX_REFUSALS, MAX_SOURCES, OTHER_SERVICE, createIngestStats } from './ingest-stats.js';

const NOW_MS = 1_764_000_000_000;
const span = (service: string, endMsAgo: number, error = false): Span => ({
  traceId: '0'.repeat(31) + '1', spanId: '0'.repeat(15) + '1', kind: 'server', name: 'op', service,
  startUs: (NOW_MS - endMsAgo) * 1000 - 500, durationUs: 500, statusCode: error ? 'error' : 'unset',
  attributes: {}, events: [], links: [], resource: {}, tenant: '',
});

describe('createIngestStats', () => {
  it('counts spans per receiver and per source service, with errors, addresses and clock offsets', () => {
    let now = NOW_MS;
    const stats = createIngestStats(() => now);
    stats.accepted('zipkin-v2-json', [span('web', 40), span('web', -250, true), span('db', 1000)], 0, '10.0.0.1');
    now += 1000;
    stats.accepted('zipkin-v2-json', [span('web', -1000)], 2, '10.0.0.2');
    stats.accepted('otlp-proto', [span('web', 0)], 0, undefined);
    const snap = stats.snapshot();
    expect(snap.since).toBe(new Date(NOW_MS).toISOString());
    expect(snap.receivers).toEqual([
      { format: 'otlp-proto', requests: 1, spans: 1, refusedRequests: 0, refusedSpans: 0, lastSeen: new Date(NOW_MS + 1000).toISOString(), refusals: [] },
      { format: 'zipkin-v2-json', requests: 2, spans: 4, refusedRequests: 0, refusedSpans: 2, lastSeen: new Date(NOW_MS + 1000).toISOString(), refusals: [] },
    ]);
    expect(snap.sources).toEqual([
      {
        format: 'zipkin-v2-json', tenant: '', service: 'web', spans: 3, errorSpans: 1, lastSeen: new Date(NOW_MS + 1000).toISOString(),
        addresses: ['10.0.0.1', '10.0.0.2'], clockOffsetMs: { min: -250, max: 40, last: 0 },
      },
      {
        format: 'otlp-proto', tenant: '', service: 'web', spans: 1, errorSpans: 0, lastSeen: new Date(NOW_MS + 1000).toISOString(),
        addresses: [], clockOffsetMs: { min: 1000, max: 1000, last: 1000 },
      },
      {
        format: 'zipkin-v2-json', tenant: '', service: 'db', spans: 1, errorSpans: 0, lastSeen: new Date(NOW_MS).toISOString(),
        addresses: ['10.0.0.1'], clockOffsetMs: { min: 1000, max: 1000, last: 1000 },
      },
    ].sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : a.service < b.service ? -1 : 1)));
  });

  it("shows a tenant only its own requests and sources, and nobody's refusals", () => {
    const stats = createIngestStats(() => NOW_MS);
    stats.accepted('zipkin-v2-json', [{ ...span('web', 0), tenant: 'acme' }, { ...span('db', 0), tenant: 'acme' }], 0, '10.0.0.1');
    stats.accepted('zipkin-v2-json', [{ ...span('billing', 0), tenant: 'globex' }], 1, '10.0.0.2');
    stats.accepted('otlp-proto', [{ ...span('ledger', 0), tenant: 'globex' }], 0, undefined);
    stats.refused('zipkin-v2-json', new AppError('INVALID_ARGUMENT', 'span[0].traceId: bad'), { sample: Buffer.from('secret') });
    const acme = stats.snapshot({ tenant: 'acme' });
    expect(acme.receivers).toEqual([
      { format: 'zipkin-v2-json', requests: 1, spans: 2, refusedRequests: 0, refusedSpans: 0, lastSeen: new Date(NOW_MS).toISOString(), refusals: [] },
    ]);
    expect(acme.sources.map((s) => [s.tenant, s.service])).toEqual([['acme', 'db'], ['acme', 'web']]);
    const globex = stats.snapshot({ tenant: 'globex' });
    expect(globex.receivers.map((r) => [r.format, r.requests, r.spans, r.refusedSpans])).toEqual([['otlp-proto', 1, 1, 0], ['zipkin-v2-json', 1, 1, 1]]);
    expect(globex.sources.map((s) => s.service).sort()).toEqual(['billing', 'ledger']);
    expect(stats.snapshot({ tenant: 'initech' })).toEqual({ since: acme.since, receivers: [], sources: [] });
    const all = stats.snapshot();
    expect(all.receivers.find((r) => r.format === 'zipkin-v2-json')).toMatchObject({ requests: 3, spans: 3, refusedRequests: 1 });
    expect(all.sources).toHaveLength(4);
  });

  it('keeps the last refusals newest first, with the sender and a text or base64 sample', () => {
    const stats = createIngestStats(() => NOW_MS);
    stats.refused('zipkin-v2-json', new AppError('INVALID_ARGUMENT', 'span[0].traceId: bad'), { source: '10.0.0.9', sample: Buffer.from('[{"traceId":"x"}]') });
    stats.refused('zipkin-v2-json', new AppError('UNSUPPORTED_MEDIA_TYPE', 'no'), { sample: Buffer.from([0x0a, 0xff, 0x00]) });
    stats.spansRefused('zipkin-v2-json', 7);
    for (let i = 0; i < MAX_REFUSALS; i++) stats.refused('otlp-json', new AppError('INVALID_ARGUMENT', `n${i}`), {});
    const [otlp, zipkin] = stats.snapshot().receivers;
    expect(zipkin).toEqual({
      format: 'zipkin-v2-json', requests: 2, spans: 0, refusedRequests: 2, refusedSpans: 7, lastRefused: new Date(NOW_MS).toISOString(),
      refusals: [
        { at: new Date(NOW_MS).toISOString(), code: 'UNSUPPORTED_MEDIA_TYPE', message: 'no', sample: 'base64:Cv8A' },
        { at: new Date(NOW_MS).toISOString(), code: 'INVALID_ARGUMENT', message: 'span[0].traceId: bad', source: '10.0.0.9', sample: '[{"traceId":"x"}]' },
      ],
    });
    stats.refused('otlp-json', new AppError('INVALID_ARGUMENT', 'newest'), {});
    expect(stats.snapshot().receivers[0]!.refusals.map((r) => r.message)).toEqual(['newest', 'n4', 'n3', 'n2', 'n1']);
    expect(otlp!.refusedRequests).toBe(MAX_REFUSALS);
  });

  it(`stops adding source rows at ${MAX_SOURCES} and counts the rest together`, () => {
    const stats = createIngestStats(() => NOW_MS);
    stats.accepted('zipkin-v2-json', Array.from({ length: MAX_SOURCES + 50 }, (_, i) => span(`svc-${i}`, 0)), 0, undefined);
    const sources = stats.snapshot().sources;
    expect(sources).toHaveLength(MAX_SOURCES + 1);
    expect(sources.find((s) => s.service === OTHER_SERVICE)?.spans).toBe(50);
  });
});
