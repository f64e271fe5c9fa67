import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import type { Payload, Store } from '../api.js';
import { createEmbeddedStore } from './index.js';

const T = Date.now() * 1000;
const TRACE = '0000000000000000000000000000a001';
const OTHER = '0000000000000000000000000000b002';
const BATCHES = 60;

function span(traceId: string, n: number, tenant = ''): Span {
  return {
    traceId, spanId: (n + 1).toString(16).padStart(16, '0'), ...(n > 0 ? { parentSpanId: '0000000000000001' } : {}),
    kind: 'internal', name: `op-${n % 3}`, service: 'svc', startUs: T + n, durationUs: 10, statusCode: 'unset',
    attributes: {}, events: [], links: [], resource: {}, tenant,
  };
}

async function withStore(flushSpans: number, run: (store: Store) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-trace-count-'));
  const store = await createEmbeddedStore({
    dataDir, decode: (p: Payload) => JSON.parse(p.bytes.toString('utf8')) as Span[], retentionUs: 100 * 365 * 24 * 3_600_000_000, maxDiskBytes: 0, flushSpans,
  });
  try {
    await run(store);
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('countTraceSpans (embedded)', () => {
  it('counts every span once while writes and flushes move them, never more than were written', async () => {
    await withStore(15, async (store) => {
      const count = store.reader.countTraceSpans!.bind(store.reader);
      let written = 0;
      let writing = true;
      const seen: number[] = [];
      const watcher = (async () => {
        while (writing) {
          const n = await count({ traceId: TRACE });
          seen.push(n);
          // At most the spans acknowledged by now plus the one write in flight.
          expect(n).toBeLessThanOrEqual(written + 10);
        }
      })();
      for (let batch = 0; batch < BATCHES; batch++) {
        await store.writer.writeSpans(Array.from({ length: 10 }, (_, i) => span(TRACE, batch * 10 + i)));
        written += 10;
        await new Promise((r) => setTimeout(r, 1));
      }
      writing = false;
      await watcher;
      while (store.stats().bufferedSpans > 0) await new Promise((r) => setTimeout(r, 5));
      expect(store.stats().extra.flush_count).toBeGreaterThan(0);
      // Growing only: a span moving from the buffer to DuckDB is never counted twice or missed.
      expect(seen.every((n, i) => i === 0 || n >= seen[i - 1]!)).toBe(true);
      expect(seen.length).toBeGreaterThan(5);
      expect(await count({ traceId: TRACE })).toBe(BATCHES * 10);
      expect((await store.reader.getTrace({ traceId: TRACE })).length).toBe(BATCHES * 10);
    });
  });

  it('counts within the scope: other tenants and other traces do not count', async () => {
    await withStore(1000, async (store) => {
      await store.writer.writeSpans([span(TRACE, 0, 'a'), span(TRACE, 1, 'a'), span(TRACE, 2, 'b'), span(OTHER, 0, 'a')]);
      const count = store.reader.countTraceSpans!.bind(store.reader);
      expect(await Promise.all([count({ traceId: TRACE }), count({ traceId: TRACE, tenant: 'a' }), count({ traceId: TRACE, tenant: 'b' }), count({ traceId: TRACE, tenant: 'c' })]))
        .toEqual([3, 2, 1, 0]);
    });
  });
});

describe('watchLargeTraces (embedded)', () => {
  it('names the traces a write added to that hold at least the given spans, until stopped', async () => {
    await withStore(100_000, async (store) => {
      const heard: string[] = [];
      const stop = store.reader.watchLargeTraces!(15, ({ tenant, traceId }) => heard.push(`${tenant}/${traceId.slice(-4)}`));
      await store.writer.writeSpans(Array.from({ length: 10 }, (_, i) => span(TRACE, i, 't')));
      expect(heard).toEqual([]);
      await store.writer.writeSpans([...Array.from({ length: 10 }, (_, i) => span(TRACE, 10 + i, 't')), span(OTHER, 0, 't')]);
      expect(heard).toEqual(['t/a001']);
      stop();
      await store.writer.writeSpans([span(TRACE, 20, 't')]);
      expect(heard).toEqual(['t/a001']);
    });
  });
});
