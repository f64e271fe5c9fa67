/**
 * A trace opened from its skeleton (SpanReader.getTraceSkeleton) has rows without attributes,
 * events, links or resources; this joins the whole spans read afterwards back onto those rows,
 * with the read-time adjustments the rows were given. Pure: no I/O.
 */
import type { Span } from '../../model/index.js';
import { sameReport } from '../../storage/dedupe.js';
import type { PreparedTrace } from './compact-trace.js';

/**
 * The rows' spans with their details: row i is the whole span that row i was read as (matched by
 * its identity: tenant, trace, span id, kind, shared flag, service, times and name), carrying
 * row i's adjustments: its id and parent (shared-id re-identification), its start and events
 * shifted by the same clock-skew delta, and its warnings. A row whose span `full` lacks (deleted
 * since) keeps its skeleton span; spans that arrived since the skeleton was read are not rows and
 * are left out.
 */
export function withDetails(trace: PreparedTrace, full: readonly Span[]): Span[] {
  // Keyed by span id (almost always unique in a trace), whole identities compared only within an
  // id: building an identity string per span took ~200 ms of a 50 000-span trace's event loop.
  const byId = new Map<string, Span | Span[]>();
  for (const span of full) {
    const known = byId.get(span.spanId);
    if (known === undefined) byId.set(span.spanId, span);
    else if (Array.isArray(known)) known.push(span);
    else byId.set(span.spanId, [known, span]);
  }
  const { spans, sources } = trace;
  const out = new Array<Span>(spans.length);
  for (let row = 0; row < spans.length; row++) {
    const adjusted = spans[row]!;
    const source = sources[row]!;
    const known = byId.get(source.spanId);
    // Among equal identities the last one read wins, as a map keyed by identity would have it.
    const whole = known === undefined ? undefined : Array.isArray(known) ? lastSame(known, source) : sameReport(known, source) ? known : undefined;
    out[row] = whole === undefined ? adjusted : adjust(whole, source, adjusted);
  }
  return out;
}

/** The last of spans sharing `source`'s id that is the same report. */
function lastSame(spans: readonly Span[], source: Span): Span | undefined {
  for (let i = spans.length - 1; i >= 0; i--) if (sameReport(spans[i]!, source)) return spans[i];
  return undefined;
}

/**
 * Row `row`'s span with its details, as withDetails gives it, from `whole`: spans holding at least
 * the one that row was read as (e.g. every span with its id).
 */
export function detailOf(trace: PreparedTrace, row: number, whole: readonly Span[]): Span {
  const adjusted = trace.spans[row]!;
  const source = trace.sources[row]!;
  const match = whole.find((span) => span.spanId === source.spanId && sameReport(span, source));
  return match === undefined ? adjusted : adjust(match, source, adjusted);
}

/** `whole` with the changes that turned `source` into `adjusted`. */
function adjust(whole: Span, source: Span, adjusted: Span): Span {
  if (adjusted === source) return whole;
  const deltaUs = adjusted.startUs - source.startUs;
  const out: Span = {
    ...whole,
    spanId: adjusted.spanId,
    startUs: adjusted.startUs,
    events: deltaUs === 0 || whole.events.length === 0 ? whole.events : whole.events.map((e) => ({ ...e, timeUs: e.timeUs + deltaUs })),
  };
  if (adjusted.parentSpanId === undefined) delete out.parentSpanId;
  else out.parentSpanId = adjusted.parentSpanId;
  if (adjusted.warnings === undefined) delete out.warnings;
  else out.warnings = adjusted.warnings;
  return out;
}
