/**
 * The ClickHouse engine's dependency rollups (tables of schema migration 2). Any number of query
 * nodes may settle the same minute at the same time: each settle writes its rows tagged with its
 * settle time, then its mark; a read sums, per minute, only the rows of the latest mark, so
 * concurrent settles of one minute never add up. Rows and marks are partitioned by day and dropped
 * by the same retention as the spans.
 */
import type { DependencyLink } from '../../model/index.js';
import { SPAN_KINDS } from '../../model/index.js';
import type { TenantScope } from '../api.js';
import { mergeDependencies, type DepSpan } from '../dependencies.js';
import type { DependencySpanSource, RollupTable, SettledMinute } from '../dependencies-rollup.js';
import { dayOf, quoteDay, quoteString, quoteUInt } from './sql.js';

type Row = unknown[];

/** Bit of the spans table's `flags` column marking a Zipkin shared server half (as rows.ts writes it). */
const FLAG_SHARED = 1;

/** What the rollups need of the engine: queries, and JSONEachRow inserts into a table of the database. */
export interface ClickHouseAccess {
  /** The quoted database name. */
  db: string;
  rows(sql: string): Promise<Row[]>;
  insert(table: string, jsonLines: string): Promise<void>;
}

function tenantCondition(scope: TenantScope): string {
  return scope.tenant === undefined ? '1' : `tenant = ${quoteString(scope.tenant)}`;
}

/** The spans the dependency rules read, straight from the spans table. */
export function clickHouseDependencySource(ch: ClickHouseAccess): DependencySpanSource {
  return {
    async spans(query) {
      const from = Math.max(0, Math.ceil(query.startUsMin));
      const to = Math.floor(query.startUsMax);
      if (to < from || to < 0) return [];
      const rows = await ch.rows(
        `SELECT tenant, trace_hi, trace_lo, span_id, parent_id, service, kind, flags, remote_service, status, start_us FROM ${ch.db}.spans
WHERE day BETWEEN ${quoteDay(from)} AND ${quoteDay(to)} AND start_us BETWEEN ${quoteUInt(from)} AND ${quoteUInt(to)} AND ${tenantCondition(query)}`,
      );
      return rows.map((r): DepSpan => {
        const [tenant, hi, lo, spanId, parentId, service, kind, flags, remote, status, startUs] =
          r as [string, string, string, string, string, string, number, number, string, number, string];
        return {
          traceId: `${hi}:${lo}`,
          spanId,
          parentSpanId: parentId === '0' ? undefined : parentId,
          service,
          kind: SPAN_KINDS[kind] ?? 'unspecified',
          shared: (flags & FLAG_SHARED) !== 0,
          remoteService: remote === '' ? undefined : remote,
          error: status === 2,
          tenant,
          startUs: Number(startUs),
        };
      });
    },
    async oldestStartUs() {
      // The oldest day partition first: min(start_us) over one day instead of the whole table.
      const days = await ch.rows(`SELECT min(day) FROM ${ch.db}.spans`);
      const day = days[0]?.[0] as string | undefined;
      if (day === undefined || day === '0000-00-00' || day === '1970-01-01') {
        const all = await ch.rows(`SELECT count(), min(start_us) FROM ${ch.db}.spans`);
        return Number(all[0]?.[0] ?? 0) === 0 ? undefined : Number(all[0]?.[1]);
      }
      const rows = await ch.rows(`SELECT min(start_us) FROM ${ch.db}.spans WHERE day = ${quoteString(day)}`);
      return rows[0]?.[0] === undefined ? undefined : Number(rows[0][0]);
    },
    async arrivals(range) {
      const rows = await ch.rows(
        `SELECT minute_us, max(arrived_us) FROM ${ch.db}.dependency_arrivals
WHERE day BETWEEN ${quoteDay(Math.max(0, range.fromUs))} AND ${quoteDay(Math.max(0, range.toUs))}
AND minute_us >= ${quoteUInt(Math.max(0, range.fromUs))} AND minute_us < ${quoteUInt(Math.max(0, range.toUs))} GROUP BY minute_us`,
      );
      return new Map(rows.map((r) => [Number(r[0]), Number(r[1])]));
    },
  };
}

/** Settled minutes and their edges in the dependency_* tables. */
export function clickHouseRollupTable(ch: ClickHouseAccess): RollupTable {
  const latestMarks = (from: number, to: number): string =>
    `SELECT minute_us, max(settled_at_us) AS settled_at_us FROM ${ch.db}.dependency_settled
WHERE day BETWEEN ${quoteDay(from)} AND ${quoteDay(to)} AND minute_us >= ${quoteUInt(from)} AND minute_us < ${quoteUInt(to)} GROUP BY minute_us`;
  return {
    async settledMinutes(range) {
      const from = Math.max(0, range.fromUs);
      const to = Math.max(0, range.toUs);
      if (to <= from) return [];
      const rows = await ch.rows(`${latestMarks(from, to)} ORDER BY minute_us`);
      return rows.map((r): SettledMinute => ({ minuteUs: Number(r[0]), settledAtUs: Number(r[1]) }));
    },

    async store(minutes, edges, settledAtUs) {
      if (minutes.length === 0) return;
      // Rows first, then the marks: a minute counts only once marked, and then with all its rows.
      if (edges.length > 0) {
        const lines = edges.map((e) =>
          JSON.stringify({
            day: dayOf(e.minuteUs), minute_us: e.minuteUs, tenant: e.tenant, parent: e.parent, child: e.child,
            call_count: e.callCount, error_count: e.errorCount, settled_at_us: settledAtUs,
          }),
        );
        await ch.insert('dependency_minutes', `${lines.join('\n')}\n`);
      }
      const marks = minutes.map((m) => JSON.stringify({ day: dayOf(m), minute_us: m, settled_at_us: settledAtUs }));
      await ch.insert('dependency_settled', `${marks.join('\n')}\n`);
    },

    async sum(query) {
      if (query.ranges.length === 0) return [];
      const from = Math.max(0, Math.min(...query.ranges.map((r) => r.fromUs)));
      const to = Math.max(0, Math.max(...query.ranges.map((r) => r.toUs)));
      const ranges = query.ranges.map((r) => `(minute_us >= ${quoteUInt(Math.max(0, r.fromUs))} AND minute_us < ${quoteUInt(Math.max(0, r.toUs))})`);
      // FINAL collapses rows one settle inserted twice (a retried insert); the IN keeps each minute's latest settle.
      const rows = await ch.rows(
        `SELECT parent, child, sum(call_count), sum(error_count) FROM ${ch.db}.dependency_minutes FINAL
WHERE day BETWEEN ${quoteDay(from)} AND ${quoteDay(to)} AND (${ranges.join(' OR ')}) AND ${tenantCondition(query)}
AND (minute_us, settled_at_us) IN (${latestMarks(from, to)})
GROUP BY parent, child`,
      );
      const links = rows.map((r): DependencyLink => ({ parent: r[0] as string, child: r[1] as string, callCount: Number(r[2]), errorCount: Number(r[3]) }));
      return mergeDependencies([links]);
    },

    async deleteBefore() {
      // Retention drops whole day partitions of these tables together with the spans'.
    },
  };
}
