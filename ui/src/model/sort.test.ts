import { describe, expect, it } from 'vitest';
import type { TraceSummary } from '../api/types.js';
import { sortSummaries, type SortKey } from './sort.js';

const s = (traceId: string, startUs: number, durationUs: number, spanCount: number, errorCount: number): TraceSummary => ({
  traceId, rootService: 'x', rootOperation: 'y', startUs, durationUs, spanCount, errorCount, orphanCount: 0, services: [],
});
const LIST = [s('a', 1, 50, 3, 0), s('b', 3, 10, 9, 2), s('c', 2, 90, 3, 1), s('d', 2, 10, 1, 0)];

describe('sortSummaries', () => {
  const cases: Array<[SortKey, string[]]> = [
    ['recent', ['b', 'c', 'd', 'a']],
    ['longest', ['c', 'a', 'b', 'd']],
    ['shortest', ['b', 'd', 'a', 'c']],
    ['spans', ['b', 'c', 'a', 'd']],
    ['errors', ['b', 'c', 'd', 'a']],
  ];
  it.each(cases)('%s', (key, ids) => {
    expect(sortSummaries(LIST, key).map((x) => x.traceId)).toEqual(ids);
  });
});
