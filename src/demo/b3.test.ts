import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createIdSource, decideInbound, decideOutbound, extractB3, injectB3, type B3Extraction, type IdSource, type SidecarDecision } from './b3.js';

const T64 = '463ac35c9f6413ad';
const T128 = '463ac35c9f6413ad48485a3953bb6124';
const S1 = 'a2fb4a1d1a96d312';
const P1 = '0020000000000001';

/** Ids that count up, and a fixed sampling draw. */
function fixedIds(draw: number): IdSource {
  let span = 0;
  return {
    traceId: () => 'feedfacefeedface',
    spanId: () => `b${(++span).toString(16).padStart(15, '0')}`,
    requestId: () => 'generated-request-id',
    random: () => draw,
  };
}

describe('extractB3', () => {
  const cases: Array<{ name: string; headers: IncomingHttpHeaders; want: B3Extraction }> = [
    { name: 'no headers', headers: {}, want: { kind: 'none', sampled: undefined, debug: false } },
    { name: 'sampling decision only', headers: { 'x-b3-sampled': '0' }, want: { kind: 'none', sampled: false, debug: false } },
    { name: 'debug flag only', headers: { 'x-b3-flags': '1' }, want: { kind: 'none', sampled: true, debug: true } },
    {
      name: 'full multi-header context',
      headers: { 'x-b3-traceid': T64, 'x-b3-spanid': S1, 'x-b3-parentspanid': P1, 'x-b3-sampled': '1' },
      want: { kind: 'context', traceId: T64, spanId: S1, parentSpanId: P1, sampled: true, debug: false },
    },
    {
      name: '128-bit trace id, upper case, sampled "true"',
      headers: { 'x-b3-traceid': T128.toUpperCase(), 'x-b3-spanid': S1.toUpperCase(), 'x-b3-sampled': 'true' },
      want: { kind: 'context', traceId: T128, spanId: S1, parentSpanId: undefined, sampled: true, debug: false },
    },
    {
      name: 'context without a sampling decision',
      headers: { 'x-b3-traceid': T64, 'x-b3-spanid': S1 },
      want: { kind: 'context', traceId: T64, spanId: S1, parentSpanId: undefined, sampled: undefined, debug: false },
    },
    {
      name: 'debug overrides sampled 0',
      headers: { 'x-b3-traceid': T64, 'x-b3-spanid': S1, 'x-b3-sampled': '0', 'x-b3-flags': '1' },
      want: { kind: 'context', traceId: T64, spanId: S1, parentSpanId: undefined, sampled: true, debug: true },
    },
    {
      name: 'single b3 header with parent',
      headers: { b3: `${T128}-${S1}-1-${P1}`, 'x-b3-traceid': T64, 'x-b3-spanid': P1 },
      want: { kind: 'context', traceId: T128, spanId: S1, parentSpanId: P1, sampled: true, debug: false },
    },
    { name: 'single b3 header debug', headers: { b3: `${T64}-${S1}-d` }, want: { kind: 'context', traceId: T64, spanId: S1, parentSpanId: undefined, sampled: true, debug: true } },
    { name: 'single b3 deny', headers: { b3: '0' }, want: { kind: 'none', sampled: false, debug: false } },
    { name: 'trace id not hex', headers: { 'x-b3-traceid': 'xyz', 'x-b3-spanid': S1 }, want: { kind: 'invalid', reason: 'x-b3-traceid: expected 16 or 32 hex chars, got "xyz"' } },
    { name: 'span id too long', headers: { 'x-b3-traceid': T64, 'x-b3-spanid': T128 }, want: { kind: 'invalid', reason: `x-b3-spanid: expected 16 hex chars, got "${T128}"` } },
    { name: 'zero span id', headers: { 'x-b3-traceid': T64, 'x-b3-spanid': '0000000000000000' }, want: { kind: 'invalid', reason: 'x-b3-spanid: must not be all zeros' } },
    { name: 'trace id without span id', headers: { 'x-b3-traceid': T64 }, want: { kind: 'invalid', reason: 'x-b3-traceid present without x-b3-spanid' } },
    { name: 'span id without trace id', headers: { 'x-b3-spanid': S1 }, want: { kind: 'invalid', reason: 'x-b3-spanid present without x-b3-traceid' } },
    { name: 'bad parent', headers: { 'x-b3-traceid': T64, 'x-b3-spanid': S1, 'x-b3-parentspanid': '12' }, want: { kind: 'invalid', reason: 'x-b3-parentspanid: expected 16 hex chars, got "12"' } },
    { name: 'single b3 bad sampling', headers: { b3: `${T64}-${S1}-x` }, want: { kind: 'invalid', reason: 'b3 sampling: expected 0, 1 or d, got "x"' } },
    { name: 'single b3 garbage', headers: { b3: 'maybe' }, want: { kind: 'invalid', reason: 'b3: expected 0, 1, d or {traceId}-{spanId}, got "maybe"' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(extractB3(c.headers)).toEqual(c.want);
    });
  }
});

