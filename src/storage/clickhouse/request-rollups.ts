/**
 * The ClickHouse engine's request rollups (requests.ts, schema migration 3): a materialised view
 * turns every block inserted into `spans` into aggregate states per (day, slot, tenant, service,
 * operation, rollup bucket) in an AggregatingMergeTree, which background merges collapse. The
 * rollups hold the spans inserted after the view existed; `request_rollup_coverage` records from
 * which start time on that is every span (0 for a database that was empty then), and older ranges
 * are scanned. Partitioned by day like the spans, so retention drops both together.
 */
import type { RequestAggregation } from '../api.js';
import { HISTOGRAM_GAMMA } from '../histogram.js';
import { requestPredicate, ROLLUP_BUCKET_SPAN, ROLLUP_SLOT_US } from '../requests.js';
import { predicateSql } from './analytics.js';
import { quoteDay, quoteString, quoteUInt } from './sql.js';

/** The rollup tables partitioned by day of span data (retention drops them with the spans). */
export const REQUEST_ROLLUP_TABLES = ['request_rollups'] as const;

/** How long after the view's creation spans may still start and yet have been inserted before it (clock skew). */
export const COVERAGE_MARGIN_S = 3600;

const LN_GAMMA = Math.log(HISTOGRAM_GAMMA);

/** The rollup bucket of `duration_us`, as rollupBucketOf(histogramIndex(d)) computes it. */
const BUCKET_SQL = `if(duration_us > 1, toUInt32(ceil(greatest(0, ceil(log(toFloat64(duration_us)) / toFloat64(${quoteString(String(LN_GAMMA))}))) / ${ROLLUP_BUCKET_SPAN})), 0)`;

const ROLLUP_COLUMNS_DDL = `(
  day Date,
  slot_us UInt64,
  tenant String,
  service String,
  operation String,
  bucket UInt32,
  requests AggregateFunction(count),
  errors AggregateFunction(sum, UInt64),
  duration_sum AggregateFunction(sum, UInt64),
  duration_min AggregateFunction(min, UInt64),
  duration_max AggregateFunction(max, UInt64)
)`;

/** Names and clauses of the layout (see schema.ts). */
export interface RollupLayout {
  db: string;
  cluster: string;
  local(table: string): string;
  engine(kind: 'AggregatingMergeTree' | 'MergeTree', table: string): string;
  distributed(table: string, shardKey: string): string | undefined;
}

/** The statements of migration 3, in order: table, view, then the coverage mark. */
export function requestRollupStatements(l: RollupLayout): string[] {
  const where = predicateSql(requestPredicate());
  const out = [
    `CREATE TABLE IF NOT EXISTS ${l.local('request_rollups')}${l.cluster} ${ROLLUP_COLUMNS_DDL}
ENGINE = ${l.engine('AggregatingMergeTree', 'request_rollups')}
PARTITION BY day
ORDER BY (tenant, service, operation, slot_us, bucket)`,
    `CREATE TABLE IF NOT EXISTS ${l.local('request_rollup_coverage')}${l.cluster} (covered_from_us UInt64, noted_at DateTime DEFAULT now())
ENGINE = ${l.engine('MergeTree', 'request_rollup_coverage')}
ORDER BY covered_from_us`,
    // Reads each inserted block of the (local) spans table: in a cluster, on the shard that got it.
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${l.local('request_rollups_mv')}${l.cluster} TO ${l.local('request_rollups')} AS
SELECT day, intDiv(start_us, ${ROLLUP_SLOT_US}) * ${ROLLUP_SLOT_US} AS slot_us, tenant, service, name AS operation, ${BUCKET_SQL} AS bucket,
  countState() AS requests, sumState(toUInt64(status = 2)) AS errors, sumState(duration_us) AS duration_sum,
  minState(duration_us) AS duration_min, maxState(duration_us) AS duration_max
FROM ${l.local('spans')} WHERE ${where}
GROUP BY day, slot_us, tenant, service, operation, bucket`,
  ];
  for (const table of ['request_rollups', 'request_rollup_coverage']) {
    const ddl = l.distributed(table, table === 'request_rollups' ? 'cityHash64(slot_us)' : 'rand()');
    if (ddl !== undefined) out.push(ddl);
  }
  // After the view exists: spans inserted before it started before now (plus a margin for skew).
  out.push(`INSERT INTO ${l.db}.request_rollup_coverage (covered_from_us)
SELECT if(count() = 0, 0, (toUInt64(now()) + ${COVERAGE_MARGIN_S}) * 1000000) FROM ${l.db}.spans`);
  return out;
}

/** The query reading the start time from which the rollups hold every span. */
export function coverageSql(db: string): string {
  return `SELECT max(covered_from_us), count() FROM ${db}.request_rollup_coverage`;
}

/**
 * The rollup query of a request aggregation over the whole slots [fromUs, toUs), answering in the
 * row layout of aggregationSql (analytics.ts) with one histogram measure, so groupsFromRows reads it.
 */
export function rollupQuerySql(q: RequestAggregation, slots: { fromUs: number; toUs: number }, db: string): string {
  const keys: string[] = [];
  const outer: string[] = [];
  q.groupBy.forEach((key, i) => {
    if ('bucketUs' in key) {
      const size = quoteUInt(key.bucketUs, `groupBy[${i}].bucketUs`);
      keys.push(`intDiv(slot_us, ${size}) * ${size} AS k${i}`);
    } else keys.push(`${key.ref.field === 'service' ? 'service' : 'operation'} AS k${i}`);
    outer.push(`1 AS p${i}`, `k${i}`);
  });
  const names = q.groupBy.map((_k, i) => `k${i}`);
  const where = [
    `day BETWEEN ${quoteDay(slots.fromUs)} AND ${quoteDay(slots.toUs - 1)}`,
    `slot_us >= ${quoteUInt(slots.fromUs, 'fromUs')}`,
    `slot_us < ${quoteUInt(slots.toUs, 'toUs')}`,
  ];
  if (q.tenant !== undefined) where.push(`tenant = ${quoteString(q.tenant)}`);
  if (q.service !== undefined) where.push(`service = ${quoteString(q.service)}`);
  if (q.operation !== undefined) where.push(`operation = ${quoteString(q.operation)}`);
  const h = `if(bucket = 0, 0, bucket * ${ROLLUP_BUCKET_SPAN} - 2)`;
  const inner = `SELECT ${keys.map((k) => `${k}, `).join('')}toUInt32(${h}) AS h, countMerge(requests) AS n, sumMerge(errors) AS e,
  sumMerge(duration_sum) AS s, minMerge(duration_min) AS mn, maxMerge(duration_max) AS mx
FROM ${db}.request_rollups WHERE ${where.join(' AND ')} GROUP BY ${[...names, 'h'].join(', ')}`;
  const grouping = names.length === 0 ? '' : ` GROUP BY ${names.join(', ')}`;
  return `SELECT ${[...outer, 'sum(n)', 'sum(e)', 'sum(n)', 'sum(s)', 'min(mn)', 'max(mx)', 'sumMap([h], [toUInt64(n)])'].join(', ')}
FROM (${inner})${grouping} LIMIT ${quoteUInt(q.maxGroups + 1, 'maxGroups')}`;
}
