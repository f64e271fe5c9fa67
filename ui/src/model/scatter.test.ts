import { describe, expect, it } from 'vitest';
import { brushRange } from './scatter.js';

describe('brushRange', () => {
  const axis = { left: 100, right: 900, minUs: 1_000_000, maxUs: 9_000_000 };
  const cases = [
    { name: 'left to right', x0: 200, x1: 500, range: { startUs: 2_000_000, endUs: 5_000_000 } },
    { name: 'right to left is the same range', x0: 500, x1: 200, range: { startUs: 2_000_000, endUs: 5_000_000 } },
    { name: 'clamped to the axis', x0: 0, x1: 2000, range: { startUs: 1_000_000, endUs: 9_000_000 } },
    { name: 'a click is no brush', x0: 300, x1: 302, range: undefined },
  ];
  it.each(cases)('$name', ({ x0, x1, range }) => expect(brushRange(axis, x0, x1)).toEqual(range));
  it('no range when every result starts at the same moment', () => {
    expect(brushRange({ ...axis, maxUs: axis.minUs }, 200, 500)).toBeUndefined();
  });
});
