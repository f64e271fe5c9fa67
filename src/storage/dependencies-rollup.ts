/**
 * Dependency rollups: edge counts per minute, settled in the background as spans arrive, so a
 * dependency graph over any range sums a few stored rows per minute instead of reading every span
 * of the range.
 *
 * Rules (the engines only store and sum what this module computes):
 * - An edge belongs to the minute its counting span starts in (CountWindow in dependencies.ts).
 *   Minute M's edges are computed from the spans starting in [M − margin, M + 1 min + margin], so
 *   a trace is seen whole when it lasts less than the margin; a longer one may show a call as a
 *   leaf edge to its remote service, or miss a parent → child call whose parent lies further away.
 * - A minute is due once it ended more than the settle delay ago (span time; default margin + 1 min)
 *   and no span starting within its context has arrived for the quiet period (wall time; default
 *   2 min). Then its edges are stored with a settled mark carrying the settle time. A span arriving
 *   later for a settled minute's context makes that minute due again once quiet: it is settled
 *   again, replacing its rows. An engine that cannot tell arrivals (e.g. data found at start)
 *   treats them as long past.
 * - A range with no settled minute is answered live over its own spans only, exactly as before
 *   rollups existed (so a window sees only its own spans as context). A range touching a settled
 *   minute is answered per whole minute: the range is widened to the minutes it touches, settled
 *   minutes are summed from the store, and each run of unsettled minutes is computed live with the
 *   same margin of context, so the answer is the same whether or not a minute has been settled.
 * - The settler works newest first: fresh minutes as they become final, then older unsettled ones
 *   back to the oldest retained span (a back-fill over existing data gives recent ranges first).
 * - Optionally (liveReuseUs), the edges a read computed live for an unsettled minute are kept per
 *   minute and tenant scope and reused while no span has arrived for that minute's context since
 *   they were computed: a later live computation would read the same spans and give the same edges.
 *   Only the minutes whose context got spans are computed again, with their margins; the spans of
 *   each context minute are kept too while none arrives for it, so a recomputation of the newest
 *   minutes reads from the engine only the minutes that got spans since.
 *
 * LIVE_REUSE_NOTE: the embedded engine, 2M workload spans over 5 h (the density of 10M a day:
 * ~7k spans a minute, so a live minute with its margins reads ~75k spans, 250-450 ms of which go
 * to turning DuckDB's rows into JS values), 2 cores at load 7-10, a graph of the last 24 h:
 *   data in the past, every unsettled minute computed on each read    260-1570 ms
 *   the same, live edges reused                                          6-47 ms (first read 463 ms)
 *   50 spans arriving in the newest minute before each read, computed   460-1670 ms
 *   the same, live edges and context minutes reused                      9-46 ms
 */
import type { DependencyLink } from '../model/index.js';
import type { DependencyReader, TenantScope } from './api.js';
import {
  computeDependenciesSliced, computeMinuteEdgesSliced, mergeDependencies, MINUTE_US, type DepColumns, type DepSpan, type MinuteEdge,
} from './dependencies.js';

/** Consecutive minutes [fromUs, toUs); both are multiples of MINUTE_US. */
export interface MinuteRange {
  fromUs: number;
  toUs: number;
}

/** Where an engine's spans are read from, for settling and for the live parts of a read. */
export interface DependencySpanSource {
  /** Every span of the scope starting in [startUs, endUs] (inclusive) that the engine holds, buffered or stored, with startUs set. */
  spans(query: TenantScope & { startUsMin: number; startUsMax: number }): Promise<DepSpan[]>;
  /**
   * Optionally, the same spans as columns (engines that can fill them from storage directly skip
   * building a DepSpan object per span); used wherever the spans are only linked, not kept.
   */
  columns?(query: TenantScope & { startUsMin: number; startUsMax: number }): Promise<DepColumns>;
  /** Start of the oldest span held, undefined when there is none. */
  oldestStartUs(): Promise<number | undefined>;
  /**
   * For the minutes of `range` that received spans lately: minute → latest wall-clock arrival (µs)
   * of a span starting in it. Minutes absent have no arrival the engine knows of.
   */
  arrivals(range: MinuteRange): Promise<Map<number, number>>;
}

/** A settled minute and when it was settled (wall clock, µs). */
export interface SettledMinute {
  minuteUs: number;
  settledAtUs: number;
}

