import { describe, expect, it } from 'vitest';
import { prepareTrace } from './compact-trace.js';
import { span } from './test-spans.js';
import { createTraceCache } from './trace-cache.js';

function traceOf(n: number) {
  return prepareTrace(Array.from({ length: n }, (_, i) => span({ spanId: (i + 1).toString(16) })), { adjustClockSkew: false });
}

describe('createTraceCache', () => {
  it('evicts the least recently used trace when the span budget is exceeded', () => {
    const cache = createTraceCache({ maxSpans: 10, ttlMs: 1000, now: () => 0 });
    cache.set('a', traceOf(4));
    cache.set('b', traceOf(4));
    expect(cache.get('a')?.spans.length).toBe(4); // a is now the most recent
    cache.set('c', traceOf(4));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.spans.length).toBe(4);
    expect(cache.get('c')?.spans.length).toBe(4);
    expect(cache.spans).toBe(8);
  });

  it('does not cache a trace larger than the budget', () => {
    const cache = createTraceCache({ maxSpans: 3, ttlMs: 1000, now: () => 0 });
    cache.set('big', traceOf(4));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.spans).toBe(0);
  });

  it('drops entries older than the ttl', () => {
    let now = 0;
    const cache = createTraceCache({ maxSpans: 10, ttlMs: 1000, now: () => now });
    cache.set('a', traceOf(2));
    now = 1000;
    expect(cache.get('a')?.spans.length).toBe(2);
    now = 1001;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.spans).toBe(0);
  });

  it('tells when an entry was stored, until it expires', () => {
    let now = 500;
    const cache = createTraceCache({ maxSpans: 10, ttlMs: 1000, now: () => now });
    expect(cache.storedAt('a')).toBeUndefined();
    cache.set('a', traceOf(2));
    now = 1500;
    expect(cache.storedAt('a')).toBe(500);
    now = 1501;
    expect(cache.storedAt('a')).toBeUndefined();
  });

  it('replacing a trace counts its spans once', () => {
    const cache = createTraceCache({ maxSpans: 10, ttlMs: 1000, now: () => 0 });
    cache.set('a', traceOf(3));
    cache.set('a', traceOf(5));
    expect(cache.spans).toBe(5);
  });
});
