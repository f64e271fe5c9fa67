/**
 * Read-time trace fixes applied before a trace is shown, never written back to storage.
 * Both functions are pure: they return a new array and copy every span they change.
 */
import type { Span } from '../../model/index.js';

const MAX_SPAN_ID = (1n << 64n) - 1n;

/**
 * Gives each server span that shares its span id with a client span of the same trace (Zipkin's
 * shared-span model, as Envoy reports it) a fresh id unused in the trace, makes it CHILD_OF the client
 * span, and moves the children of the shared id under the server span, so every span id is unique
 * as the Jaeger UI requires. New ids count up from 0000000000000001, skipping used ones, so the
 * result is deterministic. Like Jaeger, a renamed span carries no warning (every Envoy server span
 * would); only a span that could not be given a free id is warned about.
 */
export function dedupeSharedSpanIds(spans: readonly Span[]): Span[] {
  const used = new Set<string>();
  const clientIds = new Set<string>();
  for (const span of spans) {
    used.add(span.spanId);
    if (span.kind === 'client') clientIds.add(span.spanId);
  }
  let next = 0n;
  const newIdOf = new Map<string, string>();
  const out = spans.map((span) => {
    if (span.kind !== 'server' || !clientIds.has(span.spanId)) return span;
    let fresh: string | undefined;
    while (next < MAX_SPAN_ID) {
      next += 1n;
      const candidate = next.toString(16).padStart(16, '0');
      if (!used.has(candidate)) {
        fresh = candidate;
        break;
      }
    }
    if (fresh === undefined) {
      return withWarning(span, `span id ${span.spanId} is shared with a client span and no unused id was left to give it`);
    }
    used.add(fresh);
    newIdOf.set(span.spanId, fresh);
    return { ...span, spanId: fresh, parentSpanId: span.spanId };
  });
  if (newIdOf.size === 0) return out;
  return out.map((span) => {
    const parent = span.parentSpanId === undefined ? undefined : newIdOf.get(span.parentSpanId);
    if (parent === undefined || parent === span.spanId) return span;
    return { ...span, parentSpanId: parent };
  });
}

/** Options of {@link correctClockSkew}. */
export interface ClockSkewOptions {
  /** true: shift skewed spans; false: only warn on them (what a Jaeger with adjustment off does). */
  apply: boolean;
}

/**
 * Clock-skew correction, after Jaeger's adjuster: walking each tree from its roots, a span reported
 * by a different host than its parent that starts before the parent or ends after it is shifted
 * so that it sits centred in its parent (the leftover latency split equally between request and
 * response); a child longer than its parent is only moved so it does not start first. The shift
 * is inherited by the descendants on the same host, events move with their span, and each shifted
 * span gets the warning "clock skew adjusted by <delta>µs". With apply false nothing moves and the
 * spans get "clock skew of <delta>µs detected; not adjusted". Spans sharing an id are skipped with
 * a warning; spans whose parent chain is a cycle are left alone (the walk starts only at roots).
 * Run it after {@link dedupeSharedSpanIds}.
 */
export function correctClockSkew(spans: readonly Span[], options: ClockSkewOptions): Span[] {
  const out = spans.slice();
  const indexOf = new Map<string, number>();
  const skipped = new Set<number>();
  out.forEach((span, i) => {
    const first = indexOf.get(span.spanId);
    if (first === undefined) {
      indexOf.set(span.spanId, i);
      return;
    }
    skipped.add(i);
    skipped.add(first);
  });
  for (const i of skipped) {
    out[i] = withWarning(out[i]!, `span id ${out[i]!.spanId} is not unique in the trace; clock skew not checked`);
    if (indexOf.get(out[i]!.spanId) === i) indexOf.delete(out[i]!.spanId);
  }
  const children = new Map<number, number[]>();
  const roots: number[] = [];
  out.forEach((span, i) => {
    if (skipped.has(i)) return;
    const parent = span.parentSpanId === undefined || span.parentSpanId === span.spanId
      ? undefined
      : indexOf.get(span.parentSpanId);
    if (parent === undefined) {
      roots.push(i);
      return;
    }
    const list = children.get(parent);
    if (list) list.push(i);
    else children.set(parent, [i]);
  });

  const hosts = out.map(hostKey);
  const visited = new Set<number>();
  // Depth-first walk with an explicit stack: traces can be deep enough to overflow recursion.
  const stack: Array<{ index: number; parent: number | undefined; host: string; deltaUs: number }> = roots
    .map((index) => ({ index, parent: undefined, host: hosts[index]!, deltaUs: 0 }))
    .reverse();
  while (stack.length > 0) {
    const { index, parent, host, deltaUs: inherited } = stack.pop()!;
    if (visited.has(index)) continue;
    visited.add(index);
    let deltaUs = inherited;
    let nodeHost = host;
    if (parent !== undefined && hosts[index] !== host) {
      nodeHost = hosts[index]!;
      deltaUs = skewUs(out[index]!, out[parent]!);
    }
    if (deltaUs !== 0) out[index] = shift(out[index]!, deltaUs, options.apply);
    const kids = children.get(index) ?? [];
    for (let k = kids.length - 1; k >= 0; k--) {
      stack.push({ index: kids[k]!, parent: index, host: nodeHost, deltaUs });
    }
  }
  return out;
}

/** How far a child must move to sit inside its parent; 0 when it already fits. */
function skewUs(child: Span, parent: Span): number {
  const parentEnd = parent.startUs + parent.durationUs;
  const childEnd = child.startUs + child.durationUs;
  if (child.durationUs > parent.durationUs) {
    // Longer than its parent: async or the parent timed out; only ensure it does not start first.
    return child.startUs < parent.startUs ? parent.startUs - child.startUs : 0;
  }
  if (child.startUs >= parent.startUs && childEnd <= parentEnd) return 0;
  const latencyUs = Math.floor((parent.durationUs - child.durationUs) / 2);
  return parent.startUs + latencyUs - child.startUs;
}

function shift(span: Span, deltaUs: number, apply: boolean): Span {
  if (!apply) return withWarning(span, `clock skew of ${deltaUs}µs detected; not adjusted`);
  return withWarning(
    {
      ...span,
      startUs: span.startUs + deltaUs,
      events: span.events.map((event) => ({ ...event, timeUs: event.timeUs + deltaUs })),
    },
    `clock skew adjusted by ${deltaUs}µs`,
  );
}

/**
 * Which clock a span was timed by: the host from its resource attributes or local endpoint, or,
 * without either, its service (one service's spans are assumed to share a clock).
 */
function hostKey(span: Span): string {
  for (const key of ['host.id', 'host.ip', 'host.name', 'ip', 'hostname']) {
    const value = span.resource[key];
    if (value !== undefined && value !== '') return `host:${String(value)}`;
  }
  const ip = span.localEndpoint?.ipv4 ?? span.localEndpoint?.ipv6;
  if (ip !== undefined && ip !== '') return `host:${ip}`;
  return `service:${span.service}`;
}

function withWarning(span: Span, warning: string): Span {
  return { ...span, warnings: [...(span.warnings ?? []), warning] };
}
