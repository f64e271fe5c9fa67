import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import type { Payload, RequestAggregation, Store } from '../api.js';
import { dedupeSpans } from '../dedupe.js';
import { aggregateSpans } from '../predicate.js';
import { coarsenHistogram, requestAggregationOf, ROLLUP_SLOT_US } from '../requests.js';
import { expectRequestAnswer, REQUEST_QUERIES, REQUEST_T0, requestFixture, runRequestConformance } from '../requests-conformance.js';
import { createEmbeddedStore, type EmbeddedStoreOptions } from './index.js';
import { openSpanTable, type SpanTable } from './span-table.js';

const decode = (payload: Payload): Span[] => JSON.parse(payload.bytes.toString('utf8')) as Span[];
const CENTURY_US = 100 * 365 * 24 * 3_600_000_000;

async function drain(store: Store): Promise<void> {
  while (store.stats().bufferedSpans > 0) await new Promise((r) => setTimeout(r, 5));
}

/** An embedded store in a fresh dir; `forget` makes reopen first drop the rollups, as a data dir from before they existed. */
function target(extra: Partial<EmbeddedStoreOptions>, flushed: boolean, forget = false) {
  let dir = '';
  const options = (): EmbeddedStoreOptions => ({ dataDir: dir, decode, retentionUs: CENTURY_US, maxDiskBytes: 0, ...extra });
  return {
    async open() {
      dir = await mkdtemp(join(tmpdir(), 'ariadne-rollups-'));
      return createEmbeddedStore(options());
    },
    settle: flushed ? drain : undefined,
    async reopen(store: Store) {
      await store.close();
      if (forget) await forgetRollups(join(dir, 'spans.duckdb'));
      return createEmbeddedStore(options());
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Drops the rollup tables and their meta key straight in DuckDB. */
async function forgetRollups(file: string): Promise<void> {
  const db = await DuckDBInstance.create(file);
  const c = await db.connect();
  await c.run('DROP TABLE request_rollups');
  await c.run('DROP TABLE request_rollup_fresh');
  await c.run('DROP TABLE request_service_rollups');
  await c.run(`DELETE FROM meta WHERE key = 'request_rollups'`);
  c.closeSync();
  db.closeSync();
}

runRequestConformance('embedded, spans in the buffer', target({ flushSpans: 1_000_000 }, false));
// The batch written twice is left out: a span with one copy flushed and one buffered counts twice
// in the figures (a known limit of merging the buffer's figures with DuckDB's).
runRequestConformance('embedded, spans partly flushed while read', { ...target({ flushSpans: 400 }, false), withoutResent: true });
runRequestConformance('embedded, spans flushed to DuckDB, then reopened', target({ flushSpans: 1 }, true));
runRequestConformance('embedded, reopened without rollups (filled from the spans at open)', target({ flushSpans: 1 }, true, true));

describe('embedded request rollups in DuckDB', () => {
  let dir = '';
  let table: SpanTable | undefined;
  afterEach(async () => {
    await table?.close();
    table = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function loaded(): Promise<{ table: SpanTable; spans: Span[] }> {
    dir = await mkdtemp(join(tmpdir(), 'ariadne-rollup-table-'));
    table = await openSpanTable({ file: join(dir, 'spans.duckdb'), stagingDir: dir });
    const batches = requestFixture();
    let mark = 0;
    for (const batch of batches) await table.insert(batch, ++mark);
    return { table, spans: batches.flat() };
  }

  const rows = async (t: SpanTable): Promise<number> => Number((await t.query('SELECT count(*) FROM request_rollups'))[0]![0]);

  it('answers whole slots from the rollups: the histogram is the coarse one', async () => {
    const { table: t, spans } = await loaded();
    const q: RequestAggregation = { startUsMin: REQUEST_T0, startUsMax: REQUEST_T0 + 16 * ROLLUP_SLOT_US - 1, groupBy: [{ ref: { field: 'service' } }], maxGroups: 10 };
    const { groups } = await t.aggregateRequests(q);
    const reference = aggregateSpans(spans, requestAggregationOf(q));
    expect(groups).toEqual(reference.map((g) => ({ ...g, measures: g.measures.map((m) => ({ ...m, histogram: coarsenHistogram(m.histogram!) })) })));
  });

  it('merging rewrites fresh slots into one row per key and changes no answer', async () => {
    const { table: t, spans } = await loaded();
    const before = await rows(t);
    expect(await t.mergeRollups({ minFresh: 1_000_000 })).toBe(false);
    expect(await t.mergeRollups({ force: true })).toBe(true);
    const after = await rows(t);
    expect(after).toBeLessThan(before);
    const distinct = Number((await t.query('SELECT count(*) FROM (SELECT DISTINCT slot_us, tenant, service, operation, bucket FROM request_rollups)'))[0]![0]);
    expect(after).toBe(distinct);
    expect(Number((await t.query('SELECT count(*) FROM request_rollup_fresh'))[0]![0])).toBe(0);
    for (const [, q] of REQUEST_QUERIES) expectRequestAnswer((await t.aggregateRequests(q)).groups, spans, q);
  });

  it('stores nothing twice: a flush of spans already stored adds no rollup rows', async () => {
    const { table: t, spans } = await loaded();
    const before = await rows(t);
    await t.insert(requestFixture()[3]!, 100);
    expect(await rows(t)).toBe(before);
    for (const [, q] of REQUEST_QUERIES) expectRequestAnswer((await t.aggregateRequests(q)).groups, spans, q);
  });

  it.for([
    ['a cutoff inside a slot', REQUEST_T0 + 97 * 60_000_000 + 13],
    ['a cutoff on a slot boundary', REQUEST_T0 + 8 * ROLLUP_SLOT_US],
  ] as const)('retention drops the rollups with their spans: %s', async ([, cutoff]) => {
    const { table: t, spans } = await loaded();
    const deleted = await t.deleteBefore(cutoff);
    const kept = dedupeSpans(spans).filter((s) => s.startUs >= cutoff);
    expect(deleted).toBe(dedupeSpans(spans).length - kept.length);
    expect(Number((await t.query('SELECT count(*) FROM request_rollups WHERE slot_us + ? <= ?', [ROLLUP_SLOT_US, cutoff]))[0]![0])).toBe(0);
    for (const [, q] of REQUEST_QUERIES) expectRequestAnswer((await t.aggregateRequests(q)).groups, kept, q);
    // The whole day in one group: every figure equals the spans left.
    const all: RequestAggregation = { startUsMin: REQUEST_T0 - ROLLUP_SLOT_US, startUsMax: REQUEST_T0 + 20 * ROLLUP_SLOT_US - 1, groupBy: [], maxGroups: 1 };
    expectRequestAnswer((await t.aggregateRequests(all)).groups, kept, all);
  });
});
