/** Layout of the search scatter plot: start time on x, duration on y, radius by span count. */
import type { TraceSummary } from '../api/types.js';
import { countOf, formatDuration } from './format.js';

/** Plot size and margins, in SVG units. */
export interface ScatterBox {
  width: number;
  height: number;
  padLeft: number;
  padBottom: number;
}

/** A dot. */
export interface ScatterPoint {
  traceId: string;
  x: number;
  y: number;
  r: number;
  error: boolean;
  title: string;
  startUs: number;
  durationUs: number;
}

/**
 * Positions every trace. x spans the results' time range (a single trace sits in the middle), y
 * goes from 0 at the bottom to the longest duration at the top; r grows with the square root of
 * the span count from 3 to 12. Ticks: 4 on y (durations), 5 on x (clock times).
 */
export function scatterLayout(list: readonly TraceSummary[], box: ScatterBox): {
  points: ScatterPoint[];
  xTicks: Array<{ x: number; label: string }>;
  yTicks: Array<{ y: number; label: string }>;
  /** The time axis: x from `left` to `right` maps start times minUs .. maxUs. */
  axis: ScatterAxis;
} {
  const top = 16;
  const right = box.width - 16;
  const bottom = box.height - box.padBottom;
  const minT = Math.min(...list.map((s) => s.startUs));
  const maxT = Math.max(...list.map((s) => s.startUs));
  const maxD = Math.max(1, ...list.map((s) => s.durationUs));
  const maxSpans = Math.max(1, ...list.map((s) => s.spanCount));
  const left = box.padLeft + 16;
  const x = (t: number) => (maxT === minT ? (left + right) / 2 : left + ((t - minT) / (maxT - minT)) * (right - left));
  const y = (d: number) => bottom - (d / maxD) * (bottom - top);
  const points = list.map((s) => ({
    traceId: s.traceId,
    x: x(s.startUs),
    y: y(s.durationUs),
    r: 3 + 9 * Math.sqrt(s.spanCount / maxSpans),
    error: s.errorCount > 0,
    title: `${s.rootService}: ${s.rootOperation} (${countOf(s.spanCount, 'span')}${s.errorCount > 0 ? `, ${countOf(s.errorCount, 'error')}` : ''})`,
    startUs: s.startUs,
    durationUs: s.durationUs,
  }));
  const yTicks = [0, 1, 2, 3].map((i) => ({ y: y((maxD * i) / 3), label: formatDuration((maxD * i) / 3) }));
  const xTicks = list.length === 0 ? [] : [0, 1, 2, 3, 4].map((i) => {
    const t = maxT === minT ? minT : minT + ((maxT - minT) * i) / 4;
    return { x: maxT === minT ? x(t) + (i - 2) * 0.001 : x(t), label: clock(t) };
  }).filter((tick, i, arr) => i === 0 || tick.label !== arr[i - 1]!.label);
  return { points, xTicks, yTicks, axis: { left, right, minUs: minT, maxUs: maxT } };
}

/** The scatter plot's time axis. */
export interface ScatterAxis {
  left: number;
  right: number;
  minUs: number;
  maxUs: number;
}

/**
 * The time range a brush from x0 to x1 (either order, SVG units) selects, µs since the epoch,
 * clamped to the axis; undefined when the brush is narrower than 3 units (a click) or the
 * results all start at the same moment (nothing to zoom into).
 */
export function brushRange(axis: ScatterAxis, x0: number, x1: number): { startUs: number; endUs: number } | undefined {
  const a = Math.max(axis.left, Math.min(x0, x1));
  const b = Math.min(axis.right, Math.max(x0, x1));
  if (b - a < 3 || axis.maxUs <= axis.minUs) return undefined;
  const at = (x: number) => Math.round(axis.minUs + ((x - axis.left) / (axis.right - axis.left)) * (axis.maxUs - axis.minUs));
  return { startUs: at(a), endUs: at(b) };
}

function clock(us: number): string {
  const d = new Date(us / 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
