/**
 * Seeded random traces for the dependency rollup tests: every kind of edge the rules know (parent
 * → child across services, Zipkin shared ids, leaf calls to remote services, messaging through a
 * broker), errors, two tenants, and traces that straddle minute boundaries.
 */
import type { DependencyLink, Span, SpanKind } from '../model/index.js';
import { computeDependencies, MINUTE_US, type DepSpan } from './dependencies.js';

/** Options of {@link randomTraces}. */
export interface RandomTracesOptions {
  seed: number;
  traces: number;
  /** Traces start in [startUs, startUs + spreadUs). */
  startUs: number;
  spreadUs: number;
  /** Latest start of a span after its trace's first span (default 2 min: shorter than the rollup margin). */
  traceSpreadUs?: number;
}

const SERVICES = ['frontend', 'cart', 'payments', 'ledger', 'search'];
const REMOTES = ['redis', 'postgres', 'kafka', 'cart'];
const KINDS: SpanKind[] = ['server', 'client', 'producer', 'consumer', 'internal'];

/** A small deterministic PRNG (mulberry32): the same seed gives the same traces on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic traces of 1-7 spans each, spans in start order per trace. */
export function randomTraces(options: RandomTracesOptions): Span[] {
  const random = prng(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const traceSpread = options.traceSpreadUs ?? 2 * MINUTE_US;
  const out: Span[] = [];
  let spanNo = 1;
  for (let t = 0; t < options.traces; t++) {
    const traceId = (options.seed * 1_000_003 + t + 1).toString(16).padStart(32, '0');
    const tenant = random() < 0.2 ? 'acme' : '';
    const rootStart = options.startUs + Math.floor(random() * options.spreadUs);
    const spans: Span[] = [];
    // A client span id is answered by at most one shared server half (two would be the same report).
    const answered = new Set<string>();
    const n = 1 + Math.floor(random() * 7);
    for (let i = 0; i < n; i++) {
      const parent = i === 0 ? undefined : spans[Math.floor(random() * spans.length)];
      const kind = pick(KINDS);
      const shared = parent !== undefined && parent.kind === 'client' && !parent.shared && !answered.has(parent.spanId) && random() < 0.3;
      if (shared) answered.add(parent.spanId);
      const span: Span = {
        traceId,
        spanId: shared && parent !== undefined ? parent.spanId : (spanNo++).toString(16).padStart(16, '0'),
        kind: shared ? 'server' : kind,
        name: `op${i}`,
        service: shared && parent?.remoteEndpoint?.serviceName !== undefined ? parent.remoteEndpoint.serviceName : pick(SERVICES),
        startUs: rootStart + (i === 0 ? 0 : Math.floor(random() * traceSpread)),
        durationUs: 1 + Math.floor(random() * 1000),
        statusCode: random() < 0.15 ? 'error' : 'unset',
        attributes: {},
        events: [],
        links: [],
        resource: {},
        tenant,
      };
      if (shared) span.shared = true;
      const parentId = shared ? parent?.parentSpanId : parent?.spanId;
      if (parentId !== undefined) span.parentSpanId = parentId;
      if ((kind === 'client' || kind === 'producer' || kind === 'consumer') && !shared && random() < 0.7) {
        span.remoteEndpoint = { serviceName: pick(REMOTES) };
      }
      spans.push(span);
    }
    // Now and then a report arrives twice.
    if (random() < 0.05 && spans[0] !== undefined) spans.push({ ...spans[0] });
    out.push(...spans);
  }
  return out;
}

/**
 * What a dependency read over a range touching settled minutes answers, computed straight from the
 * spans: every edge whose counting span starts in the whole minutes the range touches, with a
 * margin of context around them (dependencies-rollup.ts).
 */
export function perMinuteDependencies(
  spans: readonly DepSpan[], query: { tenant?: string; endUs: number; lookbackUs: number }, marginUs: number,
): DependencyLink[] {
  const fromUs = Math.floor((query.endUs - query.lookbackUs) / MINUTE_US) * MINUTE_US;
  const toUs = Math.floor(query.endUs / MINUTE_US) * MINUTE_US + MINUTE_US;
  const context = spans.filter(
    (s) => (query.tenant === undefined || (s.tenant ?? '') === query.tenant) && (s.startUs as number) >= fromUs - marginUs && (s.startUs as number) < toUs + marginUs,
  );
  return computeDependencies(context, { startUs: fromUs, endUs: toUs - 1 });
}

/** Options of {@link tangledSpans}. */
export interface TangledSpansOptions {
  seed: number;
  spans: number;
  /** Spans start within three minutes from startUs, on a few distinct instants (so starts tie). */
  startUs: number;
}

/**
 * Deterministic spans that stress every tie the dependency rules must break: a handful of trace
 * ids, span ids and services, so ids repeat within a trace with every kind and shared flag, the
 * same report arrives with different parents, remotes, errors and starts, spans name their own id
 * as parent, and names use characters beyond the BMP and above the surrogates.
 */
export function tangledSpans(options: TangledSpansOptions): Span[] {
  const random = prng(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const names = ['a', 'b', 'B', 'é', 'z\u{1F600}', '\uFFFDy'];
  const kinds: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
  const ids = ['1', '2', '3', '4', '5'].map((id) => `${(options.seed % 0xffff).toString(16)}${id}`.padStart(16, '0'));
  const traces = [1, 2, 3].map((t) => (options.seed * 16 + t).toString(16).padStart(32, '0'));
  const out: Span[] = [];
  for (let i = 0; i < options.spans; i++) {
    const span: Span = {
      traceId: pick(traces),
      spanId: pick(ids),
      kind: pick(kinds),
      name: 'op',
      service: pick(names),
      startUs: options.startUs + pick([0, 1, 2]) * MINUTE_US + pick([0, 0, 7, 59_999_999]),
      durationUs: 1,
      statusCode: random() < 0.3 ? 'error' : 'unset',
      attributes: {},
      events: [],
      links: [],
      resource: {},
      tenant: random() < 0.3 ? 'acme' : '',
    };
    if (random() < 0.7) span.parentSpanId = pick(ids);
    if (random() < 0.3) span.shared = true;
    if (random() < 0.5) span.remoteEndpoint = { serviceName: pick(names) };
    out.push(span);
  }
  return out;
}

/**
 * Runs `work`, counting the turns of the event loop other callbacks got meanwhile: a callback
 * scheduled with setImmediate at the start reschedules itself until `work` resolves.
 */
export async function countTurnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return { result: await work(), turns };
  } finally {
    running = false;
  }
}
