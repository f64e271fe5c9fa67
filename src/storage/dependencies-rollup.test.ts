import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DependencyLink } from '../model/index.js';
import { computeDependencies, computeMinuteEdges, MINUTE_US, toDepSpan, type DepSpan } from './dependencies.js';
import { randomTraces } from './dependencies-fixtures.js';
import {
  createDependencyRollups, createMemoryRollupTable, DEFAULT_MARGIN_US, splitRuns, type DependencySpanSource, type MinuteRange,
} from './dependencies-rollup.js';

const T0 = Date.UTC(2026, 0, 5, 10) * 1000;
const HOUR = 60 * MINUTE_US;
const SPREAD = 3 * HOUR;
/** A clock well past the data: every minute of it is due. */
const LATER = T0 + SPREAD + HOUR;

/** Spans held in an array; `arrived` plays the engine's record of recent arrivals (minute → wall-clock µs). */
function arraySource(spans: readonly DepSpan[], arrived = new Map<number, number>()): DependencySpanSource {
  return {
    async arrivals(range) {
      return new Map([...arrived].filter(([m]) => m >= range.fromUs && m < range.toUs));
    },
    async spans(q) {
      return spans.filter((s) => (q.tenant === undefined || (s.tenant ?? '') === q.tenant) && (s.startUs as number) >= q.startUsMin && (s.startUs as number) <= q.startUsMax);
    },
    async oldestStartUs() {
      return spans.reduce<number | undefined>((min, s) => (min === undefined || (s.startUs as number) < min ? s.startUs : min), undefined);
    },
  };
}

/** What a read over a range touching a settled minute must answer: every edge counted in its whole minutes. */
function perMinute(spans: readonly DepSpan[], query: { tenant?: string; endUs: number; lookbackUs: number }): DependencyLink[] {
  const fromUs = Math.floor((query.endUs - query.lookbackUs) / MINUTE_US) * MINUTE_US;
  const toUs = Math.floor(query.endUs / MINUTE_US) * MINUTE_US + MINUTE_US;
  const context = spans.filter(
    (s) => (query.tenant === undefined || (s.tenant ?? '') === query.tenant) && (s.startUs as number) >= fromUs - DEFAULT_MARGIN_US && (s.startUs as number) < toUs + DEFAULT_MARGIN_US,
  );
  return computeDependencies(context, { startUs: fromUs, endUs: toUs - 1 });
}

/** What a read over a range with no settled minute answers: its own spans only. */
function liveOnly(spans: readonly DepSpan[], query: { tenant?: string; endUs: number; lookbackUs: number }): DependencyLink[] {
  return computeDependencies(
    spans.filter((s) => (query.tenant === undefined || (s.tenant ?? '') === query.tenant) && (s.startUs as number) >= query.endUs - query.lookbackUs && (s.startUs as number) <= query.endUs),
  );
}

describe('computeMinuteEdges', () => {
  it('adds up, minute by minute, to computeDependencies over the same window', () => {
    const spans = randomTraces({ seed: 7, traces: 400, startUs: T0, spreadUs: HOUR }).map(toDepSpan);
    const window = { startUs: T0 + 10 * MINUTE_US, endUs: T0 + 40 * MINUTE_US - 1 };
    const rows = computeMinuteEdges(spans, window);
    expect(new Set(rows.map((r) => r.minuteUs)).size).toBe(30);
    const summed = new Map<string, DependencyLink>();
    for (const r of rows) {
      const key = `${r.parent}>${r.child}`;
      const link = summed.get(key) ?? { parent: r.parent, child: r.child, callCount: 0, errorCount: 0 };
      link.callCount += r.callCount;
      link.errorCount += r.errorCount;
      summed.set(key, link);
    }
    expect([...summed.values()].sort((a, b) => (a.parent + a.child < b.parent + b.child ? -1 : 1))).toEqual(computeDependencies(spans, window));
  });
});

describe('splitRuns', () => {
  const M = MINUTE_US;
  const cases: Array<[string, number[], MinuteRange, { runs: MinuteRange[]; gaps: MinuteRange[] }]> = [
    ['nothing settled', [], { fromUs: 0, toUs: 3 * M }, { runs: [], gaps: [{ fromUs: 0, toUs: 3 * M }] }],
    ['all settled', [0, M, 2 * M], { fromUs: 0, toUs: 3 * M }, { runs: [{ fromUs: 0, toUs: 3 * M }], gaps: [] }],
    [
      'holes at both ends and inside',
      [M, 2 * M, 4 * M],
      { fromUs: 0, toUs: 6 * M },
      { runs: [{ fromUs: M, toUs: 3 * M }, { fromUs: 4 * M, toUs: 5 * M }], gaps: [{ fromUs: 0, toUs: M }, { fromUs: 3 * M, toUs: 4 * M }, { fromUs: 5 * M, toUs: 6 * M }] },
    ],
    ['minutes outside the range are ignored', [0, 5 * M], { fromUs: M, toUs: 2 * M }, { runs: [], gaps: [{ fromUs: M, toUs: 2 * M }] }],
  ];
  it.each(cases)('%s', (_name, minutes, range, expected) => {
    expect(splitRuns(minutes, range)).toEqual(expected);
  });
});

