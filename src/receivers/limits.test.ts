import { describe, expect, it } from 'vitest';
import type { Span } from '../model/index.js';
import { createMemoryStore } from '../storage/memory/index.js';
import {
  DEFAULT_LIMITS, TRUNCATED_ATTRIBUTE, createLimiter, cutUtf8, limitSpan, spanBytes, truncationWarning, withTruncationWarnings, type Limits,
} from './limits.js';

function span(over: Partial<Span> = {}): Span {
  return {
    traceId: '0000000000000000000000000000000a', spanId: '0000000000000001', kind: 'server', name: 'GET /', service: 'api',
    startUs: 1_700_000_000_000_000, durationUs: 10, statusCode: 'unset', attributes: {}, events: [], links: [], resource: {}, tenant: '',
    ...over,
  };
}

const small: Limits = { ...DEFAULT_LIMITS, maxValueBytes: 8, maxAttributes: 2, maxEvents: 1, maxLinks: 1 };

describe('cutUtf8', () => {
  it.each([
    { name: 'short ascii stays', text: 'abc', max: 8, want: 'abc' },
    { name: 'long ascii is cut', text: 'abcdefghij', max: 4, want: 'abcd' },
    { name: 'a 2-byte character is not split', text: 'aéé', max: 4, want: 'aé' },
    { name: 'a 4-byte character is not split', text: 'ab😀', max: 5, want: 'ab' },
    { name: 'exactly at the limit stays', text: 'ab😀', max: 6, want: 'ab😀' },
  ])('$name', ({ text, max, want }) => {
    expect(cutUtf8(text, max)).toBe(want);
  });
});

describe('limitSpan', () => {
  const cases: Array<{ name: string; in: Partial<Span>; want: Partial<Span> | 'same' }> = [
    { name: 'a span within every limit is the same object', in: { attributes: { a: 'x', b: 1 } }, want: 'same' },
    {
      name: 'a long attribute value is cut and named in the marker',
      in: { attributes: { 'http.url': 'abcdefghijkl' } },
      want: { attributes: { 'http.url': 'abcdefgh', [TRUNCATED_ATTRIBUTE]: '1 value cut to 8 bytes: attribute "http.url" (12 bytes)' } },
    },
    {
      name: 'attributes beyond the count are dropped, the first kept',
      in: { attributes: { a: 1, b: 2, c: 3, d: 4 } },
      want: { attributes: { a: 1, b: 2, [TRUNCATED_ATTRIBUTE]: '2 attributes dropped (limit 2)' } },
    },
    {
      name: 'events and links beyond their counts are dropped',
      in: {
        events: [{ timeUs: 1, name: 'a' }, { timeUs: 2, name: 'b' }],
        links: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), type: 'link' }, { traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), type: 'link' }],
      },
      want: {
        events: [{ timeUs: 1, name: 'a' }],
        links: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), type: 'link' }],
        attributes: { [TRUNCATED_ATTRIBUTE]: '1 event dropped (limit 1); 1 link dropped (limit 1)' },
      },
    },
    {
      name: 'operation name, resource value and event name are cut',
      in: { name: 'GET /abcdefghij', resource: { host: 'host-0123456789' }, events: [{ timeUs: 1, name: 'exception-thrown' }] },
      want: {
        name: 'GET /abc', resource: { host: 'host-012' }, events: [{ timeUs: 1, name: 'exceptio' }],
        attributes: { [TRUNCATED_ATTRIBUTE]: '3 values cut to 8 bytes: name (15 bytes), resource attribute "host" (15 bytes), event name (16 bytes)' },
      },
    },
  ];
  it.each(cases)('$name', (c) => {
    const input = span(c.in);
    const before = structuredClone(input);
    const out = limitSpan(input, small);
    expect(input).toEqual(before);
    if (c.want === 'same') expect(out).toBe(input);
    else expect(out).toEqual({ ...input, ...c.want });
  });

  it('applying the limits twice changes nothing more (replay equals ingest)', () => {
    const once = limitSpan(span({ attributes: { a: 'abcdefghijkl', b: 2, c: 3 }, events: [{ timeUs: 1, name: 'a' }, { timeUs: 2, name: 'b' }] }), small);
    expect(limitSpan(once, small)).toBe(once);
    expect(truncationWarning(once)).toBe('truncated by limits: 1 value cut to 8 bytes: attribute "a" (12 bytes); 1 attribute dropped (limit 2); 1 event dropped (limit 1)');
  });

  it('a 1 MB tag value is cut to the default 2 KiB', () => {
    const out = limitSpan(span({ attributes: { big: 'x'.repeat(1024 * 1024) } }), DEFAULT_LIMITS);
    expect(out.attributes.big).toBe('x'.repeat(2048));
    expect(out.attributes[TRUNCATED_ATTRIBUTE]).toBe('1 value cut to 2048 bytes: attribute "big" (1048576 bytes)');
  });
});

