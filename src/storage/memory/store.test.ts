import { describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import type { Store } from '../api.js';
import { runStoreConformance } from '../conformance.js';
import type { ConformanceTarget } from '../conformance.js';
import { createMemoryStore } from './index.js';
import { MAX_INDEXED_VALUES } from './store.js';

runStoreConformance('memory', { open: async () => createMemoryStore() });

/**
 * A memory store whose writes are kept in a list and replayed on reopen: the shape of a durable
 * engine, so the suite's close-and-reopen case runs here too.
 */
function replayingTarget(): ConformanceTarget {
  const log: Span[][] = [];
  const open = (): Store => {
    const store = createMemoryStore();
    for (const batch of log) store.append(batch);
    return {
      name: 'memory-replayed',
      writer: {
        writeSpans: async (spans, options) => {
          await store.writer.writeSpans(spans, options);
          log.push([...spans]);
        },
      },
      reader: store.reader,
      dependencies: store.dependencies,
      stats: () => store.stats(),
      close: () => store.close(),
    };
  };
  return {
    open: async () => {
      log.length = 0;
      return open();
    },
    reopen: async () => open(),
  };
}

runStoreConformance('memory with replay on reopen', replayingTarget());

function span(i: number, fields: Partial<Span> = {}): Span {
  return {
    traceId: `${(i % 3) + 1}`.padStart(32, '0'),
    spanId: `${i + 1}`.padStart(16, '0'),
    kind: 'server',
    name: `op-${i % 2}`,
    service: `svc-${i % 2}`,
    startUs: 1_000_000 + i,
    durationUs: 10,
    statusCode: 'unset',
    attributes: { n: i },
    events: [],
    links: [],
    resource: {},
    tenant: '',
    ...fields,
  };
}

const window = { startUsMin: 0, startUsMax: 10_000_000, limit: 10 };

describe('memory store: marks and eviction', () => {
  it('spansThrough returns the spans up to a mark in append order', () => {
    const store = createMemoryStore();
    store.append([span(0), span(1)], 10);
    store.append([span(2)], 20);
    store.append([span(3)], 20);
    store.append([span(4)], 30);
    expect(store.spansThrough(5).map((s) => s.spanId)).toEqual([]);
    expect(store.spansThrough(10).map((s) => s.spanId)).toEqual(['0000000000000001', '0000000000000002']);
    expect(store.spansThrough(25).map((s) => s.spanId)).toEqual(['0000000000000001', '0000000000000002', '0000000000000003', '0000000000000004']);
    expect(store.size).toBe(5);
  });

  it('rejects a mark lower than the previous one', () => {
    const store = createMemoryStore();
    store.append([span(0)], 10);
    expect(() => store.append([span(1)], 9)).toThrow('mark 9 is below the last mark 10');
  });

  it('dropThrough removes spans and every index entry that became empty', async () => {
    const store = createMemoryStore();
    store.append([span(0), span(1)], 1);
    store.append([span(2, { service: 'late', name: 'late-op', remoteEndpoint: { serviceName: 'db' }, attributes: { n: 'x' } })], 2);
    store.dropThrough(1);
    expect(store.size).toBe(1);
    expect(await store.reader.getServices({})).toEqual(['late']);
    expect(await store.reader.getOperations({ service: 'svc-0' })).toEqual([]);
    expect(await store.reader.getRemoteServices({ service: 'late' })).toEqual(['db']);
    expect(await store.reader.getAttributeValues({ key: 'n', limit: 10 })).toEqual(['x']);
    expect(await store.reader.getTrace({ traceId: span(0).traceId })).toEqual([]);
    expect(await store.reader.findTraceIds(window)).toEqual([{ traceId: span(2).traceId, startUs: 1_000_002 }]);
    store.dropThrough(2);
    expect(store.size).toBe(0);
    expect(await store.reader.getServices({})).toEqual([]);
    expect(await store.reader.getAttributeValues({ key: 'n', limit: 10 })).toEqual([]);
    expect(store.spansThrough(Number.POSITIVE_INFINITY)).toEqual([]);
  });

  it('evicts the oldest appended spans beyond maxSpans', async () => {
    const store = createMemoryStore({ maxSpans: 3 });
    await store.writer.writeSpans([span(0), span(1)]);
    await store.writer.writeSpans([span(2), span(3), span(4)]);
    expect(store.size).toBe(3);
    expect(store.spansThrough(Number.POSITIVE_INFINITY).map((s) => s.spanId)).toEqual(['0000000000000003', '0000000000000004', '0000000000000005']);
    expect(await store.reader.getAttributeValues({ key: 'n', limit: 10 })).toEqual(['2', '3', '4']);
    expect((await store.reader.getTrace({ traceId: span(0).traceId })).map((s) => s.spanId)).toEqual(['0000000000000004']);
    expect(await store.reader.findTraceIds({ ...window, service: 'svc-1' })).toEqual([{ traceId: span(3).traceId, startUs: 1_000_003 }]);
    expect(store.stats().extra).toEqual({ memory_spans: 3, memory_evicted_spans_total: 2 });
  });

  it(`answers a key with more than ${MAX_INDEXED_VALUES} distinct values by scanning, still exactly`, async () => {
    const store = createMemoryStore();
    const many = Array.from({ length: 2 * MAX_INDEXED_VALUES + 10 }, (_, i) => span(i, { attributes: { url: `/u/${String(i).padStart(5, '0')}`, method: 'GET' }, tenant: i % 2 ? 'b' : '' }));
    await store.writer.writeSpans(many);
    expect(await store.reader.getAttributeValues({ key: 'url', limit: 3 })).toEqual(['/u/00000', '/u/00001', '/u/00002']);
    expect(await store.reader.getAttributeValues({ key: 'url', limit: 2, tenant: 'b' })).toEqual(['/u/00001', '/u/00003']);
    expect((await store.reader.getAttributeValues({ key: 'url', limit: 5000 })).length).toBe(2 * MAX_INDEXED_VALUES + 10);
    expect(await store.reader.getAttributeValues({ key: 'method', limit: 10 })).toEqual(['GET']);
    store.dropThrough(Number.POSITIVE_INFINITY);
    expect(await store.reader.getAttributeValues({ key: 'url', limit: 3 })).toEqual([]);
  });

  it('spansStartingBetween reads only the window, inclusive, per tenant', () => {
    const store = createMemoryStore();
    const minute = 60_000_000;
    store.append([
      span(0, { startUs: 10 * minute }),
      span(1, { startUs: 11 * minute - 1 }),
      span(2, { startUs: 11 * minute, tenant: 'acme' }),
      span(3, { startUs: 12 * minute + 5 }),
    ]);
    const ids = (query: { tenant?: string; startUsMin: number; startUsMax: number }): string[] =>
      store.spansStartingBetween(query).map((s) => s.spanId).sort();
    expect(ids({ startUsMin: 10 * minute, startUsMax: 11 * minute })).toEqual(['0000000000000001', '0000000000000002', '0000000000000003']);
    expect(ids({ tenant: '', startUsMin: 10 * minute, startUsMax: 11 * minute })).toEqual(['0000000000000001', '0000000000000002']);
    expect(ids({ startUsMin: 10 * minute + 1, startUsMax: 12 * minute + 4 })).toEqual(['0000000000000002', '0000000000000003']);
    expect(ids({ startUsMin: 13 * minute, startUsMax: 14 * minute })).toEqual([]);
  });

  it('rejects writes after close', async () => {
    const store = createMemoryStore();
    await store.close();
    await expect(store.writer.writeSpans([span(0)])).rejects.toThrow('memory store is closed');
  });

  it('finds the newest traces across many time buckets', async () => {
    const store = createMemoryStore();
    const minute = 60_000_000;
    const spans = Array.from({ length: 100 }, (_, i) =>
      span(i, { traceId: `${i + 1}`.padStart(32, '0'), startUs: 1_000 * minute + i * minute + (i % 7) }),
    );
    store.append(spans);
    const refs = await store.reader.findTraceIds({ startUsMin: 0, startUsMax: 2_000 * minute, limit: 3 });
    expect(refs).toEqual([
      { traceId: `${100}`.padStart(32, '0'), startUs: 1_099 * minute + (99 % 7) },
      { traceId: `${99}`.padStart(32, '0'), startUs: 1_098 * minute + (98 % 7) },
      { traceId: `${98}`.padStart(32, '0'), startUs: 1_097 * minute + (97 % 7) },
    ]);
  });
});