describe('dependency rollups', () => {
  const spans = randomTraces({ seed: 1, traces: 1500, startUs: T0, spreadUs: SPREAD }).map(toDepSpan);

  it('settles newest first, nothing before the settle delay, and everything eventually', async () => {
    let now = T0 + SPREAD;
    const table = createMemoryRollupTable();
    const rollups = createDependencyRollups({ source: arraySource(spans), table, nowUs: () => now, batchMinutes: 30 });
    // The minute of the oldest span may be incomplete (retention): it is never settled.
    const low = Math.ceil(Math.min(...spans.map((s) => s.startUs as number)) / MINUTE_US) * MINUTE_US;
    // Due: minutes ending at least margin + 1 min ago.
    const dueEnd = T0 + SPREAD - 6 * MINUTE_US;
    expect(await rollups.settle()).toBe(30);
    expect((await table.settledMinutes({ fromUs: T0, toUs: LATER })).map((m) => m.minuteUs)).toEqual(Array.from({ length: 30 }, (_, i) => dueEnd - (30 - i) * MINUTE_US));
    expect(rollups.stats().backlogMinutes).toBe((dueEnd - low) / MINUTE_US - 30);
    now = LATER;
    // The newly due minutes come before the back-fill.
    expect(await rollups.settle()).toBe(30);
    expect(await table.settledMinutes({ fromUs: LATER - 36 * MINUTE_US, toUs: LATER })).toHaveLength(30);
    const total = (LATER - 6 * MINUTE_US - low) / MINUTE_US;
    expect(await rollups.settleAll()).toBe(total - 60);
    expect(await rollups.settle()).toBe(0);
    expect(rollups.stats()).toMatchObject({ settledMinutes: total, backlogMinutes: 0, settledMinutesTotal: total });
    // Traces are shorter than the margin: the whole period counts every edge exactly once.
    expect(await rollups.getDependencies({ endUs: LATER, lookbackUs: LATER - T0 + HOUR })).toEqual(computeDependencies(spans));
    await rollups.close();
  });

  it.each([
    ['computing unsettled minutes on every read', 0, undefined],
    ['reusing live edges and spans of unsettled minutes', HOUR, undefined],
    ['reusing live edges, keeping at most 500 spans', HOUR, 500],
  ])('answers every range as computed from spans, whatever has been settled, %s', async (_name, liveReuseUs, maxCachedSpans) => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.record({ start: fc.integer({ min: -HOUR, max: SPREAD + HOUR }), length: fc.integer({ min: 0, max: 2 * HOUR }), tenant: fc.constantFrom(undefined, '', 'acme') }), { minLength: 1, maxLength: 6 }),
        async (batches, queries) => {
          const table = createMemoryRollupTable();
          const rollups = createDependencyRollups({ source: arraySource(spans), table, nowUs: () => LATER, batchMinutes: 17, liveReuseUs, maxCachedSpans });
          for (let i = 0; i < batches; i++) await rollups.settle();
          // Twice over: the second pass reuses what the first computed live.
          for (const q of [...queries, ...queries]) {
            const query = { tenant: q.tenant, endUs: T0 + q.start + q.length, lookbackUs: q.length };
            const fromUs = Math.floor((query.endUs - query.lookbackUs) / MINUTE_US) * MINUTE_US;
            const touched = await table.settledMinutes({ fromUs, toUs: Math.floor(query.endUs / MINUTE_US) * MINUTE_US + MINUTE_US });
            const expected = touched.length > 0 ? perMinute(spans, query) : liveOnly(spans, query);
            expect(await rollups.getDependencies(query)).toEqual(expected);
          }
        },
      ),
      { numRuns: 25, seed: 42 },
    );
  });

  it('forgets minutes before a retention cutoff and answers them live', async () => {
    const table = createMemoryRollupTable();
    const rollups = createDependencyRollups({ source: arraySource(spans), table, nowUs: () => LATER });
    await rollups.settleAll();
    await rollups.deleteBefore(T0 + HOUR + 30_000_000);
    expect((await table.settledMinutes({ fromUs: T0, toUs: T0 + 2 * HOUR })).map((m) => m.minuteUs)).toEqual(Array.from({ length: 59 }, (_, i) => T0 + HOUR + (i + 1) * MINUTE_US));
    expect(rollups.stats().settledMinutes).toBe((LATER - 6 * MINUTE_US - (T0 + HOUR + MINUTE_US)) / MINUTE_US);
    const query = { endUs: T0 + HOUR - 1, lookbackUs: HOUR - 1 };
    expect(await rollups.getDependencies(query)).toEqual(liveOnly(spans, query));
  });

  it('waits until no span arrived for a minute lately, and settles a minute again after a late span', async () => {
    const arrived = new Map<number, number>();
    const late: DepSpan = { traceId: 'f'.repeat(32), spanId: '00000000000000ff', service: 'late', kind: 'client', remoteService: 'db', error: true, tenant: '', startUs: T0 + 90 * MINUTE_US };
    const held = [...spans];
    let now = LATER;
    const table = createMemoryRollupTable();
    const rollups = createDependencyRollups({ source: arraySource(held, arrived), table, nowUs: () => now });
    // Spans of minute 90 arrived a minute ago: minutes 85-95 (its context) wait for quiet.
    arrived.set(T0 + 90 * MINUTE_US, now - MINUTE_US);
    await rollups.settleAll();
    const settledMinutes = async () => (await table.settledMinutes({ fromUs: T0 + 80 * MINUTE_US, toUs: T0 + 100 * MINUTE_US })).map((m) => (m.minuteUs - T0) / MINUTE_US);
    expect(await settledMinutes()).toEqual([80, 81, 82, 83, 84, 96, 97, 98, 99]);
    expect(rollups.stats().backlogMinutes).toBe(11);
    now += 2 * MINUTE_US;
    // The 11 quiet now, and the 2 newest that became due meanwhile.
    expect(await rollups.settleAll()).toBe(13);
    expect(await settledMinutes()).toHaveLength(20);
    const minute90 = { endUs: T0 + 91 * MINUTE_US - 1, lookbackUs: MINUTE_US - 1 };
    const before = await rollups.getDependencies(minute90);
    expect(before).toEqual(perMinute(held, minute90));
    // A late span for minute 90: settled again once quiet, and counted.
    held.push(late);
    now += MINUTE_US;
    arrived.set(T0 + 90 * MINUTE_US, now);
    expect(await rollups.settleAll()).toBe(1);
    now += 2 * MINUTE_US + 1;
    expect(await rollups.settleAll()).toBe(11 + 2);
    expect(await rollups.getDependencies(minute90)).toEqual(perMinute(held, minute90));
    expect((await rollups.getDependencies(minute90)).find((l) => l.parent === 'late')).toEqual({ parent: 'late', child: 'db', callCount: 1, errorCount: 1 });
  });

  it('reuses live edges until spans arrive for their context, and recomputes only those minutes', async () => {
    const arrived = new Map<number, number>();
    const held = [...spans];
    let now = T0 + SPREAD;
    const table = createMemoryRollupTable();
    const rollups = createDependencyRollups({ source: arraySource(held, arrived), table, nowUs: () => now, liveReuseUs: 10 * MINUTE_US });
    expect(await rollups.settle()).toBe(30);
    const query = { endUs: T0 + SPREAD, lookbackUs: SPREAD };
    const minutes = SPREAD / MINUTE_US + 1;
    const counts = () => {
      const { liveMinutesReusedTotal, liveMinutesComputedTotal, liveMinutesReadTotal } = rollups.stats();
      return [liveMinutesReusedTotal, liveMinutesComputedTotal, liveMinutesReadTotal];
    };
    // Two unsettled runs (before and after the 30 settled minutes), each read with 5 minutes of margin on both sides.
    const contextMinutes = minutes - 30 + 2 * 10;
    const cases: Array<[string, () => void, number[]]> = [
      ['first read: every unsettled minute computed, every context minute read', () => undefined, [0, minutes - 30, contextMinutes]],
      ['nothing arrived: every one reused', () => undefined, [minutes - 30, 0, 0]],
      [
        'a span for minute 90 arrived at the very time of the last computation: its context (85-95) computed again, from minute 90 read again and the rest kept',
        () => {
          held.push({ traceId: 'e'.repeat(32), spanId: '00000000000000ee', service: 'late', kind: 'producer', remoteService: 'queue', error: false, tenant: '', startUs: T0 + 90 * MINUTE_US + 5 });
          arrived.set(T0 + 90 * MINUTE_US, now);
        },
        [minutes - 30 - 11, 11, 1],
      ],
      ['a µs later: those began at the arrival\'s time, so they are computed and read once more', () => (now += 1), [minutes - 30 - 11, 11, 1]],
      ['nothing arrived since: reused again', () => undefined, [minutes - 30, 0, 0]],
      ['past the reuse time: computed and read again', () => (now += 10 * MINUTE_US), [0, minutes - 30, contextMinutes]],
    ];
    for (const [name, step, expected] of cases) {
      step();
      const before = counts();
      expect(await rollups.getDependencies(query), name).toEqual(perMinute(held, query));
      const after = counts();
      expect(after.map((n, i) => n - before[i]!), name).toEqual(expected);
    }
    expect((await rollups.getDependencies(query)).find((l) => l.parent === 'late')).toEqual({ parent: 'late', child: 'queue', callCount: 1, errorCount: 0 });
  });
});
