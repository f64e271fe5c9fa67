import { describe, expect, it } from 'vitest';
import type { AttributeValue, Span } from '../../model/index.js';
import type { OtlpAnyValue, OtlpResourceSpans } from './otlp.js';
import { toAnyValue, toOtlpResourceSpans, toUnixNano } from './otlp.js';

const T = '0000000000000000463ac35c9f6413ad';
const S = 1_700_000_000_000_000;

function span(fields: Partial<Span> & Pick<Span, 'spanId'>): Span {
  return {
    traceId: T, kind: 'unspecified', name: 'op', service: 'svc', startUs: S, durationUs: 100, statusCode: 'unset',
    attributes: {}, events: [], links: [], resource: {}, tenant: '', ...fields,
  };
}

describe('toAnyValue', () => {
  const cases: Array<[string, AttributeValue, OtlpAnyValue]> = [
    ['string', 'GET', { stringValue: 'GET' }],
    ['empty string', '', { stringValue: '' }],
    ['boolean', false, { boolValue: false }],
    ['integer as a decimal string', 200, { intValue: '200' }],
    ['negative integer', -3, { intValue: '-3' }],
    ['integer beyond 2^53', 2 ** 60, { intValue: '1152921504606846976' }],
    ['integer beyond int64 as a double', 2 ** 64, { doubleValue: 2 ** 64 }],
    ['fraction', 0.25, { doubleValue: 0.25 }],
    ['NaN as text (JSON has no NaN)', Number.NaN, { stringValue: 'NaN' }],
  ];
  it.each(cases)('%s', (_name, value, expected) => {
    expect(toAnyValue(value)).toEqual(expected);
  });
});

describe('toUnixNano', () => {
  it.each([
    [S, '1700000000000000000'],
    [1, '1000'],
    [0, undefined],
  ] as Array<[number, string | undefined]>)('%d µs', (us, expected) => {
    expect(toUnixNano(us)).toBe(expected);
  });
});

describe('toOtlpResourceSpans', () => {
  const root = span({
    spanId: '0000000000000001', kind: 'server', name: 'GET /', service: 'frontend', durationUs: 2000, statusCode: 'ok',
    attributes: { 'http.method': 'GET', 'http.status_code': 200 }, resource: { 'host.name': 'fe-1', 'service.name': 'frontend' },
    localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 },
    events: [{ timeUs: S + 5, name: 'parsed', attributes: { bytes: 12 } }, { timeUs: S + 6, name: '' }],
  });
  const client = span({
    spanId: '0000000000000002', parentSpanId: '0000000000000001', kind: 'client', name: 'call', service: 'frontend', startUs: S + 10,
    durationUs: 1000, resource: { 'host.name': 'fe-1', 'service.name': 'frontend' },
    remoteEndpoint: { serviceName: 'backend', ipv6: '2001:db8::2', port: 9000 },
    links: [
      { traceId: T, spanId: '0000000000000009', type: 'follows_from' },
      { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '0000000000000003', type: 'link', attributes: { why: 'batch' } },
    ],
  });
  const shared = span({
    spanId: '0000000000000002', parentSpanId: '0000000000000001', kind: 'server', name: 'call', service: 'backend', startUs: S + 20,
    durationUs: 900, shared: true, statusCode: 'error', attributes: { error: 'db down' },
  });

  it('groups by service and resource, keeps ids hex, kinds and status codes as integers, nanos as strings', () => {
    const expected: OtlpResourceSpans[] = [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'frontend' } }, { key: 'host.name', value: { stringValue: 'fe-1' } }] },
        scopeSpans: [{
          scope: {},
          spans: [
            {
              traceId: T, spanId: '0000000000000001', name: 'GET /', kind: 2,
              startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000002000000',
              attributes: [
                { key: 'http.method', value: { stringValue: 'GET' } },
                { key: 'http.status_code', value: { intValue: '200' } },
                { key: 'network.local.address', value: { stringValue: '10.0.0.1' } },
                { key: 'network.local.port', value: { intValue: '8080' } },
              ],
              events: [
                { timeUnixNano: '1700000000000005000', name: 'parsed', attributes: [{ key: 'bytes', value: { intValue: '12' } }] },
                { timeUnixNano: '1700000000000006000' },
              ],
              status: { code: 1 },
            },
            {
              traceId: T, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'call', kind: 3,
              startTimeUnixNano: '1700000000000010000', endTimeUnixNano: '1700000000001010000',
              attributes: [
                { key: 'peer.service', value: { stringValue: 'backend' } },
                { key: 'network.peer.address', value: { stringValue: '2001:db8::2' } },
                { key: 'network.peer.port', value: { intValue: '9000' } },
              ],
              links: [
                { traceId: T, spanId: '0000000000000009', attributes: [{ key: 'opentracing.ref_type', value: { stringValue: 'follows_from' } }] },
                { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '0000000000000003', attributes: [{ key: 'why', value: { stringValue: 'batch' } }] },
              ],
              status: {},
            },
          ],
        }],
      },
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'backend' } }] },
        scopeSpans: [{
          scope: {},
          spans: [{
            traceId: T, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'call', kind: 2,
            startTimeUnixNano: '1700000000000020000', endTimeUnixNano: '1700000000000920000',
            attributes: [{ key: 'error', value: { stringValue: 'db down' } }],
            status: { code: 2, message: 'db down' },
          }],
        }],
      },
    ];
    expect(toOtlpResourceSpans([shared, client, root], { raw: true, adjustClockSkew: false })).toEqual(expected);
  });

  it('unless raw, gives a shared server half its own id under its client, with a warning', () => {
    const [, backend] = toOtlpResourceSpans([shared, client, root], { raw: false, adjustClockSkew: false });
    const server = backend!.scopeSpans[0]!.spans[0]!;
    expect(server.spanId).toBe('0000000000000003');
    expect(server.parentSpanId).toBe('0000000000000002');
    expect(server.attributes).toEqual([
      { key: 'error', value: { stringValue: 'db down' } },
    ]);
  });

  it('keeps two services with the same resource apart and does not modify its input', () => {
    const a = span({ spanId: '0000000000000001', service: 'a' });
    const b = span({ spanId: '0000000000000002', service: 'b', startUs: S + 1 });
    const frozen = [structuredClone(a), structuredClone(b)].map((s) => Object.freeze(s));
    const out = toOtlpResourceSpans(frozen, { raw: false, adjustClockSkew: true });
    expect(out.map((r) => r.resource.attributes![0]!.value)).toEqual([{ stringValue: 'a' }, { stringValue: 'b' }]);
    expect(out.map((r) => r.scopeSpans[0]!.spans[0])).toEqual([
      { traceId: T, spanId: '0000000000000001', name: 'op', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000000100000', status: {} },
      { traceId: T, spanId: '0000000000000002', name: 'op', startTimeUnixNano: '1700000000000001000', endTimeUnixNano: '1700000000000101000', status: {} },
    ]);
  });
});

