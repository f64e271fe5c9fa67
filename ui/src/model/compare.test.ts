import { describe, expect, it } from 'vitest';
import type { CompactTrace } from '../api/types.js';
import { compareTraces } from './compare.js';

function trace(rows: Array<[parent: number, service: string, name: string, durationUs: number]>): CompactTrace {
  const services = [...new Set(rows.map((r) => r[1]))];
  const names = [...new Set(rows.map((r) => r[2]))];
  const depth: number[] = [];
  rows.forEach(([p], i) => (depth[i] = p < 0 ? 0 : depth[p]! + 1));
  return {
    traceId: 'x', startUs: 0, durationUs: 0, spanCount: rows.length, depth: 0, services, names, kinds: [], warnings: [],
    rows: {
      spanIds: '', parent: rows.map((r) => r[0]), depth, startUs: rows.map(() => 0), durationUs: rows.map((r) => r[3]),
      service: rows.map((r) => services.indexOf(r[1])), name: rows.map((r) => names.indexOf(r[2])), kind: [], flags: [], subtree: [],
    },
  };
}

describe('compareTraces', () => {
  it('marks nodes only in A, only in B and in both, summing repeated calls', () => {
    const a = trace([[-1, 'web', 'get', 100], [0, 'db', 'select', 10], [0, 'db', 'select', 20], [0, 'cache', 'get', 5]]);
    const b = trace([[-1, 'web', 'get', 150], [0, 'db', 'select', 40], [1, 'disk', 'read', 30]]);
    expect(compareTraces(a, b)).toEqual([
      { depth: 0, service: 'web', operation: 'get', countA: 1, countB: 1, durationA: 100, durationB: 150, presence: 'both' },
      { depth: 1, service: 'db', operation: 'select', countA: 2, countB: 1, durationA: 30, durationB: 40, presence: 'both' },
      { depth: 2, service: 'disk', operation: 'read', countA: 0, countB: 1, durationA: 0, durationB: 30, presence: 'b' },
      { depth: 1, service: 'cache', operation: 'get', countA: 1, countB: 0, durationA: 5, durationB: 0, presence: 'a' },
    ]);
  });
});
