/**
 * The embedded engine's dependency rollups: settled minutes and their edges in two DuckDB tables
 * of the span database, so they survive restarts and are deleted with the spans they came from.
 */
import type { DependencyLink } from '../../model/index.js';
import { mergeDependencies } from '../dependencies.js';
import type { RollupTable, SettledMinute } from '../dependencies-rollup.js';
import type { SpanTable, SqlParam } from './span-table.js';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS dependency_minutes (
    minute_us BIGINT NOT NULL,
    tenant VARCHAR NOT NULL,
    parent VARCHAR NOT NULL,
    child VARCHAR NOT NULL,
    call_count BIGINT NOT NULL,
    error_count BIGINT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS dependency_settled (minute_us BIGINT NOT NULL, settled_at_us BIGINT NOT NULL)`,
];

/** Rows per INSERT statement (6 bound parameters each). */
const INSERT_CHUNK = 500;

/** Creates the rollup tables if missing and returns the RollupTable over them. */
export async function openDependencyRollupTable(spans: SpanTable): Promise<RollupTable> {
  await spans.writeTransaction(async (run) => {
    for (const sql of SCHEMA) await run(sql);
  });
  return {
    async settledMinutes(range) {
      const rows = await spans.query(
        'SELECT minute_us, max(settled_at_us) FROM dependency_settled WHERE minute_us >= ? AND minute_us < ? GROUP BY minute_us ORDER BY minute_us',
        [range.fromUs, range.toUs],
      );
      return rows.map((r): SettledMinute => ({ minuteUs: Number(r[0] as bigint), settledAtUs: Number(r[1] as bigint) }));
    },

    async store(minutes, edges, settledAtUs) {
      if (minutes.length === 0) return;
      const inList = minutes.map(() => '?').join(', ');
      await spans.writeTransaction(async (run) => {
        await run(`DELETE FROM dependency_minutes WHERE minute_us IN (${inList})`, minutes);
        await run(`DELETE FROM dependency_settled WHERE minute_us IN (${inList})`, minutes);
        for (let i = 0; i < edges.length; i += INSERT_CHUNK) {
          const chunk = edges.slice(i, i + INSERT_CHUNK);
          const params: SqlParam[] = [];
          for (const e of chunk) params.push(e.minuteUs, e.tenant, e.parent, e.child, e.callCount, e.errorCount);
          await run(`INSERT INTO dependency_minutes VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`, params);
        }
        await run(`INSERT INTO dependency_settled VALUES ${minutes.map(() => '(?, ?)').join(', ')}`, minutes.flatMap((m) => [m, settledAtUs]));
      });
    },

    async sum(query) {
      if (query.ranges.length === 0) return [];
      const params: SqlParam[] = [];
      const ranges = query.ranges.map((r) => {
        params.push(r.fromUs, r.toUs);
        return '(minute_us >= ? AND minute_us < ?)';
      });
      let tenant = '';
      if (query.tenant !== undefined) {
        tenant = ' AND tenant = ?';
        params.push(query.tenant);
      }
      const rows = await spans.query(
        `SELECT parent, child, sum(call_count), sum(error_count) FROM dependency_minutes WHERE (${ranges.join(' OR ')})${tenant} GROUP BY parent, child`,
        params,
      );
      // Sorted in JS: DuckDB orders strings by bytes, the API by UTF-16 code units.
      const links = rows.map((r): DependencyLink => ({ parent: r[0] as string, child: r[1] as string, callCount: Number(r[2]), errorCount: Number(r[3]) }));
      return mergeDependencies([links]);
    },

    async deleteBefore(cutoffUs) {
      await spans.writeTransaction(async (run) => {
        await run('DELETE FROM dependency_minutes WHERE minute_us < ?', [cutoffUs]);
        await run('DELETE FROM dependency_settled WHERE minute_us < ?', [cutoffUs]);
      });
    },
  };
}
