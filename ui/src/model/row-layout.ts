/**
 * Where one timeline row's parts go: indent, bar and label positions, colour. Shared by the app's
 * timeline and the server's first screen of a trace page (src/query/ui/first-screen.ts), which must
 * draw the same rows to the pixel. Pure: no DOM.
 */
import { serviceColor } from './colors.js';

/** Height of one timeline row, px (fixed, so the virtualiser never measures). */
export const ROW_HEIGHT = 24;

/** Width of a row's expand/collapse button and the gap after it, px; a leaf is indented by it instead. */
export const TOGGLE_WIDTH = 20;

/** The columns a row is drawn from (the compact trace's, plain or typed arrays). */
export interface RowSource {
  services: readonly string[];
  names: readonly string[];
  rows: {
    service: ArrayLike<number>;
    name: ArrayLike<number>;
    depth: ArrayLike<number>;
    flags: ArrayLike<number>;
    subtree: ArrayLike<number>;
    startUs: ArrayLike<number>;
    durationUs: ArrayLike<number>;
  };
}

/** One row, ready to draw. */
export interface RowLayout {
  service: string;
  name: string;
  depth: number;
  flags: number;
  hasChildren: boolean;
  /** Left padding of the label column, px. */
  indentPx: number;
  /** Bar start and width, % of the shown window. */
  left: number;
  width: number;
  color: string;
  /** The duration label sits left of a bar starting past 70 % (at `right: labelAt%`), else right of it (`left: labelAt%`). */
  labelLeft: boolean;
  labelAt: number;
}

/** The layout of `row` in a window starting `from` µs after the trace start and `spanUs` long. */
export function rowLayout(trace: RowSource, row: number, from: number, spanUs: number): RowLayout {
  const r = trace.rows;
  const service = trace.services[r.service[row]!] ?? '';
  const depth = r.depth[row]!;
  const hasChildren = r.subtree[row]! > 1;
  const left = (100 * (r.startUs[row]! - from)) / spanUs;
  const width = (100 * r.durationUs[row]!) / spanUs;
  const labelLeft = left > 70;
  return {
    service,
    name: trace.names[r.name[row]!] ?? '',
    depth,
    flags: r.flags[row]!,
    hasChildren,
    indentPx: 4 + Math.min(depth, 30) * 12 + (hasChildren ? 0 : TOGGLE_WIDTH),
    left,
    width,
    color: serviceColor(service),
    labelLeft,
    labelAt: labelLeft ? 100 - left : left + width,
  };
}
