import { describe, expect, it } from 'vitest';
import type { Span } from '../model/index.js';
import type { RequestAggregation } from './api.js';
import { HISTOGRAM_GAMMA, histogramIndex, histogramValue } from './histogram.js';
import { createMemoryStore } from './memory/index.js';
import { aggregateSpans } from './predicate.js';
import {
  coarsenHistogram, groupsFromRollupRows, REQUEST_HISTOGRAM_ACCURACY, requestAggregationOf, requestRollupRows, rollupBucketIndex, rollupBucketOf,
  rollupPlan, ROLLUP_SLOT_US,
} from './requests.js';
import { REQUEST_T0, requestFixture, runRequestConformance } from './requests-conformance.js';
import { dedupeSpans } from './dedupe.js';

const SLOT = ROLLUP_SLOT_US;

runRequestConformance('memory (through aggregateSpans)', { open: async () => createMemoryStore() });

describe('rollup buckets', () => {
  it('state an accuracy of about 5.1 %', () => {
    expect(REQUEST_HISTOGRAM_ACCURACY).toBeCloseTo(0.0512, 4);
  });

  it('read every duration back within the stated accuracy', () => {
    for (let d = 2; d < 1e9; d = Math.ceil(d * 1.003)) {
      const read = histogramValue(rollupBucketIndex(rollupBucketOf(histogramIndex(d))));
      expect(Math.abs(read - d) / d, `duration ${d}`).toBeLessThanOrEqual(REQUEST_HISTOGRAM_ACCURACY);
    }
  });

  const cases: Array<[string, number, number]> = [
    ['0 µs stays in bucket 0', 0, 0],
    ['1 µs stays in bucket 0', 1, 0],
    ['1 % index 1 is rollup bucket 1', 1, 1],
    ['1 % index 5 is rollup bucket 1', 5, 1],
    ['1 % index 6 is rollup bucket 2', 6, 2],
  ];
  it.each(cases)('%s', (_name, index, bucket) => {
    expect(rollupBucketOf(index === 1 && bucket === 0 ? histogramIndex(1) : index)).toBe(bucket);
  });

  it('coarsens a 1 % histogram onto the middle of each rollup bucket', () => {
    expect(coarsenHistogram([[0, 2], [1, 1], [5, 2], [6, 4], [400, 1]])).toEqual([[0, 2], [3, 3], [8, 4], [398, 1]]);
    expect(HISTOGRAM_GAMMA).toBeGreaterThan(1);
  });
});

describe('rollupPlan', () => {
  const q = (startUsMin: number, startUsMax: number, bucketUs?: number): RequestAggregation => ({
    startUsMin, startUsMax, groupBy: bucketUs === undefined ? [] : [{ bucketUs }], maxGroups: 1,
  });
  const cases: Array<[string, RequestAggregation, ReturnType<typeof rollupPlan>]> = [
    ['aligned on both ends', q(REQUEST_T0, REQUEST_T0 + 4 * SLOT - 1), { fromUs: REQUEST_T0, toUs: REQUEST_T0 + 4 * SLOT, edges: [] }],
    ['an inclusive end on a boundary adds that instant as an edge', q(REQUEST_T0, REQUEST_T0 + 4 * SLOT), { fromUs: REQUEST_T0, toUs: REQUEST_T0 + 4 * SLOT, edges: [{ startUsMin: REQUEST_T0 + 4 * SLOT, startUsMax: REQUEST_T0 + 4 * SLOT }] }],
    [
      'unaligned on both ends',
      q(REQUEST_T0 - 5, REQUEST_T0 + 2 * SLOT + 7, 2 * SLOT),
      { fromUs: REQUEST_T0, toUs: REQUEST_T0 + 2 * SLOT, edges: [{ startUsMin: REQUEST_T0 - 5, startUsMax: REQUEST_T0 - 1 }, { startUsMin: REQUEST_T0 + 2 * SLOT, startUsMax: REQUEST_T0 + 2 * SLOT + 7 }] },
    ],
    ['buckets narrower than a slot', q(REQUEST_T0, REQUEST_T0 + 4 * SLOT - 1, 60_000_000), undefined],
    ['buckets not a multiple of a slot', q(REQUEST_T0, REQUEST_T0 + 4 * SLOT - 1, SLOT + SLOT / 2), undefined],
    ['no whole slot', q(REQUEST_T0 + 1, REQUEST_T0 + SLOT + 5), undefined],
  ];
  it.each(cases)('%s', (_name, query, expected) => {
    expect(rollupPlan(query)).toEqual(expected);
  });
  it('starts at the first whole slot the rollups cover; nothing covered is no plan', () => {
    const query = q(REQUEST_T0 - 5, REQUEST_T0 + 4 * SLOT - 1);
    expect(rollupPlan(query, SLOT, REQUEST_T0 + SLOT + 1)).toEqual({
      fromUs: REQUEST_T0 + 2 * SLOT, toUs: REQUEST_T0 + 4 * SLOT, edges: [{ startUsMin: REQUEST_T0 - 5, startUsMax: REQUEST_T0 + 2 * SLOT - 1 }],
    });
    expect(rollupPlan(query, SLOT, Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});

describe('requestRollupRows and groupsFromRollupRows', () => {
  it('sum to the reference figures, with the coarse histogram', () => {
    const spans = dedupeSpans(requestFixture().flat());
    const rows = requestRollupRows(spans);
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(spans.filter((s: Span) => s.kind === 'server' || s.kind === 'consumer' || s.parentSpanId === undefined).length);
    const q: RequestAggregation = { startUsMin: 0, startUsMax: REQUEST_T0 + 100 * SLOT, groupBy: [{ ref: { field: 'operation' } }, { bucketUs: 4 * SLOT }], maxGroups: 100 };
    const reference = aggregateSpans(spans, requestAggregationOf(q));
    expect(groupsFromRollupRows(rows, q)).toEqual(reference.map((g) => ({ ...g, measures: g.measures.map((m) => ({ ...m, histogram: coarsenHistogram(m.histogram!) })) })));
  });
});
