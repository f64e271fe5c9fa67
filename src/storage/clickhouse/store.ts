/**
 * The ClickHouse engine: stateless in the Ariadne process (any number of collectors and query
 * nodes share one ClickHouse), durable once ClickHouse acknowledged an insert.
 */
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../../errors.js';
import type { DependencyLink, Span } from '../../model/index.js';
import { compareStrings, SPAN_KINDS } from '../../model/index.js';
import type {
  AggregateGroup, Operation, RequestAggregation, SpanAggregation, SpanReader, SpanSearch, Store, StoreStats, TenantScope, TraceQuery, TraceRef,
} from '../api.js';
import { dedupeSpans } from '../dedupe.js';
import { compareGroupKeys, mergeAggregateGroups, tooManyGroups } from '../predicate.js';
import { createDependencyRollups, type DependencyRollupOptions, type DependencyRollups } from '../dependencies-rollup.js';
import { clickHouseDependencySource, clickHouseRollupTable } from './dependency-rollups.js';
import { summarizeTrace } from '../summaries.js';
import {
  decimalToHex, kindCode, READ_COLUMNS, rowToSpan, SPAN_COLUMNS, statusCodeNumber, SUMMARY_COLUMNS, summaryRowToSpan, traceIdParts,
  type SpanRow, type SummaryRow,
} from './rows.js';
import { DAY_PARTITIONED_TABLES, DEPENDENCY_TABLES, migrationsTableDDL, MIGRATIONS, SCHEMA_VERSION, TAG_PAIRS_COLUMN } from './schema.js';
import { coverageSql, REQUEST_ROLLUP_TABLES, rollupQuerySql } from './request-rollups.js';
import { checkRequestAggregation, requestAggregationOf, rollupPlan } from '../requests.js';
import { aggregationSql, groupsFromRows, patternError, predicateSql, searchSql } from './analytics.js';
import { NO_FEATURES, serverFeatures, type ServerFeatures } from './features.js';
import { dayOf, quoteDay, quoteIdentifier, quoteString, quoteUInt, SqlValues } from './sql.js';
import { BatchWriter } from './writer.js';

/** Which columns a trace read fetches and how a row becomes a span. */
interface TraceRead {
  columns: string;
  toSpan(row: unknown[]): Span;
}

const FULL_READ: TraceRead = { columns: READ_COLUMNS, toSpan: (row) => rowToSpan(row as SpanRow) };
const SUMMARY_READ: TraceRead = { columns: SUMMARY_COLUMNS, toSpan: (row) => summaryRowToSpan(row as SummaryRow) };

/** Settings of the ClickHouse engine. */
export interface ClickHouseStoreOptions {
  /** HTTP interface, e.g. http://127.0.0.1:8123. */
  url: string;
  database: string;
  username?: string;
  password?: string;
  /** Whole days older than this are dropped (partition by partition). */
  retentionUs: number;
  /** An insert starts once this many spans wait (default 10 000)... */
  batchSpans?: number;
  /** ...or once the oldest has waited this long (default 200 ms). */
  batchIntervalMs?: number;
  /** Spans waiting for ClickHouse beyond which writes are refused with 429/503 (default 200 000). */
  maxBufferedSpans?: number;
  /** Longest a write waits for ClickHouse's acknowledgement, retries included (default 30 s). */
  writeTimeoutMs?: number;
  /** Longest one query or insert request may take (default 30 s). */
  requestTimeoutMs?: number;
  /** How long open() keeps trying to reach ClickHouse before it gives up (default 60 s; 0 = one try). */
  connectTimeoutMs?: number;
  /** How often old partitions are looked for (default 1 h). */
  retentionIntervalMs?: number;
  /**
   * On servers with asynchronous inserts (features.ts), send span inserts as async inserts, still
   * acknowledged only once flushed (wait_for_async_insert=1); false sends plain inserts (default true).
   */
  asyncInsert?: boolean;
  logger?: Logger;
  /** Dependency rollups: their timing, and whether this node's background settler runs (default true). */
  dependencies?: Pick<DependencyRollupOptions, 'marginUs' | 'settleDelayUs' | 'quietUs' | 'batchMinutes' | 'nowUs' | 'busyDelayMs' | 'idleDelayMs'> & {
    background?: boolean;
  };
}

