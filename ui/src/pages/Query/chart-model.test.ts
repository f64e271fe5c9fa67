import { describe, expect, it } from 'vitest';
import type { QueryResult } from './api.js';
import { formatCell, niceCeil, plotOf } from './chart-model.js';

const grouped: QueryResult = {
  kind: 'table',
  columns: [
    { name: 'operation', type: 'string' }, { name: 'bucket(5m)', type: 'time' },
    { name: 'count()', type: 'number' }, { name: 'p95(duration)', type: 'duration' },
  ],
  rows: [
    ['a', 600_000_000, 3, 1200],
    ['a', 300_000_000, 5, 900],
    ['b', 300_000_000, 20, null],
    [null, 900_000_000, 1, 50],
  ],
  chart: { x: 'bucket(5m)', series: ['count()', 'p95(duration)'], type: 'line' },
  elapsedMs: 1,
  truncated: false,
};

describe('plotOf', () => {
  const cases: Array<{ name: string; result: QueryResult; measure: string; expected: unknown }> = [
    {
      name: 'lines split by the other key, biggest total first, points by time',
      result: grouped,
      measure: 'count()',
      expected: {
        kind: 'line',
        lines: [
          { label: 'b', points: [[300_000_000, 20]] },
          { label: 'a', points: [[300_000_000, 5], [600_000_000, 3]] },
          { label: '(none)', points: [[900_000_000, 1]] },
        ],
        xMin: 300_000_000, xMax: 900_000_000, yMax: 20, omitted: 0,
      },
    },
    {
      name: 'null values leave points out',
      result: grouped,
      measure: 'p95(duration)',
      expected: {
        kind: 'line',
        lines: [{ label: 'a', points: [[300_000_000, 900], [600_000_000, 1200]] }, { label: '(none)', points: [[900_000_000, 50]] }],
        xMin: 300_000_000, xMax: 900_000_000, yMax: 2000, omitted: 0,
      },
    },
    {
      name: 'bars in row order, labelled by keys',
      result: {
        kind: 'table',
        columns: [{ name: 'service', type: 'string' }, { name: 'kind', type: 'string' }, { name: 'n', type: 'number' }],
        rows: [['x', 'server', 7], ['y', null, 3]],
        chart: { x: 'service', series: ['n'], type: 'bar' },
        elapsedMs: 0,
        truncated: false,
      },
      measure: 'n',
      expected: { kind: 'bar', bars: [{ label: 'x · server', value: 7 }, { label: 'y · (none)', value: 3 }], yMax: 10, omitted: 0 },
    },
    { name: 'a measure that is not a series', result: grouped, measure: 'operation', expected: undefined },
    { name: 'no chart', result: { ...grouped, chart: undefined } as QueryResult, measure: 'count()', expected: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(plotOf(c.result, c.measure)).toEqual(c.expected);
    });
  }
});

describe('niceCeil and formatCell', () => {
  it('rounds axis tops up to 1, 2 or 5 × 10^k', () => {
    expect([0, 1, 3, 20, 21, 499, 5000.5, 0.03].map(niceCeil)).toEqual([1, 1, 5, 20, 50, 500, 10000, 0.05]);
  });
  it('writes cells as text', () => {
    expect([formatCell(null, 'number'), formatCell('x', 'string'), formatCell(1500, 'duration'), formatCell(0.123456, 'number'), formatCell(42, 'number')])
      .toEqual(['–', 'x', '1.5ms', '0.1235', '42']);
  });
});
