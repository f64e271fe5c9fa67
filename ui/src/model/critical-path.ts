/**
 * The critical path of a trace: the chain of work that determined its end-to-end duration.
 * Walking back from a span's end, the last child to finish is on the path until its start; the
 * gaps between such children are the span's own time on the path.
 */
import { childrenOf, type TreeColumns } from './tree.js';

/** A stretch of the critical path spent in one row, µs relative to the trace start. */
export interface PathSegment {
  row: number;
  startUs: number;
  endUs: number;
}

/** Columns needed: tree shape plus timing. */
export interface TimedColumns extends TreeColumns {
  startUs: ArrayLike<number>;
  durationUs: ArrayLike<number>;
}

/**
 * Critical path segments of the subtree rooted at `root` (default: row 0), sorted by start.
 * Children that finish after their parent are clipped to it; a child that finishes before the
 * previous path segment begins is skipped. Segments of zero length are left out.
 */
export function criticalPath(cols: TimedColumns, root = 0): PathSegment[] {
  const out: PathSegment[] = [];
  if (cols.parent.length === 0) return out;
  // Explicit stack of (row, window end) to walk deep traces without recursion.
  const stack: Array<{ row: number; endUs: number }> = [{ row: root, endUs: cols.startUs[root]! + cols.durationUs[root]! }];
  while (stack.length > 0) {
    const { row, endUs } = stack.pop()!;
    const startUs = cols.startUs[row]!;
    let cursor = endUs;
    const kids = childrenOf(cols, row).sort((a, b) => end(cols, b) - end(cols, a));
    for (const child of kids) {
      const childEnd = Math.min(end(cols, child), cursor);
      const childStart = Math.max(cols.startUs[child]!, startUs);
      if (childEnd <= startUs || childStart >= cursor || childEnd <= childStart) continue;
      if (childEnd < cursor) out.push({ row, startUs: childEnd, endUs: cursor });
      stack.push({ row: child, endUs: childEnd });
      cursor = childStart;
    }
    if (cursor > startUs) out.push({ row, startUs, endUs: cursor });
  }
  return out.sort((a, b) => a.startUs - b.startUs || a.row - b.row);
}

function end(cols: TimedColumns, row: number): number {
  return cols.startUs[row]! + cols.durationUs[row]!;
}

/** Rows that have at least one segment on the path. */
export function rowsOnPath(segments: readonly PathSegment[]): Set<number> {
  return new Set(segments.map((s) => s.row));
}
