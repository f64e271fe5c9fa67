import { describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import { prepareTrace } from './compact-trace.js';
import { detailOf, withDetails } from './details.js';
import { HOST_RESOURCE_KEYS } from '../jaeger/index.js';
import { span } from './test-spans.js';

/** What a skeleton read leaves of a span (the fields SpanReader.getTraceSkeleton promises). */
function skeletonOf(s: Span): Span {
  const resource: Span['resource'] = {};
  for (const key of HOST_RESOURCE_KEYS) if (s.resource[key] !== undefined) resource[key] = String(s.resource[key]);
  const out: Span = { ...s, attributes: {}, events: [], links: [], resource };
  delete out.statusMessage;
  delete out.remoteEndpoint;
  if (s.localEndpoint) out.localEndpoint = { ...(s.localEndpoint.ipv4 ? { ipv4: s.localEndpoint.ipv4 } : {}), ...(s.localEndpoint.ipv6 ? { ipv6: s.localEndpoint.ipv6 } : {}) };
  return out;
}

const front = { service: 'front', localEndpoint: { serviceName: 'front', ipv4: '10.0.0.1' } };
const back = { service: 'back', resource: { 'host.name': 'back-1', 'service.version': '2' } };

/** A client span and the server half sharing its id, reported 1050 µs early by a skewed clock. */
const SHARED_AND_SKEWED: Span[] = [
  span({ spanId: 'a', ...front, name: 'GET /', startUs: 1000, durationUs: 1000, attributes: { 'http.url': '/' } }),
  span({ spanId: 'b', parentSpanId: 'a', ...front, kind: 'client', name: 'call', startUs: 1100, durationUs: 500, statusMessage: 'slow' }),
  span({
    spanId: 'b', parentSpanId: 'a', ...back, kind: 'server', shared: true, name: 'handle', startUs: 50, durationUs: 300,
    attributes: { user: 'u1' }, events: [{ timeUs: 60, name: 'cache miss', attributes: { key: 'k' } }],
  }),
  span({ spanId: 'c', parentSpanId: 'b', ...back, name: 'query', startUs: 70, durationUs: 100, events: [{ timeUs: 75, name: 'sent' }] }),
];

describe('withDetails', () => {
  const cases = [
    { name: 'shared ids and clock skew, adjusted', spans: SHARED_AND_SKEWED, adjustClockSkew: true },
    { name: 'shared ids and clock skew, only flagged', spans: SHARED_AND_SKEWED, adjustClockSkew: false },
    {
      name: 'an orphan and a span without adjustments',
      spans: [span({ spanId: 'a', ...front, attributes: { x: 1 } }), span({ spanId: 'd', parentSpanId: 'e', ...back, events: [{ timeUs: 1, name: 'n' }] })],
      adjustClockSkew: true,
    },
  ];
  it.each(cases)('gives each row the whole span with the row\'s adjustments: $name', ({ spans, adjustClockSkew }) => {
    const lean = prepareTrace(spans.map(skeletonOf), { adjustClockSkew });
    const whole = prepareTrace(spans, { adjustClockSkew });
    expect(lean.compact).toEqual(whole.compact);
    expect(withDetails(lean, spans)).toEqual(whole.spans);
    expect(whole.spans.map((_, row) => detailOf(lean, row, spans.filter((s) => s.spanId === lean.sources[row]!.spanId)))).toEqual(whole.spans);
  });

  it('moves events with a shifted span', () => {
    const lean = prepareTrace(SHARED_AND_SKEWED.map(skeletonOf), { adjustClockSkew: true });
    const rows = withDetails(lean, SHARED_AND_SKEWED);
    const server = rows.find((s) => s.name === 'handle')!;
    expect({ spanId: server.spanId, parentSpanId: server.parentSpanId, startUs: server.startUs, events: server.events, warnings: server.warnings })
      .toEqual({
        spanId: '0000000000000001', parentSpanId: '000000000000000b', startUs: 1200,
        events: [{ timeUs: 1210, name: 'cache miss', attributes: { key: 'k' } }], warnings: ['clock skew adjusted by 1150µs'],
      });
  });

  it('keeps the skeleton of a row whose span is gone and ignores spans that are not rows', () => {
    const spans = [span({ spanId: 'a', attributes: { x: 1 } }), span({ spanId: 'b', parentSpanId: 'a', attributes: { y: 2 } })];
    const lean = prepareTrace(spans.map(skeletonOf), { adjustClockSkew: false });
    const later = [spans[0]!, span({ spanId: 'f', parentSpanId: 'a' })];
    expect(withDetails(lean, later)).toEqual([spans[0], skeletonOf(spans[1]!)]);
  });
});
