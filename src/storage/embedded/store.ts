/**
 * The embedded default engine: a write-ahead log for durability, the memory engine as the buffer
 * of recent spans, and DuckDB as the long-term columnar store.
 *
 * Write path: writeSpans → log record (the raw payload when given) → one shared fdatasync
 * (group commit) → spans appended to the buffer tagged with the record's log mark → resolve.
 * Flush: the log is sealed and, at that same point, the buffer is set aside whole (later spans go
 * to a fresh one); its spans go into DuckDB in one transaction that also records the mark; then
 * the set-aside buffer is dropped whole and the sealed log segments are deleted. On open, log
 * records after the recorded mark are replayed into the buffer.
 * Reads ask the buffer first, then the set-aside one, then DuckDB, and collapse duplicates: spans
 * move only in that direction, and a buffer is dropped only after its spans are committed, so a
 * span moving during a read is seen at least once.
 */
import { constants, readdirSync, statSync } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { AppError } from '../../errors.js';
import { SPAN_KINDS, compareStrings, type Span } from '../../model/index.js';
import type {
  DependencyReader, PayloadDecoder, SpanReader, SpanWriter, Store, StoreStats, TraceRef, TraceSummary,
} from '../api.js';
import { dedupeSpans } from '../dedupe.js';
import { aggregateSpans, mergeAggregateGroups, searchSpans, tooManyGroups } from '../predicate.js';
import { DepColumnsBuilder, depSpansOf, MINUTE_US } from '../dependencies.js';
import { createDependencyRollups, type DependencyRollupOptions, type DependencySpanSource } from '../dependencies-rollup.js';
import {
  checkRequestAggregation, mergeSlowRequestRows, requestAggregationOf, slowestRequestsSearch, slowRequestRow, type SlowestRequestsReader,
} from '../requests.js';
import { summarizeTrace } from '../summaries.js';
import { createMemoryStore, type MemoryStore } from '../memory/index.js';
import { openDependencyRollupTable } from './dependency-rollups.js';
import { silentLogger, type EngineLogger } from './log.js';
import { DEPENDENCY_YIELD_ROWS, openSpanTable, type IngestMethod, type SpanTable, type StoredSummarySpan } from './span-table.js';
import { openWal, type Wal, type WalRecord } from './wal.js';

/** Options of {@link createEmbeddedStore}. */
export interface EmbeddedStoreOptions {
  /** Created if missing; holds wal/ and spans.duckdb. */
  dataDir: string;
  /** DuckDB's memory limit in bytes; default DuckDB's own (80 % of RAM). */
  duckdbMemoryBytes?: number;
  /** Turns logged payloads back into spans on replay. */
  decode: PayloadDecoder;
  /** Spans that started more than this long ago are deleted periodically (default 7 days). */
  retentionUs: number;
  /** 0 = unlimited; otherwise the oldest days are deleted while the data dir is larger. */
  maxDiskBytes: number;
  /** Flush to DuckDB when this many spans are buffered (default 100_000). */
  flushSpans?: number;
  /** ... or when the oldest buffered span has waited this long (default 30_000). */
  flushIntervalMs?: number;
  /** writeSpans rejects with RESOURCE_EXHAUSTED beyond this many buffered spans (default 500_000). */
  maxBufferedSpans?: number;
  logger?: EngineLogger;
  /** Dependency rollups: their timing, and whether the background settler runs (default true). */
  dependencies?: EmbeddedDependencyOptions;
  /** How often retention runs (default 5 minutes); it also runs once at open. */
  retentionIntervalMs?: number;
  /** Flush ingest path; read_csv is the default (see INGEST_NOTE, and FLUSH_NOTE in span-table.ts). */
  ingestMethod?: IngestMethod;
  /** Log segment size (default 64 MiB). */
  walSegmentBytes?: number;
}

/** Settings of the embedded engine's dependency rollups (see dependencies-rollup.ts). */
export type EmbeddedDependencyOptions = Pick<
  DependencyRollupOptions, 'marginUs' | 'settleDelayUs' | 'quietUs' | 'batchMinutes' | 'nowUs' | 'busyDelayMs' | 'idleDelayMs' | 'liveReuseUs' | 'maxCachedSpans'
> & { background?: boolean };