/** Where an engine keeps settled minutes and their edges. */
export interface RollupTable {
  /** The settled minutes in [fromUs, toUs), ascending by minute, each once (the latest settle). */
  settledMinutes(range: MinuteRange): Promise<SettledMinute[]>;
  /**
   * Stores the edges of `minutes` and marks those minutes settled at `settledAtUs` (edges first: a
   * minute counts only once marked). Storing the same minutes again replaces their edges: twice
   * equals once.
   */
  store(minutes: readonly number[], edges: readonly MinuteEdge[], settledAtUs: number): Promise<void>;
  /** The scope's edges summed over the given ranges of settled minutes, sorted by parent then child. */
  sum(query: TenantScope & { ranges: readonly MinuteRange[] }): Promise<DependencyLink[]>;
  /** Deletes the edges and settled marks of minutes starting before cutoffUs. */
  deleteBefore(cutoffUs: number): Promise<void>;
}

/** Logging surface of the settler (pino's Logger satisfies it). */
export interface RollupLogger {
  warn(obj: object, msg?: string): void;
}

/** Options of {@link createDependencyRollups}. */
export interface DependencyRollupOptions {
  source: DependencySpanSource;
  table: RollupTable;
  /** Context read around each minute (default 5 min); traces longer than this may be split. */
  marginUs?: number;
  /** How long after its end a minute is settled (default margin + 1 min). */
  settleDelayUs?: number;
  /** How long no span may have arrived for a minute's context before it is settled (default 2 min). */
  quietUs?: number;
  /**
   * How long edges computed live for an unsettled minute are reused while no span arrives for its
   * context (default 0: never reused). Only for a source whose arrivals report every span it holds
   * that arrived within this time, stamped by `nowUs`'s clock no earlier than the span became
   * readable through `spans` (so an arrival after a computation began is never missed).
   */
  liveReuseUs?: number;
  /**
   * With liveReuseUs: most spans kept for the contexts of live minutes (default 200 000), each
   * minute's kept while no span arrives for it, so recomputing the newest minutes reads only the
   * minutes that got spans. A minute that does not fit is read again when needed.
   */
  maxCachedSpans?: number;
  /** Minutes settled per span read (default 30). */
  batchMinutes?: number;
  /** The clock, µs since the epoch (default Date.now() × 1000). */
  nowUs?: () => number;
  /** Pause of the background loop after a batch (default 100 ms) and when nothing was due (default 10 s). */
  busyDelayMs?: number;
  idleDelayMs?: number;
  logger?: RollupLogger;
}

/** Figures of the settler for /metrics. */
export interface RollupStats {
  /** Settled minutes known to this process. */
  settledMinutes: number;
  /** Minutes due for settling and not yet settled, as of the last settle. */
  backlogMinutes: number;
  /** Minutes this process settled since it started, and the seconds it spent on them. */
  settledMinutesTotal: number;
  settleSecondsSum: number;
  settleFailuresTotal: number;
  /** Unsettled minutes whose live edges were reused / computed by reads since start. */
  liveMinutesReusedTotal: number;
  liveMinutesComputedTotal: number;
  /** Minutes of context read from the source for live minutes since start (the others came from the cache). */
  liveMinutesReadTotal: number;
  /** Spans held for the contexts of live minutes. */
  cachedSpans: number;
}

/** A DependencyReader answering from rollups, with the settler that maintains them. */
export interface DependencyRollups extends DependencyReader {
  /** Settles one batch of the newest unsettled due minutes; resolves to how many minutes it settled (0: none due). */
  settle(): Promise<number>;
  /** Settles batches until no minute is due; resolves to the minutes settled. */
  settleAll(): Promise<number>;
  /** Starts the background loop (an unref'd timer); close() stops it. */
  start(): void;
  /** Forgets the rollups of minutes before cutoffUs, after the engine deleted those spans. */
  deleteBefore(cutoffUs: number): Promise<void>;
  stats(): RollupStats;
  /** Stops the loop and waits for a running batch. Idempotent. */
  close(): Promise<void>;
}

/** Default context margin around a minute: 5 minutes. */
export const DEFAULT_MARGIN_US = 5 * MINUTE_US;
/** Default of maxCachedSpans: most spans kept for the contexts of live minutes. */
export const DEFAULT_MAX_CACHED_SPANS = 200_000;

