/**
 * Service dependency links from spans, following the rules of DependencyReader in api.ts
 * (the semantics of Zipkin's DependencyLinker: https://github.com/openzipkin/zipkin/tree/master/zipkin/src/main/java/zipkin2/internal).
 */
import type { DependencyLink, Span, SpanKind } from '../model/index.js';
import { compareStrings } from '../model/index.js';

/** The few span fields the dependency rules need; engines can project them straight from storage. */
export interface DepSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  service: string;
  kind: SpanKind;
  /** Zipkin: the server half of a span id shared with its client. */
  shared?: boolean;
  /** remoteEndpoint.serviceName. */
  remoteService?: string;
  /** statusCode === 'error'. */
  error: boolean;
  /** Tenant of the span; spans of different tenants never belong to one trace. */
  tenant?: string;
  /** Start, µs since the epoch; needed only when edges are counted by a window (see CountWindow). */
  startUs?: number;
}

/**
 * Restricts which edges are counted: only those whose counting span starts in [startUs, endUs]
 * (inclusive). The counting span of an edge is the child span of a parent → child edge, the
 * client or producer span of an edge to a remote service without callee, and the consumer span of
 * a broker → consumer edge. The other spans given still serve as context (parents, callees), so
 * per-window counts of the same spans add up to the count of the union of the windows.
 */
export interface CountWindow {
  startUs: number;
  endUs: number;
}

/** One minute's calls of one edge within one tenant: the unit dependency rollups store. */
export interface MinuteEdge {
  /** Start of the minute, µs since the epoch (a multiple of MINUTE_US). */
  minuteUs: number;
  tenant: string;
  parent: string;
  child: string;
  callCount: number;
  errorCount: number;
}

/** Length of a rollup minute in µs. */
export const MINUTE_US = 60_000_000;

/** The DepSpan projection of a full span. */
export function toDepSpan(span: Span): DepSpan {
  const remote = span.remoteEndpoint?.serviceName;
  // Every field is always set (possibly undefined) so all projections share one object shape.
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    service: span.service,
    kind: span.kind,
    shared: span.shared === true,
    remoteService: remote === '' ? undefined : remote,
    error: span.statusCode === 'error',
    tenant: span.tenant,
    startUs: span.startUs,
  };
}

/**
 * Computes the caller → callee links of the given spans, sorted by parent then child.
 * An edge is counted once per span whose parent span belongs to another service (the client and
 * server halves of a shared span id count once, on the server half), plus once per client or
 * producer span that names a remote service and has no child span reported by that service. A
 * consumer span that names a remote service (its broker) links broker → consumer instead of
 * linking to its parent's service, so messaging shows as producer → broker → consumer.
 * errorCount counts calls whose callee-side span is an error, or the caller-side span when there
 * is no callee. Self-edges are never produced. Exact duplicates in the input count once.
 * With a `window`, only edges whose counting span starts in it are counted (see CountWindow).
 */
export function computeDependencies(spans: Iterable<DepSpan>, window?: CountWindow): DependencyLink[] {
  const links = new Map<string, Map<string, DependencyLink>>();
  const addLink = (counting: DepSpan, parent: string, child: string, error: boolean): void => {
    if (window !== undefined) {
      const start = counting.startUs;
      if (start === undefined || start < window.startUs || start > window.endUs) return;
    }
    let children = links.get(parent);
    if (children === undefined) {
      children = new Map();
      links.set(parent, children);
    }
    let link = children.get(child);
    if (link === undefined) {
      link = { parent, child, callCount: 0, errorCount: 0 };
      children.set(child, link);
    }
    link.callCount++;
    if (error) link.errorCount++;
  };

  linkAll(spans, addLink);

  const out: DependencyLink[] = [];
  for (const children of links.values()) for (const link of children.values()) out.push(link);
  return out.sort(compareLinks);
}

/**
 * The edges of the given spans per minute of their counting span (see CountWindow) and per tenant,
 * only for counting spans starting in `window`; sorted by minute, tenant, parent, child. Summing
 * the rows of every minute of a window gives computeDependencies(spans, window) for that window.
 */