/** The embedded Store, with its dependency settler reachable for benchmarks and tests. */
export interface EmbeddedStore extends Store {
  /** Settles every due dependency minute now; resolves to how many minutes were settled. */
  settleDependencies(): Promise<number>;
  /** Where the settler and live dependency reads get spans from: buffered spans, then stored ones. */
  readonly dependencySource: DependencySpanSource & { columns: NonNullable<DependencySpanSource['columns']> };
}

/** Log format key of spans logged without a payload: the spans as a JSON array. */
export const OWN_SPANS_FORMAT = 'ariadne-spans-json';

/** Default retention: 7 days. */
export const DEFAULT_RETENTION_US = 7 * 24 * 3_600_000_000;
const DAY_US = 24 * 3_600_000_000;

/*
 * INGEST_NOTE: flushing 100k workload spans (bench/workload.ts) into DuckDB 1.5.6, measured with
 * `store.bench.ts --compare-ingest 100k` on a 2-core machine shared with other jobs (load 5-9):
 *   appender   1.84-2.77 s per 100k (36-54k spans/s); the event loop is blocked 1.5-2.2 s in one go.
 *   read_json  2.71-5.79 s per 100k (17-37k spans/s); longest event-loop stall 29-153 ms: the JS
 *              side only encodes rows (~5 µs/span, in 1000-span slices with yields between them)
 *              while DuckDB parses, converts ids, sorts and compresses on its own threads.
 * A staging file read by DuckDB is the default: the Appender is faster end to end but costs the
 * event loop ~12 µs/span in multi-second stalls, during which no request is served; the staging
 * file costs it ~6 µs/span in short slices and lets the second core do the rest. read_csv replaced
 * read_json for the row order it sets up (FLUSH_NOTE in span-table.ts); both cost about the same.
 */