/** Default settings, shared by the CLI's help text and the engine. */
export const CLICKHOUSE_DEFAULTS = {
  batchSpans: 10_000,
  batchIntervalMs: 200,
  maxBufferedSpans: 200_000,
  writeTimeoutMs: 30_000,
  requestTimeoutMs: 30_000,
  connectTimeoutMs: 60_000,
  retentionIntervalMs: 3_600_000,
} as const;

// ClickHouse error codes that mean "try again later": timeouts, network, too many parts or
// queries, memory limits, and a table that is read-only while its replica reconnects.
const RETRYABLE_CLICKHOUSE_CODES = new Set(['159', '164', '202', '203', '209', '210', '241', '242', '252', '319', '425']);

/** The server's error code, when the server answered (18.16's messages lack the type the client parses, so read the text too). */
function clickHouseCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return code;
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? /\bCode: (\d+)[.,]/.exec(message)?.[1] : undefined;
}

/** Whether an insert that failed this way may succeed later (network failures and overload, not bad SQL). */
export function isRetryable(err: unknown): boolean {
  const code = clickHouseCode(err);
  return code === undefined || RETRYABLE_CLICKHOUSE_CODES.has(code);
}

type Row = unknown[];

/** A ClickHouse-backed Store. */
/** The newest window a trace search reads first (see findTraceIds). */
const SEARCH_FIRST_WINDOW_US = 5 * 60_000_000;
/** How much each further window of a trace search is longer than the one before. */
const SEARCH_WINDOW_GROWTH = 4;

class ClickHouseStore implements Store {
  readonly name = 'clickhouse';
  readonly writer;
  readonly reader: SpanReader;
  readonly dependencies;
  private readonly client: ClickHouseClient;
  private readonly db: string;
  private readonly batch: BatchWriter;
  private readonly options: ClickHouseStoreOptions;
  private readonly target: string;
  private diskBytes = 0;
  private queryFailures = 0;
  private closed = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly rollups: DependencyRollups;
  /** Start time from which the request rollups hold every span; read at the first request aggregation. */
  private coveredFromUs: number | undefined;
  /** The server's version, as `SELECT version()` gives it. */
  serverVersion = '';
  /** What the server offers beyond 18.16, from its version (set at open). */
  features: ServerFeatures = NO_FEATURES;
  /** Whether the database's spans table has migration 4's tag pairs column (read after migrating). */
  tagPairs = false;