export function computeMinuteEdges(spans: Iterable<DepSpan>, window: CountWindow): MinuteEdge[] {
  const rows = new Map<string, MinuteEdge>();
  linkAll(spans, (counting, parent, child, error) => {
    const start = counting.startUs;
    if (start === undefined || start < window.startUs || start > window.endUs) return;
    const minuteUs = Math.floor(start / MINUTE_US) * MINUTE_US;
    const tenant = counting.tenant ?? '';
    const key = `${minuteUs}\u0000${tenant}\u0000${parent}\u0000${child}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { minuteUs, tenant, parent, child, callCount: 0, errorCount: 0 };
      rows.set(key, row);
    }
    row.callCount++;
    if (error) row.errorCount++;
  });
  return [...rows.values()].sort(
    (a, b) => a.minuteUs - b.minuteUs || compareStrings(a.tenant, b.tenant) || compareStrings(a.parent, b.parent) || compareStrings(a.child, b.child),
  );
}

/** Adds links of several partial answers edge by edge; the result is sorted by parent then child. */
export function mergeDependencies(parts: ReadonlyArray<readonly DependencyLink[]>): DependencyLink[] {
  const merged = new Map<string, DependencyLink>();
  for (const part of parts) {
    for (const link of part) {
      const key = `${link.parent}\u0000${link.child}`;
      const known = merged.get(key);
      if (known === undefined) merged.set(key, { ...link });
      else {
        known.callCount += link.callCount;
        known.errorCount += link.errorCount;
      }
    }
  }
  return [...merged.values()].sort(compareLinks);
}

function compareLinks(a: DependencyLink, b: DependencyLink): number {
  return compareStrings(a.parent, b.parent) || compareStrings(a.child, b.child);
}

type EdgeSink = (counting: DepSpan, parent: string, child: string, error: boolean) => void;

/** Groups spans by tenant and trace and reports every edge with its counting span; self-edges are dropped. */
function linkAll(spans: Iterable<DepSpan>, sink: EdgeSink): void {
  // tenant → traceId → spans; nested maps avoid building a composite key string per span.
  const tenants = new Map<string, Map<string, DepSpan[]>>();
  for (const span of spans) {
    const tenant = span.tenant ?? '';
    let traces = tenants.get(tenant);
    if (traces === undefined) {
      traces = new Map();
      tenants.set(tenant, traces);
    }
    push(traces, span.traceId, span);
  }
  const addLink: EdgeSink = (counting, parent, child, error) => {
    if (parent !== child) sink(counting, parent, child, error);
  };
  for (const traces of tenants.values()) for (const trace of traces.values()) linkTrace(trace, addLink);
}

function linkTrace(trace: DepSpan[], addLink: EdgeSink): void {
  const byId = new Map<string, DepSpan[]>();
  const children = new Map<string, DepSpan[]>();
  const unique: DepSpan[] = [];
  for (const span of trace) {
    const sameId = byId.get(span.spanId);
    if (sameId === undefined) {
      byId.set(span.spanId, [span]);
    } else {
      if (sameId.some((other) => isDuplicate(other, span))) continue;
      sameId.push(span);
    }
    unique.push(span);
    if (span.parentSpanId !== undefined) push(children, span.parentSpanId, span);
  }

  for (const span of unique) {
    const sameId = byId.get(span.spanId) ?? [];
    let parent: DepSpan | undefined;
    // The callee half of an RPC whose caller reported the same span id (Zipkin shared spans; also
    // senders that forget the shared flag): its caller is that other half, not the parent id.
    if (span.shared === true || isCallee(span.kind)) {
      parent = sameId.find((other) => other !== span && other.shared !== true && isCaller(other.kind));
    }
    if (parent === undefined && span.parentSpanId !== undefined) {
      parent = pickParent(byId.get(span.parentSpanId), span);
    }
    // A consumer that names its broker was called by the broker, not by the producer's service
    // (Zipkin links messaging through the broker: producer → broker → consumer).
    const broker = span.kind === 'consumer' ? span.remoteService : undefined;
    if (broker !== undefined) {
      addLink(span, broker, span.service, span.error);
    } else if (parent !== undefined && parent.service !== span.service) {
      addLink(span, parent.service, span.service, span.error);
    }

    const remote = span.remoteService;
    if (remote !== undefined && isCaller(span.kind) && span.shared !== true) {
      const answered =
        (children.get(span.spanId) ?? []).some((child) => child.service === remote) ||
        sameId.some((other) => other !== span && other.service === remote);
      if (!answered) addLink(span, span.service, remote, span.error);
    }
  }
}

// A span id can be carried by both halves of a shared RPC: a child reported by the same service as
// one half belongs under that half; otherwise it runs inside the callee (the non-caller half).
function pickParent(candidates: DepSpan[] | undefined, child: DepSpan): DepSpan | undefined {
  if (candidates === undefined) return undefined;
  if (candidates.length === 1) return candidates[0] === child ? undefined : candidates[0];
  const others = candidates.filter((c) => c !== child);
  return (
    others.find((c) => c.service === child.service) ??
    others.find((c) => c.shared === true || !isCaller(c.kind)) ??
    others[0]
  );
}

// The same report written twice: equal in everything the rules look at.
function isDuplicate(a: DepSpan, b: DepSpan): boolean {
  return a.kind === b.kind && (a.shared === true) === (b.shared === true) && a.service === b.service;
}

function isCaller(kind: SpanKind): boolean {
  return kind === 'client' || kind === 'producer';
}

function isCallee(kind: SpanKind): boolean {
  return kind === 'server' || kind === 'consumer';
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