/** Creates the rollup reader and settler over an engine's span source and rollup table. */
export function createDependencyRollups(options: DependencyRollupOptions): DependencyRollups {
  const { source, table } = options;
  const marginUs = options.marginUs ?? DEFAULT_MARGIN_US;
  const settleDelayUs = options.settleDelayUs ?? marginUs + MINUTE_US;
  const quietUs = options.quietUs ?? 2 * MINUTE_US;
  const batchMinutes = Math.max(1, options.batchMinutes ?? 30);
  const nowUs = options.nowUs ?? (() => Date.now() * 1000);
  const busyDelayMs = options.busyDelayMs ?? 100;
  const idleDelayMs = options.idleDelayMs ?? 10_000;
  const liveReuseUs = Math.max(0, options.liveReuseUs ?? 0);
  /** Spans only to be linked: as columns where the source offers them. */
  const linkable = (query: TenantScope & { startUsMin: number; startUsMax: number }): Promise<DepSpan[] | DepColumns> =>
    source.columns !== undefined ? source.columns(query) : source.spans(query);

  /** Settled minutes → when they were settled, mirrored from the table over [loadedFrom, loadedTo). */
  const settled = new Map<number, number>();
  let loadedFrom = Number.POSITIVE_INFINITY;
  let loadedTo = Number.NEGATIVE_INFINITY;
  let backlogMinutes = 0;
  let settledMinutesTotal = 0;
  let settleSecondsSum = 0;
  let settleFailuresTotal = 0;
  let liveMinutesReusedTotal = 0;
  let liveMinutesComputedTotal = 0;
  /** Scope → minute → the minute's live edges and when their computation began (see liveReuseUs). */
  const liveEdges = new Map<string, Map<number, { links: DependencyLink[]; computedAtUs: number }>>();
  /** Scope → minute → the spans starting in it and when their read began, for the contexts of live minutes. */
  const liveSpans = new Map<string, Map<number, { spans: DepSpan[]; readAtUs: number }>>();
  const maxCachedSpans = Math.max(0, options.maxCachedSpans ?? DEFAULT_MAX_CACHED_SPANS);
  let cachedSpans = 0;
  let liveMinutesReadTotal = 0;
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  /** Loads the settled marks of [fromUs, toUs) not yet mirrored. */
  async function mirror(fromUs: number, toUs: number): Promise<void> {
    if (loadedFrom > loadedTo) {
      for (const m of await table.settledMinutes({ fromUs, toUs })) settled.set(m.minuteUs, m.settledAtUs);
      loadedFrom = fromUs;
      loadedTo = toUs;
      return;
    }
    if (fromUs < loadedFrom) {
      for (const m of await table.settledMinutes({ fromUs, toUs: loadedFrom })) settled.set(m.minuteUs, m.settledAtUs);
      loadedFrom = fromUs;
    }
    if (toUs > loadedTo) {
      // Re-read from a little before the mirrored end: another process may have settled those meanwhile.
      const from = Math.max(loadedFrom, loadedTo - batchMinutes * MINUTE_US);
      for (const m of await table.settledMinutes({ fromUs: from, toUs })) settled.set(m.minuteUs, m.settledAtUs);
      loadedTo = toUs;
    }
  }

  /** Latest arrival for the context of minute `m` (its minute ± margin), 0 when none is known. */
  function contextArrival(arrived: Map<number, number>, m: number): number {
    let latest = 0;
    for (let c = Math.floor((m - marginUs) / MINUTE_US) * MINUTE_US; c < m + MINUTE_US + marginUs; c += MINUTE_US) {
      const at = arrived.get(c);
      if (at !== undefined && at > latest) latest = at;
    }
    return latest;
  }

  /** Whether minute `m` needs settling: never settled, or spans arrived for its context since. */
  function stale(arrived: Map<number, number>, m: number, settledAt: number | undefined): boolean {
    return settledAt === undefined || contextArrival(arrived, m) > settledAt;
  }

  /**
   * The newest run of due minutes needing a settle, at most batchMinutes long, ascending; counts
   * the backlog (minutes needing a settle, due or not yet quiet) on the way.
   */
  function pickBatch(lowUs: number, highUs: number, arrived: Map<number, number>, quietSinceUs: number): number[] {
    const batch: number[] = [];
    let open = true;
    let backlog = 0;
    for (let m = highUs - MINUTE_US; m >= lowUs; m -= MINUTE_US) {
      if (!stale(arrived, m, settled.get(m))) {
        if (batch.length > 0) open = false;
        continue;
      }
      backlog++;
      if (contextArrival(arrived, m) > quietSinceUs) {
        if (batch.length > 0) open = false;
        continue;
      }
      if (open && batch.length < batchMinutes) batch.push(m);
    }
    backlogMinutes = backlog;
    return batch.reverse();
  }

  async function settleOnce(): Promise<number> {
    const oldest = await source.oldestStartUs();
    if (oldest === undefined) {
      backlogMinutes = 0;
      return 0;
    }
    const now = nowUs();
    // The oldest minute may have lost spans to retention: it is answered live, never settled.
    const lowUs = Math.ceil(oldest / MINUTE_US) * MINUTE_US;
    const highUs = Math.floor((now - settleDelayUs) / MINUTE_US) * MINUTE_US;
    if (highUs <= lowUs) {
      backlogMinutes = 0;
      return 0;
    }
    await mirror(lowUs, highUs);
    const arrived = await source.arrivals({ fromUs: Math.floor((lowUs - marginUs) / MINUTE_US) * MINUTE_US, toUs: highUs + marginUs });
    for (let attempt = 0; attempt < 3; attempt++) {
      const batch = pickBatch(lowUs, highUs, arrived, now - quietUs);
      const first = batch[0];
      const last = batch[batch.length - 1];
      if (first === undefined || last === undefined) return 0;
      const endUs = last + MINUTE_US;
      // Another process sharing the store may have settled some of them meanwhile.
      const fresh = (await table.settledMinutes({ fromUs: first, toUs: endUs })).filter((m) => !stale(arrived, m.minuteUs, m.settledAtUs));
      if (fresh.length > 0) {
        for (const m of fresh) settled.set(m.minuteUs, m.settledAtUs);
        continue;
      }
      const t0 = performance.now();
      const settledAtUs = nowUs();
      const spans = await linkable({ startUsMin: first - marginUs, startUsMax: endUs - 1 + marginUs });
      const edges = await computeMinuteEdgesSliced(spans, { startUs: first, endUs: endUs - 1 });
      await table.store(batch, edges, settledAtUs);
      for (const m of batch) settled.set(m, settledAtUs);
      settledMinutesTotal += batch.length;
      backlogMinutes = Math.max(0, backlogMinutes - batch.length);
      settleSecondsSum += (performance.now() - t0) / 1000;
      return batch.length;
    }
    return 0;
  }

  /** Runs settle batches one at a time, whoever asks. */
  function settle(): Promise<number> {
    const run = chain.then(settleOnce, settleOnce);
    chain = run.catch(() => undefined);
    return run;
  }

  function schedule(delayMs: number): void {
    if (closed) return;
    timer = setTimeout(() => {
      running = settle()
        .then((n) => schedule(n > 0 ? busyDelayMs : idleDelayMs))
        .catch((err: unknown) => {
          settleFailuresTotal++;
          options.logger?.warn({ err }, 'failed to settle dependency minutes; retrying later');
          schedule(idleDelayMs);
        });
    }, delayMs);
    timer.unref();
  }

  async function live(query: TenantScope & { startUs: number; endUs: number }, range?: MinuteRange): Promise<DependencyLink[]> {
    if (range === undefined) {
      return computeDependenciesSliced(await linkable({ tenant: query.tenant, startUsMin: query.startUs, startUsMax: query.endUs }));
    }
    if (liveReuseUs > 0) return liveReused(query.tenant, range);
    const spans = await linkable({ tenant: query.tenant, startUsMin: range.fromUs - marginUs, startUsMax: range.toUs - 1 + marginUs });
    return computeDependenciesSliced(spans, { startUs: range.fromUs, endUs: range.toUs - 1 });
  }

  /**
   * The spans a run of minutes is computed from (starting in [run − margin, run + margin)): each
   * whole minute of that context from the minute cache while no span has arrived for it since it
   * was read, the others read from the source (consecutive ones in one read) and kept while the
   * cache holds fewer than maxCachedSpans.
   */
  async function contextSpans(tenant: string | undefined, scopeKey: string, arrived: Map<number, number>, run: MinuteRange): Promise<DepSpan[]> {
    const lowUs = run.fromUs - marginUs;
    const highUs = run.toUs - 1 + marginUs;
    const firstMinute = Math.floor(lowUs / MINUTE_US) * MINUTE_US;
    const lastMinute = Math.floor(highUs / MINUTE_US) * MINUTE_US;
    const now = nowUs();
    let kept = liveSpans.get(scopeKey);
    if (kept === undefined) liveSpans.set(scopeKey, (kept = new Map()));
    const parts: DepSpan[][] = [];
    const missing: number[] = [];
    for (let m = firstMinute; m <= lastMinute; m += MINUTE_US) {
      const entry = kept.get(m);
      if (entry !== undefined && entry.readAtUs > now - liveReuseUs && (arrived.get(m) ?? 0) < entry.readAtUs) parts.push(entry.spans);
      else missing.push(m);
    }
    liveMinutesReadTotal += missing.length;
    for (const read of splitRuns(missing, { fromUs: firstMinute, toUs: lastMinute + MINUTE_US }).runs) {
      const readAtUs = nowUs();
      const spans = await source.spans({ tenant, startUsMin: read.fromUs, startUsMax: read.toUs - 1 });
      const byMinute = new Map<number, DepSpan[]>();
      for (let m = read.fromUs; m < read.toUs; m += MINUTE_US) byMinute.set(m, []);
      for (const span of spans) byMinute.get(Math.floor((span.startUs as number) / MINUTE_US) * MINUTE_US)?.push(span);
      for (const [m, minuteSpans] of byMinute) {
        const old = kept.get(m);
        if (old !== undefined) {
          kept.delete(m);
          cachedSpans -= old.spans.length;
        }
        if (cachedSpans + minuteSpans.length <= maxCachedSpans) {
          kept.set(m, { spans: minuteSpans, readAtUs });
          cachedSpans += minuteSpans.length;
        }
        parts.push(minuteSpans);
      }
    }
    const out: DepSpan[] = [];
    // Whole minutes were read: the context's ragged ends (a margin not in whole minutes) are cut.
    for (const part of parts) for (const span of part) if ((span.startUs as number) >= lowUs && (span.startUs as number) <= highUs) out.push(span);
    return out;
  }

  /**
   * Forgets cached minutes read longer than the reuse time ago. A scope's map stays even when empty:
   * a concurrent read may be filling it.
   */
  function expireLive(now: number): void {
    for (const minutes of liveSpans.values()) {
      for (const [m, entry] of minutes) {
        if (entry.readAtUs > now - liveReuseUs) continue;
        minutes.delete(m);
        cachedSpans -= entry.spans.length;
      }
    }
    for (const minutes of liveEdges.values()) for (const [m, entry] of minutes) if (entry.computedAtUs <= now - liveReuseUs) minutes.delete(m);
  }

  /**
   * The edges of the unsettled minutes of `range`: minutes with no arrival for their context since
   * their edges were computed reuse them; each run of the others is computed from spans with its
   * margins, per minute, and kept.
   */
  async function liveReused(tenant: string | undefined, range: MinuteRange): Promise<DependencyLink[]> {
    const now = nowUs();
    const scopeKey = tenant === undefined ? '*' : `=${tenant}`;
    expireLive(now);
    let kept = liveEdges.get(scopeKey);
    if (kept === undefined) liveEdges.set(scopeKey, (kept = new Map()));
    const arrived = await source.arrivals({ fromUs: Math.floor((range.fromUs - marginUs) / MINUTE_US) * MINUTE_US, toUs: range.toUs + marginUs });
    const parts: DependencyLink[][] = [];
    const missing: number[] = [];
    for (let m = range.fromUs; m < range.toUs; m += MINUTE_US) {
      const entry = kept.get(m);
      // An arrival stamped at the very start of the computation may not have been read: not reused.
      if (entry !== undefined && contextArrival(arrived, m) < entry.computedAtUs) parts.push(entry.links);
      else missing.push(m);
    }
    liveMinutesReusedTotal += parts.length;
    liveMinutesComputedTotal += missing.length;
    for (const run of splitRuns(missing, range).runs) {
      // Kept minutes were checked against arrivals as of `now`: the edges hold as of then, not later.
      const computedAtUs = now;
      const spans = await contextSpans(tenant, scopeKey, arrived, run);
      const byMinute = new Map<number, DependencyLink[]>();
      for (let m = run.fromUs; m < run.toUs; m += MINUTE_US) byMinute.set(m, []);
      for (const e of await computeMinuteEdgesSliced(spans, { startUs: run.fromUs, endUs: run.toUs - 1 })) {
        byMinute.get(e.minuteUs)?.push({ parent: e.parent, child: e.child, callCount: e.callCount, errorCount: e.errorCount });
      }
      for (const [m, rows] of byMinute) {
        // Rows of several tenants name the same edge when the scope is every tenant.
        const links = tenant === undefined ? mergeDependencies([rows]) : rows;
        kept.set(m, { links, computedAtUs });
        parts.push(links);
      }
    }
    return mergeDependencies(parts);
  }

  return {
    async getDependencies(query) {
      const endUs = query.endUs;
      const startUs = query.endUs - query.lookbackUs;
      if (endUs < startUs) return [];
      const fromUs = Math.floor(startUs / MINUTE_US) * MINUTE_US;
      const toUs = Math.floor(endUs / MINUTE_US) * MINUTE_US + MINUTE_US;
      const done = await table.settledMinutes({ fromUs, toUs });
      if (done.length === 0) return live({ tenant: query.tenant, startUs, endUs });
      const { runs, gaps } = splitRuns(done.map((m) => m.minuteUs), { fromUs, toUs });
      const parts = await Promise.all([
        table.sum({ tenant: query.tenant, ranges: runs }),
        ...gaps.map((gap) => live({ tenant: query.tenant, startUs, endUs }, gap)),
      ]);
      return mergeDependencies(parts);
    },
    settle,
    async settleAll() {
      let total = 0;
      for (;;) {
        const n = await settle();
        if (n === 0) return total;
        total += n;
      }
    },
    start() {
      if (timer === undefined && !closed) schedule(0);
    },
    async deleteBefore(cutoffUs) {
      // The engine has deleted spans: what was computed or read from them no longer holds.
      for (const minutes of liveEdges.values()) minutes.clear();
      for (const minutes of liveSpans.values()) minutes.clear();
      cachedSpans = 0;
      await table.deleteBefore(cutoffUs);
      for (const m of [...settled.keys()]) if (m < cutoffUs) settled.delete(m);
    },
    stats() {
      return {
        settledMinutes: settled.size, backlogMinutes, settledMinutesTotal, settleSecondsSum, settleFailuresTotal, liveMinutesReusedTotal, liveMinutesComputedTotal,
        liveMinutesReadTotal, cachedSpans,
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
      await chain;
    },
  };
}

/**
 * Splits [range.fromUs, range.toUs) into runs of the given settled minutes (ascending) and the gaps
 * between them, both as consecutive minute ranges in ascending order.
 */
export function splitRuns(minutes: readonly number[], range: MinuteRange): { runs: MinuteRange[]; gaps: MinuteRange[] } {
  const runs: MinuteRange[] = [];
  for (const m of minutes) {
    if (m < range.fromUs || m >= range.toUs) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.toUs === m) last.toUs = m + MINUTE_US;
    else if (last === undefined || m > last.toUs) runs.push({ fromUs: m, toUs: m + MINUTE_US });
  }
  const gaps: MinuteRange[] = [];
  let at = range.fromUs;
  for (const run of runs) {
    if (run.fromUs > at) gaps.push({ fromUs: at, toUs: run.fromUs });
    at = run.toUs;
  }
  if (at < range.toUs) gaps.push({ fromUs: at, toUs: range.toUs });
  return { runs, gaps };
}