describe('createLimiter', () => {
  const ids = (spans: Span[]) => spans.map((s) => s.spanId);
  const sid = (i: number) => i.toString(16).padStart(16, '0');

  it('refuses spans of a trace beyond its span count, counting only committed batches', () => {
    const limiter = createLimiter({ maxTraceSpans: 3 });
    const first = limiter.apply([span({ spanId: sid(1) }), span({ spanId: sid(2) })]);
    expect({ ids: ids(first.spans), refused: first.refused, stateful: first.stateful }).toEqual({ ids: [sid(1), sid(2)], refused: {}, stateful: false });
    // Not committed (the write failed): the next batch sees no spans counted.
    const retry = limiter.apply([span({ spanId: sid(1) }), span({ spanId: sid(2) })]);
    retry.commit();
    const second = limiter.apply([span({ spanId: sid(3) }), span({ spanId: sid(4) }), span({ traceId: 'b'.repeat(32), spanId: sid(5) })]);
    expect({ ids: ids(second.spans), refused: second.refused, stateful: second.stateful }).toEqual({ ids: [sid(3), sid(5)], refused: { trace_spans: 1 }, stateful: true });
  });

  it('strips attributes and events of spans that take a trace beyond its bytes, with the marker', () => {
    const fat = span({ attributes: { payload: 'x'.repeat(500) }, events: [{ timeUs: 1, name: 'e' }] });
    const limiter = createLimiter({ maxTraceBytes: spanBytes(fat) + 10 });
    const batch = limiter.apply([fat, { ...fat, spanId: sid(2) }]);
    expect(batch.spans[0]).toBe(fat);
    expect(batch.spans[1]).toEqual({
      ...fat, spanId: sid(2), events: [],
      attributes: { [TRUNCATED_ATTRIBUTE]: `trace over its limit of ${spanBytes(fat) + 10} bytes: 1 attribute and 1 event dropped` },
    });
    expect({ truncated: batch.truncated, stateful: batch.stateful }).toEqual({ truncated: 1, stateful: true });
  });

  it('caps services per tenant and operations per service', () => {
    const limiter = createLimiter({ maxServices: 2, maxOperationsPerService: 2 });
    limiter.knowServices('', ['known']);
    const batch = limiter.apply([
      span({ service: 'a', name: 'op1' }), span({ service: 'b' }), span({ service: 'a', name: 'op2' }),
      span({ service: 'a', name: 'op3' }), span({ service: 'a', name: 'op1' }), span({ service: 'b', tenant: 't2' }),
    ]);
    batch.commit();
    expect(batch.spans.map((s) => `${s.tenant}/${s.service}/${s.name}`)).toEqual(['/a/op1', '/a/op2', '/a/op1', 't2/b/GET /']);
    expect(batch.refused).toEqual({ services: 1, operations: 1 });
    const later = limiter.apply([span({ service: 'known' }), span({ service: 'c' })]);
    expect({ services: later.spans.map((s) => s.service), refused: later.refused }).toEqual({ services: ['known'], refused: { services: 1 } });
  });

  it('replay applies the per-span limits and counts spans without refusing any', () => {
    const limiter = createLimiter({ maxTraceSpans: 2, maxValueBytes: 4 });
    const replayed = limiter.replay([span({ spanId: sid(1), name: 'abcdefgh' }), span({ spanId: sid(2) }), span({ spanId: sid(3) })]);
    expect(replayed.map((s) => s.name)).toEqual(['abcd', 'GET ', 'GET ']);
    expect(limiter.apply([span({ spanId: sid(4) })]).refused).toEqual({ trace_spans: 1 });
  });

  it('forgets the least recently seen trace beyond recentTraces', () => {
    const limiter = createLimiter({ maxTraceSpans: 1, recentTraces: 2 });
    for (const t of ['1', '2', '3']) limiter.apply([span({ traceId: t.repeat(32) })]).commit();
    expect(limiter.apply([span({ traceId: '1'.repeat(32), spanId: sid(9) })]).refused).toEqual({});
    expect(limiter.apply([span({ traceId: '3'.repeat(32), spanId: sid(9) })]).refused).toEqual({ trace_spans: 1 });
  });
});

describe('withTruncationWarnings', () => {
  it('adds the warning to truncated spans read by trace, leaving the stored spans as they are', async () => {
    const store = createMemoryStore({ maxSpans: 100 });
    const cut = limitSpan(span({ spanId: 'f'.repeat(16), attributes: { a: 'abcdefghijk' } }), small);
    await store.writer.writeSpans([span(), cut]);
    const reader = withTruncationWarnings(store.reader);
    const trace = await reader.getTrace({ traceId: '0000000000000000000000000000000a' });
    const warnings = trace.sort((a, b) => a.spanId.localeCompare(b.spanId)).map((s) => s.warnings);
    expect(warnings).toEqual([undefined, ['truncated by limits: 1 value cut to 8 bytes: attribute "a" (11 bytes)']]);
    const many = await reader.getTraces({ traceIds: ['0000000000000000000000000000000a'] });
    expect(many[0]!.filter((s) => s.warnings !== undefined).length).toBe(1);
    const raw = await store.reader.getTrace({ traceId: '0000000000000000000000000000000a' });
    expect(raw.every((s) => s.warnings === undefined)).toBe(true);
    expect(await reader.getServices({})).toEqual(['api']);
  });
});
