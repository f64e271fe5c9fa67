/** The storage module: the contract, and one factory that opens the configured engine. */
import type { Logger } from 'pino';
import type { PayloadDecoder, Store } from './api.js';
import { createEmbeddedStore } from './embedded/index.js';
import { createMemoryStore } from './memory/index.js';

export type {
  AttributeFilter, DependencyReader, Operation, Payload, PayloadDecoder, SpanReader, SpanWriter, Store, StoreStats,
  TenantScope, TraceQuery, TraceRef, WriteOptions,
} from './api.js';

/** Storage settings of the process. */
export interface StoreOptions {
  storage: 'embedded' | 'memory';
  dataDir: string;
  retentionUs: number;
  maxDiskBytes: number;
  memoryMaxSpans: number;
  flushSpans: number;
  flushIntervalMs: number;
  maxBufferedSpans: number;
  decode: PayloadDecoder;
  logger: Logger;
}

/** Opens the configured engine; rejects with UNAVAILABLE when it cannot (e.g. data dir not writable). */
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
        logger: options.logger.child({ module: 'storage' }),
      });
  }
}