/** Opens the embedded store in `dataDir`; rejects with UNAVAILABLE when the directory cannot be used. */
export async function createEmbeddedStore(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  const logger = options.logger ?? silentLogger;
  const flushSpans = options.flushSpans ?? 100_000;
  const flushIntervalMs = options.flushIntervalMs ?? 30_000;
  const maxBufferedSpans = options.maxBufferedSpans ?? 500_000;
  const retentionUs = options.retentionUs > 0 ? options.retentionUs : DEFAULT_RETENTION_US;
  const dataDir = options.dataDir;
  const walDir = join(dataDir, 'wal');
  const dbFile = join(dataDir, 'spans.duckdb');

  try {
    await mkdir(walDir, { recursive: true });
    // mkdir of an existing directory succeeds even where nothing can be written.
    await access(dataDir, constants.R_OK | constants.W_OK);
    await access(walDir, constants.R_OK | constants.W_OK);
  } catch (err) {
    throw new AppError('UNAVAILABLE', `cannot open data dir ${dataDir}: ${(err as Error).message}`, { cause: err });
  }

  // DuckDB first: its file lock keeps a second process away from the log as well.
  const table = await openSpanTable({ file: dbFile, stagingDir: dataDir, ingestMethod: options.ingestMethod, memoryLimitBytes: options.duckdbMemoryBytes });

  /**
   * Minute → wall-clock µs of the latest arrival of a span starting in it (replayed spans arrive at
   * open), for the settler's quiet period; entries older than an hour are dropped as they are read.
   */
  const arrivals = new Map<number, number>();
  /** Lowest start of the spans appended since open. */
  let appendedOldestUs = Number.POSITIVE_INFINITY;
  const nowUs = options.dependencies?.nowUs ?? (() => Date.now() * 1000);
  function noteArrivals(spans: readonly Span[]): void {
    const at = nowUs();
    let last = Number.NaN;
    for (const span of spans) {
      const minute = Math.floor(span.startUs / MINUTE_US) * MINUTE_US;
      if (span.startUs < appendedOldestUs) appendedOldestUs = span.startUs;
      if (minute === last) continue;
      last = minute;
      arrivals.set(minute, at);
    }
  }
  const newBuffer = (): MemoryStore => createMemoryStore({ maxSpans: Number.MAX_SAFE_INTEGER });
  /** Receives appends. */
  let buffer = newBuffer();
  /**
   * The buffer a flush is moving to DuckDB (kept after a failed flush, merged with the next).
   * Dropping it whole instead of span by span (MemoryStore.dropThrough) saved ~1.2 s of CPU per
   * 200k flushed spans (~25 % of the flush).
   */
  let sealed: MemoryStore | undefined;
  const bufferedSize = (): number => buffer.size + (sealed?.size ?? 0);
  /** Reads the buffer, then the set-aside one: the order spans move in. */
  async function fromBuffers<T>(read: (b: MemoryStore) => Promise<T[]>): Promise<T[]> {
    const recent = await read(buffer);
    const aside = sealed;
    return aside === undefined ? recent : [...recent, ...(await read(aside))];
  }
  let replayed = 0;
  let replayFailures = 0;
  let wal: Wal;
  try {
    wal = await openWal({
      dir: walDir,
      afterMark: table.flushedMark,
      segmentBytes: options.walSegmentBytes,
      logger,
      onRecord: (record, mark) => {
        try {
          const spans = decodeRecord(record, options.decode);
          buffer.append(spans, mark);
          noteArrivals(spans);
          replayed += spans.length;
        } catch (err) {
          replayFailures++;
          logger.error({ err, format: record.format, tenant: record.tenant, mark }, 'cannot decode a logged payload; skipping it');
        }
      },
    });
  } catch (err) {
    await table.close();
    throw new AppError('UNAVAILABLE', `cannot open data dir ${dataDir}: ${(err as Error).message}`, { cause: err });
  }
  if (table.rollupsBackfilled) logger.info({}, 'filled the request rollups from the stored spans');
  if (replayed > 0 || replayFailures > 0) logger.info({ spans: replayed, failures: replayFailures }, 'replayed the write-ahead log');

  // What a dependency computation reads: the buffers, then DuckDB (the order spans move in).
  const buffered = (window: { tenant?: string; startUsMin: number; startUsMax: number }): Span[] => [
    ...buffer.spansStartingBetween(window), ...(sealed?.spansStartingBetween(window) ?? []),
  ];
  /** Buffered spans, then stored ones, as columns (DependencySpanSource.columns). */
  async function columns(query: { tenant?: string; startUsMin: number; startUsMax: number }): Promise<DepColumnsBuilder> {
    // Taken at once: the buffers may change while the rows are added below.
    const recent = buffered(query);
    const columns = new DepColumnsBuilder({ capacity: recent.length });
    for (let i = 0; i < recent.length; i++) {
      columns.addSpan(recent[i]!);
      if (i % DEPENDENCY_YIELD_ROWS === DEPENDENCY_YIELD_ROWS - 1) await yieldToLoop();
    }
    await table.dependencyColumns({ tenant: query.tenant, startUs: query.startUsMin, endUs: query.startUsMax }, columns);
    return columns;
  }
  const dependencySource: EmbeddedStore['dependencySource'] = {
    async spans(query) {
      // Read as columns too: only the objects are built, in slices, never a DuckDB row per span.
      return depSpansOf(await columns(query));
    },
    columns,
    async oldestStartUs() {
      const stored = await table.oldestStartUs();
      const oldest = Math.min(stored ?? Number.POSITIVE_INFINITY, appendedOldestUs);
      // Spans appended long ago may have been deleted by retention since.
      return Number.isFinite(oldest) ? Math.max(oldest, Date.now() * 1000 - retentionUs) : undefined;
    },
    async arrivals(range) {
      const out = new Map<number, number>();
      const expired = nowUs() - 3_600_000_000;
      for (const [minute, at] of arrivals) {
        if (at < expired) arrivals.delete(minute);
        else if (minute >= range.fromUs && minute < range.toUs) out.set(minute, at);
      }
      return out;
    },
  };
  const rollups = createDependencyRollups({
    // Arrivals are stamped right after the spans enter the buffer and kept an hour (above).
    liveReuseUs: 30 * MINUTE_US,
    ...options.dependencies,
    source: dependencySource,
    table: await openDependencyRollupTable(table),
    nowUs,
    logger,
  });
  if (options.dependencies?.background !== false) rollups.start();

  const diskBytes = createDirSizer([dataDir, walDir], 1000);
  const abort = new AbortController();
  let closed = false;
  let inflightSpans = 0;
  let bufferSinceMs: number | undefined = buffer.size > 0 ? Date.now() : undefined;
  let flushing: Promise<void> | undefined;
  let flushCount = 0;
  let flushSecondsSum = 0;
  let flushedSpansTotal = 0;
  let flushFailures = 0;
  let consecutiveFailures = 0;
  let retryAfterMs = 0;
  let retentionDeletedTotal = 0;
  let retentionRunning: Promise<void> | undefined;

  async function flushOnce(): Promise<void> {
    if (wal.durableMark <= table.flushedMark || bufferedSize() === 0) return;
    // Later records go to a new segment, so once this flush commits the log holds only what it
    // did not cover, and the sealed segments are deleted whole. At that same boundary the buffer
    // is set aside: it holds exactly the spans through the mark.
    const mark = await wal.seal((at) => {
      if (sealed === undefined) sealed = buffer;
      else sealed.append(buffer.spansThrough(Number.POSITIVE_INFINITY), at);
      buffer = newBuffer();
    });
    const moving = sealed as MemoryStore;
    const spans = moving.spansThrough(mark);
    const t0 = performance.now();
    await table.insert(spans, mark);
    if (sealed === moving) sealed = undefined;
    // Merging is bookkeeping of the rollups: the flush has committed whether it runs or not.
    await table.mergeRollups().catch((err: unknown) => logger.warn({ err }, 'merging request rollups failed; retried after the next flush'));
    // Without an explicit checkpoint per flush, DuckDB's own checkpoints left ~40 % of the file as
    // free blocks (95 B/span instead of 58 B/span measured over three 100k-span flushes).
    await table.checkpoint().catch((err: unknown) => logger.warn({ err }, 'checkpoint after flush failed; DuckDB retries later'));
    bufferSinceMs = bufferedSize() > 0 ? Date.now() : undefined;
    await wal.removeThrough(mark);
    // Counted once whole, its log deleted too: a reader of the figures then sees the log trimmed.
    flushCount++;
    flushSecondsSum += (performance.now() - t0) / 1000;
    flushedSpansTotal += spans.length;
  }

  /** Starts a flush unless one runs; resolves when the running or started flush ends. */
  function flush(): Promise<void> {
    if (flushing) return flushing;
    flushing = flushOnce()
      .then(() => {
        consecutiveFailures = 0;
      })
      .catch((err) => {
        flushFailures++;
        consecutiveFailures++;
        // Back off (1 s, 2 s, 4 s ... 60 s) so a persistent cause such as a full disk is not retried in a tight loop.
        retryAfterMs = Date.now() + Math.min(60_000, 1000 * 2 ** (consecutiveFailures - 1));
        logger.error({ err, consecutiveFailures }, 'failed to flush buffered spans to DuckDB; they stay buffered and logged');
      })
      .finally(() => {
        flushing = undefined;
        if (!closed && consecutiveFailures === 0 && bufferedSize() >= flushSpans && wal.durableMark > table.flushedMark) void flush();
      });
    return flushing;
  }

  function maybeFlush(): void {
    if (bufferedSize() >= flushSpans && Date.now() >= retryAfterMs) void flush();
  }

  async function runRetention(): Promise<void> {
    if (closed) return;
    const cutoff = Date.now() * 1000 - retentionUs;
    let deleted = await table.deleteBefore(cutoff);
    await rollups.deleteBefore(cutoff);
    retentionDeletedTotal += deleted;
    if (options.maxDiskBytes > 0) {
      // The file does not shrink after deletes (freed blocks are reused), so compare the bytes
      // of blocks in use, plus the log, against the limit.
      for (let round = 0; round < 10_000 && !closed; round++) {
        await table.checkpoint();
        const used = (await table.usedBytes()) + wal.stats().bytes;
        if (used <= options.maxDiskBytes) break;
        const oldest = await table.oldestStartUs();
        if (oldest === undefined) break;
        const dayEnd = (Math.floor(oldest / DAY_US) + 1) * DAY_US;
        const n = await table.deleteBefore(dayEnd);
        await rollups.deleteBefore(dayEnd);
        deleted += n;
        retentionDeletedTotal += n;
        logger.warn({ usedBytes: used, maxDiskBytes: options.maxDiskBytes, deletedBeforeUs: dayEnd, spans: n }, 'data dir over its size limit; deleted the oldest day');
      }
    }
    if (deleted > 0) {
      await table.checkpoint();
      logger.info({ spans: deleted, cutoffUs: cutoff }, 'retention deleted old spans');
    }
  }

  function retention(): Promise<void> {
    if (retentionRunning) return retentionRunning;
    retentionRunning = runRetention()
      .catch((err) => logger.error({ err }, 'retention failed'))
      .finally(() => {
        retentionRunning = undefined;
      });
    return retentionRunning;
  }

  const tick = setInterval(() => {
    if (bufferSinceMs !== undefined && Date.now() - bufferSinceMs >= flushIntervalMs && Date.now() >= retryAfterMs) void flush();
    else maybeFlush();
  }, Math.max(10, Math.min(1000, Math.floor(flushIntervalMs / 4))));
  tick.unref();
  const retentionTimer = setInterval(() => void retention(), options.retentionIntervalMs ?? 5 * 60_000);
  retentionTimer.unref();
  abort.signal.addEventListener('abort', () => {
    clearInterval(tick);
    clearInterval(retentionTimer);
  });
  void retention();
  maybeFlush();

  function checkOpen(): void {
    if (closed) throw new AppError('UNAVAILABLE', 'the embedded store is closed');
  }

  /** Listeners of watchLargeTraces, with the least buffered spans of a trace each wants to hear of. */
  const largeTraceWatchers = new Map<(trace: { tenant: string; traceId: string }) => void, number>();
  /** Tells the watchers of the traces a write added to that now have many spans buffered. */
  function noticeLargeTraces(spans: readonly Span[]): void {
    const seen = new Set<string>();
    for (const span of spans) {
      if (seen.has(span.traceId)) continue;
      seen.add(span.traceId);
      const held = buffer.heldTraceSize(span.traceId) + (sealed?.heldTraceSize(span.traceId) ?? 0);
      for (const [listener, minSpans] of largeTraceWatchers) {
        if (held < minSpans) continue;
        try {
          listener({ tenant: span.tenant, traceId: span.traceId });
        } catch (err) {
          logger.warn({ err }, 'a large-trace watcher failed');
        }
      }
    }
  }

  const writer: SpanWriter = {
    async writeSpans(spans, writeOptions) {
      checkOpen();
      if (writeOptions?.signal?.aborted === true) {
        throw new AppError('UNAVAILABLE', 'write aborted', { cause: writeOptions.signal.reason });
      }
      if (spans.length === 0) return;
      validateSpans(spans);
      if (bufferedSize() + inflightSpans + spans.length > maxBufferedSpans) {
        if (Date.now() >= retryAfterMs) void flush();
        throw new AppError(
          'RESOURCE_EXHAUSTED',
          `embedded store: ${bufferedSize() + inflightSpans} spans are waiting for DuckDB (limit ${maxBufferedSpans}); retry later`,
        );
      }
      const payload = writeOptions?.payload;
      const record: WalRecord = payload
        ? { format: payload.format, tenant: payload.tenant, bytes: payload.bytes }
        : { format: OWN_SPANS_FORMAT, tenant: '', bytes: Buffer.from(JSON.stringify(spans)) };
      inflightSpans += spans.length;
      try {
        await wal.append(record, (mark) => {
          if (bufferedSize() === 0) bufferSinceMs = Date.now();
          buffer.append(spans, mark);
          noteArrivals(spans);
          if (largeTraceWatchers.size > 0) noticeLargeTraces(spans);
        });
      } finally {
        inflightSpans -= spans.length;
      }
      maybeFlush();
    },
  };

  const reader: SpanReader & SlowestRequestsReader = {
    async getServices(scope) {
      checkOpen();
      const recent = await fromBuffers((b) => b.reader.getServices(scope));
      return mergeSorted(recent, await table.getServices(scope.tenant));
    },
    async getOperations(query) {
      checkOpen();
      const recent = await fromBuffers((b) => b.reader.getOperations(query));
      const all = [...recent, ...(await table.getOperations(query))];
      const seen = new Map(all.map((op) => [`${op.name}\u0000${op.spanKind}`, op]));
      return [...seen.values()].sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.spanKind, b.spanKind));
    },
    async getRemoteServices(query) {
      checkOpen();
      const recent = await fromBuffers((b) => b.reader.getRemoteServices(query));
      return mergeSorted(recent, await table.getRemoteServices(query));
    },
    async getTrace(query) {
      checkOpen();
      const recent = await fromBuffers((b) => b.reader.getTrace(query));
      const stored = await table.getTrace(query.traceId, query.tenant);
      return dedupeSpans([...recent, ...stored]);
    },
    async getTraceSkeleton(query) {
      checkOpen();
      // Buffered spans are whole objects already; only DuckDB's part is read lean.
      const recent = await fromBuffers((b) => b.reader.getTrace(query));
      const stored = await table.getTraceSkeleton({ traceId: query.traceId, tenant: query.tenant, resourceKeys: query.resourceKeys });
      return dedupeSpans([...recent, ...stored]);
    },
    async countTraceSpans(query) {
      checkOpen();
      // Exact: the buffers are taken before DuckDB's snapshot, and one counts only when its spans
      // are not in that snapshot (a flush commits a whole buffer with its mark), so no span counts
      // twice or not at all while it moves.
      const held = [buffer, sealed].flatMap((b) => (b === undefined ? [] : [{ size: b.heldTraceSize(query.traceId, query.tenant), mark: b.latestMark }]));
      const { count, mark } = await table.countTrace(query.traceId, query.tenant);
      return held.reduce((n, b) => (b.mark > mark ? n + b.size : n), count);
    },
    watchLargeTraces(minSpans, listener) {
      largeTraceWatchers.set(listener, minSpans);
      return () => {
        largeTraceWatchers.delete(listener);
      };
    },
    async getSpans(query) {
      checkOpen();
      const wanted = new Set(query.spanIds);
      const recent = (await fromBuffers((b) => b.reader.getTrace(query))).filter((s) => wanted.has(s.spanId));
      const stored = await table.getSpans(query.traceId, query.tenant, query.spanIds);
      return dedupeSpans([...recent, ...stored]);
    },
    async getTraces(query) {
      checkOpen();
      const recent = await fromBuffers((b) => b.reader.getTraces(query));
      const stored = await table.getTraces(query.traceIds, query.tenant);
      const byId = new Map<string, Span[]>();
      for (const spans of recent) {
        const first = spans[0];
        if (first === undefined) continue;
        const known = byId.get(first.traceId);
        if (known === undefined) byId.set(first.traceId, spans);
        else if (known !== spans) known.push(...spans);
      }
      const out: Span[][] = [];
      for (const traceId of query.traceIds) {
        const spans = dedupeSpans([...(byId.get(traceId) ?? []), ...(stored.get(traceId) ?? [])]);
        if (spans.length > 0) out.push(spans);
      }
      return out;
    },
    async getTraceSummaries(query) {
      checkOpen();
      // Read in the order spans move (buffer, set-aside buffer, DuckDB), as getTraces does. The
      // buffers hand their own objects over uncopied; only the summary's fields are read.
      const held = (b: MemoryStore | undefined, traceId: string) => b?.heldTrace({ tenant: query.tenant, traceId }) ?? [];
      const current = buffer;
      const newest = query.traceIds.map((traceId) => held(current, traceId));
      const aside = sealed;
      const recent = query.traceIds.map((traceId, i) => [...(newest[i] ?? []), ...held(aside, traceId)]);
      const stored = await table.getSummarySpans(query.traceIds, query.tenant);
      const out: TraceSummary[] = [];
      query.traceIds.forEach((traceId, i) => {
        const spans = dedupeSummarySpans([...(recent[i] ?? []), ...(stored.get(traceId) ?? [])]);
        if (spans.length > 0) out.push(summarizeTrace(spans));
      });
      return out;
    },
    async findTraceIds(query) {
      checkOpen();
      if (query.limit <= 0) return [];
      const recent = await fromBuffers((b) => b.reader.findTraceIds(query));
      const stored = await table.findTraceIds(query);
      const latest = new Map<string, number>();
      for (const ref of [...recent, ...stored]) {
        const seen = latest.get(ref.traceId);
        if (seen === undefined || ref.startUs > seen) latest.set(ref.traceId, ref.startUs);
      }
      const refs: TraceRef[] = [...latest].map(([traceId, startUs]) => ({ traceId, startUs }));
      return refs.sort((a, b) => b.startUs - a.startUs || compareStrings(a.traceId, b.traceId)).slice(0, query.limit);
    },
    async getAttributeValues(query) {
      checkOpen();
      const recent = await fromBuffers((b) => b.reader.getAttributeValues(query));
      return mergeSorted(recent, await table.getAttributeValues(query)).slice(0, Math.max(0, query.limit));
    },
    async aggregateSpans(query) {
      checkOpen();
      // Buffers first (the order spans move in), then DuckDB; see unflushed() for why nothing counts twice.
      const recent = bufferedWindows(query);
      const { groups, mark } = await table.aggregate(query);
      const merged = mergeAggregateGroups(groups, aggregateSpans(unflushed(recent, mark), query));
      if (merged.length > query.maxGroups) throw tooManyGroups(query.maxGroups);
      return merged;
    },
    async aggregateRequests(query) {
      checkOpen();
      checkRequestAggregation(query);
      // As aggregateSpans: buffers first, then DuckDB's rollups and edge scans in one snapshot.
      const recent = bufferedWindows(query);
      const { groups, mark } = await table.aggregateRequests(query);
      const buffered = unflushed(recent, mark);
      // Nothing buffered in the window: the stored groups are the answer, sorted already.
      const merged = buffered.length === 0 ? groups : mergeAggregateGroups(groups, aggregateSpans(buffered, requestAggregationOf(query)));
      if (merged.length > query.maxGroups) throw tooManyGroups(query.maxGroups);
      return merged;
    },
    async findSpans(query) {
      checkOpen();
      const recent = bufferedWindows(query);
      const { spans, mark } = await table.findSpans(query);
      const chosen = searchSpans([...unflushed(recent, mark), ...spans], query);
      // Buffered spans are held objects: hand copies over, as the buffer's own reads do.
      const held = new Set(recent.flatMap((r) => r.spans));
      return chosen.map((span) => (held.has(span) ? structuredClone(span) : span));
    },
    async findSlowestRequests(query) {
      checkOpen();
      // findSpans of the same search, reading only the rows' listed fields from DuckDB.
      const search = slowestRequestsSearch(query);
      const recent = bufferedWindows(search);
      const { rows, mark } = await table.findSlowRequestRows(search);
      const buffered = searchSpans(unflushed(recent, mark), search).map(slowRequestRow);
      return mergeSlowRequestRows([...buffered, ...rows], search.limit);
    },
  };

  /** The buffered spans of a window, per buffer, with the latest log mark each buffer held then. */
  function bufferedWindows(q: { tenant?: string; startUsMin: number; startUsMax: number }): Array<{ spans: Span[]; mark: number }> {
    const out = [{ spans: buffer.spansStartingBetween(q), mark: buffer.latestMark }];
    if (sealed !== undefined) out.push({ spans: sealed.spansStartingBetween(q), mark: sealed.latestMark });
    return out;
  }

  /**
   * The buffered spans (captured before the DuckDB read) that the DuckDB snapshot, holding spans
   * flushed through `mark`, does not hold. A flush moves a whole buffer and commits the buffer's
   * marks with it, so a captured buffer is either wholly in the snapshot or not at all; a buffer
   * dropped before the capture was committed before the snapshot began.
   */
  function unflushed(recent: Array<{ spans: Span[]; mark: number }>, mark: number): Span[] {
    return recent.filter((r) => r.mark > mark).flatMap((r) => r.spans);
  }

  const dependencies: DependencyReader = {
    async getDependencies(query) {
      checkOpen();
      return rollups.getDependencies(query);
    },
  };

  function dependencyStats(): Record<string, number> {
    const r = rollups.stats();
    return {
      dependency_settled_minutes: r.settledMinutes,
      dependency_backlog_minutes: r.backlogMinutes,
      dependency_settled_minutes_total: r.settledMinutesTotal,
      dependency_settle_seconds_sum: r.settleSecondsSum,
      dependency_settle_failures_total: r.settleFailuresTotal,
      dependency_live_minutes_reused_total: r.liveMinutesReusedTotal,
      dependency_live_minutes_computed_total: r.liveMinutesComputedTotal,
      dependency_live_minutes_read_total: r.liveMinutesReadTotal,
      dependency_live_cached_spans: r.cachedSpans,
    };
  }

  return {
    name: 'embedded',
    settleDependencies: () => rollups.settleAll(),
    dependencySource,
    writer,
    reader,
    dependencies,
    stats(): StoreStats {
      const walStats = wal.stats();
      return {
        diskBytes: diskBytes.get(),
        bufferedSpans: bufferedSize(),
        extra: {
          wal_fsync_count: walStats.fsyncCount,
          wal_fsync_seconds_sum: walStats.fsyncSecondsSum,
          wal_bytes: walStats.bytes,
          flush_count: flushCount,
          flush_seconds_sum: flushSecondsSum,
          flushed_spans_total: flushedSpansTotal,
          flush_failures_total: flushFailures,
          retention_deleted_spans_total: retentionDeletedTotal,
          ...dependencyStats(),
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      abort.abort();
      await retentionRunning;
      await rollups.close();
      await flushing;
      await wal.close();
      // Final flush so the next open has no log to replay; on failure the log still has it all.
      await flushOnce().catch((err) => logger.error({ err }, 'final flush failed; the log will be replayed on the next open'));
      // The next open starts with compact rollups: queries read fewer rows.
      await table.mergeRollups({ force: true }).catch((err: unknown) => logger.warn({ err }, 'merging request rollups failed'));
      await table.close();
      await buffer.close();
    },
  };
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const KINDS = new Set<string>(SPAN_KINDS);
const STATUSES = new Set<string>(['unset', 'ok', 'error']);

/**
 * Rejects what the table layout cannot hold, before anything is logged: a span that could not
 * be flushed would otherwise block every later flush.
 */
function validateSpans(spans: readonly Span[]): void {
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i] as Span;
    if (!TRACE_ID.test(s.traceId)) invalidSpan(i, 'traceId', '32 lowercase hex chars', s.traceId);
    if (!SPAN_ID.test(s.spanId)) invalidSpan(i, 'spanId', '16 lowercase hex chars', s.spanId);
    if (s.parentSpanId !== undefined && !SPAN_ID.test(s.parentSpanId)) invalidSpan(i, 'parentSpanId', '16 lowercase hex chars', s.parentSpanId);
    if (!Number.isSafeInteger(s.startUs)) invalidSpan(i, 'startUs', 'an integer', s.startUs);
    if (!Number.isSafeInteger(s.durationUs)) invalidSpan(i, 'durationUs', 'an integer', s.durationUs);
    if (!KINDS.has(s.kind)) invalidSpan(i, 'kind', 'a span kind', s.kind);
    if (!STATUSES.has(s.statusCode)) invalidSpan(i, 'statusCode', 'unset, ok or error', s.statusCode);
  }
}

