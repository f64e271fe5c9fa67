import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import type { Payload } from '../api.js';
import { dedupeSpans } from '../dedupe.js';
import {
  computeDependencies, computeMinuteEdges, computeMinuteEdgesSliced, MINUTE_US, toDepSpan, type CountWindow,
} from '../dependencies.js';
import { countTurnsDuring, randomTraces, tangledSpans } from '../dependencies-fixtures.js';
import { createEmbeddedStore, type EmbeddedStore, type EmbeddedStoreOptions } from './store.js';

const HOUR = 60 * MINUTE_US;
/** Data starts three hours before the real clock, so its minutes are long due. */
const T0 = Math.floor(Date.now() * 1000 / MINUTE_US) * MINUTE_US - 3 * HOUR;
const CENTURY_US = 100 * 365 * 24 * HOUR;

function decode(payload: Payload): Span[] {
  return JSON.parse(payload.bytes.toString('utf8')) as Span[];
}

/** A deterministic shuffle (mulberry32), so a trace's spans land on both sides of a flush. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function openStore(dir: string, extra: Partial<EmbeddedStoreOptions> = {}): Promise<EmbeddedStore> {
  return createEmbeddedStore({
    dataDir: dir, decode, retentionUs: CENTURY_US, maxDiskBytes: 0, flushIntervalMs: 600_000,
    dependencies: { background: false, quietUs: 0 },
    ...extra,
  });
}

/** Writes `flushed` and waits until it is in DuckDB, then writes `buffered`, which stays in the buffer. */
async function load(store: EmbeddedStore, flushed: readonly Span[], buffered: readonly Span[]): Promise<void> {
  for (let i = 0; i < flushed.length; i += 1000) await store.writer.writeSpans(flushed.slice(i, i + 1000));
  while (store.stats().extra.flushed_spans_total === 0) await new Promise((r) => setTimeout(r, 10));
  for (let i = 0; i < buffered.length; i += 1000) await store.writer.writeSpans(buffered.slice(i, i + 1000));
}

describe('embedded dependency columns', () => {
  // A third tenant, for every seventh trace.
  const random = randomTraces({ seed: 7, traces: 1500, startUs: T0, spreadUs: 30 * MINUTE_US }).map((s) =>
    Number.parseInt(s.traceId.slice(-4), 16) % 7 === 0 ? { ...s, tenant: 'umbrella' } : s,
  );
  // The same trace and span ids in another tenant: never one trace with the originals.
  const otherTenant = random.slice(0, 300).map((s) => ({ ...s, tenant: s.tenant === 'acme' ? '' : 'acme' }));
  const tangled = tangledSpans({ seed: 5, spans: 400, startUs: T0 + 10 * MINUTE_US });
  const all = shuffled([...random, ...otherTenant, ...tangled], 11);
  const cut = Math.floor(all.length * 0.6);
  // Some spans arrive again after their first copy was flushed.
  const flushed = all.slice(0, cut);
  const buffered = [...all.slice(cut), ...flushed.slice(0, 50)];
  let dir = '';
  let store: EmbeddedStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ariadne-dep-columns-'));
    store = await openStore(dir, { flushSpans: flushed.length });
    await load(store, flushed, buffered);
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds spans both flushed and buffered', () => {
    const flushedTotal = store.stats().extra.flushed_spans_total as number;
    expect(flushedTotal).toBeGreaterThan(1000);
    expect(flushedTotal).toBeLessThan(flushed.length + 1);
  });

  const whole = { startUsMin: T0 - MINUTE_US, startUsMax: T0 + 40 * MINUTE_US };
  const inner: CountWindow = { startUs: T0 + 5 * MINUTE_US, endUs: T0 + 25 * MINUTE_US - 1 };
  const queries: Array<[string, { tenant?: string; startUsMin: number; startUsMax: number }]> = [
    ['everything, every tenant', whole],
    ['everything, default tenant', { ...whole, tenant: '' }],
    ['everything, tenant acme', { ...whole, tenant: 'acme' }],
    ['everything, tenant umbrella', { ...whole, tenant: 'umbrella' }],
    ['a tenant without spans', { ...whole, tenant: 'nobody' }],
    ['ragged window, every tenant', { startUsMin: T0 + 7 * MINUTE_US + 123, startUsMax: T0 + 19 * MINUTE_US - 77 }],
    ['the tangled minutes, every tenant', { startUsMin: T0 + 10 * MINUTE_US, startUsMax: T0 + 13 * MINUTE_US }],
    ['no span at all', { startUsMin: T0 - 2 * HOUR, startUsMax: T0 - HOUR }],
  ];

  /** What the store holds: the first flush keeps the first of exact duplicates (dedupeSpans), the buffer keeps all. */
  const held = [...dedupeSpans(flushed), ...buffered].map(toDepSpan);

  it.each(queries)('columns give the edges of the spans held, as DepSpan objects do: %s', async (_name, query) => {
    const reference = held.filter(
      (s) => (query.tenant === undefined || (s.tenant ?? '') === query.tenant) && (s.startUs as number) >= query.startUsMin && (s.startUs as number) <= query.startUsMax,
    );
    const columns = await store.dependencySource.columns(query);
    const spans = await store.dependencySource.spans(query);
    expect([columns.count, spans.length]).toEqual([reference.length, reference.length]);
    const links = computeDependencies(reference);
    expect(computeDependencies(columns)).toEqual(links);
    expect(computeDependencies(spans)).toEqual(links);
    expect(computeDependencies(columns, inner)).toEqual(computeDependencies(reference, inner));
    const minutes = computeMinuteEdges(reference, inner);
    expect(computeMinuteEdges(columns, inner)).toEqual(minutes);
    expect(computeMinuteEdges(spans, inner)).toEqual(minutes);
    expect(await computeMinuteEdgesSliced(columns, inner, { sliceSpans: 97 })).toEqual(minutes);
  });

  it('the settler stores what the spans held give', async () => {
    expect(await store.settleDependencies()).toBeGreaterThan(30);
    // Traces are shorter than the margin: the whole period counts every edge once.
    expect(await store.dependencies.getDependencies({ endUs: T0 + 2 * HOUR, lookbackUs: 3 * HOUR })).toEqual(computeDependencies(held));
  });
});

describe('embedded dependency settler', () => {
  let dir = '';
  let store: EmbeddedStore;
  const spans = randomTraces({ seed: 21, traces: 9000, startUs: T0, spreadUs: 40 * MINUTE_US });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ariadne-dep-settler-'));
    store = await openStore(dir, { flushSpans: 20_000 });
    await load(store, spans.slice(0, 20_000), spans.slice(20_000));
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets other callbacks run while it settles tens of thousands of spans', async () => {
    expect(spans.length).toBeGreaterThan(30_000);
    const { result: settled, turns } = await countTurnsDuring(() => store.settleDependencies());
    expect(settled).toBeGreaterThan(40);
    expect(turns).toBeGreaterThan(0);
    expect(await store.dependencies.getDependencies({ endUs: T0 + 2 * HOUR, lookbackUs: 3 * HOUR })).toEqual(computeDependencies(spans.map(toDepSpan)));
  });
});
