import { describe, expect, it } from 'vitest';
import { ancestorsOf, childrenOf, collapseBelow, visibleRows } from './tree.js';

// a(0) ─┬─ b(1) ── c(2)
//       └─ d(3) ─┬─ e(4)
//                └─ f(5)
// g(6)
const TREE = { parent: [-1, 0, 1, 0, 3, 3, -1], subtree: [6, 2, 1, 3, 1, 1, 1], depth: [0, 1, 2, 1, 2, 2, 0] };

describe('visibleRows', () => {
  const cases: Array<{ name: string; collapsed: number[]; only?: number[]; rows: number[] }> = [
    { name: 'nothing collapsed shows every row', collapsed: [], rows: [0, 1, 2, 3, 4, 5, 6] },
    { name: 'a collapsed subtree keeps its root', collapsed: [3], rows: [0, 1, 2, 3, 6] },
    { name: 'collapsing the root hides the rest of its tree', collapsed: [0], rows: [0, 6] },
    { name: 'nested collapses inside a collapsed one change nothing', collapsed: [0, 3], rows: [0, 6] },
    { name: 'only matches keeps their ancestors', collapsed: [], only: [4], rows: [0, 3, 4] },
    { name: 'only matches respects collapsed ancestors', collapsed: [3], only: [4, 6], rows: [0, 3, 6] },
  ];
  it.each(cases)('$name', ({ collapsed, only, rows }) => {
    expect([...visibleRows(TREE, new Set(collapsed), only ? new Set(only) : undefined)]).toEqual(rows);
  });
});

describe('tree walks', () => {
  it('children in row order', () => {
    expect(childrenOf(TREE, 0)).toEqual([1, 3]);
    expect(childrenOf(TREE, 3)).toEqual([4, 5]);
    expect(childrenOf(TREE, 2)).toEqual([]);
  });
  it('ancestors from the root', () => {
    expect(ancestorsOf(TREE, 5)).toEqual([0, 3]);
    expect(ancestorsOf(TREE, 6)).toEqual([]);
  });
  it('collapseBelow picks parents at or below a depth', () => {
    expect([...collapseBelow(TREE, 1)]).toEqual([1, 3]);
    expect([...collapseBelow(TREE, 0)]).toEqual([0, 1, 3]);
  });
});
