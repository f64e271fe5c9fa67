/**
 * The ClickHouse schema as numbered migrations. Every statement works on ClickHouse 18.16 (no
 * codecs, skip indexes, TTL or LowCardinality), so one schema serves every server version.
 *
 * Layout: `spans` is partitioned by UTC day (retention drops whole days) and ordered by
 * (tenant, service, start_us), the prefix every search filters on. Trace-by-id goes through
 * `trace_index` (ordered by trace id, filled by a materialised view): it names the services and
 * time range of a trace, which turn the span lookup into a few primary-key ranges. `operations`
 * keeps the distinct (service, operation, kind, remote service) tuples per day for the cheap
 * service and operation lists.
 */
import { requestRollupStatements } from './request-rollups.js';
import { quoteIdentifier, quoteString } from './sql.js';

/** Where the schema lives: a database, and for a cluster the cluster name from the servers' remote_servers. */
export interface SchemaTarget {
  database: string;
  /** Renders the replicated layout: *_local ReplicatedMergeTree tables ON CLUSTER, Distributed tables over them. */
  cluster?: string;
}

/** One schema step; `statements` run in order and are idempotent (IF NOT EXISTS) so concurrent starts are safe. */
export interface Migration {
  version: number;
  description: string;
  statements(target: SchemaTarget): string[];
}

/** The tables whose partitions are days of span data (retention drops them). */
export const DAY_PARTITIONED_TABLES = ['spans', 'trace_index', 'operations'] as const;

/** The dependency rollup tables, also partitioned by day of span data (retention drops them too). */
export const DEPENDENCY_TABLES = ['dependency_minutes', 'dependency_settled', 'dependency_arrivals'] as const;

const SPAN_COLUMNS_DDL = `(
  day Date DEFAULT toDate(toDateTime(intDiv(start_us, 1000000), 'UTC')),
  tenant String,
  trace_hi UInt64,
  trace_lo UInt64,
  span_id UInt64,
  parent_id UInt64,
  start_us UInt64,
  duration_us UInt64,
  service String,
  name String,
  kind UInt8,
  status UInt8,
  flags UInt8,
  remote_service String,
  attr_keys Array(String),
  attr_values Array(String),
  attr_types String,
  res_keys Array(String),
  res_values Array(String),
  res_types String,
  event_names Array(String),
  extra String
)`;

const TRACE_INDEX_COLUMNS_DDL = `(
  day Date,
  tenant String,
  trace_hi UInt64,
  trace_lo UInt64,
  service String,
  start_min UInt64,
  start_max UInt64
)`;

const OPERATIONS_COLUMNS_DDL = `(
  day Date,
  tenant String,
  service String,
  name String,
  kind UInt8,
  remote_service String
)`;

// One row per edge, minute, tenant and settle: a minute counts the rows of its latest settle only,
// so two query nodes settling the same minute never add up (dependency-rollups.ts).
const DEPENDENCY_MINUTES_COLUMNS_DDL = `(
  day Date,
  minute_us UInt64,
  tenant String,
  parent String,
  child String,
  call_count UInt64,
  error_count UInt64,
  settled_at_us UInt64
)`;

const DEPENDENCY_SETTLED_COLUMNS_DDL = `(
  day Date,
  minute_us UInt64,
  settled_at_us UInt64
)`;

const DEPENDENCY_ARRIVALS_COLUMNS_DDL = `(
  day Date,
  minute_us UInt64,
  arrived_us UInt64
)`;

