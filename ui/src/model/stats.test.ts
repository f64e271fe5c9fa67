import { describe, expect, it } from 'vitest';
import { selfTimes, traceStats } from './stats.js';

// root(0..100) with children 10..40 and 30..60 (overlapping) and 80..120 (clipped at 100)
const COLS = {
  parent: [-1, 0, 0, 0],
  subtree: [4, 1, 1, 1],
  startUs: [0, 10, 30, 80],
  durationUs: [100, 30, 30, 40],
  service: [0, 1, 1, 1],
  name: [0, 1, 1, 2],
  flags: [0, 1, 0, 0],
};

describe('trace statistics', () => {
  it('self time subtracts the union of children clipped to the span', () => {
    expect([...selfTimes(COLS)]).toEqual([100 - 50 - 20, 30, 30, 40]);
  });
  it('groups by service and operation, largest self time first', () => {
    expect(traceStats(COLS, ['web', 'db'], ['get', 'select', 'insert'])).toEqual([
      { service: 'db', operation: 'select', count: 2, errors: 1, totalUs: 60, avgUs: 30, maxUs: 30, selfUs: 60 },
      { service: 'db', operation: 'insert', count: 1, errors: 0, totalUs: 40, avgUs: 40, maxUs: 40, selfUs: 40 },
      { service: 'web', operation: 'get', count: 1, errors: 0, totalUs: 100, avgUs: 100, maxUs: 100, selfUs: 30 },
    ]);
  });
});
