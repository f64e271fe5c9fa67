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
  // Most span ids occur once: key by id, and compare whole identities only among spans sharing one.
  // An id seen again switches to a set of identities, so spans that all share one id (a client that
  // numbers its span ids per trace, or a hostile one) cost a lookup each, not a scan of the others.
  const byId = new Map<string, Span | Set<string>>();
  const out: Span[] = [];
  for (const span of spans) {
    const id = span.spanId;
    const earlier = byId.get(id);
    if (earlier === undefined) {
      byId.set(id, span);
      out.push(span);
    } else if (earlier instanceof Set) {
      const identity = spanIdentity(span);
      if (earlier.has(identity)) continue;
      earlier.add(identity);
      out.push(span);
    } else if (!sameReport(earlier, span)) {
      byId.set(id, new Set([spanIdentity(earlier), spanIdentity(span)]));
      out.push(span);
    }
  }
  return out;
}

/** Whether two spans with the same span id are the same report (every other field of spanIdentity equal). */
export function sameReport(a: Span, b: Span): boolean {
  return a.traceId === b.traceId && a.tenant === b.tenant && a.kind === b.kind && (a.shared === true) === (b.shared === true)
    && a.service === b.service && a.startUs === b.startUs && a.durationUs === b.durationUs && a.name === b.name;
}
