import { describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import { prepareTrace } from './compact-trace.js';
import { serviceTimes } from './service-times.js';
import { span } from './test-spans.js';

const T = 1_000_000;
const prepared = (spans: Span[]) => prepareTrace(spans, { adjustClockSkew: false });

describe('serviceTimes', () => {
  const cases: Array<{ name: string; traces: Span[][]; expected: ReturnType<typeof serviceTimes> }> = [
    {
      name: 'self time is the duration minus the union of the children, clipped to the parent',
      traces: [[
        span({ spanId: 'a', service: 'front', startUs: T, durationUs: 1000 }),
        span({ spanId: 'b', parentSpanId: 'a', service: 'back', startUs: T + 100, durationUs: 300 }),
        span({ spanId: 'c', parentSpanId: 'a', service: 'back', startUs: T + 200, durationUs: 400 }),
        span({ spanId: 'd', parentSpanId: 'a', service: 'db', startUs: T + 900, durationUs: 500 }),
      ]],
      // a: children cover 100..600 and 900..1000 = 600 → self 400. b, c, d have no children.
      expected: [
        { service: 'back', spans: 2, totalUs: 700, selfUs: 700 },
        { service: 'db', spans: 1, totalUs: 500, selfUs: 500 },
        { service: 'front', spans: 1, totalUs: 1000, selfUs: 400 },
      ],
    },
    {
      name: 'sums across traces',
      traces: [
        [span({ spanId: 'a', service: 'front', startUs: T, durationUs: 10 })],
        [span({ spanId: 'a', service: 'front', startUs: T, durationUs: 30, traceId: '00000000000000000000000000000002' })],
      ],
      expected: [{ service: 'front', spans: 2, totalUs: 40, selfUs: 40 }],
    },
  ];
  it.each(cases)('$name', ({ traces, expected }) => {
    expect(serviceTimes(traces.map(prepared))).toEqual(expected);
  });
});
