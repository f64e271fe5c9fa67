import { describe, expect, it } from 'vitest';
import type { AttributeValue, Span } from '../../model/index.js';
import { toJaegerTrace, toKeyValue } from './convert.js';
import { TRACE_ID, makeSpan } from './fixtures.js';
import type { JaegerKeyValue } from './types.js';

const A = '00000000000000aa';
const B = '00000000000000bb';
const C = '00000000000000cc';

describe('toKeyValue', () => {
  const cases: Array<[string, AttributeValue, JaegerKeyValue]> = [
    ['string', 'GET', { key: 'k', type: 'string', value: 'GET' }],
    ['boolean', false, { key: 'k', type: 'bool', value: false }],
    ['integer', 200, { key: 'k', type: 'int64', value: 200 }],
    ['negative integer', -3, { key: 'k', type: 'int64', value: -3 }],
    ['fraction', 0.25, { key: 'k', type: 'float64', value: 0.25 }],
    ['integer beyond 2^53 as a decimal string', 2 ** 60, { key: 'k', type: 'int64', value: '1152921504606846976' }],
    ['NaN as a string', Number.NaN, { key: 'k', type: 'string', value: 'NaN' }],
  ];
  it.each(cases)('%s', (_name, value, expected) => {
    expect(toKeyValue('k', value)).toEqual(expected);
  });
});

