import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DependencyLink } from '../model/index.js';
import { compareStrings } from '../model/index.js';
import {
  computeDependencies, computeDependenciesSliced, computeMinuteEdges, computeMinuteEdgesSliced, DepColumnsBuilder, depColumnsOf, mergeDependencies,
  MINUTE_US, toDepSpan, type CountWindow, type DepSpan,
} from './dependencies.js';
import { countTurnsDuring, randomTraces, tangledSpans } from './dependencies-fixtures.js';

const T = '0000000000000000000000000000000a';

function dep(spanId: string, service: string, kind: DepSpan['kind'], fields: Partial<DepSpan> = {}): DepSpan {
  return { traceId: T, spanId: spanId.padStart(16, '0'), service, kind, error: false, ...fields };
}

function link(parent: string, child: string, callCount: number, errorCount = 0): DependencyLink {
  return { parent, child, callCount, errorCount };
}

const P1 = '1'.padStart(16, '0');
const P2 = '2'.padStart(16, '0');
const P3 = '3'.padStart(16, '0');

describe('computeDependencies', () => {
  const cases: Array<[string, DepSpan[], DependencyLink[]]> = [
    ['nothing', [], []],
    ['one service alone', [dep('1', 'a', 'server'), dep('2', 'a', 'internal', { parentSpanId: P1 })], []],
    [
      'parent and child in different services (Jaeger style)',
      [dep('1', 'a', 'server'), dep('2', 'a', 'client', { parentSpanId: P1, remoteService: 'b' }), dep('3', 'b', 'server', { parentSpanId: P2 })],
      [link('a', 'b', 1)],
    ],
    [
      'shared span id counts once, on the server half',
      [
        dep('1', 'a', 'server'),
        dep('2', 'a', 'client', { parentSpanId: P1, remoteService: 'b' }),
        dep('2', 'b', 'server', { parentSpanId: P1, shared: true }),
      ],
      [link('a', 'b', 1)],
    ],
    [
      'children of a shared id belong to the half of their own service',
      [
        dep('2', 'a', 'client', { remoteService: 'b' }),
        dep('2', 'b', 'server', { shared: true }),
        dep('3', 'b', 'client', { parentSpanId: P2, remoteService: 'c' }),
        dep('4', 'c', 'server', { parentSpanId: P3 }),
      ],
      [link('a', 'b', 1), link('b', 'c', 1)],
    ],
    [
      'a server half without the shared flag is still paired with its client',
      [dep('1', 'x', 'server'), dep('2', 'a', 'client', { parentSpanId: P1, remoteService: 'b' }), dep('2', 'b', 'server', { parentSpanId: P1 })],
      [link('a', 'b', 1), link('x', 'a', 1)],
    ],
    ['client with a remote service and no callee', [dep('1', 'a', 'client', { remoteService: 'db' })], [link('a', 'db', 1)]],
    ['producer with a remote service and no consumer', [dep('1', 'a', 'producer', { remoteService: 'kafka' })], [link('a', 'kafka', 1)]],
    [
      'messaging through a named broker: producer → broker → consumer',
      [
        dep('1', 'scheduler', 'producer', { remoteService: 'kafka' }),
        dep('2', 'worker', 'consumer', { parentSpanId: P1, remoteService: 'kafka', error: true }),
      ],
      [link('kafka', 'worker', 1, 1), link('scheduler', 'kafka', 1)],
    ],
    ['a consumer whose producer never arrived still links from its broker', [dep('2', 'worker', 'consumer', { parentSpanId: P1, remoteService: 'kafka' })], [link('kafka', 'worker', 1)]],
    [
      'a consumer naming no broker links to the producer service',
      [dep('1', 'scheduler', 'producer'), dep('2', 'worker', 'consumer', { parentSpanId: P1 })],
      [link('scheduler', 'worker', 1)],
    ],
    ['server with a remote service adds nothing by itself', [dep('1', 'b', 'server', { remoteService: 'a' })], []],
    [
      'client whose callee reports another name counts both',
      [dep('1', 'a', 'client', { remoteService: 'b-alias' }), dep('2', 'b', 'server', { parentSpanId: P1 })],
      [link('a', 'b', 1), link('a', 'b-alias', 1)],
    ],
    [
      'error on the callee side counts',
      [dep('1', 'a', 'client', { remoteService: 'b' }), dep('2', 'b', 'server', { parentSpanId: P1, error: true })],
      [link('a', 'b', 1, 1)],
    ],
    [
      'error on the caller side is ignored when the callee answered',
      [dep('1', 'a', 'client', { remoteService: 'b', error: true }), dep('2', 'b', 'server', { parentSpanId: P1 })],
      [link('a', 'b', 1, 0)],
    ],
    ['error on a caller without callee counts', [dep('1', 'a', 'client', { remoteService: 'db', error: true })], [link('a', 'db', 1, 1)]],
    ['a client naming its own service is no edge', [dep('1', 'a', 'client', { remoteService: 'a' })], []],
    [
      'parent missing from the input',
      [dep('2', 'b', 'server', { parentSpanId: P1 })],
      [],
    ],
    [
      'exact duplicates count once',
      [dep('1', 'a', 'client', { remoteService: 'db' }), dep('1', 'a', 'client', { remoteService: 'db' })],
      [link('a', 'db', 1)],
    ],
    [
      'the same ids in two traces count twice',
      [dep('1', 'a', 'client', { remoteService: 'db' }), dep('1', 'a', 'client', { remoteService: 'db', traceId: 'b'.padStart(32, '0') })],
      [link('a', 'db', 2)],
    ],
    [
      'tenants never share a trace',
      [dep('1', 'a', 'client'), dep('2', 'b', 'server', { parentSpanId: P1, tenant: 'acme' })],
      [],
    ],
    [
      'sorted by parent then child',
      [dep('1', 'z', 'client', { remoteService: 'a' }), dep('2', 'b', 'client', { remoteService: 'y' }), dep('3', 'b', 'client', { remoteService: 'c' })],
      [link('b', 'c', 1), link('b', 'y', 1), link('z', 'a', 1)],
    ],
  ];
  it.each(cases)('%s', (_name, spans, expected) => {
    expect(computeDependencies(spans)).toEqual(expected);
  });
});

