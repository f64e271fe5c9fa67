import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DependencyLink, Span } from '../../model/index.js';
import type { Payload } from '../api.js';
import { computeDependencies, MINUTE_US, toDepSpan, type DepSpan } from '../dependencies.js';
import { perMinuteDependencies, randomTraces } from '../dependencies-fixtures.js';
import { DEFAULT_MARGIN_US } from '../dependencies-rollup.js';
import { openDependencyRollupTable } from './dependency-rollups.js';
import { openSpanTable } from './span-table.js';
import { createEmbeddedStore, type EmbeddedStore, type EmbeddedStoreOptions } from './store.js';

const HOUR = 60 * MINUTE_US;
/** Data starts four hours before the real clock, so the engine's own retention clock applies to it. */
const T0 = Math.floor(Date.now() * 1000 / MINUTE_US) * MINUTE_US - 4 * HOUR;
const CENTURY_US = 100 * 365 * 24 * HOUR;

function decode(payload: Payload): Span[] {
  return JSON.parse(payload.bytes.toString('utf8')) as Span[];
}

const perMinute = (spans: readonly DepSpan[], query: { tenant?: string; endUs: number; lookbackUs: number }): DependencyLink[] =>
  perMinuteDependencies(spans, query, DEFAULT_MARGIN_US);

describe('embedded dependency rollups', () => {
  const spans = randomTraces({ seed: 3, traces: 3000, startUs: T0, spreadUs: 3 * HOUR });
  const deps = spans.map(toDepSpan);
  let dir = '';
  /** Added to the real clock: moving it forward lets the quiet period pass without waiting. */
  let shiftUs = 0;
  const options = (extra: Partial<EmbeddedStoreOptions> = {}): EmbeddedStoreOptions => ({
    dataDir: dir, decode, retentionUs: CENTURY_US, maxDiskBytes: 0, flushSpans: 4000,
    dependencies: { background: false, nowUs: () => Date.now() * 1000 + shiftUs },
    ...extra,
  });
  let store: EmbeddedStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ariadne-deps-'));
    store = await createEmbeddedStore(options());
    for (let i = 0; i < spans.length; i += 1000) await store.writer.writeSpans(spans.slice(i, i + 1000));
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const ranges: Array<[string, { tenant?: string; endUs: number; lookbackUs: number }]> = [
    ['the whole period, every tenant', { endUs: T0 + 4 * HOUR, lookbackUs: 5 * HOUR }],
    ['one hour inside, default tenant', { tenant: '', endUs: T0 + 2 * HOUR, lookbackUs: HOUR }],
    ['ragged edges, tenant acme', { tenant: 'acme', endUs: T0 + 2 * HOUR + 17_000_123, lookbackUs: 95 * MINUTE_US + 3_000_000 }],
    ['a single minute', { endUs: T0 + 30 * MINUTE_US + 59_999_999, lookbackUs: MINUTE_US - 1 }],
    ['the last minutes, not all due yet', { endUs: T0 + 3 * HOUR + 10 * MINUTE_US, lookbackUs: 30 * MINUTE_US }],
  ];

  it('settles no minute whose spans arrived lately, and answers those live', async () => {
    // Only the empty minutes after the data (beyond its margin) are quiet.
    await store.settleDependencies();
    const query = ranges[2]![1];
    const inRange = deps.filter((s) => s.tenant === query.tenant && (s.startUs as number) >= query.endUs - query.lookbackUs && (s.startUs as number) <= query.endUs);
    expect(await store.dependencies.getDependencies(query)).toEqual(computeDependencies(inRange));
  });

  it('once quiet, settles every due minute; reads equal the per-minute computation over the same spans', async () => {
    shiftUs = 3 * MINUTE_US;
    expect(await store.settleDependencies()).toBeGreaterThan(180);
    // From the first whole minute after the oldest span to the last minute ended margin + 1 min ago.
    const oldest = Math.min(...spans.map((s) => s.startUs));
    const due = Math.floor((Date.now() * 1000 + shiftUs - DEFAULT_MARGIN_US - MINUTE_US) / MINUTE_US) - Math.ceil(oldest / MINUTE_US);
    expect(Math.abs((store.stats().extra.dependency_settled_minutes as number) - due)).toBeLessThanOrEqual(1);
    for (const [, query] of ranges) expect(await store.dependencies.getDependencies(query)).toEqual(perMinute(deps, query));
    // Traces are shorter than the margin: the whole period counts every edge once.
    expect(await store.dependencies.getDependencies(ranges[0]![1])).toEqual(computeDependencies(deps));
  });

  it('settling again changes nothing', async () => {
    expect(await store.settleDependencies()).toBe(0);
    for (const [, query] of ranges) expect(await store.dependencies.getDependencies(query)).toEqual(perMinute(deps, query));
  });

  it('keeps settled minutes across close and reopen', async () => {
    const before = store.stats().extra.dependency_settled_minutes;
    await store.close();
    store = await createEmbeddedStore(options());
    expect(await store.settleDependencies()).toBe(0);
    expect(store.stats().extra.dependency_settled_minutes).toBe(before);
    for (const [, query] of ranges) expect(await store.dependencies.getDependencies(query)).toEqual(perMinute(deps, query));
  });

  it('retention deletes the rollups of the spans it deletes', async () => {
    await store.close();
    // 2.5 h: the cutoff falls inside the second hour of data.
    store = await createEmbeddedStore(options({ retentionUs: 150 * MINUTE_US }));
    while (store.stats().extra.retention_deleted_spans_total === 0) await new Promise((r) => setTimeout(r, 20));
    const cutoff = Date.now() * 1000 - 150 * MINUTE_US;
    expect(await store.settleDependencies()).toBe(0);
    const settledMinutes = store.stats().extra.dependency_settled_minutes as number;
    const lastDue = Math.floor((Date.now() * 1000 + shiftUs - DEFAULT_MARGIN_US - MINUTE_US) / MINUTE_US);
    expect(Math.abs(settledMinutes - (lastDue - Math.ceil(cutoff / MINUTE_US)))).toBeLessThanOrEqual(1);
    // Before the cutoff nothing is left, rollups included.
    expect(await store.dependencies.getDependencies({ endUs: T0 + HOUR, lookbackUs: 2 * HOUR })).toEqual([]);
    // After it, the minutes settled before keep what they counted with their whole context.
    const after = Math.ceil(cutoff / MINUTE_US) * MINUTE_US + MINUTE_US;
    const query = { endUs: T0 + 3 * HOUR, lookbackUs: T0 + 3 * HOUR - after };
    expect(await store.dependencies.getDependencies(query)).toEqual(perMinute(deps, query));
  });
});