  constructor(client: ClickHouseClient, options: ClickHouseStoreOptions) {
    this.client = client;
    this.options = options;
    this.db = quoteIdentifier(options.database);
    this.target = `ClickHouse at ${options.url}`;
    this.batch = new BatchWriter({
      insert: (parts) => this.insert(parts),
      retryable: isRetryable,
      batchSpans: options.batchSpans ?? CLICKHOUSE_DEFAULTS.batchSpans,
      batchIntervalMs: options.batchIntervalMs ?? CLICKHOUSE_DEFAULTS.batchIntervalMs,
      maxBufferedSpans: options.maxBufferedSpans ?? CLICKHOUSE_DEFAULTS.maxBufferedSpans,
      writeTimeoutMs: options.writeTimeoutMs ?? CLICKHOUSE_DEFAULTS.writeTimeoutMs,
      target: this.target,
      logger: options.logger,
    });
    this.writer = { writeSpans: (spans: readonly Span[]) => this.batch.write(spans) };
    this.reader = {
      getServices: (scope) => this.getServices(scope),
      getOperations: (query) => this.getOperations(query),
      getRemoteServices: (query) => this.getRemoteServices(query),
      getTrace: async (query) => (await this.fetchTraces(query, [query.traceId], query.startUsMin, query.startUsMax))[0] ?? [],
      getTraces: async (query) => (await this.fetchTraces(query, query.traceIds)).filter((spans) => spans.length > 0),
      // Summaries read only the dozen columns they need: no attribute arrays, no extra JSON.
      getTraceSummaries: async (query) =>
        (await this.fetchTraces(query, query.traceIds, undefined, undefined, SUMMARY_READ)).filter((spans) => spans.length > 0).map(summarizeTrace),
      findTraceIds: (query) => this.findTraceIds(query),
      getAttributeValues: (query) => this.getAttributeValues(query),
      aggregateSpans: (query) => this.aggregateSpans(query),
      aggregateRequests: (query) => this.aggregateRequests(query),
      findSpans: (query) => this.findSpans(query),
    };
    const access = {
      db: this.db,
      rows: (sql: string) => this.rows(sql),
      stream: (sql: string, onChunk: (chunk: Buffer) => void) => this.stream(sql, onChunk),
      insert: (table: string, jsonLines: string) => this.insertRows(table, jsonLines),
    };
    // Live edges are not reused here (no liveReuseUs): reuse needs every arrival stamped no earlier
    // than the span became readable, on this process's clock. ClickHouse stamps arrivals with its
    // own clock at insert time (rounded up a second), so a slower insert or another host's clock
    // could let a reused minute miss spans; live minutes are linked from the spans on every read.
    this.rollups = createDependencyRollups({
      ...options.dependencies,
      source: clickHouseDependencySource(access),
      table: clickHouseRollupTable(access),
      logger: options.logger,
    });
    this.dependencies = { getDependencies: (query: TenantScope & { endUs: number; lookbackUs: number }) => this.rollups.getDependencies(query) };
  }