// Outside the loop: validating a batch allocates nothing per span unless a span is bad.
function invalidSpan(i: number, field: string, expected: string, got: unknown): never {
  throw new AppError('INVALID_ARGUMENT', `span[${i}].${field}: expected ${expected}, got ${JSON.stringify(got)}`);
}

function decodeRecord(record: WalRecord, decode: PayloadDecoder): Span[] {
  if (record.format === OWN_SPANS_FORMAT) return JSON.parse(record.bytes.toString('utf8')) as Span[];
  return decode({ format: record.format, tenant: record.tenant, bytes: record.bytes });
}

/**
 * Bytes of the regular files directly inside `dirs`, re-measured at most every `maxAgeMs`
 * (stats() is called per scrape and per log line; a few stat calls a second cost nothing).
 */
function createDirSizer(dirs: readonly string[], maxAgeMs: number): { get(): number } {
  let cached = 0;
  let measuredAt = -Infinity;
  return {
    get() {
      const now = performance.now();
      if (now - measuredAt < maxAgeMs) return cached;
      let total = 0;
      for (const dir of dirs) {
        let names: string[];
        try {
          names = readdirSync(dir);
        } catch {
          continue;
        }
        for (const name of names) {
          try {
            const st = statSync(join(dir, name));
            if (st.isFile()) total += st.size;
          } catch {
            // Deleted between the listing and the stat: it holds nothing any more.
          }
        }
      }
      cached = total;
      measuredAt = now;
      return total;
    },
  };
}

function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort(compareStrings);
}


/**
 * Collapses exact duplicates as dedupeSpans does, from the fields a summary row has: the stored row
 * has no shared flag, so two halves differing only in that flag (never seen from a real sender:
 * the halves differ in kind) would count once here.
 */
function dedupeSummarySpans(spans: ReadonlyArray<StoredSummarySpan | Span>): Array<StoredSummarySpan | Span> {
  const seen = new Set<string>();
  const out: Array<StoredSummarySpan | Span> = [];
  for (const s of spans) {
    const key = `${s.tenant}\u0000${s.traceId}\u0000${s.spanId}\u0000${s.kind}\u0000${s.service}\u0000${s.startUs}\u0000${s.durationUs}\u0000${s.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  return out;
}
