/**
 * Where the time of a set of traces went, per service: span count, summed durations and summed
 * self time (a span's duration minus the union of its children's intervals, clipped to the
 * span). Pure: works on prepared traces.
 */
import type { PreparedTrace } from './compact-trace.js';

/** One service's share. */
export interface ServiceTime {
  service: string;
  spans: number;
  totalUs: number;
  selfUs: number;
}

/** Per service across the traces, sorted by self time (longest first), then name. */
export function serviceTimes(traces: readonly PreparedTrace[]): ServiceTime[] {
  const byService = new Map<string, ServiceTime>();
  for (const { compact } of traces) {
    const r = compact.rows;
    const n = compact.spanCount;
    const lines = compact.services.map((service) => {
      let line = byService.get(service);
      if (!line) {
        line = { service, spans: 0, totalUs: 0, selfUs: 0 };
        byService.set(service, line);
      }
      return line;
    });
    for (let row = 0; row < n; row++) {
      const s = r.startUs[row]!;
      const e = s + r.durationUs[row]!;
      // Pre-order rows: the children follow in start order, each followed by its subtree.
      let covered = 0;
      let runStart = 0;
      let runEnd = -Infinity;
      const end = row + r.subtree[row]!;
      for (let child = row + 1; child < end; child += r.subtree[child]!) {
        const cs = Math.max(r.startUs[child]!, s);
        const ce = Math.min(r.startUs[child]! + r.durationUs[child]!, e);
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
      const line = lines[r.service[row]!]!;
      line.spans++;
      line.totalUs += e - s;
      line.selfUs += Math.max(0, e - s - covered);
    }
  }
  return [...byService.values()].sort((a, b) => b.selfUs - a.selfUs || (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}