describe('embedded rollup table', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ariadne-rollup-table-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('storing the same minutes twice equals storing them once, and a later settle replaces the rows', async () => {
    const spanTable = await openSpanTable({ file: join(dir, 'spans.duckdb'), stagingDir: dir });
    try {
      const table = await openDependencyRollupTable(spanTable);
      const m = [T0, T0 + MINUTE_US];
      const edges = [
        { minuteUs: T0, tenant: '', parent: 'a', child: 'b', callCount: 3, errorCount: 1 },
        { minuteUs: T0 + MINUTE_US, tenant: 'acme', parent: 'a', child: 'b', callCount: 2, errorCount: 0 },
        { minuteUs: T0 + MINUTE_US, tenant: '', parent: 'b', child: 'c', callCount: 1, errorCount: 1 },
      ];
      await table.store(m, edges, 100);
      await table.store(m, edges, 200);
      const ranges = [{ fromUs: T0, toUs: T0 + 2 * MINUTE_US }];
      expect(await table.sum({ ranges })).toEqual([
        { parent: 'a', child: 'b', callCount: 5, errorCount: 1 },
        { parent: 'b', child: 'c', callCount: 1, errorCount: 1 },
      ]);
      expect(await table.sum({ tenant: 'acme', ranges })).toEqual([{ parent: 'a', child: 'b', callCount: 2, errorCount: 0 }]);
      expect(await table.settledMinutes(ranges[0]!)).toEqual([{ minuteUs: T0, settledAtUs: 200 }, { minuteUs: T0 + MINUTE_US, settledAtUs: 200 }]);
      await table.store([T0], [{ minuteUs: T0, tenant: '', parent: 'a', child: 'z', callCount: 1, errorCount: 0 }], 300);
      expect(await table.sum({ ranges: [{ fromUs: T0, toUs: T0 + MINUTE_US }] })).toEqual([{ parent: 'a', child: 'z', callCount: 1, errorCount: 0 }]);
      await table.deleteBefore(T0 + 1);
      expect(await table.settledMinutes(ranges[0]!)).toEqual([{ minuteUs: T0 + MINUTE_US, settledAtUs: 200 }]);
      expect(await table.sum({ ranges })).toEqual([
        { parent: 'a', child: 'b', callCount: 2, errorCount: 0 },
        { parent: 'b', child: 'c', callCount: 1, errorCount: 1 },
      ]);
    } finally {
      await spanTable.close();
    }
  });
});
