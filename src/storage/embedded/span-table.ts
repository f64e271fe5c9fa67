/**
 * The DuckDB side of the embedded engine: schema, flushing batches of spans in one transaction
 * together with the log mark they reach, reads, and retention deletes.
 * Every value reaches SQL as a bound parameter; only fixed fragments are concatenated.
 */
import {
  DuckDBConnection, DuckDBInstance, JSDuckDBValueConverter, type DuckDBDataChunk, type DuckDBMaterializedResult, type DuckDBPreparedStatement, type DuckDBVector,
} from '@duckdb/node-api';
import { open, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { AppError } from '../../errors.js';
import type { Span, SpanKind } from '../../model/index.js';
import { SPAN_KINDS } from '../../model/index.js';
import type { AggregateGroup, AttributeFilter, Operation, RequestAggregation, SpanAggregation, SpanSearch, TraceQuery, TraceRef } from '../api.js';
import { dedupeSpans, spanIdentity } from '../dedupe.js';
import { DEP_ERROR, DEP_HAS_PARENT, DEP_SHARED, type DepColumnsBuilder } from '../dependencies.js';
import type { SummarySpan } from '../summaries.js';
import { compareGroupKeys, mergeAggregateGroups } from '../predicate.js';
import { requestAggregationOf, requestRollupRows, rollupPlan, type RequestRollupRow, type SlowRequestRow } from '../requests.js';
import { aggregationSql, groupsFromColumns, predicateSql, searchOrder, searchSql, type SqlParam } from './analytics.js';
import { CSV_QUOTE, PROMOTED, PROMOTED_COLUMN, rowToSpan, spanToRow, stagingCsvLine, stagingLine, STATUS_CODES } from './layout.js';
import {
  appendRollups, deleteRollupsBefore, ensureRequestRollups, freshRows, mergeFreshSlots, rollupCsv, rollupQuerySql,
} from './request-rollups.js';
import { readTraceSkeleton, type SkeletonQuery } from './trace-skeleton.js';

/** How flushed spans get into DuckDB (both measured; see INGEST_NOTE in store.ts). */
export type IngestMethod = 'read_csv' | 'read_json' | 'appender';

/** Options of {@link openSpanTable}. */
export interface SpanTableOptions {
  /** Path of the DuckDB database file. */
  file: string;
  /** Directory for the staging file of the read_json ingest path. */
  stagingDir: string;
  ingestMethod?: IngestMethod;
  /** Read connections (each runs one query at a time). Default 2. */
  readers?: number;
  /** DuckDB's memory limit in bytes (its buffer pool; beyond it DuckDB evicts or spills); default DuckDB's own, 80 % of RAM. */
  memoryLimitBytes?: number;
}

/** A stored span as a summary reads it (see SUMMARIES_NOTE). */
export type StoredSummarySpan = SummarySpan & { kind: SpanKind; tenant: string };

/** One page of durations the flush spent. */
export interface FlushTiming {
  spans: number;
  seconds: number;
}

/** The span table and its side tables. */
export interface SpanTable {
  /** The log mark up to which spans are in the table (0 for a new database). */
  readonly flushedMark: number;
  /** Inserts spans and records `mark`, all in one transaction. */
  insert(spans: readonly Span[], mark: number): Promise<void>;
  getTrace(traceId: string, tenant: string | undefined): Promise<Span[]>;
  /** The stored spans of several traces in a few queries; ids without spans are absent from the map. */
  getTraces(traceIds: readonly string[], tenant: string | undefined): Promise<Map<string, Span[]>>;
  /** The stored spans of one trace with only the skeleton's fields (see readTraceSkeleton). */
  getTraceSkeleton(query: SkeletonQuery): Promise<Span[]>;
  /** The stored spans of one trace with one of the given span ids, whole. */
  getSpans(traceId: string, tenant: string | undefined, spanIds: readonly string[]): Promise<Span[]>;
  /**
   * How many spans of one trace are stored (exact duplicates are stored once), with the log mark
   * its snapshot holds spans through.
   */
  countTrace(traceId: string, tenant: string | undefined): Promise<{ count: number; mark: number }>;
  /**
   * The fields a trace summary reads, plus kind and tenant for de-duplication, of the stored spans
   * of several traces, in one span query over those columns only; ids without spans are absent.
   */
  getSummarySpans(traceIds: readonly string[], tenant: string | undefined): Promise<Map<string, StoredSummarySpan[]>>;
  getServices(tenant: string | undefined): Promise<string[]>;
  getOperations(query: { tenant?: string; service: string; spanKind?: SpanKind }): Promise<Operation[]>;
  getRemoteServices(query: { tenant?: string; service: string }): Promise<string[]>;
  findTraceIds(query: TraceQuery): Promise<TraceRef[]>;
  getAttributeValues(query: { tenant?: string; key: string; limit: number }): Promise<string[]>;
  /**
   * Adds the fields the dependency rules need (startUs included) of the spans starting in
   * [startUs, endUs] to `into`, as columns read chunk by chunk (no object per span; traces numbered
   * by DepColumnsBuilder.traceOf), giving the event loop a turn after every DEPENDENCY_YIELD_ROWS rows.
   */
  dependencyColumns(query: { tenant?: string; startUs: number; endUs: number }, into: DepColumnsBuilder): Promise<void>;
  /** Runs `work` on the write connection, after the writes queued before it, inside one transaction. */
  writeTransaction<T>(work: (run: SqlRunner) => Promise<T>): Promise<T>;
  /** Runs one read-only statement on a read connection; rows as arrays of JS values. */
  query(sql: string, params?: readonly SqlParam[]): Promise<unknown[][]>;
  /**
   * Runs `work` in one read transaction: its SELECTs (answered column by column) all see the same
   * snapshot, which holds exactly the spans flushed through `mark` (the log mark of that snapshot).
   */
  readSnapshot<T>(work: (select: (sql: string, params: readonly SqlParam[]) => Promise<unknown[][]>, mark: number) => Promise<T>): Promise<T>;
  /** The stored groups of an aggregation (see SpanAggregation), with the log mark its snapshot holds spans through. */
  aggregate(query: SpanAggregation): Promise<{ groups: AggregateGroup[]; mark: number }>;
  /**
   * The stored part of a request aggregation (SpanReader.aggregateRequests): whole rollup slots from
   * the request rollups, the partial slots at the window's edges from the spans, all in one snapshot.
   */
  aggregateRequests(query: RequestAggregation): Promise<{ groups: AggregateGroup[]; mark: number }>;
  /**
   * Merges the rollup rows appended since the last merge once they are at least `minFresh` and at
   * least half as many as the merged rows of their slots; resolves to whether it merged.
   */
  mergeRollups(options?: { minFresh?: number; force?: boolean }): Promise<boolean>;
  /** Whether the rollups were filled from the stored spans at open (a database from before they existed). */
  readonly rollupsBackfilled: boolean;
  /** The stored spans of a span search, in its order and limit, with the log mark its snapshot holds spans through. */
  findSpans(query: SpanSearch): Promise<{ spans: Span[]; mark: number }>;
  /**
   * The rows (SlowRequestRow) of the stored spans of a slowest-requests search (slowestRequestsSearch),
   * in its order and limit, exact duplicates included, with the log mark its snapshot holds spans through.
   */
  findSlowRequestRows(search: SpanSearch): Promise<{ rows: SlowRequestRow[]; mark: number }>;
  /** Deletes spans starting before `cutoffUs`; returns how many. */
  deleteBefore(cutoffUs: number): Promise<number>;
  /** Oldest start time in the table, or undefined when empty. */
  oldestStartUs(): Promise<number | undefined>;
  /** Bytes of the database file's blocks in use (free blocks excluded). */
  usedBytes(): Promise<number>;
  checkpoint(): Promise<void>;
  /** Releases the database. Idempotent. */
  close(): Promise<void>;
}

const PROMOTED_COLUMNS = PROMOTED.map(([, col]) => col);
const SELECT_COLUMNS = [
  'trace_id', 'span_id', 'parent_id', 'start_us', 'duration_us', 'service', 'name', 'kind', 'status', 'tenant',
  'remote_service', ...PROMOTED_COLUMNS, 'extra',
].join(', ');

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS spans (
    trace_id UHUGEINT NOT NULL,
    span_id UBIGINT NOT NULL,
    parent_id UBIGINT,
    start_us BIGINT NOT NULL,
    duration_us BIGINT NOT NULL,
    service VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind UTINYINT NOT NULL,
    status UTINYINT NOT NULL,
    tenant VARCHAR NOT NULL,
    remote_service VARCHAR,
    ${PROMOTED_COLUMNS.map((c) => `${c} VARCHAR,`).join('\n    ')}
    extra VARCHAR
  )`,
  // Per flush, one row per trace: lets a trace lookup restrict the span scan to its time range,
  // where DuckDB's min/max zone maps on start_us skip everything else.
  `CREATE TABLE IF NOT EXISTS trace_times (
    trace_id UHUGEINT NOT NULL,
    min_start_us BIGINT NOT NULL,
    max_start_us BIGINT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL)`,
  `INSERT INTO meta VALUES ('flushed_mark', 0), ('schema_version', 1) ON CONFLICT DO NOTHING`,
];

const STAGING_COLUMNS = `{t: 'VARCHAR', s: 'VARCHAR', p: 'VARCHAR', st: 'BIGINT', d: 'BIGINT', sv: 'VARCHAR', n: 'VARCHAR',
  k: 'UTINYINT', sc: 'UTINYINT', tn: 'VARCHAR', rs: 'VARCHAR', ${PROMOTED_COLUMNS.map((_, i) => `c${i}: 'VARCHAR'`).join(', ')}, x: 'JSON'}`;

// Hex ids become integers inside DuckDB (UHUGEINT has no hex cast: combine two UBIGINT halves).
const TRACE_ID_FROM_HEX = `(('0x' || substr(t, 1, 16))::UBIGINT::UHUGEINT << 64) | ('0x' || substr(t, 17, 16))::UBIGINT::UHUGEINT`;

const MIB = 1_048_576;

/** The span insert from an NDJSON staging file whose lines are at most `lineBytes` long (read_json reserves twice its object size limit). */
const insertSpansSql = (lineBytes: number) => `INSERT INTO spans SELECT
    ${TRACE_ID_FROM_HEX} AS trace_id,
    ('0x' || s)::UBIGINT AS span_id,
    CASE WHEN p IS NULL THEN NULL ELSE ('0x' || p)::UBIGINT END AS parent_id,
    st, d, sv, n, k, sc, tn, rs,
    ${PROMOTED_COLUMNS.map((_, i) => `c${i},`).join(' ')}
    x::VARCHAR
  FROM read_json(?, format = 'newline_delimited', columns = ${STAGING_COLUMNS}, maximum_object_size = ${Math.max(2 * MIB, lineBytes + 1)})
  ORDER BY trace_id, st`;

const CSV_FORMAT = `header = false, delim = ',', quote = '${CSV_QUOTE}', escape = '${CSV_QUOTE}', new_line = '\\n', allow_quoted_nulls = false,
  auto_detect = false`;


/**
 * read_csv's options for a staging file whose lines are at most `lineBytes` long. DuckDB reserves
 * its whole read buffer (16 × max_line_size unless given) against the memory limit up front, so a
 * fixed 1 GiB line limit failed every flush under a limit below 16 GiB; sizing both from the
 * longest line staged keeps the reservation small and any line readable.
 */
function csvOptions(lineBytes: number): string {
  const maxLine = Math.max(2 * MIB, lineBytes + 1);
  return `${CSV_FORMAT}, max_line_size = ${maxLine}, buffer_size = ${Math.max(16 * MIB, 2 * maxLine)}`;
}

const STAGING_CSV_COLUMNS = `{'tm': 'BIGINT', 't': 'VARCHAR', 's': 'VARCHAR', 'p': 'VARCHAR', 'st': 'BIGINT', 'd': 'BIGINT',
  'sv': 'VARCHAR', 'n': 'VARCHAR', 'k': 'UTINYINT', 'sc': 'UTINYINT', 'tn': 'VARCHAR', 'rs': 'VARCHAR',
  ${PROMOTED_COLUMNS.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ')}, 'x': 'VARCHAR'}`;

/*
 * FLUSH_NOTE, 3 flushes of 100k workload spans each (insert + checkpoint, process CPU, 2-core
 * machine shared with other jobs, so ±30 %):
 *   read_json, ORDER BY trace_id, st           7.1-8.1 s = 37-42k spans/CPU-s; JS encoding 0.6-0.8 s/100k
 *   read_csv,  ORDER BY first start, trace_id  5.7-8.0 s = 37-53k spans/CPU-s; JS encoding 0.6-0.7 s/100k
 * Per 100k: DuckDB's insert takes 1.2-1.7 s of it whichever reader (CSV parse alone ~0.45 s, the
 * hex id casts ~0.25 s, the sort 0.1-0.3 s, the rest is compression); the checkpoint after it is
 * ~0. Building the staging text line by line into one array of 100k strings cost 2-2.6 s/100k,
 * nearly all garbage collection (the retained lines were copied into the old generation); one
 * string per 2000-line slice made it 0.6 s. Writing fields straight into a Buffer was slower
 * (~1.5 s: one native call per field).
 * read_csv is kept for the row order it gives, not for speed: traces ordered by their first start
 * with each trace's spans together. A time-bounded read then touches a few vectors of each chunk
 * instead of every vector (the workload spreads each flush over the whole hour): fetching the 20
 * newest hits of a search at 1M spans went from p50 35 / p99 101 ms to p50 22 / p99 54 ms, one
 * trace from p50 4.8 to 3.9 ms, at the same file size (57.7 B/span).
 */
/** The span insert from a CSV staging file whose lines are at most `lineBytes` long. */
const insertSpansCsvSql = (lineBytes: number) => `INSERT INTO spans SELECT
    ${TRACE_ID_FROM_HEX} AS trace_id,
    ('0x' || s)::UBIGINT AS span_id,
    CASE WHEN p IS NULL THEN NULL ELSE ('0x' || p)::UBIGINT END AS parent_id,
    st, d, sv, n, k, sc, tn, rs,
    ${PROMOTED_COLUMNS.map((_, i) => `c${i},`).join(' ')}
    x
  FROM read_csv(?, columns = ${STAGING_CSV_COLUMNS}, ${csvOptions(lineBytes)})
  ORDER BY tm, trace_id, st`;

const INSERT_TRACE_TIMES_CSV_SQL = `INSERT INTO trace_times SELECT ${TRACE_ID_FROM_HEX} AS trace_id, a, b
  FROM read_csv(?, columns = {'t': 'VARCHAR', 'a': 'BIGINT', 'b': 'BIGINT'}, ${csvOptions(0)})
  ORDER BY trace_id`;

const INSERT_TRACE_TIMES_SQL = `INSERT INTO trace_times SELECT ${TRACE_ID_FROM_HEX}, a, b
  FROM read_json(?, format = 'newline_delimited', columns = {t: 'VARCHAR', a: 'BIGINT', b: 'BIGINT'})
  ORDER BY t`;

/** A parameter: strings bind as VARCHAR, safe integers as BIGINT, other numbers as DOUBLE, bigints as UHUGEINT. */
type Param = string | number | bigint;

export type { SqlParam };

/** Runs one statement with bound parameters; resolves to its rows as arrays of JS values. */
export type SqlRunner = (sql: string, params?: readonly SqlParam[]) => Promise<unknown[][]>;

function bindParams(stmt: DuckDBPreparedStatement, params: readonly Param[]): void {
  stmt.clearBindings();
  params.forEach((p, i) => {
    if (typeof p === 'string') stmt.bindVarchar(i + 1, p);
    else if (typeof p === 'number') {
      if (Number.isSafeInteger(p)) stmt.bindBigInt(i + 1, BigInt(p));
      else stmt.bindDouble(i + 1, p);
    }
    else stmt.bindUHugeInt(i + 1, p);
  });
}

/** A connection used by one query at a time, with its prepared statements. */
class Conn {
  private readonly statements = new Map<string, DuckDBPreparedStatement>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly connection: DuckDBConnection) {}

  /** Runs `fn` once every earlier task on this connection has finished. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  async rows(sql: string, params: readonly Param[] = []): Promise<unknown[][]> {
    // Prepared fresh every time: DuckDB 1.5 plans with the column statistics of the moment a
    // statement is prepared, and a cached plan run after a flush returned corrupted strings
    // (service names cut to one character). Preparing costs well under a millisecond.
    const stmt = await this.connection.prepare(sql);
    try {
      bindParams(stmt, params);
      const reader = await stmt.runAndReadAll();
      return reader.getRowsJS() as unknown[][];
    } finally {
      stmt.destroySync();
    }
  }

  /**
   * Runs a SELECT of SELECT_COLUMNS and turns its answer into spans chunk by chunk (column-wise,
   * see spansFromColumns), letting the event loop run between chunks: a 50 000-span trace turned
   * into spans in one go held it for 0.5-1 s, delaying every other request meanwhile.
   */
  async spans(sql: string, params: readonly Param[] = []): Promise<Span[]> {
    const stmt = await this.connection.prepare(sql);
    try {
      bindParams(stmt, params);
      const result = await stmt.run();
      const out: Span[] = [];
      for (let c = 0; c < result.chunkCount; c++) {
        if (c > 0) await yieldToLoop();
        for (const span of spansFromColumns(result.getChunk(c).convertColumns(JSDuckDBValueConverter) as unknown[][])) out.push(span);
      }
      return out;
    } finally {
      stmt.destroySync();
    }
  }

  /** Like rows, but column by column: cheaper to turn into JS values for many rows (SUMMARIES_NOTE). */
  async columns(sql: string, params: readonly Param[] = []): Promise<unknown[][]> {
    const stmt = await this.connection.prepare(sql);
    try {
      bindParams(stmt, params);
      const reader = await stmt.runAndReadAll();
      return reader.getColumnsJS() as unknown[][];
    } finally {
      stmt.destroySync();
    }
  }

  /**
   * Runs a statement and returns its whole answer, held by DuckDB: reading it needs no connection,
   * so other queries can run on this one meanwhile.
   */
  async materialized(sql: string, params: readonly Param[]): Promise<DuckDBMaterializedResult> {
    const stmt = await this.connection.prepare(sql);
    try {
      bindParams(stmt, params);
      return await stmt.run();
    } finally {
      stmt.destroySync();
    }
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  close(): void {
    for (const s of this.statements.values()) s.destroySync();
    this.statements.clear();
    this.connection.closeSync();
  }
}

/** Runs tasks on the least busy of several connections. */
class Pool {
  private next = 0;
  constructor(private readonly conns: Conn[], private readonly gate: WriteGate) {}
  use<T>(fn: (c: Conn) => Promise<T>): Promise<T> {
    const conn = this.conns[this.next++ % this.conns.length] as Conn;
    return conn.exclusive(() => this.gate.read(() => fn(conn)));
  }
  /** Waits for every queued task, then closes the connections. */
  async closeAll(): Promise<void> {
    await Promise.all(this.conns.map((c) => c.exclusive(async () => undefined)));
    for (const c of this.conns) c.close();
  }
}

/**
 * Keeps the flush's insert and CHECKPOINT apart from reads. A read transaction running while they
 * ran on the writer's connection could miss rows committed before it began (DuckDB 1.5.6: 6 of
 * 2,400 searches run during flushes missed a span stored by the flush before; none with this
 * gate, nor with no checkpoint at all, nor with only checkpoints gated: 5 of 2,400). A write closes
 * the gate to new reads, waits for the running ones, then runs alone; reads wait for it.
 */
export class WriteGate {
  private running = 0;
  private drained: Array<() => void> = [];
  private closed: Promise<void> | undefined;

  /** Runs a read once no checkpoint runs or waits to. */
  async read<T>(fn: () => Promise<T>): Promise<T> {
    while (this.closed !== undefined) await this.closed;
    this.running++;
    try {
      return await fn();
    } finally {
      if (--this.running === 0) for (const wake of this.drained.splice(0)) wake();
    }
  }

  /** Runs `fn` (a write) with no read running; reads asked for meanwhile wait for it. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.closed !== undefined) await this.closed;
    let open = () => {};
    this.closed = new Promise<void>((resolve) => (open = resolve));
    try {
      if (this.running > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
      return await fn();
    } finally {
      this.closed = undefined;
      open();
    }
  }
}

/** Widens the [min, max] start time noted for a trace. */
function noteTime(times: Map<string, [number, number]>, traceId: string, startUs: number): void {
  const t = times.get(traceId);
  if (t === undefined) times.set(traceId, [startUs, startUs]);
  else {
    if (startUs < t[0]) t[0] = startUs;
    if (startUs > t[1]) t[1] = startUs;
  }
}

/** Zipkin's shared flag as a BOOLEAN; few rows carry it, so a substring test spares parsing the others' JSON. */
const SHARED_SQL = `contains(extra, '"sh":true') AND json_extract_string(extra, '$.sh') = 'true' AS shared`;

/*
 * DEPENDENCY_READ_NOTE: 667k workload spans (a 30-minute settle batch and its margins at 1M spans
 * an hour), 2 cores shared at load 2-5. One DepSpan object per DuckDB row: 3.8-6.8 s, nearly all
 * one event-loop stall (3.3-6.4 s), and 1.3-1.6 s more to turn the objects into columns. Columns
 * filled from the chunks of this answer: 0.5-1.6 s, DuckDB's part on its own threads, ours in
 * slices of DEPENDENCY_YIELD_ROWS (longest stall 15-133 ms, mostly the machine's other load).
 */

/** Rows of a dependency column read between two turns of the event loop. */
export const DEPENDENCY_YIELD_ROWS = 8192;

/**
 * The fields of the spans of CTE `s` as DepColumns (appended after that CTE):
 * columns 0-7 the trace id's four 32-bit words, the span id's and the parent id's two (most
 * significant first), 8 the flags, 9 the start, 10-12 codes of tenant, service and remote service
 * (-1: none) into the names of this answer, 13-15 those names. The codes spare turning a string
 * into a JS value per row: a name is read once, at its code's first row.
 */
const DEPENDENCY_COLUMNS_SQL = `,
names AS MATERIALIZED (
  SELECT name, (row_number() OVER (ORDER BY name))::INTEGER - 1 AS code
  FROM (SELECT DISTINCT unnest([tenant, service, remote_service]) AS name FROM s) WHERE name IS NOT NULL)
SELECT (s.trace_id >> 96)::UINTEGER, ((s.trace_id >> 64) & 4294967295)::UINTEGER,
  ((s.trace_id >> 32) & 4294967295)::UINTEGER, (s.trace_id & 4294967295)::UINTEGER,
  (s.span_id >> 32)::UINTEGER, (s.span_id & 4294967295)::UINTEGER,
  (coalesce(s.parent_id, 0) >> 32)::UINTEGER, (coalesce(s.parent_id, 0) & 4294967295)::UINTEGER,
  ((CASE WHEN s.kind < ${SPAN_KINDS.length} THEN s.kind ELSE ${SPAN_KINDS.indexOf('unspecified')} END)
    | (CASE WHEN s.shared THEN ${DEP_SHARED} ELSE 0 END) | (CASE WHEN s.status = 2 THEN ${DEP_ERROR} ELSE 0 END)
    | (CASE WHEN s.parent_id IS NULL THEN 0 ELSE ${DEP_HAS_PARENT} END))::UTINYINT,
  s.start_us::DOUBLE, t.code, v.code, coalesce(r.code, -1), s.tenant, s.service, s.remote_service
FROM s JOIN names t ON t.name = s.tenant JOIN names v ON v.name = s.service
LEFT JOIN names r ON r.name = s.remote_service AND s.remote_service <> ''`;

/**
 * Appends the rows of a DEPENDENCY_COLUMNS_SQL chunk to `into`, column by column; `known` maps
 * this answer's name codes to the builder's, per column (tenant, service, remote), filled as codes
 * first appear.
 */
function addDependencyChunk(chunk: DuckDBDataChunk, into: DepColumnsBuilder, known: [number[], number[], number[]]): void {
  const n = chunk.rowCount;
  const at = into.push(n);
  const column = (k: number): DuckDBVector<number> => chunk.getColumnVector(k) as DuckDBVector<number>;
  const copy = (k: number, to: Uint32Array | Uint8Array | Float64Array): void => {
    const from = column(k);
    for (let row = 0; row < n; row++) to[at + row] = from.getItem(row)!;
  };
  copy(4, into.idHi);
  copy(5, into.idLo);
  copy(6, into.parentHi);
  copy(7, into.parentLo);
  copy(8, into.flags);
  copy(9, into.startUs);
  const names = (k: number, codes: number[], to: Int32Array): void => {
    const from = column(k);
    for (let row = 0; row < n; row++) {
      const code = from.getItem(row)!;
      let mine = code < 0 ? -1 : codes[code];
      // The name itself (column k + 3) is read only at its code's first row.
      if (mine === undefined) codes[code] = mine = into.name(chunk.getColumnVector(k + 3).getItem(row) as string);
      to[at + row] = mine;
    }
  };
  names(10, known[0], into.tenant);
  names(11, known[1], into.service);
  names(12, known[2], into.remote);
  const [w0, w1, w2, w3] = [column(0), column(1), column(2), column(3)];
  const { trace, tenant } = into;
  for (let row = 0; row < n; row++) {
    trace[at + row] = into.traceOf(tenant[at + row]!, w0.getItem(row)!, w1.getItem(row)!, w2.getItem(row)!, w3.getItem(row)!);
  }
}

/*
 * FIND_SLOW_NOTE: an endpoint's 100 slowest requests over 2M workload spans (5 h), DuckDB 1.5.6,
 * 2 cores at load 5-8: finding them (the filtered top 100, row ids only) 21-33 ms; fetching their
 * whole rows by row id afterwards 30-120 ms more, whether by `rowid IN (subquery)`, a literal list
 * or a join: the winners lie in ~100 different vectors, each decompressed in every column. At 10M
 * spans over 24 h (load 3-4): the listed fields only 106-147 ms, whole spans (findSpans) 318-409 ms.
 */

/** One trace's first and last start among its stored spans (trace_times), as one row. */
const TRACE_RANGE_SQL = 'SELECT min(min_start_us), max(max_start_us) FROM trace_times WHERE trace_id = ?';

/** The [first, last] start of TRACE_RANGE_SQL's two values; undefined when no span of the trace is stored. */
function traceRange(min: unknown, max: unknown): [number, number] | undefined {
  if (min === null || min === undefined || max === null || max === undefined) return undefined;
  return [Number(min as bigint), Number(max as bigint)];
}

function hex(value: unknown, width: number): string {
  return (value as bigint).toString(16).padStart(width, '0');
}

/**
 * Spans from the columns of a SELECT of SELECT_COLUMNS read column-wise: cheaper than row arrays for the
 * thousands of rows of a big trace, and each distinct trace id is turned into hex once.
 */
function spansFromColumns(cols: unknown[][]): Span[] {
  const count = cols[0]?.length ?? 0;
  const spans = new Array<Span>(count);
  let lastTrace: unknown;
  let lastTraceHex = '';
  for (let i = 0; i < count; i++) {
    const traceValue = cols[0]![i];
    if (traceValue !== lastTrace) {
      lastTrace = traceValue;
      lastTraceHex = hex(traceValue, 32);
    }
    const promoted: (string | null)[] = new Array<string | null>(PROMOTED.length);
    for (let p = 0; p < PROMOTED.length; p++) promoted[p] = cols[11 + p]![i] as string | null;
    const parent = cols[2]![i];
    spans[i] = rowToSpan({
      traceId: lastTraceHex,
      spanId: hex(cols[1]![i], 16),
      parentSpanId: parent === null ? null : hex(parent, 16),
      startUs: Number(cols[3]![i] as bigint),
      durationUs: Number(cols[4]![i] as bigint),
      service: cols[5]![i] as string,
      name: cols[6]![i] as string,
      kind: cols[7]![i] as number,
      status: cols[8]![i] as number,
      tenant: cols[9]![i] as string,
      remoteService: cols[10]![i] as string | null,
      promoted,
      extra: cols[11 + PROMOTED.length]![i] as string | null,
    });
  }
  return spans;
}


/** Writes all of `data` (a file handle's write may write less). */
async function writeAll(fh: FileHandle, data: Buffer): Promise<void> {
  let done = 0;
  while (done < data.length) done += (await fh.write(data, done, data.length - done)).bytesWritten;
}

/** `?, ?, ...` with `n` placeholders. */
function placeholders(n: number): string {
  return new Array<string>(n).fill('?').join(', ');
}

/*
 * GET_TRACES_NOTE: fetching the 20 newest hits of a service search at 1M workload spans
 * (DuckDB 1.5.6, 2-core shared machine, p50 / max of 30 searches):
 *   one trace_times + one spans query per trace, 2 connections   79-110 / 99-201 ms
 *     (through the store, search + fetch of 100 searches: p50 110 ms, p99 790 ms)
 *   spans WHERE trace_id IN (20 ids), no time bound                38-52 / 60-77 ms
 *   spans WHERE trace_id IN (20 ids) AND start_us in their range   17-22 / 23-29 ms
 *     (through the store, clustered as below: p50 46 ms, p99 201 ms)
 *   the same with an OR of per-trace ranges, or a UNION ALL        30-89 / 39-150 ms
 * A time bound lets zone maps skip every row group outside it; scanning the remaining rows
 * costs per column fetched, so ranges far apart are fetched by separate queries.
 */
/*
 * SUMMARIES_NOTE: summaries of the hits of a service search at 200k workload spans (DuckDB 1.5.6,
 * 2-core machine shared with other jobs at load 4-6, so ±50 %), p50 / p99 of 10-40 searches:
 *                                                          20 traces          1000 traces
 *   getTraces (every column) + summarizeTrace               22-36 / 73-86 ms   1131-1747 / 1669-3766 ms
 *   trace_times, then one query per cluster, 10 columns     12-16 / 57-95 ms   478-646 / 962-1480 ms
 *   one query, bounds from a trace_times subquery            8-9 / 28-31 ms    367-381 / 846-1012 ms
 *   one query on trace_id alone (no time bound)              8 / 26-34 ms      260-347 / 363-586 ms
 * Most of what is left at 1000 traces (~35k rows) is turning DuckDB values into JS values
 * (getRowsJS: 150-430 ms for 10 columns, getColumnsJS about half of that); the query itself is
 * 26-114 ms. Without a time bound the scan grows with the table, so the bound stays: taken from
 * trace_times first, then used as constants, which DuckDB's zone maps can always prune by.
 * Through the server (`npm run bench:summaries -- --spans 200k --window 1h --searches 30`, search
 * included, p50 / p99 of 30 searches): /api/v3/trace-summaries at depth 20 went from 43 / 115 ms
 * (getTraces fallback) to 25-37 / 61-82 ms, at depth 1000 from 404 / 978 ms to 172 / 695 ms
 * (rows read column by column; 266 / 711 ms row by row); the old /api/traces of the same
 * searches took 61-79 / 151-183 ms at limit 20 and 780-880 / 2813-2864 ms at limit 1000.
 */
const SUMMARY_COLUMNS = 'trace_id, span_id, parent_id, start_us, duration_us, service, name, kind, status, tenant';

/** Ranges closer than this share one query. */
const TRACE_CLUSTER_GAP_US = 10_000_000;
/**
 * At most this many span queries per getTraces: each costs ~4-7 ms of CPU however few rows it
 * returns, so 20 hits spread over a day must not become 20 queries (Jaeger search at 200k spans
 * over 24 h: p50 108 ms, p99 327 ms with one query per 10 s cluster).
 */
const TRACE_CLUSTERS_MAX = 2;

/**
 * Groups trace time ranges into at most `maxClusters` clusters, splitting at the widest gaps
 * (only gaps wider than `gapUs`); each cluster spans its members' ranges.
 */
export function clusterRanges(
  ranges: readonly { id: bigint; min: number; max: number }[],
  gapUs: number,
  maxClusters: number,
): { ids: bigint[]; min: number; max: number }[] {
  const sorted = [...ranges].sort((a, b) => a.min - b.min);
  // Gap before each range (to the furthest end seen so far); the widest ones become boundaries.
  const gaps: { at: number; width: number }[] = [];
  let end = -Infinity;
  sorted.forEach((r, i) => {
    if (i > 0 && r.min - end > gapUs) gaps.push({ at: i, width: r.min - end });
    if (r.max > end) end = r.max;
  });
  const cuts = new Set(
    gaps
      .sort((a, b) => b.width - a.width)
      .slice(0, Math.max(0, maxClusters - 1))
      .map((g) => g.at),
  );
  const out: { ids: bigint[]; min: number; max: number }[] = [];
  sorted.forEach((r, i) => {
    const last = out[out.length - 1];
    if (last === undefined || cuts.has(i)) out.push({ ids: [r.id], min: r.min, max: r.max });
    else {
      last.ids.push(r.id);
      if (r.max > last.max) last.max = r.max;
    }
  });
  return out;
}

/** RFC 6901 JSON pointer to `/<section>/<key>`; DuckDB's JSON functions accept pointers. */
function pointer(section: string, key: string): string {
  return `/${section}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** Appends `AND tenant = ?` when the scope names a tenant. */
function tenantClause(tenant: string | undefined, where: string[], params: Param[]): void {
  if (tenant !== undefined) {
    where.push('tenant = ?');
    params.push(tenant);
  }
}

function attributeClause(filter: AttributeFilter, params: Param[]): string {
  const column = PROMOTED_COLUMN.get(filter.key);
  if (filter.value === undefined) {
    const own = column !== undefined ? `${column} IS NOT NULL` : 'json_exists(extra, ?)';
    if (column === undefined) params.push(pointer('a', filter.key));
    params.push(pointer('r', filter.key), filter.key);
    return `(${own} OR json_exists(extra, ?) OR list_contains(json_extract_string(extra, '$.e[*].n'), ?))`;
  }
  const own = column !== undefined ? `${column} = ?` : 'json_extract_string(extra, ?) = ?';
  if (column === undefined) params.push(pointer('a', filter.key));
  params.push(filter.value, pointer('r', filter.key), filter.value);
  return `(${own} OR json_extract_string(extra, ?) = ?)`;
}

/**
 * The newest matching spans first, `rows` of them: the caller walks them keeping each trace's first
 * (that is, latest) hit, which orders traces exactly as grouping by trace and sorting by the latest
 * matching start would, without hashing every matching span into a group (a top-N heap instead).
 * At 1M spans: by service p50 13.4 → 4.7 ms, p99 64 → 14 ms; with a tag p99 96 → 22 ms.
 */
export function buildSearch(query: TraceQuery, rows: number): { sql: string; params: Param[] } {
  const where: string[] = ['start_us BETWEEN ? AND ?'];
  const params: Param[] = [query.startUsMin, query.startUsMax];
  tenantClause(query.tenant, where, params);
  if (query.service !== undefined) {
    where.push('service = ?');
    params.push(query.service);
  }
  if (query.operation !== undefined) {
    where.push('name = ?');
    params.push(query.operation);
  }
  if (query.spanKind !== undefined) {
    where.push('kind = ?');
    params.push(SPAN_KINDS.indexOf(query.spanKind));
  }
  if (query.remoteService !== undefined) {
    where.push('remote_service = ?');
    params.push(query.remoteService);
  }
  if (query.statusCode !== undefined) {
    where.push('status = ?');
    params.push(STATUS_CODES.indexOf(query.statusCode));
  }
  if (query.minDurationUs !== undefined) {
    where.push('duration_us >= ?');
    params.push(query.minDurationUs);
  }
  if (query.maxDurationUs !== undefined) {
    where.push('duration_us <= ?');
    params.push(query.maxDurationUs);
  }
  for (const filter of query.attributes ?? []) where.push(attributeClause(filter, params));
  if (query.where !== undefined) {
    const extra = predicateSql(query.where);
    where.push(extra.sql);
    params.push(...extra.params);
  }
  params.push(rows);
  const sql = `SELECT trace_id, start_us FROM spans WHERE ${where.join(' AND ')} ORDER BY start_us DESC, trace_id ASC LIMIT ?`;
  return { sql, params };
}

/** Opens (creating if needed) the database; rejects with UNAVAILABLE if the file cannot be opened or is locked. */
export async function openSpanTable(options: SpanTableOptions): Promise<SpanTable> {
  let instance: DuckDBInstance;
  try {
    // 'latest' enables the newer string compression that the promoted-column layout relies on.
    const settings: Record<string, string> = { storage_compatibility_version: 'latest' };
    if (options.memoryLimitBytes !== undefined) {
      settings.memory_limit = `${Math.max(1, Math.floor(options.memoryLimitBytes / 1048576))}MiB`;
      // Under a budget DuckDB hands freed memory back after each task instead of caching up to
      // 128 MiB of it, which the process's RSS (what the budget is held to) would keep showing.
      settings.allocator_flush_threshold = '8MiB';
    }
    instance = await DuckDBInstance.create(options.file, settings);
  } catch (err) {
    throw new AppError('UNAVAILABLE', `cannot open data dir ${join(options.file, '..')}: ${(err as Error).message}`, { cause: err });
  }
  const conns: DuckDBConnection[] = [];
  try {
    const writeConnection = await instance.connect();
    conns.push(writeConnection);
    for (const sql of SCHEMA) await writeConnection.run(sql);
    for (let i = 0; i < (options.readers ?? 2); i++) conns.push(await instance.connect());
    conns.push(await instance.connect());
  } catch (err) {
    for (const c of conns) c.closeSync();
    instance.closeSync();
    throw new AppError('UNAVAILABLE', `cannot open data dir ${join(options.file, '..')}: ${(err as Error).message}`, { cause: err });
  }
  const writer = new Conn(conns[0] as DuckDBConnection);
  const gate = new WriteGate();
  const readers = new Pool(conns.slice(1, -1).map((c) => new Conn(c)), gate);
  /**
   * Dependency reads run on a connection of their own: the settler's reads of a million spans
   * would otherwise hold a reader for a second or more, and trace reads queue behind them.
   */
  const dependencyReader = new Conn(conns[conns.length - 1] as DuckDBConnection);
  /** Dependency answers being read: the database must stay open until they are. */
  const dependencyReads = new Set<Promise<unknown>>();
  const markRows = await writer.rows(`SELECT value FROM meta WHERE key = 'flushed_mark'`);
  let flushedMark = Number((markRows[0]?.[0] as bigint | undefined) ?? 0n);
  const ingestMethod = options.ingestMethod ?? 'read_csv';
  const stagingSpans = join(options.stagingDir, 'flush-spans.ndjson');
  const stagingTraces = join(options.stagingDir, 'flush-traces.ndjson');
  const stagingCsvSpans = join(options.stagingDir, 'flush-spans.csv');
  const stagingCsvTraces = join(options.stagingDir, 'flush-traces.csv');
  const stagingRollups = join(options.stagingDir, 'flush-rollups.csv');
  // Left over when a previous process died mid-flush; the log still holds their spans.
  for (const f of [stagingSpans, stagingTraces, stagingCsvSpans, stagingCsvTraces, stagingRollups]) await rm(f, { force: true });
  let closed = false;

  async function transaction(work: () => Promise<void>): Promise<void> {
    await writer.run('BEGIN TRANSACTION');
    try {
      await work();
      await writer.run('COMMIT');
    } catch (err) {
      await writer.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  const runWrite = (sql: string, params?: readonly SqlParam[]): Promise<unknown[][]> => writer.rows(sql, params ?? []);
  let rollupsBackfilled = false;
  await transaction(async () => {
    rollupsBackfilled = (await ensureRequestRollups(runWrite)).backfilled;
  });

  /** Appends the rollup rows of a flush; runs inside the flush's transaction. */
  async function insertRollups(rows: readonly RequestRollupRow[]): Promise<void> {
    if (rows.length === 0) return;
    await writeFile(stagingRollups, rollupCsv(rows));
    try {
      await appendRollups(runWrite, stagingRollups, rows);
    } finally {
      await rm(stagingRollups, { force: true });
    }
  }

  async function insertViaReadJson(spans: readonly Span[], mark: number, rollups: readonly RequestRollupRow[]): Promise<void> {
    // Encode in slices and yield between them, so the event loop is never held for long.
    const times = new Map<string, [number, number]>();
    // The longest staged line in UTF-16 units: at most 3 UTF-8 bytes each.
    let longest = 0;
    const fh = await open(stagingSpans, 'w');
    try {
      const SLICE = 1000;
      for (let i = 0; i < spans.length; i += SLICE) {
        let text = '';
        const end = Math.min(spans.length, i + SLICE);
        for (let j = i; j < end; j++) {
          const row = spanToRow(spans[j] as Span);
          const line = stagingLine(row);
          if (line.length > longest) longest = line.length;
          text += line;
          noteTime(times, row.t, row.st);
        }
        await fh.write(text);
        if (end < spans.length) await yieldToLoop();
      }
    } finally {
      await fh.close();
    }
    let traces = '';
    for (const [t, [a, b]] of times) traces += `{"t":"${t}","a":${a},"b":${b}}\n`;
    await writeFile(stagingTraces, traces);
    try {
      await transaction(async () => {
        await writer.rows(insertSpansSql(3 * longest), [stagingSpans]);
        await writer.rows(INSERT_TRACE_TIMES_SQL, [stagingTraces]);
        await insertRollups(rollups);
        await writer.rows(`UPDATE meta SET value = ? WHERE key = 'flushed_mark'`, [mark]);
      });
    } finally {
      await rm(stagingSpans, { force: true });
      await rm(stagingTraces, { force: true });
    }
  }

  async function insertViaReadCsv(spans: readonly Span[], mark: number, rollups: readonly RequestRollupRow[]): Promise<void> {
    // First the per-trace time ranges: each row carries its trace's first start as sort key.
    const times = new Map<string, [number, number]>();
    for (const span of spans) noteTime(times, span.traceId, span.startUs);
    // The longest staged line in UTF-16 units: at most 3 UTF-8 bytes each.
    let longest = 0;
    const fh = await open(stagingCsvSpans, 'w');
    try {
      // Encode in slices and yield between them, so the event loop is never held for long.
      const SLICE = 2000;
      for (let i = 0; i < spans.length; i += SLICE) {
        const end = Math.min(spans.length, i + SLICE);
        // One string per slice: lines live briefly, so the collector rarely copies them.
        let chunk = '';
        for (let j = i; j < end; j++) {
          const span = spans[j] as Span;
          const text = stagingCsvLine(spanToRow(span), (times.get(span.traceId) as [number, number])[0]);
          if (text.length > longest) longest = text.length;
          chunk += text;
        }
        await writeAll(fh, Buffer.from(chunk));
        if (end < spans.length) await yieldToLoop();
      }
    } finally {
      await fh.close();
    }
    const traces: string[] = [];
    for (const [t, [a, b]] of times) traces.push(`${t},${a},${b}\n`);
    await writeFile(stagingCsvTraces, traces.join(''));
    try {
      await transaction(async () => {
        await writer.rows(insertSpansCsvSql(3 * longest), [stagingCsvSpans]);
        await writer.rows(INSERT_TRACE_TIMES_CSV_SQL, [stagingCsvTraces]);
        await insertRollups(rollups);
        await writer.rows(`UPDATE meta SET value = ? WHERE key = 'flushed_mark'`, [mark]);
      });
    } finally {
      await rm(stagingCsvSpans, { force: true });
      await rm(stagingCsvTraces, { force: true });
    }
  }

  async function insertViaAppender(spans: readonly Span[], mark: number, rollups: readonly RequestRollupRow[]): Promise<void> {
    const sorted = [...spans].sort((a, b) => (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : a.startUs - b.startUs));
    const times = new Map<string, [number, number]>();
    await transaction(async () => {
      const appender = await writer.connection.createAppender('spans');
      for (const span of sorted) {
        const row = spanToRow(span);
        appender.appendUHugeInt(BigInt(`0x${row.t}`));
        appender.appendUBigInt(BigInt(`0x${row.s}`));
        if (row.p === null) appender.appendNull();
        else appender.appendUBigInt(BigInt(`0x${row.p}`));
        appender.appendBigInt(BigInt(row.st));
        appender.appendBigInt(BigInt(row.d));
        appender.appendVarchar(row.sv);
        appender.appendVarchar(row.n);
        appender.appendUTinyInt(row.k);
        appender.appendUTinyInt(row.sc);
        appender.appendVarchar(row.tn);
        if (row.rs === null) appender.appendNull();
        else appender.appendVarchar(row.rs);
        for (const v of row.pv) {
          if (v === null) appender.appendNull();
          else appender.appendVarchar(v);
        }
        if (row.x === null) appender.appendNull();
        else appender.appendVarchar(row.x);
        appender.endRow();
        noteTime(times, row.t, row.st);
      }
      appender.closeSync();
      const tt = await writer.connection.createAppender('trace_times');
      for (const [traceId, [min, max]] of times) {
        tt.appendUHugeInt(BigInt(`0x${traceId}`));
        tt.appendBigInt(BigInt(min));
        tt.appendBigInt(BigInt(max));
        tt.endRow();
      }
      tt.closeSync();
      await insertRollups(rollups);
      await writer.rows(`UPDATE meta SET value = ? WHERE key = 'flushed_mark'`, [mark]);
    });
  }

  function scoped(tenant: string | undefined, base: string[] = [], params: Param[] = []): { where: string; params: Param[] } {
    tenantClause(tenant, base, params);
    return { where: base.length > 0 ? `WHERE ${base.join(' AND ')}` : '', params };
  }

  function check(): void {
    if (closed) throw new AppError('UNAVAILABLE', 'the embedded store is closed');
  }

  /**
   * The spans of a flush without those already stored (same spanIdentity). Only traces that have
   * stored spans (found through trace_times, one query) have their stored identities read, so a
   * flush of new traces costs one small query.
   */
  async function withoutStored(spans: Span[]): Promise<Span[]> {
    const times = new Map<string, [number, number]>();
    for (const span of spans) noteTime(times, span.traceId, span.startUs);
    if (times.size === 0) return spans;
    const known = await writer.rows(
      `SELECT trace_id, min(min_start_us), max(max_start_us) FROM trace_times WHERE trace_id IN (
        SELECT ${TRACE_ID_FROM_HEX} FROM (SELECT unnest(string_split(?, ',')) AS t)) GROUP BY trace_id`,
      [[...times.keys()].join(',')],
    );
    if (known.length === 0) return spans;
    const stored = new Set<string>();
    for (const cluster of clusterRanges(known.map((r) => ({ id: r[0] as bigint, min: Number(r[1] as bigint), max: Number(r[2] as bigint) })), TRACE_CLUSTER_GAP_US, 8)) {
      const rows = await writer.rows(
        `SELECT tenant, trace_id, span_id, kind, coalesce(json_extract_string(extra, '$.sh') = 'true', false), service, start_us, duration_us, name
         FROM spans WHERE trace_id IN (${placeholders(cluster.ids.length)}) AND start_us BETWEEN ? AND ?`,
        [...cluster.ids, cluster.min, cluster.max],
      );
      for (const r of rows) {
        stored.add([r[0], hex(r[1], 32), hex(r[2], 16), SPAN_KINDS[r[3] as number], r[4] === true ? '1' : '0', r[5], Number(r[6] as bigint), Number(r[7] as bigint), r[8]].join('\u0000'));
      }
    }
    return stored.size === 0 ? spans : spans.filter((span) => !stored.has(spanIdentity(span)));
  }

  const readSnapshot: SpanTable['readSnapshot'] = (work) =>
    readers.use(async (c) => {
      await c.run('BEGIN TRANSACTION');
      let result: Awaited<ReturnType<typeof work>>;
      try {
        const markRow = await c.rows(`SELECT value FROM meta WHERE key = 'flushed_mark'`);
        const mark = Number((markRow[0]?.[0] as bigint | undefined) ?? 0n);
        result = await work((sql, params) => c.columns(sql, params), mark);
      } catch (err) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
      await c.run('COMMIT');
      return result;
    });

  return {
    get flushedMark() {
      return flushedMark;
    },

    insert(spans, mark) {
      check();
      return gate.exclusive(() => writer.exclusive(async () => {
        // Exact duplicates are stored once, so aggregations need not collapse them.
        spans = await withoutStored(dedupeSpans(spans));
        // The rollups count exactly the spans this transaction stores.
        const rollups = requestRollupRows(spans);
        if (ingestMethod === 'appender') await insertViaAppender(spans, mark, rollups);
        else if (ingestMethod === 'read_json') await insertViaReadJson(spans, mark, rollups);
        else await insertViaReadCsv(spans, mark, rollups);
        flushedMark = mark;
      }));
    },

    // GET_TRACE_NOTE, process CPU per lookup at 1M workload spans (10 flushed chunks, each
    // covering the whole hour), DuckDB 1.5.6, 2 threads / 1 thread:
    //   trace_id = ? AND start_us in the trace_times range   5.7-6.7 / 3.8-4.8 ms
    //   trace_id = ? alone                                    10.4 / 4.8 ms (count(*) only: 1.3-1.5 ms)
    //   start_us range alone, count(*)                        2.7-3.3 / 2.0-2.8 ms
    // The range pays for itself once all columns are fetched, and DuckDB's second thread costs
    // more CPU than it saves on lookups this small (threads is per database, and flushes and
    // searches need both). An ART index on trace_id was measured at +10.5 B/span, beyond the
    // 60 B/span budget the layout keeps (52-59 B/span now).
    getTrace(traceId, tenant) {
      check();
      const id = BigInt(`0x${traceId}`);
      return readers.use(async (c) => {
        const [row] = await c.rows(TRACE_RANGE_SQL, [id]);
        const range = traceRange(row?.[0], row?.[1]);
        if (range === undefined) return [];
        const { where, params } = scoped(tenant, ['trace_id = ?', 'start_us BETWEEN ? AND ?'], [id, ...range]);
        return c.spans(`SELECT ${SELECT_COLUMNS} FROM spans ${where}`, params);
      });
    },

    getTraceSkeleton(query) {
      check();
      return readers.use((c) => readTraceSkeleton(c.connection, query));
    },

    getSpans(traceId, tenant, spanIds) {
      check();
      const id = BigInt(`0x${traceId}`);
      const ids = [...new Set(spanIds)].map((s) => BigInt(`0x${s}`));
      if (ids.length === 0) return Promise.resolve([]);
      return readers.use(async (c) => {
        const [row] = await c.rows(TRACE_RANGE_SQL, [id]);
        const range = traceRange(row?.[0], row?.[1]);
        if (range === undefined) return [];
        const { where, params } = scoped(
          tenant,
          ['trace_id = ?', 'start_us BETWEEN ? AND ?', `span_id IN (${placeholders(ids.length)})`],
          [id, ...range, ...ids],
        );
        return c.spans(`SELECT ${SELECT_COLUMNS} FROM spans ${where}`, params);
      });
    },

    countTrace(traceId, tenant) {
      check();
      const id = BigInt(`0x${traceId}`);
      return readSnapshot(async (select, mark) => {
        // Answered column by column: the minimum is the first column's one value.
        const cols = await select(TRACE_RANGE_SQL, [id]);
        const range = traceRange(cols[0]?.[0], cols[1]?.[0]);
        if (range === undefined) return { count: 0, mark };
        const { where, params } = scoped(tenant, ['trace_id = ?', 'start_us BETWEEN ? AND ?'], [id, ...range]);
        const counted = await select(`SELECT count(*) FROM spans ${where}`, params);
        return { count: Number((counted[0]?.[0] as bigint | undefined) ?? 0n), mark };
      });
    },

    async getTraces(traceIds, tenant) {
      check();
      const out = new Map<string, Span[]>();
      const ids = [...new Set(traceIds)].map((t) => BigInt(`0x${t}`));
      if (ids.length === 0) return out;
      const ranges = await readers.use((c) =>
        c.rows(
          `SELECT trace_id, min(min_start_us), max(max_start_us) FROM trace_times WHERE trace_id IN (${placeholders(ids.length)}) GROUP BY trace_id`,
          ids,
        ),
      );
      const found = ranges.map((r) => ({ id: r[0] as bigint, min: Number(r[1] as bigint), max: Number(r[2] as bigint) }));
      // One query per cluster of nearby time ranges: each scans only its own time range, and the
      // usual case (the newest hits of a search) is a single cluster. See GET_TRACES_NOTE.
      const batches = await Promise.all(
        clusterRanges(found, TRACE_CLUSTER_GAP_US, TRACE_CLUSTERS_MAX).map((cluster) => {
          const { where, params } = scoped(
            tenant,
            [`trace_id IN (${placeholders(cluster.ids.length)})`, 'start_us BETWEEN ? AND ?'],
            [...cluster.ids, cluster.min, cluster.max],
          );
          return readers.use(async (c) => c.spans(`SELECT ${SELECT_COLUMNS} FROM spans ${where}`, params));
        }),
      );
      for (const spans of batches) {
        for (const span of spans) {
          const list = out.get(span.traceId);
          if (list === undefined) out.set(span.traceId, [span]);
          else list.push(span);
        }
      }
      return out;
    },

    async getSummarySpans(traceIds, tenant) {
      check();
      const out = new Map<string, StoredSummarySpan[]>();
      const ids = [...new Set(traceIds)].map((t) => BigInt(`0x${t}`));
      if (ids.length === 0) return out;
      const cols = await readers.use(async (c) => {
        const bounds = await c.rows(
          `SELECT min(min_start_us), max(max_start_us) FROM trace_times WHERE trace_id IN (${placeholders(ids.length)})`,
          ids,
        );
        const range = traceRange(bounds[0]?.[0], bounds[0]?.[1]);
        if (range === undefined) return [];
        const { where, params } = scoped(
          tenant,
          [`trace_id IN (${placeholders(ids.length)})`, 'start_us BETWEEN ? AND ?'],
          [...ids, ...range],
        );
        return c.columns(`SELECT ${SUMMARY_COLUMNS} FROM spans ${where}`, params);
      });
      const [traceIdCol = [], spanIdCol = [], parentCol = [], startCol = [], durationCol = [], serviceCol = [], nameCol = [], kindCol = [], statusCol = [], tenantCol = []] = cols;
      for (let i = 0; i < traceIdCol.length; i++) {
        const span: StoredSummarySpan = {
          traceId: hex(traceIdCol[i], 32),
          spanId: hex(spanIdCol[i], 16),
          startUs: Number(startCol[i] as bigint),
          durationUs: Number(durationCol[i] as bigint),
          service: serviceCol[i] as string,
          name: nameCol[i] as string,
          kind: SPAN_KINDS[kindCol[i] as number] ?? 'unspecified',
          statusCode: STATUS_CODES[statusCol[i] as number] ?? 'unset',
          tenant: tenantCol[i] as string,
        };
        const parent = parentCol[i];
        if (parent !== null && parent !== undefined) span.parentSpanId = hex(parent, 16);
        const list = out.get(span.traceId);
        if (list === undefined) out.set(span.traceId, [span]);
        else list.push(span);
      }
      return out;
    },

    getServices(tenant) {
      check();
      const { where, params } = scoped(tenant);
      return readers.use(async (c) => (await c.rows(`SELECT DISTINCT service FROM spans ${where} ORDER BY service`, params)).map((r) => r[0] as string));
    },

    getOperations(query) {
      check();
      const base = ['service = ?'];
      const ps: Param[] = [query.service];
      if (query.spanKind !== undefined) {
        base.push('kind = ?');
        ps.push(SPAN_KINDS.indexOf(query.spanKind));
      }
      const { where, params } = scoped(query.tenant, base, ps);
      return readers.use(async (c) =>
        (await c.rows(`SELECT DISTINCT name, kind FROM spans ${where} ORDER BY name, kind`, params)).map((r) => ({
          name: r[0] as string,
          spanKind: SPAN_KINDS[r[1] as number] ?? 'unspecified',
        })),
      );
    },

    getRemoteServices(query) {
      check();
      const { where, params } = scoped(query.tenant, ['service = ?', "remote_service IS NOT NULL AND remote_service <> ''"], [query.service]);
      return readers.use(async (c) =>
        (await c.rows(`SELECT DISTINCT remote_service FROM spans ${where} ORDER BY remote_service`, params)).map((r) => r[0] as string),
      );
    },

    findTraceIds(query) {
      check();
      if (query.limit <= 0) return Promise.resolve([]);
      return readers.use(async (c) => {
        // Traces average a few matching spans each; widen the window until enough distinct traces
        // are found or the matches run out.
        for (let rows = Math.min(query.limit * 8, 100_000); ; rows *= 4) {
          const { sql, params } = buildSearch(query, rows);
          const found = await c.rows(sql, params);
          const refs: TraceRef[] = [];
          const seen = new Set<bigint>();
          for (const r of found) {
            const id = r[0] as bigint;
            if (seen.has(id)) continue;
            seen.add(id);
            refs.push({ traceId: hex(id, 32), startUs: Number(r[1] as bigint) });
            if (refs.length === query.limit) return refs;
          }
          if (found.length < rows) return refs;
        }
      });
    },

    getAttributeValues(query) {
      check();
      if (query.limit <= 0) return Promise.resolve([]);
      const column = PROMOTED_COLUMN.get(query.key);
      const expr = column ?? 'json_extract_string(extra, ?)';
      const ps: Param[] = column === undefined ? [pointer('a', query.key)] : [];
      const { where, params } = scoped(query.tenant, [`v IS NOT NULL`], ps);
      params.push(query.limit);
      return readers.use(async (c) =>
        (await c.rows(`SELECT DISTINCT ${expr} AS v FROM spans ${where} ORDER BY v LIMIT ?`, params)).map((r) => r[0] as string),
      );
    },

    dependencyColumns(query, into) {
      check();
      const { where, params } = scoped(query.tenant, ['start_us BETWEEN ? AND ?'], [query.startUs, query.endUs]);
      const sql = `WITH s AS MATERIALIZED (SELECT trace_id, span_id, parent_id, kind, status, tenant, service, remote_service, start_us, ${SHARED_SQL} FROM spans ${where})${DEPENDENCY_COLUMNS_SQL}`;
      const read = (async () => {
        const result = await dependencyReader.exclusive(() => gate.read(() => dependencyReader.materialized(sql, params)));
        // Sized once: growing columns of a million rows copies tens of MB in one go.
        into.reserve(into.count + result.rowCount);
        const known: [number[], number[], number[]] = [[], [], []];
        let sinceYield = 0;
        for (let k = 0; k < result.chunkCount; k++) {
          const chunk = result.getChunk(k);
          addDependencyChunk(chunk, into, known);
          sinceYield += chunk.rowCount;
          if (sinceYield >= DEPENDENCY_YIELD_ROWS) {
            sinceYield = 0;
            await yieldToLoop();
          }
        }
      })();
      const settled = read.then(() => undefined, () => undefined);
      dependencyReads.add(settled);
      void settled.then(() => dependencyReads.delete(settled));
      return read;
    },

    readSnapshot(work) {
      check();
      return readSnapshot(work);
    },

    aggregate(query) {
      check();
      const queries = aggregationSql(query);
      return readSnapshot(async (select, mark) => {
        const answers: unknown[][][] = [];
        for (const { sql, params } of queries) answers.push(await inputErrors(select(sql, params)));
        return { groups: groupsFromColumns(query, answers), mark };
      });
    },

    aggregateRequests(query) {
      check();
      const spanQuery = requestAggregationOf(query);
      const plan = rollupPlan(query);
      const scans = (plan === undefined ? [spanQuery] : plan.edges.map((edge) => ({ ...spanQuery, ...edge }))).map((q) => ({ q, sqls: aggregationSql(q) }));
      const rollup = plan === undefined ? undefined : rollupQuerySql(query, plan);
      return readSnapshot(async (select, mark) => {
        const parts: AggregateGroup[][] = [];
        if (rollup !== undefined) parts.push(groupsFromColumns(spanQuery, [await select(rollup.sql, rollup.params)]));
        for (const { q, sqls } of scans) {
          const answers: unknown[][][] = [];
          for (const { sql, params } of sqls) answers.push(await select(sql, params));
          parts.push(groupsFromColumns(q, answers));
        }
        // One part needs no merging (copies of every histogram): sorting is enough.
        const groups = parts.length === 1 ? parts[0]!.sort((a, b) => compareGroupKeys(a.keys, b.keys)) : mergeAggregateGroups(...parts);
        return { groups, mark };
      });
    },

    get rollupsBackfilled() {
      return rollupsBackfilled;
    },

    mergeRollups(mergeOptions) {
      check();
      const minFresh = mergeOptions?.minFresh ?? 50_000;
      return writer.exclusive(async () => {
        let merged = false;
        await transaction(async () => {
          const { fresh, inFreshSlots } = await freshRows(runWrite);
          if (fresh === 0) return;
          if (mergeOptions?.force !== true && (fresh < minFresh || 2 * fresh < inFreshSlots - fresh)) return;
          await mergeFreshSlots(runWrite);
          merged = true;
        });
        return merged;
      });
    },

    findSpans(query) {
      check();
      const { sql, params } = searchSql(query);
      return readSnapshot(async (select, mark) => ({
        // The order and limit pick row ids first, so only the chosen rows' columns are read.
        spans: dedupeSpans(
          spansFromColumns(
            await inputErrors(select(`SELECT ${SELECT_COLUMNS} FROM spans WHERE rowid IN (SELECT rowid FROM spans ${sql}) ${searchOrder(query)}`, params)),
          ),
        ),
        mark,
      }));
    },

    findSlowRequestRows(search) {
      check();
      const { sql, params } = searchSql(search);
      // Only the listed fields: fetching whole rows cost more than finding them (FIND_SLOW_NOTE).
      const columns = `trace_id, span_id, start_us, duration_us, status, tenant, kind, ${SHARED_SQL}`;
      return readSnapshot(async (select, mark) => {
        const cols = await inputErrors(select(`SELECT ${columns} FROM spans ${sql}`, params));
        const rows: SlowRequestRow[] = [];
        for (let i = 0; i < (cols[0]?.length ?? 0); i++) {
          rows.push({
            traceId: hex(cols[0]![i], 32),
            spanId: hex(cols[1]![i], 16),
            startUs: Number(cols[2]![i] as bigint),
            durationUs: Number(cols[3]![i] as bigint),
            statusCode: STATUS_CODES[cols[4]![i] as number] ?? 'unset',
            tenant: cols[5]![i] as string,
            kind: SPAN_KINDS[cols[6]![i] as number] ?? 'unspecified',
            shared: cols[7]![i] === true,
          });
        }
        return { rows, mark };
      });
    },

    writeTransaction(work) {
      check();
      return writer.exclusive(async () => {
        let out: Awaited<ReturnType<typeof work>> | undefined;
        await transaction(async () => {
          out = await work((sql, params) => writer.rows(sql, params));
        });
        return out as Awaited<ReturnType<typeof work>>;
      });
    },

    query(sql, params) {
      check();
      return readers.use((c) => c.rows(sql, params));
    },

    deleteBefore(cutoffUs) {
      check();
      return writer.exclusive(async () => {
        let deleted = 0;
        await transaction(async () => {
          const rows = await writer.rows('DELETE FROM spans WHERE start_us < ?', [cutoffUs]);
          deleted = Number((rows[0]?.[0] as bigint | undefined) ?? 0n);
          await writer.rows('DELETE FROM trace_times WHERE max_start_us < ?', [cutoffUs]);
          if (deleted > 0) await deleteRollupsBefore(runWrite, cutoffUs);
        });
        return deleted;
      });
    },

    oldestStartUs() {
      check();
      return readers.use(async (c) => {
        const v = (await c.rows('SELECT min(start_us) FROM spans'))[0]?.[0] as bigint | null | undefined;
        return v === null || v === undefined ? undefined : Number(v);
      });
    },

    usedBytes() {
      check();
      return readers.use(async (c) => {
        const r = (await c.rows('SELECT block_size, used_blocks FROM pragma_database_size() WHERE database_name = current_database()'))[0];
        return r === undefined ? 0 : Number(r[0] as bigint) * Number(r[1] as bigint);
      });
    },

    checkpoint() {
      check();
      return gate.exclusive(() => writer.exclusive(() => writer.run('CHECKPOINT')));
    },

    async close() {
      if (closed) return;
      closed = true;
      // Let queued work finish before the handles go away.
      await writer.exclusive(async () => undefined);
      writer.close();
      await readers.closeAll();
      await dependencyReader.exclusive(async () => undefined);
      await Promise.all(dependencyReads);
      dependencyReader.close();
      instance.closeSync();
    },
  };
}

/** DuckDB's rejection of an input (such as a regex its RE2 cannot compile) as INVALID_ARGUMENT. */
async function inputErrors<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const message = (err as Error).message ?? '';
    if (message.startsWith('Invalid Input Error')) throw new AppError('INVALID_ARGUMENT', `query rejected: ${message}`, { cause: err });
    throw err;
  }
}

/** Size of a file, 0 when it does not exist. */
export async function fileBytes(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