/** Names and clauses that differ between one server and a cluster. */
function layout(target: SchemaTarget) {
  const db = quoteIdentifier(target.database);
  const cluster = target.cluster === undefined ? '' : ` ON CLUSTER ${quoteIdentifier(target.cluster)}`;
  /** The table rows are physically stored in (the shard-local one in a cluster). */
  const local = (table: string): string => `${db}.${quoteIdentifier(target.cluster === undefined ? table : `${table}_local`)}`;
  const engine = (kind: 'MergeTree' | 'ReplacingMergeTree' | 'AggregatingMergeTree', table: string): string =>
    target.cluster === undefined
      ? kind
      : `Replicated${kind}(${quoteString(`/clickhouse/tables/{shard}/${target.database}/${table}`)}, '{replica}')`;
  const distributed = (table: string, shardKey: string): string | undefined =>
    target.cluster === undefined
      ? undefined
      : `CREATE TABLE IF NOT EXISTS ${db}.${quoteIdentifier(table)}${cluster} AS ${local(table)}
ENGINE = Distributed(${quoteIdentifier(target.cluster)}, ${db}, ${quoteIdentifier(`${table}_local`)}, ${shardKey})`;
  return { db, cluster, local, engine, distributed };
}

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'spans by day and (tenant, service, start); trace id index; operations',
    statements(target) {
      const { db, cluster, local, engine } = layout(target);
      const out = [
        `CREATE DATABASE IF NOT EXISTS ${db}${cluster}`,
        `CREATE TABLE IF NOT EXISTS ${local('spans')}${cluster} ${SPAN_COLUMNS_DDL}
ENGINE = ${engine('MergeTree', 'spans')}
PARTITION BY day
ORDER BY (tenant, service, start_us)
SETTINGS index_granularity = 1024`,
        `CREATE TABLE IF NOT EXISTS ${local('trace_index')}${cluster} ${TRACE_INDEX_COLUMNS_DDL}
ENGINE = ${engine('MergeTree', 'trace_index')}
PARTITION BY day
ORDER BY (trace_hi, trace_lo)`,
        `CREATE TABLE IF NOT EXISTS ${local('operations')}${cluster} ${OPERATIONS_COLUMNS_DDL}
ENGINE = ${engine('ReplacingMergeTree', 'operations')}
PARTITION BY day
ORDER BY (tenant, service, name, kind, remote_service)`,
        // The views read each inserted block of the (local) spans table, so in a cluster they run
        // on the shard that received the rows.
        `CREATE MATERIALIZED VIEW IF NOT EXISTS ${local('trace_index_mv')}${cluster} TO ${local('trace_index')} AS
SELECT day, tenant, trace_hi, trace_lo, service, min(start_us) AS start_min, max(start_us) AS start_max
FROM ${local('spans')} GROUP BY day, tenant, trace_hi, trace_lo, service`,
        `CREATE MATERIALIZED VIEW IF NOT EXISTS ${local('operations_mv')}${cluster} TO ${local('operations')} AS
SELECT day, tenant, service, name, kind, remote_service
FROM ${local('spans')} GROUP BY day, tenant, service, name, kind, remote_service`,
      ];
      if (target.cluster !== undefined) {
        // Spans are sharded by trace id so a trace lives on one shard; reads fan out.
        const shardKey: Record<string, string> = { spans: 'cityHash64(trace_hi, trace_lo)', trace_index: 'cityHash64(trace_hi, trace_lo)', operations: 'rand()' };
        for (const table of DAY_PARTITIONED_TABLES) {
          out.push(`CREATE TABLE IF NOT EXISTS ${db}.${quoteIdentifier(table)}${cluster} AS ${local(table)}
ENGINE = Distributed(${quoteIdentifier(target.cluster)}, ${db}, ${quoteIdentifier(`${table}_local`)}, ${shardKey[table]})`);
        }
      }
      return out;
    },
  },
  {
    version: 2,
    description: 'dependency rollups: edges per settled minute, settled marks, span arrivals per minute',
    statements(target) {
      const { db, cluster, local, engine } = layout(target);
      const out = [
        `CREATE TABLE IF NOT EXISTS ${local('dependency_minutes')}${cluster} ${DEPENDENCY_MINUTES_COLUMNS_DDL}
ENGINE = ${engine('ReplacingMergeTree', 'dependency_minutes')}
PARTITION BY day
ORDER BY (minute_us, settled_at_us, tenant, parent, child)`,
        `CREATE TABLE IF NOT EXISTS ${local('dependency_settled')}${cluster} ${DEPENDENCY_SETTLED_COLUMNS_DDL}
ENGINE = ${engine('ReplacingMergeTree', 'dependency_settled')}
PARTITION BY day
ORDER BY (minute_us, settled_at_us)`,
        `CREATE TABLE IF NOT EXISTS ${local('dependency_arrivals')}${cluster} ${DEPENDENCY_ARRIVALS_COLUMNS_DDL}
ENGINE = ${engine('MergeTree', 'dependency_arrivals')}
PARTITION BY day
ORDER BY minute_us`,
        // When spans of each minute last arrived (the insert's time, rounded up to the next second so a
        // settle in that same second still counts as before it), whichever collector inserted them:
        // the settler waits until a minute's context has been quiet.
        `CREATE MATERIALIZED VIEW IF NOT EXISTS ${local('dependency_arrivals_mv')}${cluster} TO ${local('dependency_arrivals')} AS
SELECT day, intDiv(start_us, 60000000) * 60000000 AS minute_us, (toUInt64(now()) + 1) * 1000000 AS arrived_us
FROM ${local('spans')} GROUP BY day, minute_us`,
      ];
      if (target.cluster !== undefined) {
        // A minute's rows and marks live on one shard, so FINAL sees every copy of them.
        for (const table of DEPENDENCY_TABLES) {
          out.push(`CREATE TABLE IF NOT EXISTS ${db}.${quoteIdentifier(table)}${cluster} AS ${local(table)}
ENGINE = Distributed(${quoteIdentifier(target.cluster)}, ${db}, ${quoteIdentifier(`${table}_local`)}, cityHash64(minute_us))`);
        }
      }
      return out;
    },
  },
  {
    version: 3,
    description: 'request rollups: a view of every spans insert into per-slot aggregate states; the start time they cover from',
    statements: (target) => requestRollupStatements(layout(target)),
  },
];

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The bookkeeping table: one row per applied migration. */
export function migrationsTableDDL(target: SchemaTarget): string[] {
  const { db, cluster, engine } = layout(target);
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}${cluster}`,
    `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations${cluster} (
  version UInt32,
  description String,
  applied_at DateTime DEFAULT now()
)
ENGINE = ${engine('MergeTree', 'schema_migrations')}
ORDER BY version`,
  ];
}

/** Every statement that creates the schema from nothing, in order (for docs and review). */
export function renderSchema(target: SchemaTarget): string[] {
  return [...migrationsTableDDL(target), ...MIGRATIONS.flatMap((m) => m.statements(target))];
}
