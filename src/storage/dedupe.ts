/** Collapsing of spans that were written more than once. */
import type { Span } from '../model/index.js';

/** The identity of a span for de-duplication: two spans with equal keys are the same report. */
export function spanIdentity(span: Span): string {
  return [
    span.tenant,
    span.traceId,
    span.spanId,
    span.kind,
    span.shared === true ? '1' : '0',
    span.service,
    span.startUs,
    span.durationUs,
    span.name,
  ].join('\u0000');
}

/**
 * Returns the spans with exact duplicates (same tenant, traceId, spanId, kind, shared flag, service,
 * startUs, durationUs and name) collapsed to their first occurrence; order is otherwise kept.
 * Zipkin client/server halves of a shared span id differ in kind and shared flag, so both stay.
 */
export function dedupeSpans(spans: Iterable<Span>): Span[] {
  const seen = new Set<string>();
  const out: Span[] = [];
  for (const span of spans) {
    const key = spanIdentity(span);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(span);
  }
  return out;
}
