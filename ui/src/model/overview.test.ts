import { describe, expect, it } from 'vitest';
import type { TraceSummary } from '../api/types.js';
import { traceHistogram } from './overview.js';

function summary(startUs: number, errorCount = 0): TraceSummary {
  return { traceId: String(startUs), rootService: 's', rootOperation: 'o', startUs, durationUs: 10, spanCount: 1, errorCount, orphanCount: 0, services: [] };
}

describe('traceHistogram', () => {
  const cases = [
    {
      name: 'counts traces per slice, errors apart; the end belongs to the last slice; outside is dropped',
      list: [summary(0), summary(24, 1), summary(25), summary(99), summary(100, 1), summary(101), summary(-1)],
      expected: [
        { startUs: 0, endUs: 25, count: 2, errors: 1 },
        { startUs: 25, endUs: 50, count: 1, errors: 0 },
        { startUs: 50, endUs: 75, count: 0, errors: 0 },
        { startUs: 75, endUs: 100, count: 2, errors: 1 },
      ],
    },
    { name: 'no traces: empty slices', list: [], expected: [{ startUs: 0, endUs: 50, count: 0, errors: 0 }, { startUs: 50, endUs: 100, count: 0, errors: 0 }], buckets: 2 },
  ];
  it.each(cases)('$name', ({ list, expected, buckets }) => {
    expect(traceHistogram(list, { startUs: 0, endUs: 100, buckets: buckets ?? 4 })).toEqual(expected);
  });
});
