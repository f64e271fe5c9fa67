import { describe, expect, it } from 'vitest';
import { serviceColor } from './colors.js';
import { rowLayout, type RowSource } from './row-layout.js';

// Row 0: a root with children over the whole trace; row 1: a leaf at depth 1 from 80 % to 100 %;
// row 2: a leaf at depth 40 from 10 % to 30 %.
const trace: RowSource = {
  services: ['db', 'web'],
  names: ['query', 'get /'],
  rows: { service: [1, 0, 0], name: [1, 0, 0], depth: [0, 1, 40], flags: [0, 1, 0], subtree: [3, 1, 1], startUs: [0, 800, 100], durationUs: [1000, 200, 200] },
};

describe('rowLayout', () => {
  it.each([
    { row: 0, from: 0, spanUs: 1000, want: { service: 'web', name: 'get /', hasChildren: true, indentPx: 4, left: 0, width: 100, labelLeft: false, labelAt: 100 } },
    { row: 1, from: 0, spanUs: 1000, want: { service: 'db', flags: 1, hasChildren: false, indentPx: 36, left: 80, width: 20, labelLeft: true, labelAt: 20 } },
    { row: 2, from: 0, spanUs: 1000, want: { depth: 40, indentPx: 4 + 30 * 12 + 20, left: 10, width: 20, labelLeft: false, labelAt: 30 } },
    { row: 1, from: 500, spanUs: 500, want: { left: 60, width: 40, labelLeft: false, labelAt: 100 } },
  ])('row $row in [$from, +$spanUs)', ({ row, from, spanUs, want }) => {
    const layout = rowLayout(trace, row, from, spanUs);
    expect(layout).toMatchObject(want);
    expect(layout.color).toBe(serviceColor(layout.service));
  });
});
