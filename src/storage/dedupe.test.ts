import { describe, expect, it } from 'vitest';
import type { Span } from '../model/index.js';
import { dedupeSpans, spanIdentity } from './dedupe.js';

const base: Span = {
  traceId: '0000000000000000000000000000000a',
  spanId: '000000000000000b',
  kind: 'client',
  name: 'call',
  service: 'web',
  startUs: 1_000,
  durationUs: 250,
  statusCode: 'unset',
  attributes: {},
  events: [],
  links: [],
  resource: {},
  tenant: '',
};

describe('dedupeSpans', () => {
  const cases: Array<[string, Partial<Span>, number]> = [
    ['exact copy collapses', {}, 1],
    ['copy differing only in attributes collapses', { attributes: { late: 'tag' } }, 1],
    ['server half of a shared span stays', { kind: 'server', shared: true, service: 'api' }, 2],
    ['other kind stays', { kind: 'server' }, 2],
    ['other shared flag stays', { shared: true }, 2],
    ['other service stays', { service: 'api' }, 2],
    ['other start stays', { startUs: 1_001 }, 2],
    ['other duration stays', { durationUs: 251 }, 2],
    ['other name stays', { name: 'call2' }, 2],
    ['other span id stays', { spanId: '000000000000000c' }, 2],
    ['other trace id stays', { traceId: '0000000000000000000000000000000c' }, 2],
    ['other tenant stays', { tenant: 'acme' }, 2],
  ];
  it.each(cases)('%s', (_name, change, expected) => {
    const second = { ...base, ...change };
    const out = dedupeSpans([base, second]);
    expect(out.length).toBe(expected);
    expect(out[0]).toBe(base);
  });

  it('keeps the first occurrence and the input order', () => {
    const other = { ...base, spanId: '000000000000000c' };
    expect(dedupeSpans([base, other, { ...base }, { ...other }, base])).toEqual([base, other]);
  });

  it('collapses a repeat of any earlier span sharing its id, not only the first', () => {
    const server = { ...base, kind: 'server' as const, shared: true, service: 'api' };
    const producer = { ...base, kind: 'producer' as const };
    expect(dedupeSpans([base, server, producer, { ...producer }, { ...server }, { ...base }])).toEqual([base, server, producer]);
  });

  it('agrees with the spanIdentity key on a mixed batch', () => {
    const variants: Array<Partial<Span>> = [{}, { kind: 'server' }, { startUs: 7 }, { spanId: '000000000000000c' }, { tenant: 't' }, { shared: true }];
    const input = Array.from({ length: 60 }, (_, i) => ({ ...base, ...variants[(i * 7) % variants.length], attributes: { i } }));
    const seen = new Set<string>();
    const expected = input.filter((s) => !seen.has(spanIdentity(s)) && seen.add(spanIdentity(s)));
    expect(dedupeSpans(input)).toEqual(expected);
    expect(expected.length).toBe(variants.length);
  });

  it('keeps 200 000 distinct spans that all share one span id, and collapses their resends', () => {
    // Clients that number span ids per trace (1, 2, 3 ...) repeat one id across every trace; this
    // batch is the size of a flush, so work that grows with the square of it would not finish.
    const distinct = Array.from({ length: 200_000 }, (_, i) => ({ ...base, traceId: i.toString(16).padStart(32, '0') }));
    const resent = distinct.filter((_, i) => i % 3 === 0).map((s) => ({ ...s, attributes: { resent: true } }));
    const out = dedupeSpans([...distinct, ...resent]);
    expect(out.length).toBe(200_000);
    expect(out[0]).toBe(distinct[0]);
    expect(out[199_999]).toBe(distinct[199_999]);
  });
});
