/**
 * A trace opened from its skeleton (SpanReader.getTraceSkeleton) has rows without attributes,
 * events, links or resources; this joins the whole spans read afterwards back onto those rows,
 * with the read-time adjustments the rows were given. Pure: no I/O.
 */
import type { Span } from '../../model/index.js';
import { spanIdentity } from '../../storage/dedupe.js';
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
  const byIdentity = new Map<string, Span>();
  for (const span of full) byIdentity.set(spanIdentity(span), span);
  const { spans, sources } = trace;
  const out = new Array<Span>(spans.length);
  for (let row = 0; row < spans.length; row++) {
    const adjusted = spans[row]!;
    const source = sources[row]!;
    const whole = byIdentity.get(spanIdentity(source));
    out[row] = whole === undefined ? adjusted : adjust(whole, source, adjusted);
  }
  return out;
}

/**
 * Row `row`'s span with its details, as withDetails gives it, from `whole`: spans holding at least
 * the one that row was read as (e.g. every span with its id).
 */
export function detailOf(trace: PreparedTrace, row: number, whole: readonly Span[]): Span {
  const adjusted = trace.spans[row]!;
  const key = spanIdentity(trace.sources[row]!);
  const match = whole.find((span) => spanIdentity(span) === key);
  return match === undefined ? adjusted : adjust(match, trace.sources[row]!, adjusted);
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
