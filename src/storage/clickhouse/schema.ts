/**
 * The ClickHouse schema as numbered migrations. Without server features (features.ts) every
 * statement works on ClickHouse 18.16 (no codecs, skip indexes, TTL or LowCardinality). On a newer
 * server a new database gets LowCardinality(String) for its repeated names, and migration 4 adds a
 * bloom-filter index for tag search; a database keeps the layout it was created and migrated with,
 * whichever server serves it later (the store reads that layout back, it never assumes it).
 *
 * Layout: `spans` is partitioned by UTC day (retention drops whole days) and ordered by
 * (tenant, service, start_us), the prefix every search filters on. Trace-by-id goes through
 * `trace_index` (ordered by trace id, filled by a materialised view): it names the services and
 * time range of a trace, which turn the span lookup into a few primary-key ranges. `operations`
 * keeps the distinct (service, operation, kind, remote service) tuples per day for the cheap
 * service and operation lists.
 */
import { NO_FEATURES, type ServerFeatures } from './features.js';
import { requestRollupStatements } from './request-rollups.js';
import { quoteIdentifier, quoteString } from './sql.js';

/** Where the schema lives: a database, and for a cluster the cluster name from the servers' remote_servers. */
export interface SchemaTarget {
  database: string;
  /** Renders the replicated layout: *_local ReplicatedMergeTree tables ON CLUSTER, Distributed tables over them. */
  cluster?: string;
  /** What the server offers beyond 18.16 (default: nothing, the 18.16 layout). */
  features?: ServerFeatures;
}

/** One schema step; `statements` run in order and are idempotent (IF NOT EXISTS) so concurrent starts are safe. */
export interface Migration {
  version: number;
  description: string;
  statements(target: SchemaTarget): string[];
}

/** The column of migration 4: every attribute and resource attribute of a span as 'key=value'. */
export const TAG_PAIRS_COLUMN = 'tag_pairs';

/** The bloom-filter index on TAG_PAIRS_COLUMN. */
export const TAG_PAIRS_INDEX = 'tag_pairs_bloom';

const TAG_PAIRS_EXPRESSION =
  "arrayConcat(arrayMap((k, v) -> concat(k, '=', v), attr_keys, attr_values), arrayMap((k, v) -> concat(k, '=', v), res_keys, res_values))";

/** The tables whose partitions are days of span data (retention drops them). */
export const DAY_PARTITIONED_TABLES = ['spans', 'trace_index', 'operations'] as const;

/** The dependency rollup tables, also partitioned by day of span data (retention drops them too). */
export const DEPENDENCY_TABLES = ['dependency_minutes', 'dependency_settled', 'dependency_arrivals'] as const;

/** The type of a column of few distinct names (tenants, services, operations). */
function names(target: SchemaTarget): string {
  return (target.features ?? NO_FEATURES).lowCardinality ? 'LowCardinality(String)' : 'String';
}

const spanColumnsDDL = (n: string): string => `(
  day Date DEFAULT toDate(toDateTime(intDiv(start_us, 1000000), 'UTC')),
  tenant ${n},
  trace_hi UInt64,
  trace_lo UInt64,
  span_id UInt64,
  parent_id UInt64,
  start_us UInt64,
  duration_us UInt64,
  service ${n},
  name ${n},
  kind UInt8,
  status UInt8,
  flags UInt8,
  remote_service ${n},
  attr_keys Array(String),
  attr_values Array(String),
  attr_types String,
  res_keys Array(String),
  res_values Array(String),
  res_types String,
  event_names Array(String),
  extra String
)`;

const traceIndexColumnsDDL = (n: string): string => `(
  day Date,
  tenant ${n},
  trace_hi UInt64,
  trace_lo UInt64,
  service ${n},
  start_min UInt64,
  start_max UInt64
)`;

const operationsColumnsDDL = (n: string): string => `(
  day Date,
  tenant ${n},
  service ${n},
  name ${n},
  kind UInt8,
  remote_service ${n}
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
        `CREATE TABLE IF NOT EXISTS ${local('spans')}${cluster} ${spanColumnsDDL(names(target))}
ENGINE = ${engine('MergeTree', 'spans')}
PARTITION BY day
ORDER BY (tenant, service, start_us)
SETTINGS index_granularity = 1024`,
        `CREATE TABLE IF NOT EXISTS ${local('trace_index')}${cluster} ${traceIndexColumnsDDL(names(target))}
ENGINE = ${engine('MergeTree', 'trace_index')}
PARTITION BY day
ORDER BY (trace_hi, trace_lo)`,
        `CREATE TABLE IF NOT EXISTS ${local('operations')}${cluster} ${operationsColumnsDDL(names(target))}
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
  {
    version: 4,
    description: 'tag search: attribute and resource key=value pairs as a materialised column with a bloom-filter index (servers with skip indexes, one-server layout)',
    statements(target) {
      // Older servers and clusters record the step without the index: tag search reads the arrays as before.
      if (!(target.features ?? NO_FEATURES).skipIndexes || target.cluster !== undefined) return [];
      const { local } = layout(target);
      return [
        `ALTER TABLE ${local('spans')} ADD COLUMN IF NOT EXISTS ${TAG_PAIRS_COLUMN} Array(String) MATERIALIZED ${TAG_PAIRS_EXPRESSION}`,
        `ALTER TABLE ${local('spans')} ADD INDEX IF NOT EXISTS ${TAG_PAIRS_INDEX} ${TAG_PAIRS_COLUMN} TYPE bloom_filter(0.01) GRANULARITY 1`,
      ];
    },
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
