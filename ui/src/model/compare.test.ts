import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompactTrace } from '../api/types.js';
import { compareTraces, type CompareRow } from './compare.js';

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

/** The merge read literally: a row's node is its whole path of (service, operation) pairs from its root. */
function byPaths(a: CompactTrace, b: CompactTrace): CompareRow[] {
  const nodes = new Map<string, CompareRow & { children: string[] }>();
  const roots: string[] = [];
  for (const [t, side] of [[a, 'A'], [b, 'B']] as const) {
    const paths: string[][] = [];
    for (let row = 0; row < t.spanCount; row++) {
      const p = t.rows.parent[row]!;
      const pair = JSON.stringify([t.services[t.rows.service[row]!], t.names[t.rows.name[row]!]]);
      paths[row] = p >= 0 ? [...paths[p]!, pair] : [pair];
      const key = paths[row]!.join('/');
      let node = nodes.get(key);
      if (!node) {
        node = { depth: t.rows.depth[row]!, service: t.services[t.rows.service[row]!]!, operation: t.names[t.rows.name[row]!]!, countA: 0, countB: 0, durationA: 0, durationB: 0, presence: 'both', children: [] };
        nodes.set(key, node);
        if (p >= 0) nodes.get(paths[p]!.join('/'))!.children.push(key);
        else roots.push(key);
      }
      if (side === 'A') (node.countA++, (node.durationA += t.rows.durationUs[row]!));
      else (node.countB++, (node.durationB += t.rows.durationUs[row]!));
    }
  }
  const out: CompareRow[] = [];
  const visit = (key: string) => {
    const { children, ...row } = nodes.get(key)!;
    out.push({ ...row, presence: row.countA === 0 ? 'b' : row.countB === 0 ? 'a' : 'both' });
    children.forEach(visit);
  };
  roots.forEach(visit);
  return out;
}

describe('compareTraces against the merge read literally', () => {
  const rows = fc.array(fc.tuple(fc.nat(), fc.constantFrom('web', 'db', 'cache'), fc.constantFrom('get', 'put'), fc.nat(1000), fc.boolean()), { minLength: 1, maxLength: 40 })
    .map((list) => list.map(([p, s, n, d, root], i): [number, string, string, number] => [i === 0 || (root && p % 7 === 0) ? -1 : p % i, s, n, d]));
  it('gives the same rows for random pairs of trees, orphans included', () => {
    fc.assert(fc.property(rows, rows, (x, y) => {
      expect(compareTraces(trace(x), trace(y))).toEqual(byPaths(trace(x), trace(y)));
    }), { numRuns: 500 });
  });
});

describe('compareTraces with more distinct names than small number keys allow', () => {
  it('gives the same rows as the merge by paths', () => {
    // 1 000 services × 1 000 operations × 2 200 rows exceed 2^31: node keys fall back to text.
    const wide = (seed: number) => trace(Array.from({ length: 1100 }, (_, i): [number, string, string, number] => [
      i === 0 ? -1 : (i * seed) % i, `s${(i * seed) % 1000}`, `n${(i * 7 + seed) % 1000}`, i,
    ]));
    const [x, y] = [wide(3), wide(5)];
    expect(new Set(x.services).size).toBe(1000);
    expect(compareTraces(x, y)).toEqual(byPaths(x, y));
  });
});