describe('toOtlpResourceSpans: OTLP fields carried as attributes', () => {
  it('groups spans into their instrumentation scopes and restores trace state', () => {
    const http = { 'otel.scope.name': 'http', 'otel.scope.version': '1.0', 'otel.scope.attributes.lib.lang': 'js' };
    const out = toOtlpResourceSpans([
      span({ spanId: '0000000000000001', attributes: { ...http, 'w3c.tracestate': 'k=v', a: 1 } }),
      span({ spanId: '0000000000000002', startUs: S + 1, attributes: { 'otel.scope.name': 'db' } }),
      span({ spanId: '0000000000000003', startUs: S + 2, attributes: { ...http } }),
      span({ spanId: '0000000000000004', startUs: S + 3, links: [{ traceId: T, spanId: '0000000000000001', type: 'link', attributes: { 'w3c.tracestate': 'x=y', r: 'retry' } }] }),
    ], { raw: true, adjustClockSkew: false });
    expect(out).toHaveLength(1);
    const scopes = out[0]!.scopeSpans.map((s) => ({ scope: s.scope, spans: s.spans.map((x) => [x.spanId, x.traceState ?? null, x.attributes ?? null]) }));
    expect(scopes).toEqual([
      {
        scope: { name: 'http', version: '1.0', attributes: [{ key: 'lib.lang', value: { stringValue: 'js' } }] },
        spans: [['0000000000000001', 'k=v', [{ key: 'a', value: { intValue: '1' } }]], ['0000000000000003', null, null]],
      },
      { scope: { name: 'db' }, spans: [['0000000000000002', null, null]] },
      { scope: {}, spans: [['0000000000000004', null, null]] },
    ]);
    expect(out[0]!.scopeSpans[2]!.spans[0]!.links).toEqual([
      { traceId: T, spanId: '0000000000000001', traceState: 'x=y', attributes: [{ key: 'r', value: { stringValue: 'retry' } }] },
    ]);
  });
});
