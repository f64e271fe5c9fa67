import { describe, expect, it } from 'vitest';
import { rowWindow, scrollTopToShow, type RowViewport } from './row-window.js';

const view = (scrollTop: number, count = 50_000): RowViewport => ({ scrollTop, viewportHeight: 240, rowHeight: 24, count });

describe('rowWindow', () => {
  const cases: Array<{ name: string; view: RowViewport; overscan: number; want: { first: number; end: number } }> = [
    { name: 'top of the list', view: view(0), overscan: 5, want: { first: 0, end: 15 } },
    { name: 'scrolled to row 100 exactly', view: view(2400), overscan: 5, want: { first: 95, end: 115 } },
    { name: 'half a row scrolled: the partly hidden rows count', view: view(12), overscan: 0, want: { first: 0, end: 11 } },
    { name: 'bottom clamps to the list', view: view(50_000 * 24 - 240), overscan: 5, want: { first: 49_985, end: 50_000 } },
    { name: 'scrollTop past the end (shrunk list)', view: view(10_000, 3), overscan: 2, want: { first: 0, end: 3 } },
    { name: 'list shorter than the viewport', view: view(0, 4), overscan: 10, want: { first: 0, end: 4 } },
    { name: 'empty list', view: view(0, 0), overscan: 10, want: { first: 0, end: 0 } },
    { name: 'viewport not measured yet', view: { scrollTop: 0, viewportHeight: 0, rowHeight: 24, count: 100 }, overscan: 3, want: { first: 0, end: 4 } },
  ];
  it.each(cases)('$name', ({ view: v, overscan, want }) => {
    expect(rowWindow(v, overscan)).toEqual(want);
  });
});

describe('scrollTopToShow', () => {
  const cases: Array<{ name: string; view: RowViewport; index: number; want: number | undefined }> = [
    { name: 'already fully visible', view: view(240), index: 12, want: undefined },
    { name: 'above the viewport: align its top', view: view(240), index: 3, want: 72 },
    { name: 'below the viewport: align its bottom', view: view(240), index: 25, want: 26 * 24 - 240 },
    { name: 'partly hidden at the bottom', view: view(0), index: 9, want: undefined },
    { name: 'partly hidden at the bottom, next row', view: view(1), index: 10, want: 24 },
    { name: 'out of range', view: view(0, 5), index: 5, want: undefined },
  ];
  it.each(cases)('$name', ({ view: v, index, want }) => {
    expect(scrollTopToShow(v, index)).toBe(want);
  });
});
