import { describe, expect, it } from 'vitest';
import { flameHit, flameRects } from './flame.js';

// Root 0..1000 µs; two children at depth 1; a grandchild; a 1 µs sliver and a 2 µs one at depth 2 share a pixel.
const cols = {
  startUs: [0, 0, 500, 100, 900, 901],
  durationUs: [1000, 400, 500, 200, 1, 2],
  depth: [0, 1, 1, 2, 2, 2],
};

function rects(view: { fromUs: number; toUs: number; width: number; lanes: number }) {
  const r = flameRects(cols, view);
  return Array.from(r.row, (row, k) => ({ row, x: r.x[k], w: r.w[k], lane: r.lane[k] }));
}

describe('flameRects', () => {
  const cases = [
    {
      name: 'one pixel per 10 µs: wide spans are rectangles, slivers in one pixel keep the longest',
      view: { fromUs: 0, toUs: 1000, width: 100, lanes: 10 },
      expected: [
        { row: 0, x: 0, w: 100, lane: 0 },
        { row: 1, x: 0, w: 40, lane: 1 },
        { row: 2, x: 50, w: 50, lane: 1 },
        { row: 3, x: 10, w: 20, lane: 2 },
        { row: 5, x: 90, w: 1, lane: 2 },
      ],
    },
    {
      name: 'a zoomed window clips rectangles and skips rows outside it (one ending at its start too)',
      view: { fromUs: 400, toUs: 600, width: 200, lanes: 10 },
      expected: [
        { row: 0, x: 0, w: 200, lane: 0 },
        { row: 2, x: 100, w: 100, lane: 1 },
      ],
    },
    {
      name: 'lanes beyond the limit are not drawn',
      view: { fromUs: 0, toUs: 1000, width: 100, lanes: 1 },
      expected: [{ row: 0, x: 0, w: 100, lane: 0 }],
    },
  ];
  it.each(cases)('$name', ({ view, expected }) => {
    expect(rects(view)).toEqual(expected);
  });

  it('bounds the rectangles by pixels, not spans: 100 000 one-µs spans on 100 px give at most 100 per lane', () => {
    const n = 100_000;
    const many = { startUs: Array.from({ length: n }, (_, i) => i), durationUs: new Array<number>(n).fill(1), depth: new Array<number>(n).fill(0) };
    expect(flameRects(many, { fromUs: 0, toUs: n, width: 100, lanes: 4 }).count).toBe(100);
  });
});

describe('flameHit', () => {
  const r = flameRects(cols, { fromUs: 0, toUs: 1000, width: 100, lanes: 10 });
  const cases = [
    { name: 'root lane', x: 70, lane: 0, row: 0 },
    { name: 'second child', x: 60, lane: 1, row: 2 },
    { name: 'merged sliver pixel', x: 90.5, lane: 2, row: 5 },
    { name: 'empty spot', x: 60, lane: 2, row: undefined },
    { name: 'no such lane', x: 10, lane: 7, row: undefined },
  ];
  it.each(cases)('$name', ({ x, lane, row }) => {
    expect(flameHit(r, x, lane)).toBe(row);
  });
});