/** The rules read literally (quadratic, per trace), to check the linear implementation against. */
function referenceDependencies(spans: readonly DepSpan[], window?: CountWindow): DependencyLink[] {
  const caller = (kind: DepSpan['kind']): boolean => kind === 'client' || kind === 'producer';
  const least = (list: readonly DepSpan[]): string | undefined => list.map((s) => s.service).sort(compareStrings)[0];
  const optional = (a: string | undefined, b: string | undefined): number => (a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : compareStrings(a, b));
  const rank = (a: DepSpan, b: DepSpan): number =>
    optional(a.startUs === undefined ? undefined : String(a.startUs).padStart(20, '0'), b.startUs === undefined ? undefined : String(b.startUs).padStart(20, '0')) ||
    Number(a.error) - Number(b.error) || optional(a.remoteService, b.remoteService) || optional(a.parentSpanId, b.parentSpanId);
  const traces = new Map<string, DepSpan[]>();
  for (const s of spans) {
    const key = `${s.tenant ?? ''}\n${s.traceId}`;
    traces.set(key, [...(traces.get(key) ?? []), s]);
  }
  const links = new Map<string, DependencyLink>();
  for (const trace of traces.values()) {
    const unique: DepSpan[] = [];
    for (const s of trace) {
      const same = unique.findIndex((u) => u.spanId === s.spanId && u.kind === s.kind && (u.shared === true) === (s.shared === true) && u.service === s.service);
      if (same < 0) unique.push(s);
      else if (rank(s, unique[same]!) < 0) unique[same] = s;
    }
    for (const u of unique) {
      let parent: string | undefined;
      if (u.shared === true || u.kind === 'server' || u.kind === 'consumer') {
        parent = least(unique.filter((v) => v !== u && v.spanId === u.spanId && v.shared !== true && caller(v.kind)));
      }
      if (parent === undefined && u.parentSpanId !== undefined) {
        const candidates = unique.filter((v) => v.spanId === u.parentSpanId);
        const others = candidates.filter((v) => v !== u);
        if (candidates.length === 1) parent = others[0]?.service;
        else if (others.some((v) => v.service === u.service)) parent = u.service;
        else parent = least(others.filter((v) => v.shared === true || !caller(v.kind))) ?? least(others);
      }
      const edges: Array<[string, string]> = [];
      if (u.kind === 'consumer' && u.remoteService !== undefined) edges.push([u.remoteService, u.service]);
      else if (parent !== undefined) edges.push([parent, u.service]);
      const remote = u.remoteService;
      if (remote !== undefined && caller(u.kind) && u.shared !== true) {
        const answered = unique.some((v) => (v.parentSpanId === u.spanId || (v !== u && v.spanId === u.spanId)) && v.service === remote);
        if (!answered) edges.push([u.service, remote]);
      }
      for (const [p, c] of edges) {
        if (p === c) continue;
        if (window !== undefined && (u.startUs === undefined || u.startUs < window.startUs || u.startUs > window.endUs)) continue;
        const link = links.get(`${p}\n${c}`) ?? { parent: p, child: c, callCount: 0, errorCount: 0 };
        link.callCount++;
        if (u.error) link.errorCount++;
        links.set(`${p}\n${c}`, link);
      }
    }
  }
  return [...links.values()].sort((a, b) => compareStrings(a.parent, b.parent) || compareStrings(a.child, b.child));
}