  stats(): StoreStats {
    const w = this.batch.stats();
    return {
      diskBytes: this.diskBytes,
      bufferedSpans: w.queuedSpans + w.inflightSpans,
      extra: {
        clickhouse_queue_spans: w.queuedSpans,
        clickhouse_inflight_spans: w.inflightSpans,
        clickhouse_inserts_total: w.inserts,
        clickhouse_insert_failures_total: w.insertFailures,
        clickhouse_insert_seconds_sum: w.insertSecondsSum,
        clickhouse_insert_seconds_last: w.lastInsertSeconds,
        clickhouse_rejected_spans_total: w.rejectedSpans,
        clickhouse_query_failures_total: this.queryFailures,
        clickhouse_up: w.up,
        dependency_settled_minutes: this.rollups.stats().settledMinutes,
        dependency_backlog_minutes: this.rollups.stats().backlogMinutes,
        dependency_settled_minutes_total: this.rollups.stats().settledMinutesTotal,
        dependency_settle_seconds_sum: this.rollups.stats().settleSecondsSum,
        dependency_settle_failures_total: this.rollups.stats().settleFailuresTotal,
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.rollups.close();
    await this.batch.close();
    await this.client.close();
  }

  /** Creates the schema or brings it up to date; refuses a schema newer than this build knows. */
  async migrate(): Promise<void> {
    for (const statement of migrationsTableDDL({ database: this.options.database })) await this.command(statement);
    const rows = await this.rows(`SELECT max(version) FROM ${this.db}.schema_migrations`);
    const current = Number(rows[0]?.[0] ?? 0);
    if (current > SCHEMA_VERSION) {
      throw new AppError(
        'UNAVAILABLE',
        `${this.target}: database ${this.options.database} has schema version ${current}, newer than the ${SCHEMA_VERSION} this Ariadne knows; upgrade Ariadne or use another --clickhouse.database`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements({ database: this.options.database, features: this.features })) await this.command(statement);
      await this.command(
        `INSERT INTO ${this.db}.schema_migrations (version, description) VALUES (${quoteUInt(migration.version)}, ${quoteString(migration.description)})`,
      );
      this.options.logger?.info({ version: migration.version, description: migration.description }, 'ClickHouse schema migrated');
    }
    // The layout the database has, whichever server created it.
    const columns = await this.rows(
      `SELECT name FROM system.columns WHERE database = ${quoteString(this.options.database)} AND table = 'spans' AND name = ${quoteString(TAG_PAIRS_COLUMN)}`,
    );
    this.tagPairs = columns.length > 0;
  }

  /** The values of a new statement: server-side parameters where the server has them. */
  private values(): SqlValues {
    return new SqlValues(this.features.queryParameters);
  }

  /** Starts the background loops: retention and the disk figure. */
  startBackground(): void {
    const retentionEvery = this.options.retentionIntervalMs ?? CLICKHOUSE_DEFAULTS.retentionIntervalMs;
    const loop = (every: number, fn: () => Promise<void>, what: string): void => {
      const run = (): void => { fn().catch((err) => this.options.logger?.warn({ err: (err as Error).message }, `ClickHouse ${what} failed`)); };
      run();
      const t = setInterval(run, every);
      t.unref();
      this.timers.push(t);
    };
    loop(retentionEvery, async () => { await this.dropExpired(Date.now() * 1000); }, 'retention');
    loop(10_000, () => this.refreshDiskBytes(), 'disk size');
    if (this.options.dependencies?.background !== false) this.rollups.start();
  }

  /** Drops every day partition that ended before now - retention; returns the days dropped. */
  async dropExpired(nowUs: number): Promise<string[]> {
    const cutoff = dayOf(nowUs - this.options.retentionUs);
    const tables = [...DAY_PARTITIONED_TABLES, ...DEPENDENCY_TABLES, ...REQUEST_ROLLUP_TABLES].map((t) => quoteString(t)).join(', ');
    const rows = await this.rows(
      `SELECT DISTINCT table, partition FROM system.parts WHERE database = ${quoteString(this.options.database)} AND active AND table IN (${tables}) ORDER BY partition`,
    );
    const dropped = new Set<string>();
    for (const [table, partition] of rows as Array<[string, string]>) {
      const day = partition.replace(/^'|'$/g, '');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || day >= cutoff) continue;
      await this.command(`ALTER TABLE ${this.db}.${quoteIdentifier(table)} DROP PARTITION ${quoteString(day)}`);
      dropped.add(day);
    }
    // The rollups of the dropped days went with their partitions; the settler forgets them too.
    if (dropped.size > 0) await this.rollups.deleteBefore(Date.parse(`${cutoff}T00:00:00Z`) * 1000);
    if (dropped.size > 0) this.options.logger?.info({ days: [...dropped] }, 'ClickHouse retention dropped old days');
    return [...dropped];
  }

  private async refreshDiskBytes(): Promise<void> {
    const rows = await this.rows(`SELECT sum(bytes_on_disk) FROM system.parts WHERE database = ${quoteString(this.options.database)} AND active`);
    this.diskBytes = Number(rows[0]?.[0] ?? 0);
  }

  /** Settles every due dependency minute now; resolves to how many minutes this node settled. */
  settleDependencies(): Promise<number> {
    return this.rollups.settleAll();
  }

  /** Inserts JSONEachRow lines into a table of the database. */
  private async insertRows(table: string, jsonLines: string): Promise<void> {
    try {
      const result = await this.client.exec({
        query: `INSERT INTO ${this.db}.${quoteIdentifier(table)} FORMAT JSONEachRow`,
        values: Readable.from([jsonLines]),
      });
      for await (const chunk of result.stream) void chunk;
    } catch (err) {
      throw this.queryError(err);
    }
  }

  private async insert(parts: readonly Buffer[]): Promise<void> {
    const result = await this.client.exec({
      query: `INSERT INTO ${this.db}.spans (${SPAN_COLUMNS.join(', ')}) FORMAT RowBinary`,
      values: Readable.from(parts),
      // Explicitly waited for: a server whose profile says wait_for_async_insert=0 would otherwise answer before the rows are stored.
      ...(this.features.asyncInsert ? { clickhouse_settings: { async_insert: this.options.asyncInsert === false ? 0 : 1, wait_for_async_insert: 1 } } : {}),
    });
    // The answer carries no rows; reading it to the end frees the socket for the next request.
    for await (const chunk of result.stream) void chunk;
  }

  private async command(query: string): Promise<void> {
    try {
      await this.client.command({ query });
    } catch (err) {
      throw this.queryError(err);
    }
  }

  /** Runs a SELECT and returns its rows (JSONCompact: 64-bit integers as decimal text). */
  async rows(query: string, values?: SqlValues): Promise<Row[]> {
    try {
      const params = values === undefined || Object.keys(values.params).length === 0 ? undefined : values.params;
      const result = await this.client.query({ query, format: 'JSONCompact', ...(params === undefined ? {} : { query_params: params }) });
      const json = await result.json<{ data: Row[] }>();
      return (json as unknown as { data: Row[] }).data;
    } catch (err) {
      throw this.queryError(err);
    }
  }

  /** Runs a query that names its own output format (e.g. RowBinary), handing each chunk of the answer to `onChunk` as it arrives. */
  private async stream(query: string, onChunk: (chunk: Buffer) => void): Promise<void> {
    try {
      const { stream } = await this.client.exec({ query });
      // Plain 'data' events: an async iterator over the thousands of small chunks of a big answer costs more than the copy.
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => {
          try {
            onChunk(chunk);
          } catch (err) {
            stream.destroy();
            reject(err);
          }
        });
        stream.once('error', reject);
        stream.once('end', resolve);
      });
    } catch (err) {
      throw this.queryError(err);
    }
  }

  private queryError(err: unknown): AppError {
    if (isAppError(err)) return err;
    this.queryFailures++;
    const message = (err as Error).message ?? String(err);
    if (isRetryable(err)) return new AppError('UNAVAILABLE', `${this.target}: ${message}`, { cause: err });
    return new AppError('INTERNAL', `${this.target}: ${message}`, { cause: err });
  }

  private tenantCondition(scope: TenantScope, v: SqlValues): string {
    return scope.tenant === undefined ? '1' : `tenant = ${v.string(scope.tenant)}`;
  }

  private async getServices(scope: TenantScope): Promise<string[]> {
    const v = this.values();
    const rows = await this.rows(`SELECT DISTINCT service FROM ${this.db}.operations WHERE ${this.tenantCondition(scope, v)} ORDER BY service`, v);
    return rows.map((r) => r[0] as string);
  }

  private async getOperations(query: TenantScope & { service: string; spanKind?: Span['kind'] }): Promise<Operation[]> {
    const kind = query.spanKind === undefined ? '' : ` AND kind = ${kindCode(query.spanKind)}`;
    const v = this.values();
    const rows = await this.rows(
      `SELECT DISTINCT name, kind FROM ${this.db}.operations WHERE ${this.tenantCondition(query, v)} AND service = ${v.string(query.service)}${kind}`,
      v,
    );
    const ops = rows.map((r) => ({ name: r[0] as string, spanKind: SPAN_KINDS[r[1] as number] ?? 'unspecified' }));
    return ops.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.spanKind, b.spanKind));
  }

  private async getRemoteServices(query: TenantScope & { service: string }): Promise<string[]> {
    const v = this.values();
    const rows = await this.rows(
      `SELECT DISTINCT remote_service FROM ${this.db}.operations WHERE ${this.tenantCondition(query, v)} AND service = ${v.string(query.service)} AND remote_service != ''`,
      v,
    );
    return rows.map((r) => r[0] as string).sort(compareStrings);
  }

  /**
   * Spans of several traces, one list per id given (empty when missing). The trace index names the
   * (tenant, service, time range) of each trace, which become primary-key ranges of the spans table.
   */
  private async fetchTraces(
    scope: TenantScope, traceIds: readonly string[], hintMin?: number, hintMax?: number, read: TraceRead = FULL_READ,
  ): Promise<Span[][]> {
    if (traceIds.length === 0) return [];
    const ids = traceIds.map((id) => normaliseTraceId(id));
    const valid = ids.filter((id): id is string => id !== undefined);
    if (valid.length === 0) return ids.map(() => []);
    const idList = valid.map((id) => {
      const [hi, lo] = traceIdParts(id);
      return `(${hi}, ${lo})`;
    }).join(', ');
    // The time hints are not used to narrow: the index lookup is already exact and cheap.
    void hintMin;
    void hintMax;
    const v = this.values();
    const ranges = await this.rows(
      `SELECT tenant, service, min(start_min), max(start_max), min(day), max(day) FROM ${this.db}.trace_index
WHERE (trace_hi, trace_lo) IN (${idList}) AND ${this.tenantCondition(scope, v)} GROUP BY tenant, service`,
      v,
    );
    if (ranges.length === 0) return ids.map(() => []);
    let minDay = '9999-12-31';
    let maxDay = '0000-01-01';
    const w = this.values();
    const conditions = ranges.map((r) => {
      const [tenant, service, min, max, dMin, dMax] = r as [string, string, string, string, string, string];
      if (dMin < minDay) minDay = dMin;
      if (dMax > maxDay) maxDay = dMax;
      return `(tenant = ${w.string(tenant)} AND service = ${w.string(service)} AND start_us BETWEEN ${quoteUInt(BigInt(min))} AND ${quoteUInt(BigInt(max))})`;
    });
    // PREWHERE on the ids: only the id columns of the key ranges are read first, and the wide ones
    // (attributes, events) only for granules holding the trace. Left to itself, 18.16 moved another
    // condition there and read every column of the ranges: 290-1160 ms against 25-75 ms at 10M spans.
    const rows = await this.rows(
      `SELECT ${read.columns} FROM ${this.db}.spans PREWHERE (trace_hi, trace_lo) IN (${idList})
WHERE day BETWEEN ${quoteString(minDay)} AND ${quoteString(maxDay)} AND (${conditions.join(' OR ')})`,
      w,
    );
    const byTrace = new Map<string, Span[]>();
    for (const row of rows) {
      const span = read.toSpan(row);
      let list = byTrace.get(span.traceId);
      if (list === undefined) {
        list = [];
        byTrace.set(span.traceId, list);
      }
      list.push(span);
    }
    return ids.map((id) => (id === undefined ? [] : dedupeSpans(byTrace.get(id) ?? [])));
  }

  private async findTraceIds(query: TraceQuery): Promise<TraceRef[]> {
    const v = this.values();
    const fromUs = Math.max(0, Math.ceil(query.startUsMin));
    const toUs = Math.max(0, Math.floor(query.startUsMax));
    // Validated (and named in errors) before any window is built.
    quoteUInt(fromUs, 'startUsMin');
    quoteUInt(toUs, 'startUsMax');
    const where = [this.tenantCondition(query, v)];
    if (query.service !== undefined) where.push(`service = ${v.string(query.service)}`);
    if (query.operation !== undefined) where.push(`name = ${v.string(query.operation)}`);
    if (query.spanKind !== undefined) where.push(`kind = ${kindCode(query.spanKind)}`);
    if (query.remoteService !== undefined) where.push(`remote_service = ${v.string(query.remoteService)}`);
    if (query.statusCode !== undefined) where.push(`status = ${statusCodeNumber(query.statusCode)}`);
    if (query.minDurationUs !== undefined) where.push(`duration_us >= ${quoteUInt(Math.max(0, Math.ceil(query.minDurationUs)), 'minDurationUs')}`);
    if (query.maxDurationUs !== undefined) {
      if (query.maxDurationUs < 0) return [];
      where.push(`duration_us <= ${quoteUInt(Math.floor(query.maxDurationUs), 'maxDurationUs')}`);
    }
    for (const filter of query.attributes ?? []) {
      const key = v.string(filter.key);
      if (filter.value === undefined) {
        where.push(`(has(attr_keys, ${key}) OR has(res_keys, ${key}) OR has(event_names, ${key}))`);
      } else {
        const value = v.string(filter.value);
        // The bloom filter skips granules without the pair; the exact test below still decides.
        if (this.tagPairs) where.push(`has(${TAG_PAIRS_COLUMN}, ${v.string(`${filter.key}=${filter.value}`)})`);
        where.push(`(arrayExists((k, v) -> k = ${key} AND v = ${value}, attr_keys, attr_values) OR arrayExists((k, v) -> k = ${key} AND v = ${value}, res_keys, res_values))`);
      }
    }
    if (query.where !== undefined) where.push(predicateSql(query.where));
    if (query.startUsMax < query.startUsMin || query.limit <= 0) return [];
    const limit = Math.floor(query.limit);
    // Newest first, in windows growing SEARCH_WINDOW_GROWTH-fold: the limit is usually met within
    // the newest minutes, so a long lookback is not scanned whole. Exact: a trace ranks by its
    // latest matching span, so every trace first met in a window ranks below those of newer windows.
    const found: TraceRef[] = [];
    const seen = new Set<string>();
    let windowUs = SEARCH_FIRST_WINDOW_US;
    for (let end = toUs; end >= fromUs && found.length < limit; windowUs *= SEARCH_WINDOW_GROWTH) {
      const start = Math.max(fromUs, end - windowUs + 1);
      const rows = await this.rowsMatching(
        `SELECT trace_hi, trace_lo, max(start_us) AS last FROM ${this.db}.spans
WHERE day BETWEEN ${quoteDay(start)} AND ${quoteDay(end)} AND start_us BETWEEN ${quoteUInt(start)} AND ${quoteUInt(end)} AND ${where.join(' AND ')}
GROUP BY trace_hi, trace_lo ORDER BY last DESC, trace_hi DESC, trace_lo DESC LIMIT ${quoteUInt(limit, 'limit')}`,
        v,
      );
      for (const r of rows) {
        const traceId = decimalToHex(r[0] as string) + decimalToHex(r[1] as string);
        if (seen.has(traceId) || found.length >= limit) continue;
        seen.add(traceId);
        found.push({ traceId, startUs: Number(r[2]) });
      }
      end = start - 1;
    }
    return found;
  }

  private async aggregateSpans(query: SpanAggregation): Promise<AggregateGroup[]> {
    const groups = groupsFromRows(query, await this.rowsMatching(aggregationSql(query, `${this.db}.spans`)));
    if (groups.length > query.maxGroups) throw tooManyGroups(query.maxGroups);
    return groups.sort((a, b) => compareGroupKeys(a.keys, b.keys));
  }

  /**
   * Whole rollup slots from the start time the rollups cover (read once: it never moves) from the
   * request rollups, the rest of the window (edges, older data) from the spans.
   */
  private async aggregateRequests(query: RequestAggregation): Promise<AggregateGroup[]> {
    checkRequestAggregation(query);
    if (this.coveredFromUs === undefined) {
      const row = (await this.rows(coverageSql(this.db)))[0];
      // No mark (a migration interrupted before it): nothing is known to be covered.
      this.coveredFromUs = Number(row?.[1] ?? 0) === 0 ? Number.POSITIVE_INFINITY : Number(row?.[0] ?? 0);
    }
    const spanQuery = requestAggregationOf(query);
    const plan = rollupPlan(query, undefined, this.coveredFromUs);
    const table = `${this.db}.spans`;
    const parts: AggregateGroup[][] = [];
    if (plan === undefined) parts.push(groupsFromRows(spanQuery, await this.rows(aggregationSql(spanQuery, table))));
    else {
      const answers = await Promise.all([
        this.rows(rollupQuerySql(query, plan, this.db)),
        ...plan.edges.map((edge) => this.rows(aggregationSql({ ...spanQuery, ...edge }, table))),
      ]);
      for (const rows of answers) parts.push(groupsFromRows(spanQuery, rows));
    }
    const groups = mergeAggregateGroups(...parts);
    if (groups.length > query.maxGroups) throw tooManyGroups(query.maxGroups);
    return groups;
  }

  private async findSpans(query: SpanSearch): Promise<Span[]> {
    const sql = searchSql(query, `${this.db}.spans`, READ_COLUMNS);
    return (await this.rowsMatching(sql)).map((row) => rowToSpan(row as SpanRow));
  }

  /** rows(), with a pattern the server cannot compile reported as INVALID_ARGUMENT. */
  private async rowsMatching(query: string, values?: SqlValues): Promise<Row[]> {
    try {
      return await this.rows(query, values);
    } catch (err) {
      throw patternError(err);
    }
  }

  private async getAttributeValues(query: TenantScope & { key: string; limit: number }): Promise<string[]> {
    if (query.limit <= 0) return [];
    const v = this.values();
    const key = v.string(query.key);
    const rows = await this.rows(
      `SELECT DISTINCT v FROM ${this.db}.spans ARRAY JOIN attr_keys AS k, attr_values AS v
WHERE ${this.tenantCondition(query, v)} AND has(attr_keys, ${key}) AND k = ${key} ORDER BY v LIMIT ${quoteUInt(Math.floor(query.limit), 'limit')}`,
      v,
    );
    return rows.map((r) => r[0] as string);
  }
}

