import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouseProcess } from '../../../test/clickhouse/server.js';
import { describeOnEachEngine } from '../../../test/clickhouse/engines.js';
import type { RequestAggregation, Store } from '../api.js';
import { aggregateSpans } from '../predicate.js';
import { coarsenHistogram, requestAggregationOf, ROLLUP_SLOT_US } from '../requests.js';
import { expectRequestAnswer, REQUEST_QUERIES, REQUEST_T0, requestFixture, runRequestConformance } from '../requests-conformance.js';
import { createClickHouseStore, type ClickHouseStoreOptions } from './index.js';

const CENTURY_US = 100 * 365 * 24 * 3_600_000_000;

async function drained(store: Store): Promise<void> {
  while (store.stats().bufferedSpans > 0) await new Promise((r) => setTimeout(r, 5));
}

describeOnEachEngine('ClickHouse request rollups', (engine) => {
  let server: ClickHouseProcess;
  beforeAll(async () => {
    server = await engine.start();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  const options = (database: string): ClickHouseStoreOptions => ({
    url: server.url, database, retentionUs: CENTURY_US, batchIntervalMs: 5, dependencies: { background: false },
  });
  const sql = async (query: string): Promise<string> => (await fetch(`${server.url}/`, { method: 'POST', body: query })).text();
  const wholeSlots: RequestAggregation = { startUsMin: REQUEST_T0, startUsMax: REQUEST_T0 + 16 * ROLLUP_SLOT_US - 1, groupBy: [{ ref: { field: 'service' } }], maxGroups: 10 };

  runRequestConformance('clickhouse', {
    open: () => createClickHouseStore(options('requests')),
    settle: drained,
    withoutResent: true,
    async reopen(store) {
      await store.close();
      return createClickHouseStore(options('requests'));
    },
  });

  it('answers whole slots from the rollups (the coarse histogram), and counts a span stored twice twice there', async () => {
    const store = await createClickHouseStore(options('coarse'));
    try {
      const batches = requestFixture();
      for (const batch of batches) await store.writer.writeSpans(batch);
      await drained(store);
      const once = batches.slice(0, -1).flat();
      const got = await store.reader.aggregateRequests!(wholeSlots);
      const reference = aggregateSpans([...once, ...batches.at(-1)!.map((s) => ({ ...s, spanId: `${s.spanId.slice(0, 15)}x` }))], requestAggregationOf(wholeSlots));
      expect(got).toEqual(reference.map((g) => ({ ...g, measures: g.measures.map((m) => ({ ...m, histogram: coarsenHistogram(m.histogram!) })) })));
    } finally {
      await store.close();
    }
  });

  it('answers data stored before the rollups existed from the spans, exactly', async () => {
    const store = await createClickHouseStore(options('old'));
    const spans = requestFixture().slice(0, -1);
    try {
      for (const batch of spans) await store.writer.writeSpans(batch);
      await drained(store);
    } finally {
      await store.close();
    }
    // The database as a build without rollups left it.
    for (const statement of ['DROP TABLE old.request_rollups_mv', 'DROP TABLE old.request_rollups', 'DROP TABLE old.request_rollup_coverage', 'ALTER TABLE old.schema_migrations DELETE WHERE version >= 3']) {
      expect(await sql(statement)).toBe('');
    }
    await new Promise((r) => setTimeout(r, 200));
    const reopened = await createClickHouseStore(options('old'));
    try {
      expect(Number(await sql('SELECT count() FROM old.request_rollups'))).toBe(0);
      for (const [, q] of REQUEST_QUERIES) expectRequestAnswer(await reopened.reader.aggregateRequests!(q), spans.flat(), q);
      // Older than the coverage mark: scanned, so even the histogram is the 1 % one.
      expect(await reopened.reader.aggregateRequests!(wholeSlots)).toEqual(aggregateSpans(spans.flat(), requestAggregationOf(wholeSlots)));
    } finally {
      await reopened.close();
    }
  });

  it('retention drops the rollups with the spans of the same days', async () => {
    const store = await createClickHouseStore(options('retention'));
    try {
      for (const batch of requestFixture().slice(0, 3)) await store.writer.writeSpans(batch);
      await drained(store);
      expect(Number(await sql('SELECT count() FROM retention.request_rollups'))).toBeGreaterThan(0);
      await (store as unknown as { dropExpired(nowUs: number): Promise<string[]> }).dropExpired(REQUEST_T0 + 3 * 86_400_000_000 + CENTURY_US);
      expect(Number(await sql('SELECT count() FROM retention.request_rollups'))).toBe(0);
      expect(Number(await sql('SELECT count() FROM retention.spans'))).toBe(0);
    } finally {
      await store.close();
    }
  });
});