describe('injectB3', () => {
  const cases = [
    {
      name: 'sampled child',
      context: { traceId: T64, spanId: S1, parentSpanId: P1, sampled: true, debug: false },
      want: { 'x-b3-traceid': T64, 'x-b3-spanid': S1, 'x-b3-parentspanid': P1, 'x-b3-sampled': '1' },
    },
    { name: 'unsampled root', context: { traceId: T64, spanId: S1, parentSpanId: undefined, sampled: false, debug: false }, want: { 'x-b3-traceid': T64, 'x-b3-spanid': S1, 'x-b3-sampled': '0' } },
    { name: 'debug sends flags alone', context: { traceId: T64, spanId: S1, parentSpanId: undefined, sampled: true, debug: true }, want: { 'x-b3-traceid': T64, 'x-b3-spanid': S1, 'x-b3-flags': '1' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(injectB3(c.context)).toEqual(c.want);
    });
  }
});

describe('decideInbound and decideOutbound', () => {
  const cases: Array<{ name: string; side: 'inbound' | 'outbound'; headers: IncomingHttpHeaders; percent: number; draw: number; want: SidecarDecision | { invalid: string } }> = [
    {
      name: 'inbound: no headers at 100 % starts a sampled trace and a request id',
      side: 'inbound', headers: {}, percent: 100, draw: 0.99,
      want: {
        context: { traceId: 'feedfacefeedface', spanId: 'b000000000000001', parentSpanId: undefined, sampled: true, debug: false },
        shared: false, requestId: 'generated-request-id',
        headers: { 'x-b3-traceid': 'feedfacefeedface', 'x-b3-spanid': 'b000000000000001', 'x-b3-sampled': '1', 'x-request-id': 'generated-request-id' },
      },
    },
    {
      name: 'inbound: draw above the percentage is not sampled',
      side: 'inbound', headers: { 'x-request-id': 'r-1' }, percent: 50, draw: 0.5,
      want: {
        context: { traceId: 'feedfacefeedface', spanId: 'b000000000000001', parentSpanId: undefined, sampled: false, debug: false },
        shared: false, requestId: 'r-1',
        headers: { 'x-b3-traceid': 'feedfacefeedface', 'x-b3-spanid': 'b000000000000001', 'x-b3-sampled': '0', 'x-request-id': 'r-1' },
      },
    },
    {
      name: 'inbound: draw below the percentage is sampled',
      side: 'inbound', headers: {}, percent: 50, draw: 0.49,
      want: {
        context: { traceId: 'feedfacefeedface', spanId: 'b000000000000001', parentSpanId: undefined, sampled: true, debug: false },
        shared: false, requestId: 'generated-request-id',
        headers: { 'x-b3-traceid': 'feedfacefeedface', 'x-b3-spanid': 'b000000000000001', 'x-b3-sampled': '1', 'x-request-id': 'generated-request-id' },
      },
    },
    {
      name: 'inbound: x-b3-sampled 1 wins over 0 %',
      side: 'inbound', headers: { 'x-b3-sampled': '1' }, percent: 0, draw: 0,
      want: {
        context: { traceId: 'feedfacefeedface', spanId: 'b000000000000001', parentSpanId: undefined, sampled: true, debug: false },
        shared: false, requestId: 'generated-request-id',
        headers: { 'x-b3-traceid': 'feedfacefeedface', 'x-b3-spanid': 'b000000000000001', 'x-b3-sampled': '1', 'x-request-id': 'generated-request-id' },
      },
    },
    {
      name: 'inbound: debug flag at 0 % is sampled and stays debug',
      side: 'inbound', headers: { 'x-b3-flags': '1' }, percent: 0, draw: 0.5,
      want: {
        context: { traceId: 'feedfacefeedface', spanId: 'b000000000000001', parentSpanId: undefined, sampled: true, debug: true },
        shared: false, requestId: 'generated-request-id',
        headers: { 'x-b3-traceid': 'feedfacefeedface', 'x-b3-spanid': 'b000000000000001', 'x-b3-flags': '1', 'x-request-id': 'generated-request-id' },
      },
    },
    {
      name: 'inbound: a caller context is shared, ids unchanged',
      side: 'inbound', headers: { 'x-b3-traceid': T64, 'x-b3-spanid': S1, 'x-b3-parentspanid': P1, 'x-b3-sampled': '1', 'x-request-id': 'r-2' }, percent: 0, draw: 0.5,
      want: {
        context: { traceId: T64, spanId: S1, parentSpanId: P1, sampled: true, debug: false },
        shared: true, requestId: 'r-2',
        headers: { 'x-b3-traceid': T64, 'x-b3-spanid': S1, 'x-b3-parentspanid': P1, 'x-b3-sampled': '1', 'x-request-id': 'r-2' },
      },
    },
    {
      name: 'inbound: x-b3-sampled 0 wins over 100 %',
      side: 'inbound', headers: { 'x-b3-traceid': T64, 'x-b3-spanid': S1, 'x-b3-sampled': '0' }, percent: 100, draw: 0,
      want: {
        context: { traceId: T64, spanId: S1, parentSpanId: undefined, sampled: false, debug: false },
        shared: true, requestId: 'generated-request-id',
        headers: { 'x-b3-traceid': T64, 'x-b3-spanid': S1, 'x-b3-sampled': '0', 'x-request-id': 'generated-request-id' },
      },
    },
    {
      name: 'outbound: child of the app\'s span, new span id',
      side: 'outbound', headers: { 'x-b3-traceid': T128, 'x-b3-spanid': S1, 'x-b3-parentspanid': P1, 'x-b3-sampled': '1', 'x-request-id': 'r-3' }, percent: 0, draw: 0.5,
      want: {
        context: { traceId: T128, spanId: 'b000000000000001', parentSpanId: S1, sampled: true, debug: false },
        shared: false, requestId: 'r-3',
        headers: { 'x-b3-traceid': T128, 'x-b3-spanid': 'b000000000000001', 'x-b3-parentspanid': S1, 'x-b3-sampled': '1', 'x-request-id': 'r-3' },
      },
    },
    {
      name: 'outbound: single b3 header becomes multi headers',
      side: 'outbound', headers: { b3: `${T64}-${S1}-d` }, percent: 0, draw: 0.5,
      want: {
        context: { traceId: T64, spanId: 'b000000000000001', parentSpanId: S1, sampled: true, debug: true },
        shared: false, requestId: 'generated-request-id',
        headers: { 'x-b3-traceid': T64, 'x-b3-spanid': 'b000000000000001', 'x-b3-parentspanid': S1, 'x-b3-flags': '1', 'x-request-id': 'generated-request-id' },
      },
    },
    {
      name: 'outbound: an app that dropped the headers starts a new trace',
      side: 'outbound', headers: {}, percent: 100, draw: 0.5,
      want: {
        context: { traceId: 'feedfacefeedface', spanId: 'b000000000000001', parentSpanId: undefined, sampled: true, debug: false },
        shared: false, requestId: 'generated-request-id',
        headers: { 'x-b3-traceid': 'feedfacefeedface', 'x-b3-spanid': 'b000000000000001', 'x-b3-sampled': '1', 'x-request-id': 'generated-request-id' },
      },
    },
    { name: 'inbound: malformed ids are not traced', side: 'inbound', headers: { 'x-b3-traceid': 'xyz', 'x-b3-spanid': S1 }, percent: 100, draw: 0, want: { invalid: 'x-b3-traceid: expected 16 or 32 hex chars, got "xyz"' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const decide = c.side === 'inbound' ? decideInbound : decideOutbound;
      expect(decide(c.headers, { samplingPercent: c.percent, ids: fixedIds(c.draw) })).toEqual(c.want);
    });
  }
});

describe('createIdSource', () => {
  it('gives hex ids of the configured widths and UUID request ids', () => {
    const ids64 = createIdSource();
    const ids128 = createIdSource({ traceId128: true, random: () => 0.25 });
    expect(ids64.traceId()).toMatch(/^[0-9a-f]{16}$/);
    expect(ids128.traceId()).toMatch(/^[0-9a-f]{32}$/);
    expect(ids64.spanId()).toMatch(/^[0-9a-f]{16}$/);
    expect(ids64.requestId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids128.random()).toBe(0.25);
  });
});
