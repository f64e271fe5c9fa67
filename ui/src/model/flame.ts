/**
 * Flame graph layout of one trace: time on x, tree depth on y (one lane per depth). Spans at
 * least a pixel wide become their own rectangle; narrower ones are merged per pixel and lane,
 * keeping the longest span there (as Perfetto draws overviews), so the number of rectangles is
 * bounded by the pixels on screen, not by the span count.
 */

/** Columns needed. */
export interface FlameColumns {
  startUs: ArrayLike<number>;
  durationUs: ArrayLike<number>;
  depth: ArrayLike<number>;
}

/** What is drawn: a time window onto `width` pixels, lanes 0 .. lanes-1. */
export interface FlameView {
  fromUs: number;
  toUs: number;
  width: number;
  lanes: number;
}

/** Rectangles as parallel columns: rectangle k is row[k] drawn at x[k] .. x[k] + w[k] in lane[k]. */
export interface FlameRects {
  row: Int32Array;
  x: Float64Array;
  w: Float64Array;
  lane: Int32Array;
  count: number;
}

/** Lays out every row overlapping the window in a lane below `view.lanes`; rectangles are at least 1 px wide. */
export function flameRects(cols: FlameColumns, view: FlameView): FlameRects {
  const n = cols.startUs.length;
  const width = Math.max(1, Math.floor(view.width));
  const lanes = Math.max(0, view.lanes);
  const scale = width / Math.max(1, view.toUs - view.fromUs);
  // Longest sub-pixel row per (lane, pixel); -1 = none.
  const best = new Int32Array(lanes * width).fill(-1);
  let cap = 1024;
  let row = new Int32Array(cap);
  let x = new Float64Array(cap);
  let w = new Float64Array(cap);
  let lane = new Int32Array(cap);
  let count = 0;
  const push = (r: number, px: number, pw: number, l: number) => {
    if (count === cap) {
      cap *= 2;
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (len: number) => T): T => {
        const b = make(cap);
        b.set(a);
        return b;
      };
      row = grow(row, (len) => new Int32Array(len));
      x = grow(x, (len) => new Float64Array(len));
      w = grow(w, (len) => new Float64Array(len));
      lane = grow(lane, (len) => new Int32Array(len));
    }
    row[count] = r;
    x[count] = px;
    w[count] = pw;
    lane[count] = l;
    count++;
  };
  for (let r = 0; r < n; r++) {
    const l = cols.depth[r]!;
    if (l >= lanes) continue;
    const startUs = cols.startUs[r]!;
    const endUs = startUs + cols.durationUs[r]!;
    if (endUs < view.fromUs || startUs > view.toUs || (endUs === view.fromUs && startUs < endUs)) continue;
    const x0 = Math.max(0, (startUs - view.fromUs) * scale);
    const x1 = Math.min(width, (endUs - view.fromUs) * scale);
    if (x1 - x0 >= 1) {
      push(r, x0, x1 - x0, l);
      continue;
    }
    const cell = l * width + Math.min(width - 1, Math.floor(x0));
    const cur = best[cell]!;
    if (cur < 0 || cols.durationUs[r]! > cols.durationUs[cur]!) best[cell] = r;
  }
  for (let cell = 0; cell < best.length; cell++) {
    const r = best[cell]!;
    if (r >= 0) push(r, cell % width, 1, Math.floor(cell / width));
  }
  return { row: row.subarray(0, count), x: x.subarray(0, count), w: w.subarray(0, count), lane: lane.subarray(0, count), count };
}

/** The rectangle under a point (x in px, lane), the topmost-drawn one when several touch it; undefined when none. */
export function flameHit(rects: FlameRects, px: number, lane: number): number | undefined {
  for (let k = rects.count - 1; k >= 0; k--) {
    if (rects.lane[k] === lane && px >= rects.x[k]! - 0.5 && px <= rects.x[k]! + rects.w[k]! + 0.5) return rects.row[k];
  }
  return undefined;
}
