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
  // Most traces have no shared id: find out with one small set before building the big one.
  let clientIds: Set<string> | undefined;
  for (const span of spans) if (span.kind === 'client') (clientIds ??= new Set()).add(span.spanId);
  if (clientIds === undefined || !spans.some((span) => span.kind === 'server' && clientIds.has(span.spanId))) return spans.slice();
  const used = new Set<string>();
  for (const span of spans) used.add(span.spanId);
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
  const n = spans.length;
  const out = spans.slice();
  // Flat typed arrays and one id map: this runs on every trace read, up to hundreds of
  // thousands of spans, so per-span objects and sets are avoided.
  const indexOf = new Map<string, number>();
  let skipped: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const id = out[i]!.spanId;
    const first = indexOf.get(id);
    if (first === undefined) {
      indexOf.set(id, i);
    } else {
      skipped ??= new Uint8Array(n);
      skipped[i] = 1;
      skipped[first] = 1;
    }
  }
  if (skipped !== undefined) {
    for (let i = 0; i < n; i++) {
      if (!skipped[i]) continue;
      const id = out[i]!.spanId;
      out[i] = withWarning(out[i]!, `span id ${id} is not unique in the trace; clock skew not checked`);
      indexOf.delete(id);
    }
  }
  // parentOf[i]: index of the parent, -1 for a root, -2 for a skipped span.
  const parentOf = new Int32Array(n);
  const childCount = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    if (skipped?.[i]) {
      parentOf[i] = -2;
      continue;
    }
    const span = out[i]!;
    const parent = span.parentSpanId === undefined || span.parentSpanId === span.spanId ? undefined : indexOf.get(span.parentSpanId);
    parentOf[i] = parent ?? -1;
    if (parent !== undefined) childCount[parent]!++;
  }
  // Children of i, in index order: childList[childStart[i] .. childStart[i + 1]).
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) childStart[i + 1] = childStart[i]! + childCount[i]!;
  const fill = childStart.slice(0, n);
  const childList = new Int32Array(childStart[n]!);
  for (let i = 0; i < n; i++) {
    const p = parentOf[i]!;
    if (p >= 0) childList[fill[p]!++] = i;
  }

  // A span's clock is its own host's; a child's shift is its own when its host differs from its
  // parent's, else the parent's (inherited). Hosts are compared as interned strings.
  const hosts = new Array<string>(n);
  for (let i = 0; i < n; i++) hosts[i] = hostKey(out[i]!);
  const deltaOf = new Float64Array(n);
  const visited = new Uint8Array(n);
  // Depth-first walk in index order with an explicit stack: traces can be deep enough to overflow recursion.
  const stack = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    if (parentOf[r] !== -1) continue;
    let top = 0;
    stack[top++] = r;
    while (top > 0) {
      const index = stack[--top]!;
      if (visited[index]) continue;
      visited[index] = 1;
      const parent = parentOf[index]!;
      let deltaUs = 0;
      if (parent >= 0) deltaUs = hosts[index] !== hosts[parent] ? skewUs(out[index]!, out[parent]!) : deltaOf[parent]!;
      deltaOf[index] = deltaUs;
      if (deltaUs !== 0) out[index] = shift(out[index]!, deltaUs, options.apply);
      for (let k = childStart[index + 1]! - 1; k >= childStart[index]!; k--) stack[top++] = childList[k]!;
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
  // One copy with everything changed at once.
  return {
    ...span,
    startUs: span.startUs + deltaUs,
    events: span.events.length === 0 ? span.events : span.events.map((event) => ({ ...event, timeUs: event.timeUs + deltaUs })),
    warnings: [...(span.warnings ?? []), `clock skew adjusted by ${deltaUs}µs`],
  };
}

/**
 * The resource keys a span's host is identified by, in order of preference (a read that hands
 * spans to the clock-skew adjustment must bring them along).
 */
export const HOST_RESOURCE_KEYS: readonly string[] = ['host.id', 'host.ip', 'host.name', 'ip', 'hostname'];

/**
 * Which clock a span was timed by: the host from its resource attributes or local endpoint, or,
 * without either, its service (one service's spans are assumed to share a clock).
 */
function hostKey(span: Span): string {
  for (const key of HOST_RESOURCE_KEYS) {
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
