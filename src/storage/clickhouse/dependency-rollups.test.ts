import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouseProcess } from '../../../test/clickhouse/server.js';
import { describeOnEachEngine } from '../../../test/clickhouse/engines.js';
import { computeDependencies, computeMinuteEdges, MINUTE_US, toDepSpan } from '../dependencies.js';
import { perMinuteDependencies, randomTraces, tangledSpans } from '../dependencies-fixtures.js';
import { DEFAULT_MARGIN_US } from '../dependencies-rollup.js';
import { clickHouseDependencySource, clickHouseRollupTable, type ClickHouseAccess } from './dependency-rollups.js';
import { createClickHouseStore, type ClickHouseStoreOptions } from './index.js';
import { quoteIdentifier } from './sql.js';

const HOUR = 60 * MINUTE_US;
const T0 = Math.floor((Date.now() * 1000) / MINUTE_US) * MINUTE_US - 4 * HOUR;
const CENTURY_US = 100 * 365 * 24 * HOUR;

describeOnEachEngine('ClickHouse dependency rollups', (engine) => {
  let server: ClickHouseProcess;
  /** Added to the real clock: moving it forward lets the quiet period pass without waiting. */
  let shiftUs = 0;
  const options = (database: string): ClickHouseStoreOptions => ({
    url: server.url, database, retentionUs: CENTURY_US, batchIntervalMs: 5,
    dependencies: { background: false, nowUs: () => Date.now() * 1000 + shiftUs },
  });
  const sql = async (query: string): Promise<string> => (await fetch(`${server.url}/`, { method: 'POST', body: query })).text();
  const spans = randomTraces({ seed: 5, traces: 2000, startUs: T0, spreadUs: 3 * HOUR });
  const deps = spans.map(toDepSpan);
  const ranges: Array<[string, { tenant?: string; endUs: number; lookbackUs: number }]> = [
    ['the whole period, every tenant', { endUs: T0 + 4 * HOUR, lookbackUs: 5 * HOUR }],
    ['ragged edges, tenant acme', { tenant: 'acme', endUs: T0 + 2 * HOUR + 17_000_123, lookbackUs: 95 * MINUTE_US + 3_000_000 }],
    ['a single minute', { endUs: T0 + 30 * MINUTE_US + 59_999_999, lookbackUs: MINUTE_US - 1 }],
  ];

  beforeAll(async () => {
    server = await engine.start();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('settles once quiet; two nodes settling together count every call once; a new node reads the settled minutes', async () => {
    const a = await createClickHouseStore(options('deps'));
    const b = await createClickHouseStore(options('deps'));
    try {
      for (let i = 0; i < spans.length; i += 2000) await a.writer.writeSpans(spans.slice(i, i + 2000));
      // Just arrived: nothing within the data is settled yet, reads are live.
      await a.settleDependencies();
      expect(await a.dependencies.getDependencies(ranges[0]![1])).toEqual(computeDependencies(deps));
      shiftUs = 3 * MINUTE_US;
      const [na, nb] = await Promise.all([a.settleDependencies(), b.settleDependencies()]);
      expect(na + nb).toBeGreaterThan(180);
      for (const [, query] of ranges) {
        const expected = perMinuteDependencies(deps, query, DEFAULT_MARGIN_US);
        expect(await a.dependencies.getDependencies(query)).toEqual(expected);
        expect(await b.dependencies.getDependencies(query)).toEqual(expected);
      }
      expect(await a.dependencies.getDependencies(ranges[0]![1])).toEqual(computeDependencies(deps));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const c = await createClickHouseStore(options('deps'));
    try {
      expect(await c.settleDependencies()).toBe(0);
      for (const [, query] of ranges) expect(await c.dependencies.getDependencies(query)).toEqual(perMinuteDependencies(deps, query, DEFAULT_MARGIN_US));
    } finally {
      await c.close();
    }
  });

  /** Access to a database over plain HTTP, as the engine has it. */
  const access = (database: string): ClickHouseAccess => {
    const db = quoteIdentifier(database);
    return {
      db,
      rows: async (query) => (JSON.parse(await sql(`${query} FORMAT JSONCompact`)) as { data: unknown[][] }).data,
      stream: async (query, onChunk) => {
        // Cut the answer into small pieces, so rows straddle chunks.
        const all = Buffer.from(await (await fetch(`${server.url}/`, { method: 'POST', body: query })).arrayBuffer());
        for (let at = 0; at < all.length; at += 7) onChunk(all.subarray(at, at + 7));
      },
      insert: async (table, lines) => {
        const res = await fetch(`${server.url}/?query=${encodeURIComponent(`INSERT INTO ${db}.${table} FORMAT JSONEachRow`)}`, { method: 'POST', body: lines });
        expect(res.status).toBe(200);
      },
    };
  };

  it('spans read back as columns link exactly as the spans written, whatever ties they hold', async () => {
    const store = await createClickHouseStore(options('tangled'));
    try {
      const written = [1, 2, 3, 4, 5, 6, 7, 8].flatMap((seed) => tangledSpans({ seed: seed * 7919, spans: 60, startUs: T0 }));
      await store.writer.writeSpans(written);
      const deps = written.map(toDepSpan);
      const source = clickHouseDependencySource(access('tangled'));
      const all = { startUsMin: T0, startUsMax: T0 + 3 * MINUTE_US };
      const window = { startUs: T0 + MINUTE_US, endUs: T0 + 2 * MINUTE_US - 1 };
      const columns = await source.columns(all);
      expect(columns.count).toBe(written.length);
      expect(computeMinuteEdges(columns, window)).toEqual(computeMinuteEdges(deps, window));
      expect(computeDependencies(columns)).toEqual(computeDependencies(deps));
      expect(computeDependencies(await source.spans(all))).toEqual(computeDependencies(deps));
      expect(computeDependencies(await source.columns({ ...all, tenant: 'acme' }))).toEqual(computeDependencies(deps.filter((d) => d.tenant === 'acme')));
      // Nothing is settled: the store answers live, from the same columns.
      expect(await store.dependencies.getDependencies({ endUs: T0 + 3 * MINUTE_US, lookbackUs: 3 * MINUTE_US })).toEqual(computeDependencies(deps));
    } finally {
      await store.close();
    }
  });

  it('the same minutes stored by two settles, or one insert twice, count once: the latest settle wins', async () => {
    const store = await createClickHouseStore(options('twice'));
    await store.close();
    const db = quoteIdentifier('twice');
    const rows = async (query: string): Promise<unknown[][]> => {
      const text = await sql(`${query} FORMAT JSONCompact`);
      return (JSON.parse(text) as { data: unknown[][] }).data;
    };
    const insert = async (table: string, lines: string): Promise<void> => {
      const res = await fetch(`${server.url}/?query=${encodeURIComponent(`INSERT INTO ${db}.${table} FORMAT JSONEachRow`)}`, { method: 'POST', body: lines });
      expect(res.status).toBe(200);
    };
    const table = clickHouseRollupTable({ db, rows, stream: async () => undefined, insert });
    const minutes = [T0, T0 + MINUTE_US];
    const edges = [
      { minuteUs: T0, tenant: '', parent: 'a', child: 'b', callCount: 3, errorCount: 1 },
      { minuteUs: T0 + MINUTE_US, tenant: 'acme', parent: 'a', child: 'b', callCount: 2, errorCount: 0 },
      { minuteUs: T0 + MINUTE_US, tenant: '', parent: 'b', child: 'c', callCount: 1, errorCount: 1 },
    ];
    await table.store(minutes, edges, 100);
    await table.store(minutes, edges, 100);
    await table.store(minutes, edges, 200);
    const all = [{ fromUs: T0, toUs: T0 + 2 * MINUTE_US }];
    expect(await table.sum({ ranges: all })).toEqual([
      { parent: 'a', child: 'b', callCount: 5, errorCount: 1 },
      { parent: 'b', child: 'c', callCount: 1, errorCount: 1 },
    ]);
    expect(await table.sum({ tenant: 'acme', ranges: all })).toEqual([{ parent: 'a', child: 'b', callCount: 2, errorCount: 0 }]);
    // A later settle of minute T0 without the a → b edge: its rows alone count.
    await table.store([T0], [{ minuteUs: T0, tenant: '', parent: 'a', child: 'z', callCount: 1, errorCount: 0 }], 300);
    expect(await table.sum({ ranges: [{ fromUs: T0, toUs: T0 + MINUTE_US }] })).toEqual([{ parent: 'a', child: 'z', callCount: 1, errorCount: 0 }]);
    expect(await table.settledMinutes(all[0]!)).toEqual([{ minuteUs: T0, settledAtUs: 300 }, { minuteUs: T0 + MINUTE_US, settledAtUs: 200 }]);
  });
});
