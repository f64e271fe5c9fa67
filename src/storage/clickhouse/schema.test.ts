import { describe, expect, it } from 'vitest';
import { serverFeatures } from './features.js';
import { MIGRATIONS, renderSchema, SCHEMA_VERSION } from './schema.js';

describe('renderSchema', () => {
  it('single server: plain MergeTree tables in the database, views feeding the index tables', () => {
    const ddl = renderSchema({ database: 'ariadne' });
    expect(ddl.map((s) => s.split('\n')[0])).toEqual([
      'CREATE DATABASE IF NOT EXISTS `ariadne`',
      'CREATE TABLE IF NOT EXISTS `ariadne`.schema_migrations (',
      'CREATE DATABASE IF NOT EXISTS `ariadne`',
      'CREATE TABLE IF NOT EXISTS `ariadne`.`spans` (',
      'CREATE TABLE IF NOT EXISTS `ariadne`.`trace_index` (',
      'CREATE TABLE IF NOT EXISTS `ariadne`.`operations` (',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `ariadne`.`trace_index_mv` TO `ariadne`.`trace_index` AS',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `ariadne`.`operations_mv` TO `ariadne`.`operations` AS',
      'CREATE TABLE IF NOT EXISTS `ariadne`.`dependency_minutes` (',
      'CREATE TABLE IF NOT EXISTS `ariadne`.`dependency_settled` (',
      'CREATE TABLE IF NOT EXISTS `ariadne`.`dependency_arrivals` (',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `ariadne`.`dependency_arrivals_mv` TO `ariadne`.`dependency_arrivals` AS',
      'CREATE TABLE IF NOT EXISTS `ariadne`.`request_rollups` (',
      'CREATE TABLE IF NOT EXISTS `ariadne`.`request_rollup_coverage` (covered_from_us UInt64, noted_at DateTime DEFAULT now())',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `ariadne`.`request_rollups_mv` TO `ariadne`.`request_rollups` AS',
      'INSERT INTO `ariadne`.request_rollup_coverage (covered_from_us)',
    ]);
    expect(ddl[12]).toContain('ENGINE = AggregatingMergeTree\nPARTITION BY day\nORDER BY (tenant, service, operation, slot_us, bucket)');
    expect(ddl[3]).toContain('ENGINE = MergeTree\nPARTITION BY day\nORDER BY (tenant, service, start_us)\nSETTINGS index_granularity = 1024');
    expect(ddl.join('\n')).not.toMatch(/Replicated|Distributed|ON CLUSTER/);
  });

  it('cluster: replicated local tables ON CLUSTER, Distributed tables sharded by trace id', () => {
    const ddl = renderSchema({ database: 'traces', cluster: 'tracing' });
    expect(ddl.map((s) => s.split('\n')[0])).toEqual([
      'CREATE DATABASE IF NOT EXISTS `traces` ON CLUSTER `tracing`',
      'CREATE TABLE IF NOT EXISTS `traces`.schema_migrations ON CLUSTER `tracing` (',
      'CREATE DATABASE IF NOT EXISTS `traces` ON CLUSTER `tracing`',
      'CREATE TABLE IF NOT EXISTS `traces`.`spans_local` ON CLUSTER `tracing` (',
      'CREATE TABLE IF NOT EXISTS `traces`.`trace_index_local` ON CLUSTER `tracing` (',
      'CREATE TABLE IF NOT EXISTS `traces`.`operations_local` ON CLUSTER `tracing` (',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `traces`.`trace_index_mv_local` ON CLUSTER `tracing` TO `traces`.`trace_index_local` AS',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `traces`.`operations_mv_local` ON CLUSTER `tracing` TO `traces`.`operations_local` AS',
      'CREATE TABLE IF NOT EXISTS `traces`.`spans` ON CLUSTER `tracing` AS `traces`.`spans_local`',
      'CREATE TABLE IF NOT EXISTS `traces`.`trace_index` ON CLUSTER `tracing` AS `traces`.`trace_index_local`',
      'CREATE TABLE IF NOT EXISTS `traces`.`operations` ON CLUSTER `tracing` AS `traces`.`operations_local`',
      'CREATE TABLE IF NOT EXISTS `traces`.`dependency_minutes_local` ON CLUSTER `tracing` (',
      'CREATE TABLE IF NOT EXISTS `traces`.`dependency_settled_local` ON CLUSTER `tracing` (',
      'CREATE TABLE IF NOT EXISTS `traces`.`dependency_arrivals_local` ON CLUSTER `tracing` (',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `traces`.`dependency_arrivals_mv_local` ON CLUSTER `tracing` TO `traces`.`dependency_arrivals_local` AS',
      'CREATE TABLE IF NOT EXISTS `traces`.`dependency_minutes` ON CLUSTER `tracing` AS `traces`.`dependency_minutes_local`',
      'CREATE TABLE IF NOT EXISTS `traces`.`dependency_settled` ON CLUSTER `tracing` AS `traces`.`dependency_settled_local`',
      'CREATE TABLE IF NOT EXISTS `traces`.`dependency_arrivals` ON CLUSTER `tracing` AS `traces`.`dependency_arrivals_local`',
      'CREATE TABLE IF NOT EXISTS `traces`.`request_rollups_local` ON CLUSTER `tracing` (',
      'CREATE TABLE IF NOT EXISTS `traces`.`request_rollup_coverage_local` ON CLUSTER `tracing` (covered_from_us UInt64, noted_at DateTime DEFAULT now())',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `traces`.`request_rollups_mv_local` ON CLUSTER `tracing` TO `traces`.`request_rollups_local` AS',
      'CREATE TABLE IF NOT EXISTS `traces`.`request_rollups` ON CLUSTER `tracing` AS `traces`.`request_rollups_local`',
      'CREATE TABLE IF NOT EXISTS `traces`.`request_rollup_coverage` ON CLUSTER `tracing` AS `traces`.`request_rollup_coverage_local`',
      'INSERT INTO `traces`.request_rollup_coverage (covered_from_us)',
    ]);
    expect(ddl[18]).toContain("ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/traces/request_rollups', '{replica}')");
    expect(ddl[20]).toContain('FROM `traces`.`spans_local` WHERE');
    expect(ddl[15]).toContain('ENGINE = Distributed(`tracing`, `traces`, `dependency_minutes_local`, cityHash64(minute_us))');
    expect(ddl[3]).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/traces/spans', '{replica}')");
    expect(ddl[5]).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/traces/operations', '{replica}')");
    expect(ddl[6]).toContain('FROM `traces`.`spans_local` GROUP BY');
    expect(ddl[8]).toContain('ENGINE = Distributed(`tracing`, `traces`, `spans_local`, cityHash64(trace_hi, trace_lo))');
  });

  it('refuses names that would need quoting', () => {
    expect(() => renderSchema({ database: 'a-b' })).toThrow('ClickHouse identifier');
    expect(() => renderSchema({ database: 'ok', cluster: "x'); DROP" })).toThrow('ClickHouse identifier');
  });

  it('versions are 1, 2, 3, ... and SCHEMA_VERSION is the last', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('a server with the newer features: LowCardinality names, and migration 4 adds the tag pairs column and its bloom filter', () => {
    const modern = serverFeatures('26.7.2.1');
    const ddl = renderSchema({ database: 'ariadne', features: modern });
    expect(ddl[3]).toContain('tenant LowCardinality(String),');
    expect(ddl[3]).toContain('service LowCardinality(String),\n  name LowCardinality(String),');
    expect(ddl[3]).toContain('remote_service LowCardinality(String),\n  attr_keys Array(String),');
    expect(ddl[4]).toContain('tenant LowCardinality(String),');
    expect(ddl[5]).toContain('remote_service LowCardinality(String)\n)');
    expect(ddl.slice(-2)).toEqual([
      "ALTER TABLE `ariadne`.`spans` ADD COLUMN IF NOT EXISTS tag_pairs Array(String) MATERIALIZED arrayConcat(arrayMap((k, v) -> concat(k, '=', v), attr_keys, attr_values), arrayMap((k, v) -> concat(k, '=', v), res_keys, res_values))",
      'ALTER TABLE `ariadne`.`spans` ADD INDEX IF NOT EXISTS tag_pairs_bloom tag_pairs TYPE bloom_filter(0.01) GRANULARITY 1',
    ]);
  });

  it.each([
    ['an 18.16 server', { database: 'ariadne', features: serverFeatures('18.16.1') }],
    ['no features given', { database: 'ariadne' }],
    ['a cluster, even of new servers', { database: 'ariadne', cluster: 'c', features: serverFeatures('26.7.2.1') }],
  ])('migration 4 has no statements for %s', (_name, target) => {
    expect(MIGRATIONS[3]!.statements(target)).toEqual([]);
  });

  it('without features nothing is LowCardinality', () => {
    expect(renderSchema({ database: 'ariadne', features: serverFeatures('18.16.1') }).join('\n')).not.toContain('LowCardinality');
  });
});
