/** The storage module: the contract, and one factory that opens the configured engine. */
import type { Logger } from 'pino';
import type { PayloadDecoder, Store } from './api.js';
import { createClickHouseStore } from './clickhouse/index.js';
import { DEFAULT_MAX_CACHED_SPANS } from './dependencies-rollup.js';
import { createEmbeddedStore } from './embedded/index.js';
import { createMemoryStore } from './memory/index.js';

export type {
  AttributeFilter, DependencyReader, Operation, Payload, PayloadDecoder, SpanReader, SpanWriter, Store, StoreStats,
  TenantScope, TraceQuery, TraceRef, WriteOptions,
} from './api.js';

/** Storage settings of the process. */
export interface StoreOptions {
  storage: 'embedded' | 'memory' | 'clickhouse';
  dataDir: string;
  retentionUs: number;
  maxDiskBytes: number;
  memoryMaxSpans: number;
  flushSpans: number;
  flushIntervalMs: number;
  maxBufferedSpans: number;
  /** The process's memory budget (--memory.max; 0 none): the embedded engine gives DuckDB a quarter of it. */
  memoryMaxBytes?: number;
  /** ClickHouse settings (--storage=clickhouse); unset ones take the engine's defaults. */
  clickhouseUrl?: string;
  clickhouseDatabase?: string;
  clickhouseUsername?: string;
  clickhousePassword?: string;
  clickhouseBatchSpans?: number;
  clickhouseBatchIntervalMs?: number;
  clickhouseMaxBufferedSpans?: number;
  clickhouseWriteTimeoutMs?: number;
  clickhouseTimeoutMs?: number;
  clickhouseAsyncInsert?: boolean;
  clickhouseConnectTimeoutMs?: number;
  decode: PayloadDecoder;
  logger: Logger;
}

/** Least memory DuckDB is given under a budget: its flush sorts a whole buffer. */
const MIN_DUCKDB_BYTES = 128 * 1024 * 1024;

/**
 * DuckDB's share of the process budget: a quarter, at least MIN_DUCKDB_BYTES; none without a
 * budget. Without a limit DuckDB keeps up to 80 % of RAM cached, which the budget cannot see.
 */
export function duckdbShare(memoryMaxBytes: number | undefined): number | undefined {
  if (memoryMaxBytes === undefined || memoryMaxBytes <= 0) return undefined;
  return Math.max(MIN_DUCKDB_BYTES, Math.floor(memoryMaxBytes / 4));
}

/** Memory one span kept for live dependency reads takes (a DepSpan with its own id strings: ~128 B measured, plus ids). */
const DEPENDENCY_CACHE_BYTES_PER_SPAN = 256;
/**
 * Spans the embedded store may keep for live dependency reads: 4 % of the process budget, at most
 * the rollups' default; the default without a budget. Admission control does not see this cache,
 * so under a small budget it must stay small.
 */
export function dependencyCacheSpans(memoryMaxBytes: number | undefined): number {
  if (memoryMaxBytes === undefined || memoryMaxBytes <= 0) return DEFAULT_MAX_CACHED_SPANS;
  return Math.min(DEFAULT_MAX_CACHED_SPANS, Math.floor((memoryMaxBytes * 0.04) / DEPENDENCY_CACHE_BYTES_PER_SPAN));
}

/** Opens the configured engine; rejects with UNAVAILABLE when it cannot (e.g. data dir not writable, ClickHouse unreachable). */
export async function openStore(options: StoreOptions): Promise<Store> {
  switch (options.storage) {
    case 'memory':
      return createMemoryStore({ maxSpans: options.memoryMaxSpans });
    case 'embedded':
      return createEmbeddedStore({
        dataDir: options.dataDir,
        decode: options.decode,
        retentionUs: options.retentionUs,
        maxDiskBytes: options.maxDiskBytes,
        flushSpans: options.flushSpans,
        flushIntervalMs: options.flushIntervalMs,
        maxBufferedSpans: options.maxBufferedSpans,
        duckdbMemoryBytes: duckdbShare(options.memoryMaxBytes),
        dependencies: { maxCachedSpans: dependencyCacheSpans(options.memoryMaxBytes) },
        logger: options.logger.child({ module: 'storage' }),
      });
    case 'clickhouse':
      return createClickHouseStore({
        url: options.clickhouseUrl ?? 'http://127.0.0.1:8123',
        database: options.clickhouseDatabase ?? 'ariadne',
        username: options.clickhouseUsername,
        password: options.clickhousePassword,
        retentionUs: options.retentionUs,
        batchSpans: options.clickhouseBatchSpans,
        batchIntervalMs: options.clickhouseBatchIntervalMs,
        maxBufferedSpans: options.clickhouseMaxBufferedSpans,
        writeTimeoutMs: options.clickhouseWriteTimeoutMs,
        requestTimeoutMs: options.clickhouseTimeoutMs,
        ...(options.clickhouseAsyncInsert === undefined ? {} : { asyncInsert: options.clickhouseAsyncInsert }),
        connectTimeoutMs: options.clickhouseConnectTimeoutMs,
        logger: options.logger.child({ module: 'storage' }),
      });
  }
}
