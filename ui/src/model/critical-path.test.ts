import { describe, expect, it } from 'vitest';
import { criticalPath } from './critical-path.js';

describe('criticalPath', () => {
  const cases: Array<{
    name: string;
    cols: { parent: number[]; subtree: number[]; startUs: number[]; durationUs: number[] };
    path: Array<[row: number, start: number, end: number]>;
  }> = [
    {
      name: 'a lone span is its own path',
      cols: { parent: [-1], subtree: [1], startUs: [0], durationUs: [100] },
      path: [[0, 0, 100]],
    },
    {
      name: 'sequential children: both on the path, gaps are the parent\'s',
      cols: { parent: [-1, 0, 0], subtree: [3, 1, 1], startUs: [0, 10, 50], durationUs: [100, 30, 40] },
      path: [[0, 0, 10], [1, 10, 40], [0, 40, 50], [2, 50, 90], [0, 90, 100]],
    },
    {
      name: 'parallel children: only the last to finish, then what ends before it starts',
      cols: { parent: [-1, 0, 0], subtree: [3, 1, 1], startUs: [0, 10, 20], durationUs: [100, 80, 40] },
      path: [[0, 0, 10], [1, 10, 90], [0, 90, 100]],
    },
    {
      name: 'a child outliving its parent is clipped to the parent',
      cols: { parent: [-1, 0], subtree: [2, 1], startUs: [0, 50], durationUs: [100, 200] },
      path: [[0, 0, 50], [1, 50, 100]],
    },
    {
      name: 'grandchildren on the path',
      cols: { parent: [-1, 0, 1], subtree: [3, 2, 1], startUs: [0, 10, 20], durationUs: [100, 80, 30] },
      path: [[0, 0, 10], [1, 10, 20], [2, 20, 50], [1, 50, 90], [0, 90, 100]],
    },
  ];
  it.each(cases)('$name', ({ cols, path }) => {
    expect(criticalPath(cols).map((s) => [s.row, s.startUs, s.endUs])).toEqual(path);
  });
});