describe('toJaegerTrace', () => {
  it('converts a Zipkin-style client/server trace exactly', () => {
    const spans: Span[] = [
      // Stored order is not start order: output is sorted by start time.
      makeSpan({
        spanId: A, kind: 'server', name: 'get /api', service: 'backend', shared: true,
        startUs: 1_000_100, durationUs: 800,
        attributes: { 'http.status_code': 500, error: 'boom' }, statusCode: 'error', statusMessage: 'boom',
        localEndpoint: { serviceName: 'backend', ipv4: '10.0.0.2' },
        events: [{ timeUs: 1_000_500, name: 'retry' }, { timeUs: 1_000_200, name: '{"event":"cache miss","key":"k1"}' }],
      }),
      makeSpan({
        spanId: A, kind: 'client', name: 'get', service: 'frontend', parentSpanId: B, debug: true,
        startUs: 1_000_000, durationUs: 1_000,
        attributes: { 'http.method': 'GET', ratio: 0.5, cached: false },
        localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1' },
        remoteEndpoint: { serviceName: 'backend', ipv4: '10.0.0.2', port: 8080 },
        resource: { 'service.name': 'frontend', 'host.name': 'web-1' },
      }),
      makeSpan({
        spanId: B, name: 'root', service: 'frontend', startUs: 999_000, durationUs: 3_000,
        localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1' },
        links: [{ traceId: TRACE_ID, spanId: C, type: 'follows_from' }],
      }),
      makeSpan({
        spanId: C, name: 'db', service: 'backend', parentSpanId: A, kind: 'client', startUs: 1_000_300, durationUs: 100,
        localEndpoint: { serviceName: 'backend', ipv4: '10.0.0.2' },
        events: [{ timeUs: 1_000_310, name: 'log', attributes: { level: 'info', 'retry.count': 2 } }],
      }),
    ];
    expect(toJaegerTrace(spans, { adjustClockSkew: false })).toEqual({
      traceID: '463ac35c9f6413ad',
      spans: [
        {
          traceID: '463ac35c9f6413ad', spanID: B, flags: 1, operationName: 'root',
          references: [{ refType: 'FOLLOWS_FROM', traceID: '463ac35c9f6413ad', spanID: C }],
          startTime: 999_000, duration: 3_000, tags: [], logs: [], processID: 'p1', warnings: null,
        },
        {
          traceID: '463ac35c9f6413ad', spanID: A, flags: 3, operationName: 'get',
          references: [{ refType: 'CHILD_OF', traceID: '463ac35c9f6413ad', spanID: B }],
          startTime: 1_000_000, duration: 1_000,
          tags: [
            { key: 'http.method', type: 'string', value: 'GET' },
            { key: 'ratio', type: 'float64', value: 0.5 },
            { key: 'cached', type: 'bool', value: false },
            { key: 'span.kind', type: 'string', value: 'client' },
            { key: 'peer.service', type: 'string', value: 'backend' },
            { key: 'peer.ipv4', type: 'string', value: '10.0.0.2' },
            { key: 'peer.port', type: 'int64', value: 8080 },
          ],
          logs: [], processID: 'p2', warnings: null,
        },
        {
          traceID: '463ac35c9f6413ad', spanID: '0000000000000001', flags: 1, operationName: 'get /api',
          references: [{ refType: 'CHILD_OF', traceID: '463ac35c9f6413ad', spanID: A }],
          startTime: 1_000_100, duration: 800,
          tags: [
            { key: 'http.status_code', type: 'int64', value: 500 },
            { key: 'error', type: 'bool', value: true },
            { key: 'span.kind', type: 'string', value: 'server' },
            { key: 'otel.status_description', type: 'string', value: 'boom' },
          ],
          logs: [
            {
              timestamp: 1_000_200,
              fields: [{ key: 'event', type: 'string', value: 'cache miss' }, { key: 'key', type: 'string', value: 'k1' }],
            },
            { timestamp: 1_000_500, fields: [{ key: 'event', type: 'string', value: 'retry' }] },
          ],
          processID: 'p3',
          warnings: null,
        },
        {
          traceID: '463ac35c9f6413ad', spanID: C, flags: 1, operationName: 'db',
          // Its parent was the shared id: it now hangs under the server half.
          references: [{ refType: 'CHILD_OF', traceID: '463ac35c9f6413ad', spanID: '0000000000000001' }],
          startTime: 1_000_300, duration: 100,
          tags: [{ key: 'span.kind', type: 'string', value: 'client' }],
          logs: [
            {
              timestamp: 1_000_310,
              fields: [{ key: 'level', type: 'string', value: 'info' }, { key: 'retry.count', type: 'int64', value: 2 }],
            },
          ],
          processID: 'p3', warnings: null,
        },
      ],
      processes: {
        p1: { serviceName: 'frontend', tags: [{ key: 'ip', type: 'string', value: '10.0.0.1' }] },
        p2: {
          serviceName: 'frontend',
          tags: [{ key: 'host.name', type: 'string', value: 'web-1' }, { key: 'ip', type: 'string', value: '10.0.0.1' }],
        },
        p3: { serviceName: 'backend', tags: [{ key: 'ip', type: 'string', value: '10.0.0.2' }] },
      },
      warnings: null,
    });
  });

  const tagCases: Array<{ name: string; span: Partial<Span>; tags: JaegerKeyValue[] }> = [
    {
      name: 'OTLP error status without an error attribute adds error=true and the message',
      span: { statusCode: 'error', statusMessage: 'deadline exceeded', kind: 'internal' },
      tags: [
        { key: 'span.kind', type: 'string', value: 'internal' },
        { key: 'error', type: 'bool', value: true },
        { key: 'otel.status_description', type: 'string', value: 'deadline exceeded' },
      ],
    },
    {
      name: 'an explicit OK status shows as otel.status_code=OK',
      span: { statusCode: 'ok', kind: 'server' },
      tags: [
        { key: 'span.kind', type: 'string', value: 'server' },
        { key: 'otel.status_code', type: 'string', value: 'OK' },
      ],
    },
    {
      name: 'Zipkin error="true" becomes a boolean and adds no message',
      span: { statusCode: 'error', attributes: { error: 'true' } },
      tags: [{ key: 'error', type: 'bool', value: true }],
    },
    {
      name: 'an error attribute on a span that did not fail is shown as stored',
      span: { attributes: { error: false } },
      tags: [{ key: 'error', type: 'bool', value: false }],
    },
    {
      name: 'attributes win over derived tags of the same key',
      span: {
        kind: 'client', attributes: { 'span.kind': 'CLIENT', 'peer.service': 'db-main' },
        remoteEndpoint: { serviceName: 'db', ipv6: '::1' },
      },
      tags: [
        { key: 'span.kind', type: 'string', value: 'CLIENT' },
        { key: 'peer.service', type: 'string', value: 'db-main' },
        { key: 'peer.ipv6', type: 'string', value: '::1' },
      ],
    },
  ];
  it.each(tagCases)('$name', ({ span, tags }) => {
    expect(toJaegerTrace([makeSpan({ spanId: A, ...span })], { adjustClockSkew: false }).spans[0]!.tags).toEqual(tags);
  });

  it('keeps a 128-bit trace id whole and dedupes a link that repeats the parent', () => {
    const traceId = '463ac35c9f6413ad48485a3953bb6124';
    const trace = toJaegerTrace(
      [makeSpan({ spanId: A, traceId, parentSpanId: B, links: [{ traceId, spanId: B, type: 'child_of' }, { traceId, spanId: C, type: 'link' }] })],
      { adjustClockSkew: false },
    );
    expect(trace.traceID).toBe(traceId);
    expect(trace.spans[0]!.references).toEqual([
      { refType: 'CHILD_OF', traceID: traceId, spanID: B },
      { refType: 'FOLLOWS_FROM', traceID: traceId, spanID: C },
    ]);
  });

  it('applies clock skew only when asked, and raw skips every fix', () => {
    const spans = [
      makeSpan({ spanId: A, kind: 'client', durationUs: 1000, service: 'front' }),
      makeSpan({ spanId: A, kind: 'server', startUs: 999_000, durationUs: 200, service: 'back' }),
    ];
    const pick = (raw: boolean, adjustClockSkew: boolean) =>
      toJaegerTrace(spans, { adjustClockSkew, raw }).spans.map((s) => [s.spanID, s.startTime, s.warnings]);
    expect(pick(false, true)).toEqual([
      [A, 1_000_000, null],
      ['0000000000000001', 1_000_400, ['clock skew adjusted by 1400µs']],
    ]);
    expect(pick(false, false)).toEqual([
      ['0000000000000001', 999_000, ['clock skew of 1400µs detected; not adjusted']],
      [A, 1_000_000, null],
    ]);
    expect(pick(true, true)).toEqual([
      [A, 999_000, null],
      [A, 1_000_000, null],
    ]);
  });

  it('returns an empty trace for no spans and does not modify its input', () => {
    expect(toJaegerTrace([], { adjustClockSkew: true })).toEqual({ traceID: '', spans: [], processes: {}, warnings: null });
    const spans = [makeSpan({ spanId: A, kind: 'client' }), makeSpan({ spanId: A, kind: 'server', startUs: 0 })];
    const before = structuredClone(spans);
    toJaegerTrace(spans, { adjustClockSkew: true });
    expect(spans).toEqual(before);
  });
});
