import { describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import { correctClockSkew, dedupeSharedSpanIds } from './adjust.js';
import { makeSpan } from './fixtures.js';

const A = '00000000000000aa';
const B = '00000000000000bb';
const C = '00000000000000cc';
const D = '00000000000000dd';
const ONE = '0000000000000001';
const TWO = '0000000000000002';

/** The fields the adjusters change, for compact exact assertions. */
function summary(spans: Span[]) {
  return spans.map((s) => ({
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    startUs: s.startUs,
    warnings: s.warnings,
  }));
}

describe('dedupeSharedSpanIds', () => {
  it('leaves a trace without shared ids untouched (same objects)', () => {
    const spans = [makeSpan({ spanId: A, kind: 'client' }), makeSpan({ spanId: B, kind: 'server', parentSpanId: A })];
    const out = dedupeSharedSpanIds(spans);
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(spans[0]);
    expect(out[1]).toBe(spans[1]);
  });

  const cases: Array<{ name: string; spans: Span[]; expected: ReturnType<typeof summary> }> = [
    {
      name: 'server half gets a fresh id under the client, and the shared id\'s children move under it',
      spans: [
        makeSpan({ spanId: A, kind: 'client', parentSpanId: C }),
        makeSpan({ spanId: A, kind: 'server', parentSpanId: C, shared: true }),
        makeSpan({ spanId: B, parentSpanId: A }),
        makeSpan({ spanId: C }),
      ],
      expected: [
        { spanId: A, parentSpanId: C, startUs: 1_000_000, warnings: undefined },
        {
          spanId: ONE,
          parentSpanId: A,
          startUs: 1_000_000,
          warnings: undefined,
        },
        { spanId: B, parentSpanId: ONE, startUs: 1_000_000, warnings: undefined },
        { spanId: C, parentSpanId: undefined, startUs: 1_000_000, warnings: undefined },
      ],
    },
    {
      name: 'fresh ids skip ids already used in the trace',
      spans: [
        makeSpan({ spanId: ONE, kind: 'client' }),
        makeSpan({ spanId: ONE, kind: 'server' }),
        makeSpan({ spanId: A, kind: 'client', parentSpanId: ONE }),
        makeSpan({ spanId: A, kind: 'server', parentSpanId: ONE }),
      ],
      expected: [
        { spanId: ONE, parentSpanId: undefined, startUs: 1_000_000, warnings: undefined },
        {
          spanId: TWO,
          parentSpanId: ONE,
          startUs: 1_000_000,
          warnings: undefined,
        },
        // A's halves were children of the shared id ONE: they move under its server half.
        { spanId: A, parentSpanId: TWO, startUs: 1_000_000, warnings: undefined },
        {
          spanId: '0000000000000003',
          parentSpanId: A,
          startUs: 1_000_000,
          warnings: undefined,
        },
      ],
    },
    {
      name: 'two server spans sharing an id without a client span are left as they are',
      spans: [makeSpan({ spanId: A, kind: 'server' }), makeSpan({ spanId: A, kind: 'server' })],
      expected: [
        { spanId: A, parentSpanId: undefined, startUs: 1_000_000, warnings: undefined },
        { spanId: A, parentSpanId: undefined, startUs: 1_000_000, warnings: undefined },
      ],
    },
  ];
  it.each(cases)('$name', ({ spans, expected }) => {
    const before = structuredClone(spans);
    expect(summary(dedupeSharedSpanIds(spans))).toEqual(expected);
    expect(spans).toEqual(before);
  });
});

describe('correctClockSkew', () => {
  const host = (ip: string) => ({ localEndpoint: { ipv4: ip } });
  // Parent on host 1: 1_000_000 .. 1_001_000.
  const parent = makeSpan({ spanId: A, durationUs: 1000, ...host('10.0.0.1') });

  const cases: Array<{ name: string; apply: boolean; spans: Span[]; expected: ReturnType<typeof summary> }> = [
    {
      name: 'child on another host starting early is centred in its parent; same-host descendants follow',
      apply: true,
      spans: [
        parent,
        makeSpan({ spanId: B, parentSpanId: A, startUs: 999_500, durationUs: 200, ...host('10.0.0.2') }),
        makeSpan({ spanId: C, parentSpanId: B, startUs: 999_550, durationUs: 100, ...host('10.0.0.2') }),
      ],
      expected: [
        { spanId: A, parentSpanId: undefined, startUs: 1_000_000, warnings: undefined },
        // latency (1000 - 200) / 2 = 400: the child starts at 1_000_400, a shift of +900.
        { spanId: B, parentSpanId: A, startUs: 1_000_400, warnings: ['clock skew adjusted by 900µs'] },
        { spanId: C, parentSpanId: B, startUs: 1_000_450, warnings: ['clock skew adjusted by 900µs'] },
      ],
    },
    {
      name: 'child ending after its parent moves back (negative delta)',
      apply: true,
      spans: [parent, makeSpan({ spanId: B, parentSpanId: A, startUs: 1_000_900, durationUs: 400, ...host('10.0.0.2') })],
      expected: [
        { spanId: A, parentSpanId: undefined, startUs: 1_000_000, warnings: undefined },
        { spanId: B, parentSpanId: A, startUs: 1_000_300, warnings: ['clock skew adjusted by -600µs'] },
      ],
    },
    {
      name: 'child longer than its parent is only moved to start with it',
      apply: true,
      spans: [parent, makeSpan({ spanId: B, parentSpanId: A, startUs: 999_000, durationUs: 5000, ...host('10.0.0.2') })],
      expected: [
        { spanId: A, parentSpanId: undefined, startUs: 1_000_000, warnings: undefined },
        { spanId: B, parentSpanId: A, startUs: 1_000_000, warnings: ['clock skew adjusted by 1000µs'] },
      ],
    },
    {
      name: 'child longer than its parent that starts after it is left alone',
      apply: true,
      spans: [parent, makeSpan({ spanId: B, parentSpanId: A, startUs: 1_000_500, durationUs: 5000, ...host('10.0.0.2') })],
      expected: [
        { spanId: A, parentSpanId: undefined, startUs: 1_000_000, warnings: undefined },
        { spanId: B, parentSpanId: A, startUs: 1_000_500, warnings: undefined },
      ],
    },
    {
      name: 'child on the same host is never moved',
      apply: true,
      spans: [parent, makeSpan({ spanId: B, parentSpanId: A, startUs: 999_000, durationUs: 200, ...host('10.0.0.1') })],
      expected: [
        { spanId: A, parentSpanId: undefined, startUs: 1_000_000, warnings: undefined },
        { spanId: B, parentSpanId: A, startUs: 999_000, warnings: undefined },
      ],
    },
    {
      name: 'without host information the service decides: another service is another clock',
      apply: true,
      spans: [
        makeSpan({ spanId: A, durationUs: 1000, service: 'front' }),
        makeSpan({ spanId: B, parentSpanId: A, startUs: 999_000, durationUs: 200, service: 'front' }),
        makeSpan({ spanId: C, parentSpanId: A, startUs: 999_000, durationUs: 200, service: 'back' }),
      ],
      expected: [
        { spanId: A, parentSpanId: undefined, startUs: 1_000_000, warnings: undefined },
        { spanId: B, parentSpanId: A, startUs: 999_000, warnings: undefined },
        { spanId: C, parentSpanId: A, startUs: 1_000_400, warnings: ['clock skew adjusted by 1400µs'] },
      ],
    },
    {
      name: 'with adjustment off skew is only reported',
      apply: false,
      spans: [parent, makeSpan({ spanId: B, parentSpanId: A, startUs: 999_500, durationUs: 200, ...host('10.0.0.2') })],
      expected: [
        { spanId: A, parentSpanId: undefined, startUs: 1_000_000, warnings: undefined },
        { spanId: B, parentSpanId: A, startUs: 999_500, warnings: ['clock skew of 900µs detected; not adjusted'] },
      ],
    },
    {
      name: 'a parent cycle and a self parent terminate and move nothing',
      apply: true,
      spans: [
        makeSpan({ spanId: A, parentSpanId: B, service: 'x' }),
        makeSpan({ spanId: B, parentSpanId: A, startUs: 5, service: 'y' }),
        makeSpan({ spanId: C, parentSpanId: C, startUs: 7, service: 'z' }),
      ],
      expected: [
        { spanId: A, parentSpanId: B, startUs: 1_000_000, warnings: undefined },
        { spanId: B, parentSpanId: A, startUs: 5, warnings: undefined },
        { spanId: C, parentSpanId: C, startUs: 7, warnings: undefined },
      ],
    },
    {
      name: 'spans sharing an id are skipped with a warning; their children count as roots',
      apply: true,
      spans: [
        makeSpan({ spanId: A, service: 'x' }),
        makeSpan({ spanId: A, service: 'y' }),
        makeSpan({ spanId: D, parentSpanId: A, startUs: 0, service: 'z' }),
      ],
      expected: [
        { spanId: A, parentSpanId: undefined, startUs: 1_000_000, warnings: [`span id ${A} is not unique in the trace; clock skew not checked`] },
        { spanId: A, parentSpanId: undefined, startUs: 1_000_000, warnings: [`span id ${A} is not unique in the trace; clock skew not checked`] },
        { spanId: D, parentSpanId: A, startUs: 0, warnings: undefined },
      ],
    },
  ];
  it.each(cases)('$name', ({ spans, apply, expected }) => {
    const before = structuredClone(spans);
    expect(summary(correctClockSkew(spans, { apply }))).toEqual(expected);
    expect(spans).toEqual(before);
  });

  it('moves events with their span', () => {
    const child = makeSpan({
      spanId: B, parentSpanId: A, startUs: 999_500, durationUs: 200, ...host('10.0.0.2'),
      events: [{ timeUs: 999_600, name: 'sr' }],
    });
    const out = correctClockSkew([parent, child], { apply: true });
    expect(out[1]!.events).toEqual([{ timeUs: 1_000_500, name: 'sr' }]);
  });

  it('handles a 20 000-deep chain without recursion', () => {
    const spans: Span[] = [];
    for (let i = 1; i <= 20_000; i++) {
      const id = i.toString(16).padStart(16, '0');
      const parentSpanId = i === 1 ? undefined : (i - 1).toString(16).padStart(16, '0');
      spans.push(makeSpan({ spanId: id, parentSpanId, service: i % 2 === 0 ? 'even' : 'odd', startUs: 1_000_000 + i }));
    }
    const out = correctClockSkew(spans, { apply: true });
    // Each child starts 1 µs into its 100 µs parent and so ends after it: it is pulled back to
    // start with its parent, which itself was pulled back to the root's start.
    expect(out.every((span) => span.startUs === 1_000_001)).toBe(true);
    expect(out[19_999]!.warnings).toEqual(['clock skew adjusted by -19999µs']);
  });
});
