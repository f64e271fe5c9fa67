/**
 * What the Query page draws for a result: the lines or bars of one measure, split by the group keys
 * that are not the chart's x, with round axis bounds. Pure, so it is tested without a browser.
 */
import { formatDuration, formatTimestamp } from '../../model/format.js';
import type { QueryCell, QueryColumn, QueryResult } from './api.js';

/** One line of a line chart: points sorted by x. */
export interface PlotLine {
  label: string;
  points: Array<[number, number]>;
}

/** A line chart over time. */
export interface LinePlot {
  kind: 'line';
  lines: PlotLine[];
  xMin: number;
  xMax: number;
  yMax: number;
  /** Lines left out (the smallest by total) beyond the most shown. */
  omitted: number;
}

/** A bar chart, one bar per row in the result's order. */
export interface BarPlot {
  kind: 'bar';
  bars: Array<{ label: string; value: number }>;
  yMax: number;
  omitted: number;
}

/** Most lines drawn. */
export const MAX_LINES = 8;

/** Most bars drawn. */
export const MAX_BARS = 40;

/** The smallest 1, 2 or 5 × 10^k at or above v (1 for v ≤ 0). */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].map((m) => m * pow).find((s) => s >= v * (1 - 1e-12)) ?? 10 * pow);
}

/** A cell as text: times and durations readable, numbers with at most 4 decimals, "–" for no value. */
export function formatCell(value: QueryCell, type: QueryColumn['type']): string {
  if (value === null) return '–';
  if (typeof value === 'string') return value;
  if (type === 'time') return formatTimestamp(value);
  if (type === 'duration') return formatDuration(value);
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
}

/** The plot of `measure` (a chart series) for a result with a chart, or undefined when there is nothing to draw. */
export function plotOf(result: QueryResult, measure: string): LinePlot | BarPlot | undefined {
  const chart = result.chart;
  if (!chart || !chart.series.includes(measure)) return undefined;
  const xi = result.columns.findIndex((c) => c.name === chart.x);
  const yi = result.columns.findIndex((c) => c.name === measure);
  if (xi < 0 || yi < 0) return undefined;
  const splits = result.columns
    .map((c, i) => ({ c, i }))
    .filter(({ c, i }) => i !== xi && !chart.series.includes(c.name));
  const labelOf = (row: QueryCell[]) => splits.map(({ c, i }) => (row[i] === null ? '(none)' : formatCell(row[i] ?? null, c.type))).join(' · ');
  if (chart.type === 'line') {
    const byLabel = new Map<string, PlotLine>();
    let xMin = Infinity;
    let xMax = -Infinity;
    for (const row of result.rows) {
      const x = row[xi];
      const y = row[yi];
      if (typeof x !== 'number' || typeof y !== 'number') continue;
      const label = labelOf(row) || measure;
      let line = byLabel.get(label);
      if (!line) byLabel.set(label, (line = { label, points: [] }));
      line.points.push([x, y]);
      xMin = Math.min(xMin, x);
      xMax = Math.max(xMax, x);
    }
    if (byLabel.size === 0) return undefined;
    const total = (l: PlotLine) => l.points.reduce((n, p) => n + p[1], 0);
    const all = [...byLabel.values()].sort((a, b) => total(b) - total(a) || (a.label < b.label ? -1 : 1));
    const lines = all.slice(0, MAX_LINES);
    for (const l of lines) l.points.sort((a, b) => a[0] - b[0]);
    const yMax = niceCeil(Math.max(...lines.flatMap((l) => l.points.map((p) => p[1]))));
    return { kind: 'line', lines, xMin, xMax, yMax, omitted: all.length - lines.length };
  }
  const bars: BarPlot['bars'] = [];
  for (const row of result.rows) {
    const y = row[yi];
    if (typeof y !== 'number') continue;
    const x = row[xi] ?? null;
    const head = x === null ? '(none)' : formatCell(x, result.columns[xi]!.type);
    const rest = labelOf(row);
    bars.push({ label: rest ? `${head} · ${rest}` : head, value: y });
  }
  if (bars.length === 0) return undefined;
  const shown = bars.slice(0, MAX_BARS);
  return { kind: 'bar', bars: shown, yMax: niceCeil(Math.max(...shown.map((b) => b.value))), omitted: bars.length - shown.length };
}