/**
 * A RollupTable held in memory: what the memory engine and tests use; the same rules as the
 * engines' tables, without persistence.
 */
export function createMemoryRollupTable(): RollupTable & { rowCount(): number } {
  const marks = new Map<number, number>();
  const edges = new Map<number, MinuteEdge[]>();
  return {
    async settledMinutes(range) {
      return [...marks]
        .filter(([m]) => m >= range.fromUs && m < range.toUs)
        .sort((a, b) => a[0] - b[0])
        .map(([minuteUs, settledAtUs]) => ({ minuteUs, settledAtUs }));
    },
    async store(minutes, rows, settledAtUs) {
      for (const m of minutes) edges.set(m, []);
      for (const row of rows) edges.get(row.minuteUs)?.push({ ...row });
      for (const m of minutes) marks.set(m, settledAtUs);
    },
    async sum(query) {
      const parts: DependencyLink[][] = [];
      for (const range of query.ranges) {
        for (let m = range.fromUs; m < range.toUs; m += MINUTE_US) {
          if (!marks.has(m)) continue;
          const rows = (edges.get(m) ?? []).filter((r) => query.tenant === undefined || r.tenant === query.tenant);
          parts.push(rows.map((r) => ({ parent: r.parent, child: r.child, callCount: r.callCount, errorCount: r.errorCount })));
        }
      }
      return mergeDependencies(parts);
    },
    async deleteBefore(cutoffUs) {
      for (const m of [...marks.keys()]) if (m < cutoffUs) marks.delete(m);
      for (const m of [...edges.keys()]) if (m < cutoffUs) edges.delete(m);
    },
    rowCount() {
      let n = 0;
      for (const rows of edges.values()) n += rows.length;
      return n;
    },
  };
}