/**
 * The URL without credentials or path (so it can be logged), with a user, password and database
 * written into the URL (http://user:pass@host:8123/db, as deployment secrets often carry it)
 * taking the place of the separate settings.
 */
export function splitUrl(options: Pick<ClickHouseStoreOptions, 'url' | 'username' | 'password' | 'database'>): Pick<ClickHouseStoreOptions, 'url' | 'username' | 'password' | 'database'> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new AppError('INVALID_ARGUMENT', `--clickhouse.url: expected an http:// or https:// URL, got ${JSON.stringify(options.url.slice(0, 64))}`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''));
  const out = {
    url: `${url.protocol}//${url.host}`,
    username: url.username !== '' ? decodeURIComponent(url.username) : options.username,
    password: url.password !== '' ? decodeURIComponent(url.password) : options.password,
    database: database !== '' ? database : options.database,
  };
  quoteIdentifier(out.database);
  return out;
}

function normaliseTraceId(id: string): string | undefined {
  const lower = id.toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(lower)) return undefined;
  return lower.padStart(32, '0');
}

/**
 * Connects to ClickHouse (retrying until connectTimeoutMs), checks or migrates the schema, and
 * starts retention. Rejects with UNAVAILABLE naming the server when it cannot be reached in time,
 * and when the database holds a schema newer than this build.
 */