describe('computeDependencies on tangled spans', () => {
  const T0 = Date.UTC(2026, 0, 5, 10) * 1000;
  const window: CountWindow = { startUs: T0 + MINUTE_US, endUs: T0 + 2 * MINUTE_US - 1 };

  it('equals the rules read literally, with and without a window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 60 }), (seed, count) => {
        const spans = tangledSpans({ seed, spans: count, startUs: T0 }).map(toDepSpan);
        expect(computeDependencies(spans)).toEqual(referenceDependencies(spans));
        expect(computeDependencies(spans, window)).toEqual(referenceDependencies(spans, window));
      }),
      { numRuns: 400 },
    );
  });

  it('does not depend on the order of the spans', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 60 }), fc.integer(), (seed, count, shuffleSeed) => {
        const spans = tangledSpans({ seed, spans: count, startUs: T0 }).map(toDepSpan);
        const shuffled = fc.sample(fc.shuffledSubarray(spans, { minLength: spans.length }), { seed: shuffleSeed, numRuns: 1 })[0]!;
        expect(computeDependencies(shuffled)).toEqual(computeDependencies(spans));
        expect(computeMinuteEdges(shuffled, window)).toEqual(computeMinuteEdges(spans, window));
      }),
      { numRuns: 200 },
    );
  });

  it('per-minute edges add up to the window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const spans = tangledSpans({ seed, spans: 40, startUs: T0 }).map(toDepSpan);
        const whole = { startUs: T0, endUs: T0 + 3 * MINUTE_US - 1 };
        const summed = mergeDependencies([computeMinuteEdges(spans, whole).map((e) => ({ parent: e.parent, child: e.child, callCount: e.callCount, errorCount: e.errorCount }))]);
        expect(summed).toEqual(computeDependencies(spans, whole));
      }),
      { numRuns: 100 },
    );
  });

  it('columns filled directly give what DepSpan objects give', () => {
    const spans = tangledSpans({ seed: 11, spans: 300, startUs: T0 }).map(toDepSpan);
    expect(computeDependencies(depColumnsOf(spans))).toEqual(computeDependencies(spans));
    expect(computeMinuteEdges(depColumnsOf(spans), window)).toEqual(computeMinuteEdges(spans, window));
  });

  it('columns of addSpan (numeric ids, traces by traceOf) give what DepSpan objects give', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 80 }), (seed, count) => {
        const spans = [...tangledSpans({ seed, spans: count, startUs: T0 }), ...randomTraces({ seed, traces: 5, startUs: T0, spreadUs: MINUTE_US })];
        const columns = new DepColumnsBuilder();
        for (const span of spans) columns.addSpan(span);
        const deps = spans.map(toDepSpan);
        expect(computeDependencies(columns)).toEqual(computeDependencies(deps));
        expect(computeMinuteEdges(columns, window)).toEqual(computeMinuteEdges(deps, window));
      }),
      { numRuns: 200 },
    );
  });
});

