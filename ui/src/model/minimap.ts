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

/** A time window [from, to] in µs from the trace start. */
export type TimeWindow = [number, number];

/** `w` moved by `deltaUs`, keeping its width and staying inside [0, totalUs]. */
export function shiftWindow(w: TimeWindow, deltaUs: number, totalUs: number): TimeWindow {
  const width = Math.min(totalUs, Math.max(0, w[1] - w[0]));
  const from = Math.max(0, Math.min(totalUs - width, w[0] + deltaUs));
  return [from, from + width];
}

/** `w` scaled by `factor` about its centre (below 1 zooms in), at least `minUs` wide and inside [0, totalUs]. */
export function scaleWindow(w: TimeWindow, factor: number, totalUs: number, minUs = totalUs / 10_000): TimeWindow {
  const width = Math.max(Math.min(minUs, totalUs), Math.min(totalUs, (w[1] - w[0]) * factor));
  const centre = (w[0] + w[1]) / 2;
  return shiftWindow([centre - width / 2, centre + width / 2], 0, totalUs);
}

/**
 * The window a key moves the minimap's window to, or undefined for other keys: arrows move it by a
 * tenth of its width (shift: a whole width), "+"/"-" zoom in and out about its centre, Home/End go
 * to either end, "0" shows the whole trace.
 */
export function windowForKey(key: string, shift: boolean, w: TimeWindow, totalUs: number): TimeWindow | undefined {
  const width = w[1] - w[0];
  switch (key) {
    case 'ArrowLeft':
      return shiftWindow(w, -(shift ? width : width / 10), totalUs);
    case 'ArrowRight':
      return shiftWindow(w, shift ? width : width / 10, totalUs);
    case 'Home':
      return shiftWindow(w, -totalUs, totalUs);
    case 'End':
      return shiftWindow(w, totalUs, totalUs);
    case '+':
    case '=':
      return scaleWindow(w, 0.5, totalUs);
    case '-':
    case '_':
      return scaleWindow(w, 2, totalUs);
    case '0':
      return [0, totalUs];
    default:
      return undefined;
  }
}