export async function createClickHouseStore(given: ClickHouseStoreOptions): Promise<Store & { serverVersion: string; features: ServerFeatures; tagPairs: boolean; dropExpired(nowUs: number): Promise<string[]>; settleDependencies(): Promise<number> }> {
  const options = { ...given, ...splitUrl(given) };
  const client = createClient({
    url: options.url,
    username: options.username ?? 'default',
    password: options.password ?? '',
    request_timeout: options.requestTimeoutMs ?? CLICKHOUSE_DEFAULTS.requestTimeoutMs,
    compression: { request: false, response: false },
    keep_alive: { enabled: true },
    // 64-bit integers (ids, times) as JSON strings: servers from 25.8 on print them as bare numbers
    // by default, which JavaScript would round above 2^53.
    clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    // Failures are reported once, by this engine, through the process logger.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const store = new ClickHouseStore(client, options);
  const deadline = Date.now() + (options.connectTimeoutMs ?? CLICKHOUSE_DEFAULTS.connectTimeoutMs);
  let lastError = '';
  for (let attempt = 0; ; attempt++) {
    try {
      const rows = await store.rows('SELECT version()');
      store.serverVersion = String(rows[0]?.[0] ?? '');
      store.features = serverFeatures(store.serverVersion);
      break;
    } catch (err) {
      lastError = (err as Error).message;
      if (isAppError(err, 'INTERNAL') || Date.now() >= deadline) {
        await client.close();
        throw new AppError('UNAVAILABLE', `cannot reach ClickHouse at ${options.url} (--clickhouse.url): ${lastError}`, { cause: err });
      }
      if (attempt === 0) options.logger?.warn({ url: options.url, err: lastError }, 'waiting for ClickHouse');
      await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 2_000)));
    }
  }
  try {
    await store.migrate();
  } catch (err) {
    await client.close();
    throw err;
  }
  options.logger?.info({ url: options.url, database: options.database, version: store.serverVersion }, 'ClickHouse store open');
  store.startBackground();
  return store;
}