describe('DepColumnsBuilder', () => {
  it('numbers traces by tenant and trace id', () => {
    const columns = new DepColumnsBuilder();
    const cases: Array<[string, [number, number, number, number, number], number]> = [
      ['a first trace', [0, 0, 0, 0, 1], 0],
      ['another id', [0, 0, 0, 1, 0], 1],
      ['the first id again', [0, 0, 0, 0, 1], 0],
      ['the first id in another tenant', [1, 0, 0, 0, 1], 2],
      ['the high words count', [0, 0xffffffff, 0, 0, 1], 3],
      ['the second id again', [0, 0, 0, 1, 0], 1],
    ];
    for (const [name, key, expected] of cases) expect([name, columns.traceOf(...key)]).toEqual([name, expected]);
    expect(columns.traceCount).toBe(4);
  });

  it('keeps numbering right past many traces (the table grows)', () => {
    const columns = new DepColumnsBuilder();
    const numbered = (step: number): number[] => {
      const wrong: number[] = [];
      for (let t = 0; t < 50_000; t += step) if (columns.traceOf(t % 3, t, 0, t >>> 3, 7) !== t) wrong.push(t);
      return wrong;
    };
    expect(numbered(1)).toEqual([]);
    expect(numbered(997)).toEqual([]);
    expect(columns.traceOf(1, 0, 0, 0, 7)).toBe(50_000);
  });

  it('reserve makes room once: later pushes keep the same arrays', () => {
    const columns = new DepColumnsBuilder({ capacity: 16 });
    columns.reserve(5000);
    const trace = columns.trace;
    for (let i = 0; i < 5000; i++) columns.push();
    expect(columns.trace).toBe(trace);
    expect(columns.count).toBe(5000);
    columns.push();
    expect(columns.trace).not.toBe(trace);
    expect(columns.trace.length).toBe(10_000);
  });
});

describe('sliced computations', () => {
  const T0 = Date.UTC(2026, 0, 5, 10) * 1000;
  const window: CountWindow = { startUs: T0 + MINUTE_US, endUs: T0 + 2 * MINUTE_US - 1 };
  const spans = randomTraces({ seed: 4, traces: 3000, startUs: T0, spreadUs: 3 * MINUTE_US }).map(toDepSpan);

  const slices: Array<[string, number]> = [['one span a slice', 1], ['uneven slices', 97], ['a few slices', 4000], ['one slice', 1_000_000]];
  it.each(slices)('give exactly the synchronous answer: %s', async (_name, sliceSpans) => {
    const columns = depColumnsOf(spans);
    expect((await countTurnsDuring(() => computeMinuteEdgesSliced(columns, window, { sliceSpans }))).result).toEqual(computeMinuteEdges(columns, window));
    expect((await countTurnsDuring(() => computeDependenciesSliced(columns, window, { sliceSpans }))).result).toEqual(computeDependencies(columns, window));
    expect((await countTurnsDuring(() => computeDependenciesSliced(spans, undefined, { sliceSpans }))).result).toEqual(computeDependencies(spans));
  });

  it('let other callbacks run between slices', async () => {
    const columns = depColumnsOf(spans);
    expect(columns.count).toBeGreaterThan(10_000);
    // The counting sort's two passes and the linking each pause every slice.
    const { turns } = await countTurnsDuring(() => computeMinuteEdgesSliced(columns, window, { sliceSpans: 1000 }));
    expect(turns).toBeGreaterThanOrEqual(Math.floor((3 * columns.count) / 1000) - 3);
    // DepSpan objects are turned into columns in slices too.
    const fromObjects = await countTurnsDuring(() => computeMinuteEdgesSliced(spans, window, { sliceSpans: 1000 }));
    expect(fromObjects.turns).toBeGreaterThanOrEqual(Math.floor((4 * spans.length) / 1000) - 4);
  });
});
