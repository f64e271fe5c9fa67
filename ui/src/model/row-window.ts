/**
 * Fixed-height row virtualisation as plain arithmetic: which rows of a list of `count` equal rows
 * intersect the viewport, and where to scroll to bring one into view. Nothing is allocated per row,
 * so a 500 000-row list costs the same per frame as a 50-row one.
 */

/** A scroll position and viewport over `count` rows of `rowHeight` px. */
export interface RowViewport {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
}

/** Rows [first, end) to render: the visible ones plus `overscan` on each side, clamped to the list. */
export function rowWindow(view: RowViewport, overscan: number): { first: number; end: number } {
  if (view.count <= 0 || view.rowHeight <= 0) return { first: 0, end: 0 };
  const top = Math.max(0, view.scrollTop);
  const firstVisible = Math.min(view.count - 1, Math.floor(top / view.rowHeight));
  const lastVisible = Math.min(view.count - 1, Math.floor((top + Math.max(0, view.viewportHeight) - 1) / view.rowHeight));
  return { first: Math.max(0, firstVisible - overscan), end: Math.min(view.count, Math.max(firstVisible, lastVisible) + 1 + overscan) };
}

/**
 * The scrollTop that brings row `index` fully into view with the least movement, or undefined when
 * it is already fully visible (or out of range).
 */
export function scrollTopToShow(view: RowViewport, index: number): number | undefined {
  if (index < 0 || index >= view.count) return undefined;
  const rowTop = index * view.rowHeight;
  const rowBottom = rowTop + view.rowHeight;
  if (rowTop < view.scrollTop) return rowTop;
  if (rowBottom > view.scrollTop + view.viewportHeight) return Math.max(0, rowBottom - view.viewportHeight);
  return undefined;
}
