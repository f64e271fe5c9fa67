import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Span } from '../../model/index.js';
import type { Payload, Store } from '../api.js';
import { runStoreConformance } from '../conformance.js';
import { createEmbeddedStore, type EmbeddedStoreOptions } from './index.js';

/** Payloads in tests are the spans as JSON, so replay can decode them. */
function decode(payload: Payload): Span[] {
  return JSON.parse(payload.bytes.toString('utf8')) as Span[];
}

const CENTURY_US = 100 * 365 * 24 * 3_600_000_000;

/**
 * With `drain`, each write resolves only once the buffer is empty again, so every read of the
 * suite is answered by DuckDB alone.
 */
function target(extra: Partial<EmbeddedStoreOptions>, drain: boolean) {
  let dir = '';
  const options = (): EmbeddedStoreOptions => ({ dataDir: dir, decode, retentionUs: CENTURY_US, maxDiskBytes: 0, ...extra });
  const wrap = (store: Store): Store => {
    if (!drain) return store;
    return {
      name: store.name,
      reader: store.reader,
      dependencies: store.dependencies,
      stats: () => store.stats(),
      close: () => store.close(),
      writer: {
        async writeSpans(spans, opts) {
          await store.writer.writeSpans(spans, opts);
          while (store.stats().bufferedSpans > 0) await new Promise((r) => setTimeout(r, 5));
        },
      },
    };
  };
  return {
    async open() {
      dir = await mkdtemp(join(tmpdir(), 'ariadne-embedded-'));
      return wrap(await createEmbeddedStore(options()));
    },
    reopen: async () => wrap(await createEmbeddedStore(options())),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

runStoreConformance('embedded (spans in the buffer)', target({}, false));
runStoreConformance('embedded (spans flushed to DuckDB)', target({ flushSpans: 1 }, true));
