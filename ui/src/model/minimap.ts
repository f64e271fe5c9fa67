/**
 * Overview bars for the minimap: rows are squeezed into a fixed number of pixel rows and each
 * pixel row keeps only its longest span (as Perfetto draws overviews), so drawing costs the same
 * for 500 and 500 000 spans.
 */

/** One bar to draw, in pixels. */
export interface MinimapBar {
  row: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Columns needed. */
export interface MinimapColumns {
  startUs: ArrayLike<number>;
  durationUs: ArrayLike<number>;
}

/** The longest span of each pixel row, positioned on a strip `width` px wide and `rowsHigh` px tall. */
export function minimapBars(cols: MinimapColumns, size: { rowsHigh: number; traceUs: number; width: number }): MinimapBar[] {
  const n = cols.startUs.length;
  const pixelRows = Math.min(size.rowsHigh, n);
  const best = new Int32Array(pixelRows).fill(-1);
  for (let row = 0; row < n; row++) {
    const y = Math.floor((row * pixelRows) / n);
    const cur = best[y]!;
    if (cur < 0 || cols.durationUs[row]! > cols.durationUs[cur]!) best[y] = row;
  }
  const scale = size.width / Math.max(1, size.traceUs);
  const bars: MinimapBar[] = [];
  for (let y = 0; y < pixelRows; y++) {
    const row = best[y]!;
    if (row < 0) continue;
    const pxY = pixelRows < size.rowsHigh ? Math.floor((y * size.rowsHigh) / pixelRows) : y;
    const h = pixelRows < size.rowsHigh ? Math.max(1, Math.floor(size.rowsHigh / pixelRows) - 1) : 1;
    bars.push({ row, x: cols.startUs[row]! * scale, y: pxY, w: cols.durationUs[row]! * scale, h });
  }
  return bars;
}
