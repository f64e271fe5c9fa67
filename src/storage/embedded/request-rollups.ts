/**
 * The embedded engine's request rollups (requests.ts) in DuckDB: `request_rollups` holds rollup
 * rows, appended in the same transaction as the spans of each flush (so they are exactly as
 * durable as the spans and never count a span the table does not hold); `request_rollup_fresh`
 * notes the slots that received appended rows since they were last merged. Merging rewrites those
 * slots with one row per key, sorted by (tenant, service, operation, slot), so service and
 * operation filters skip most of the table. `request_service_rollups` holds the same rows summed
 * over operations: what the services list and a service's charts read (a tenth of the rows for the
 * workload's ten operations per service).
 * Every value reaches SQL as a bound parameter; only fixed fragments are concatenated.
 */
import type { RequestAggregation } from '../api.js';
import { HISTOGRAM_GAMMA } from '../histogram.js';
import { ROLLUP_BUCKET_SPAN, ROLLUP_SLOT_US, requestPredicate, type RequestRollupRow } from '../requests.js';
import { predicateSql, type Fragment, type SqlParam } from './analytics.js';
import { csvText, CSV_QUOTE } from './layout.js';

/** The tables; created by {@link ensureRequestRollups}. */
export const REQUEST_ROLLUP_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS request_rollups (
    slot_us BIGINT NOT NULL,
    tenant VARCHAR NOT NULL,
    service VARCHAR NOT NULL,
    operation VARCHAR NOT NULL,
    bucket INTEGER NOT NULL,
    requests BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    duration_sum BIGINT NOT NULL,
    duration_min BIGINT NOT NULL,
    duration_max BIGINT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS request_service_rollups (
    slot_us BIGINT NOT NULL,
    tenant VARCHAR NOT NULL,
    service VARCHAR NOT NULL,
    bucket INTEGER NOT NULL,
    requests BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    duration_sum BIGINT NOT NULL,
    duration_min BIGINT NOT NULL,
    duration_max BIGINT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS request_rollup_fresh (slot_us BIGINT NOT NULL, row_count BIGINT NOT NULL)`,
];

/** Layout version of the rollup tables: a database holding another is refilled from its spans at open. */
const ROLLUP_VERSION = 2;

const SUMS = `CAST(sum(requests) AS BIGINT), CAST(sum(errors) AS BIGINT), CAST(sum(duration_sum) AS BIGINT), min(duration_min), max(duration_max)`;

/** Inserts the service rows of the slots in [fromUs, toUs) summed from their operation rows. */
async function serviceRowsFromOperations(run: Run, window: { fromUs: number; toUs: number }): Promise<void> {
  await run(
    `INSERT INTO request_service_rollups SELECT slot_us, tenant, service, bucket, ${SUMS}
     FROM request_rollups WHERE slot_us >= ? AND slot_us < ? GROUP BY slot_us, tenant, service, bucket ORDER BY tenant, service, slot_us, bucket`,
    [window.fromUs, window.toUs],
  );
}

/** The meta key recording that the rollups cover every stored span (set once the backfill ran). */
export const ROLLUP_META_KEY = 'request_rollups';

const LN_GAMMA = Math.log(HISTOGRAM_GAMMA);

/** The rollup bucket of `duration_us` in SQL, as rollupBucketOf(histogramIndex(d)) computes it; binds ln(γ) as a DOUBLE. */
const BUCKET_SQL = `CASE WHEN duration_us > 1 THEN CAST(ceil(greatest(0, ceil(ln(duration_us) / ?)) / ${ROLLUP_BUCKET_SPAN}) AS INTEGER) ELSE 0 END`;

/** The 1 % histogram index a rollup bucket column reads back as (rollupBucketIndex). */
const BUCKET_INDEX_SQL = `CASE WHEN bucket <= 0 THEN 0 ELSE bucket * ${ROLLUP_BUCKET_SPAN} - 2 END`;

/** Runs one statement with bound parameters (on the write connection, inside its transaction). */
export type Run = (sql: string, params?: readonly SqlParam[]) => Promise<unknown[][]>;

/**
 * Inserts the rollup rows (both tables) of the stored requests starting in [fromUs, toUs] (all of
 * them without a window), computed from the span table; the caller deletes what those slots held first.
 */
export async function rollupFromSpans(run: Run, window?: { fromUs: number; toUs: number }): Promise<void> {
  const where = predicateSql(requestPredicate());
  const params: SqlParam[] = [LN_GAMMA];
  let range = '';
  if (window !== undefined) {
    range = 'start_us BETWEEN ? AND ? AND ';
    params.push(window.fromUs, window.toUs);
  }
  await run(
    `INSERT INTO request_rollups
     SELECT slot_us, tenant, service, name, b, count(*), count_if(status = 2), sum(duration_us), min(duration_us), max(duration_us)
     FROM (SELECT (start_us // ${ROLLUP_SLOT_US}) * ${ROLLUP_SLOT_US} AS slot_us, tenant, service, name, status, duration_us, ${BUCKET_SQL} AS b
           FROM spans WHERE ${range}${where.sql})
     GROUP BY slot_us, tenant, service, name, b
     ORDER BY tenant, service, name, slot_us, b`,
    [...params, ...where.params],
  );
  const slots = window === undefined ? { fromUs: Number.MIN_SAFE_INTEGER, toUs: Number.MAX_SAFE_INTEGER } : { fromUs: window.fromUs, toUs: window.toUs + 1 };
  await serviceRowsFromOperations(run, slots);
}

/**
 * Creates the tables when missing and, for a database written before the rollups existed, fills
 * them from the stored spans (once; the meta key records it). Runs inside the caller's transaction.
 */
export async function ensureRequestRollups(run: Run): Promise<{ backfilled: boolean }> {
  for (const sql of REQUEST_ROLLUP_SCHEMA) await run(sql);
  const done = await run('SELECT value FROM meta WHERE key = ?', [ROLLUP_META_KEY]);
  if (Number(done[0]?.[0] ?? 0) === ROLLUP_VERSION) return { backfilled: false };
  await run('DELETE FROM request_rollups');
  await run('DELETE FROM request_service_rollups');
  await run('DELETE FROM request_rollup_fresh');
  await rollupFromSpans(run);
  await run('INSERT OR REPLACE INTO meta VALUES (?, ?)', [ROLLUP_META_KEY, ROLLUP_VERSION]);
  return { backfilled: true };
}

/** The rows as lines of a CSV staging file (the quoting of the span staging file). */
export function rollupCsv(rows: readonly RequestRollupRow[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    lines.push(
      `${r.slotUs},${csvText(r.tenant)},${csvText(r.service)},${csvText(r.operation)},${r.bucket},${r.requests},${r.errors},${r.sumUs},${r.minUs},${r.maxUs}\n`,
    );
  }
  return lines.join('');
}

/** The longest line of rollupCsv's text in UTF-16 units (at most 3 UTF-8 bytes each). */
export function longestRollupLine(rows: readonly RequestRollupRow[]): number {
  let longest = 0;
  for (const r of rows) longest = Math.max(longest, r.tenant.length + r.service.length + r.operation.length + 140);
  return longest;
}

const MIB = 1_048_576;

/** Appends the rows of a CSV staging file (rollupCsv), and their sums per service, and notes their slots as fresh. */
export async function appendRollups(run: Run, file: string, rows: readonly RequestRollupRow[]): Promise<void> {
  if (rows.length === 0) return;
  const maxLine = Math.max(2 * MIB, 3 * longestRollupLine(rows) + 1);
  await run('CREATE TEMP TABLE request_rollups_staged AS SELECT * FROM request_rollups LIMIT 0');
  await run(
    `INSERT INTO request_rollups_staged SELECT * FROM read_csv(?, columns = {'slot_us': 'BIGINT', 'tenant': 'VARCHAR', 'service': 'VARCHAR',
      'operation': 'VARCHAR', 'bucket': 'INTEGER', 'requests': 'BIGINT', 'errors': 'BIGINT', 'duration_sum': 'BIGINT',
      'duration_min': 'BIGINT', 'duration_max': 'BIGINT'}, header = false, delim = ',', quote = '${CSV_QUOTE}', escape = '${CSV_QUOTE}',
      new_line = '\\n', allow_quoted_nulls = false, auto_detect = false, max_line_size = ${maxLine}, buffer_size = ${Math.max(16 * MIB, 2 * maxLine)})`,
    [file],
  );
  try {
    await run('INSERT INTO request_rollups SELECT * FROM request_rollups_staged');
    await run(`INSERT INTO request_service_rollups SELECT slot_us, tenant, service, bucket, ${SUMS} FROM request_rollups_staged GROUP BY slot_us, tenant, service, bucket`);
  } finally {
    await run('DROP TABLE request_rollups_staged');
  }
  const perSlot = new Map<number, number>();
  for (const r of rows) perSlot.set(r.slotUs, (perSlot.get(r.slotUs) ?? 0) + 1);
  const slots = [...perSlot];
  for (let i = 0; i < slots.length; i += 500) {
    const chunk = slots.slice(i, i + 500);
    await run(`INSERT INTO request_rollup_fresh VALUES ${chunk.map(() => '(?, ?)').join(', ')}`, chunk.flat());
  }
}

/** Rows appended since the last merge, and rows the fresh slots hold in all. */
export async function freshRows(run: Run): Promise<{ fresh: number; inFreshSlots: number }> {
  const fresh = Number((await run('SELECT coalesce(sum(row_count), 0) FROM request_rollup_fresh'))[0]?.[0] ?? 0);
  if (fresh === 0) return { fresh, inFreshSlots: 0 };
  const all = Number((await run('SELECT count(*) FROM request_rollups WHERE slot_us IN (SELECT DISTINCT slot_us FROM request_rollup_fresh)'))[0]?.[0] ?? 0);
  return { fresh, inFreshSlots: all };
}

/** Rewrites the fresh slots of both tables with one row per key, sorted; runs inside the caller's transaction. */
export async function mergeFreshSlots(run: Run): Promise<void> {
  const slots = '(SELECT DISTINCT slot_us FROM request_rollup_fresh)';
  for (const [table, key] of [['request_rollups', 'tenant, service, operation'], ['request_service_rollups', 'tenant, service']] as const) {
    await run(`CREATE TEMP TABLE request_rollups_merged AS SELECT slot_us, ${key}, bucket, ${SUMS}
      FROM ${table} WHERE slot_us IN ${slots} GROUP BY slot_us, ${key}, bucket`);
    try {
      await run(`DELETE FROM ${table} WHERE slot_us IN ${slots}`);
      await run(`INSERT INTO ${table} SELECT * FROM request_rollups_merged ORDER BY ${key}, slot_us, bucket`);
    } finally {
      await run('DROP TABLE request_rollups_merged');
    }
  }
  await run('DELETE FROM request_rollup_fresh');
}

/**
 * Drops the rollups of spans starting before `cutoffUs`, after those spans were deleted (same
 * transaction): whole slots before it go; the slot it cuts is rebuilt from the spans left in it.
 */
export async function deleteRollupsBefore(run: Run, cutoffUs: number): Promise<void> {
  const slot = Math.floor(cutoffUs / ROLLUP_SLOT_US) * ROLLUP_SLOT_US;
  const cut = slot === cutoffUs ? '<' : '<=';
  for (const table of ['request_rollups', 'request_service_rollups', 'request_rollup_fresh']) await run(`DELETE FROM ${table} WHERE slot_us ${cut} ?`, [slot]);
  if (slot === cutoffUs) return;
  await rollupFromSpans(run, { fromUs: slot, toUs: slot + ROLLUP_SLOT_US - 1 });
}

/**
 * The rollup query of a request aggregation over the whole slots [fromUs, toUs), answering in the
 * column layout of aggregationSql's first query with one histogram measure (keys, count, errors,
 * duration count/sum/min/max, "index:count,..."), so groupsFromColumns reads it.
 */
export function rollupQuerySql(q: RequestAggregation, slots: { fromUs: number; toUs: number }): Fragment {
  const params: SqlParam[] = [];
  const keys = q.groupBy.map((key, i) => {
    if ('bucketUs' in key) {
      params.push(key.bucketUs, key.bucketUs);
      return `(slot_us // ?) * ? AS k${i}`;
    }
    return `${key.ref.field === 'service' ? 'service' : 'operation'} AS k${i}`;
  });
  const where = ['slot_us >= ?', 'slot_us < ?'];
  params.push(slots.fromUs, slots.toUs);
  for (const [column, value] of [['tenant', q.tenant], ['service', q.service], ['operation', q.operation]] as const) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    params.push(value);
  }
  params.push(q.maxGroups + 1);
  // Without an operation to group or filter by, the sums per service answer with fewer rows.
  const byService = q.operation === undefined && q.groupBy.every((k) => 'bucketUs' in k || k.ref.field === 'service');
  const names = q.groupBy.map((_k, i) => `k${i}`);
  const select = names.map((k) => `${k}, `).join('');
  const inner = [...names, 'h'].join(', ');
  const outer = names.length === 0 ? '' : ` GROUP BY ${names.join(', ')}`;
  return {
    sql: `SELECT ${select}sum(n), sum(e), sum(n), sum(s), min(mn), max(mx), string_agg(h || ':' || n, ',')
      FROM (SELECT ${keys.map((k) => `${k}, `).join('')}${BUCKET_INDEX_SQL} AS h, sum(requests) AS n, sum(errors) AS e,
              sum(duration_sum) AS s, min(duration_min) AS mn, max(duration_max) AS mx
            FROM ${byService ? 'request_service_rollups' : 'request_rollups'} WHERE ${where.join(' AND ')} GROUP BY ${inner})${outer} LIMIT ?`,
    params,
  };
}

