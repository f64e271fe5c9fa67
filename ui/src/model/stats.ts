/**
 * Trace statistics: per service and operation, span count, total and average duration and self
 * time (a span's duration minus the time covered by its children, clipped to the span).
 */
import { childrenOf, type TreeColumns } from './tree.js';

/** Columns needed. */
export interface StatsColumns extends TreeColumns {
  startUs: ArrayLike<number>;
  durationUs: ArrayLike<number>;
  service: ArrayLike<number>;
  name: ArrayLike<number>;
  flags: ArrayLike<number>;
}

/** One line of the statistics table. */
export interface StatLine {
  service: string;
  operation: string;
  count: number;
  errors: number;
  totalUs: number;
  avgUs: number;
  maxUs: number;
  selfUs: number;
}

/** Self time of every row, µs. */
export function selfTimes(cols: StatsColumns): Float64Array {
  const n = cols.parent.length;
  const out = new Float64Array(n);
  for (let row = 0; row < n; row++) {
    const s = cols.startUs[row]!;
    const e = s + cols.durationUs[row]!;
    // Children come sorted by start (pre-order siblings), so one sweep merges their intervals.
    let covered = 0;
    let runStart = -Infinity;
    let runEnd = -Infinity;
    for (const child of childrenOf(cols, row)) {
      const cs = Math.max(cols.startUs[child]!, s);
      const ce = Math.min(cols.startUs[child]! + cols.durationUs[child]!, e);
      if (ce <= cs) continue;
      if (cs > runEnd) {
        if (runEnd > runStart) covered += runEnd - runStart;
        runStart = cs;
        runEnd = ce;
      } else if (ce > runEnd) {
        runEnd = ce;
      }
    }
    if (runEnd > runStart) covered += runEnd - runStart;
    out[row] = Math.max(0, cols.durationUs[row]! - covered);
  }
  return out;
}

/** Statistics grouped by (service, operation), sorted by self time, largest first. */
export function traceStats(cols: StatsColumns, services: readonly string[], names: readonly string[]): StatLine[] {
  const self = selfTimes(cols);
  const groups = new Map<number, StatLine>();
  for (let row = 0; row < cols.parent.length; row++) {
    const key = cols.service[row]! * 1_000_003 + cols.name[row]!;
    let line = groups.get(key);
    if (!line) {
      line = {
        service: services[cols.service[row]!] ?? '', operation: names[cols.name[row]!] ?? '',
        count: 0, errors: 0, totalUs: 0, avgUs: 0, maxUs: 0, selfUs: 0,
      };
      groups.set(key, line);
    }
    const d = cols.durationUs[row]!;
    line.count++;
    if (cols.flags[row]! & 1) line.errors++;
    line.totalUs += d;
    if (d > line.maxUs) line.maxUs = d;
    line.selfUs += self[row]!;
  }
  const out = [...groups.values()];
  for (const line of out) line.avgUs = line.totalUs / line.count;
  return out.sort((a, b) => b.selfUs - a.selfUs || a.service.localeCompare(b.service) || a.operation.localeCompare(b.operation));
}
