/**
 * The memory engine: every span held in process memory, indexed by trace id, by tenant and service,
 * and by start time, so reads cost in proportion to the data they match. It is both the
 * `--storage=memory` engine and the embedded engine's buffer of recent spans (append/spansThrough/
 * dropThrough with log positions as marks).
 */
import { AppError } from '../../errors.js';
import type { AttributeValue, DependencyLink, Span, SpanKind } from '../../model/index.js';
import { compareStrings } from '../../model/index.js';
import type {
  DependencyReader,
  Operation,
  SpanReader,
  SpanWriter,
  Store,
  StoreStats,
  TenantScope,
  TraceQuery,
  TraceRef,
  WriteOptions,
} from '../api.js';
import { dedupeSpans } from '../dedupe.js';
import { computeDependencies, toDepSpan } from '../dependencies.js';
import { spanMatches } from '../match.js';
import { aggregateSpans, compilePredicate, searchSpans, type SpanTest } from '../predicate.js';
import { summarizeTrace } from '../summaries.js';
import { Fifo } from './fifo.js';
import { TimeIndex } from './time-index.js';

/** Options of the memory engine. */
export interface MemoryStoreOptions {
  /** Spans held at most; the oldest appended are evicted first. Default 1_000_000. */
  maxSpans?: number;
}

/** Default span capacity of the memory engine. */
export const DEFAULT_MEMORY_MAX_SPANS = 1_000_000;

interface OperationEntry {
  name: string;
  spanKind: SpanKind;
  count: number;
}

interface ServiceIndex {
  spans: TimeIndex;
  /** Keyed by name + "\0" + kind. */
  operations: Map<string, OperationEntry>;
  remoteServices: Map<string, number>;
}

interface TenantIndex {
  spans: TimeIndex;
  services: Map<string, ServiceIndex>;
  /** Attribute key → value as written → number of spans carrying it (strings made at read time). */
  attributeValues: Map<string, Map<AttributeValue, number>>;
  /**
   * Keys with more than MAX_INDEXED_VALUES distinct values (URLs, user ids): no longer counted,
   * since indexing every new value of every span costs more than the rare scan that answers them.
   */
  wideKeys: Set<string>;
}

/** Distinct values counted per attribute key before the key is answered by scanning instead. */
export const MAX_INDEXED_VALUES = 1000;

/** An in-memory Store; writes are synchronous, so a span is readable as soon as writeSpans resolves. */
export class MemoryStore implements Store {
  /** Engine name reported in logs and metrics. */
  readonly name = 'memory';
  /** Writer view of this store. */
  readonly writer: SpanWriter;
  /** Reader view of this store. */
  readonly reader: SpanReader;
  /** Dependency view of this store. */
  readonly dependencies: DependencyReader;

  private readonly maxSpans: number;
  private readonly order = new Fifo<Span>();
  private readonly marks = new Fifo<number>();
  private readonly traces = new Map<string, Fifo<Span>>();
  private readonly tenants = new Map<string, TenantIndex>();
  private lastMark = 0;
  private evicted = 0;
  private closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    const maxSpans = options.maxSpans ?? DEFAULT_MEMORY_MAX_SPANS;
    if (!Number.isInteger(maxSpans) || maxSpans < 1) {
      throw new AppError('INVALID_ARGUMENT', `memory store maxSpans: expected a positive integer, got ${maxSpans}`);
    }
    this.maxSpans = maxSpans;
    this.writer = { writeSpans: (spans, opts) => this.writeSpans(spans, opts) };
    this.reader = {
      getServices: async (scope) => this.getServices(scope),
      getOperations: async (query) => this.getOperations(query),
      getRemoteServices: async (query) => this.getRemoteServices(query),
      getTrace: async (query) => this.getTrace(query),
      getTraces: async (query) => query.traceIds.flatMap((traceId) => {
        const spans = this.getTrace({ ...query, traceId });
        return spans.length > 0 ? [spans] : [];
      }),
      findTraceIds: async (query) => this.findTraceIds(query),
      getTraceSummaries: async (query) => query.traceIds.flatMap((traceId) => {
        // Summaries read the held spans in place: nothing is copied.
        const spans = this.heldTrace({ ...query, traceId });
        return spans.length > 0 ? [summarizeTrace(spans)] : [];
      }),
      getAttributeValues: async (query) => this.getAttributeValues(query),
      aggregateSpans: async (query) => aggregateSpans(this.spansStartingBetween(query), query),
      findSpans: async (query) => searchSpans(this.spansStartingBetween(query), query).map(cloneSpan),
    };
    this.dependencies = { getDependencies: async (query) => this.getDependencies(query) };
  }

  /** The mark of the latest append (0 before any): every held span's mark is at most this. */
  get latestMark(): number {
    return this.lastMark;
  }

  /** Number of spans held. */
  get size(): number {
    return this.order.size;
  }

  /**
   * Inserts spans synchronously, tagged with a monotonically non-decreasing mark (e.g. a log
   * position); without a mark, the previous mark + 1. Evicts the oldest spans beyond maxSpans.
   * The spans are held by reference: callers MUST NOT modify them afterwards.
   */
  append(spans: readonly Span[], mark?: number): void {
    if (this.closed) throw new AppError('UNAVAILABLE', 'memory store is closed');
    const m = mark ?? this.lastMark + 1;
    if (!Number.isFinite(m) || m < this.lastMark) {
      throw new AppError('INVALID_ARGUMENT', `memory store append: mark ${m} is below the last mark ${this.lastMark}`);
    }
    this.lastMark = m;
    for (const span of spans) this.insert(span, m);
    while (this.order.size > this.maxSpans) {
      this.removeOldest();
      this.evicted++;
    }
  }

  /** The spans appended with mark <= `mark`, in append order (held objects: do not modify). */
  spansThrough(mark: number): Span[] {
    const out: Span[] = [];
    const marks = this.marks[Symbol.iterator]();
    for (const span of this.order) {
      const m = marks.next().value as number;
      if (m > mark) break;
      out.push(span);
    }
    return out;
  }

  /**
   * The spans of the scope whose startUs lies in [startUsMin, startUsMax], in no particular order
   * (held objects: do not modify). Costs in proportion to the spans of the window, not all spans.
   */
  spansStartingBetween(query: TenantScope & { startUsMin: number; startUsMax: number }): Span[] {
    const out: Span[] = [];
    for (const tenant of this.scoped(query)) {
      for (const bucket of tenant.spans.bucketsDescending(query.startUsMin, query.startUsMax)) {
        for (const span of bucket) if (span.startUs >= query.startUsMin && span.startUs <= query.startUsMax) out.push(span);
      }
    }
    return out;
  }

  /** Removes the spans appended with mark <= `mark` (and index entries that became empty). */
  dropThrough(mark: number): void {
    while (this.order.size > 0 && (this.marks.peek() as number) <= mark) this.removeOldest();
  }

  /** Counters for /metrics: nothing is on disk and nothing waits for a flush. */
  stats(): StoreStats {
    return { diskBytes: 0, bufferedSpans: 0, extra: { memory_spans: this.order.size, memory_evicted_spans_total: this.evicted } };
  }

  /** Drops every span; later writes reject with UNAVAILABLE. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.dropThrough(Number.POSITIVE_INFINITY);
  }

  private async writeSpans(spans: readonly Span[], options?: WriteOptions): Promise<void> {
    if (options?.signal?.aborted === true) {
      throw new AppError('UNAVAILABLE', 'memory store write aborted', { cause: options.signal.reason });
    }
    this.append(spans);
  }

  private insert(span: Span, mark: number): void {
    this.order.push(span);
    this.marks.push(mark);
    let trace = this.traces.get(span.traceId);
    if (trace === undefined) {
      trace = new Fifo<Span>();
      this.traces.set(span.traceId, trace);
    }
    trace.push(span);

    let tenant = this.tenants.get(span.tenant);
    if (tenant === undefined) {
      tenant = { spans: new TimeIndex(), services: new Map(), attributeValues: new Map(), wideKeys: new Set() };
      this.tenants.set(span.tenant, tenant);
    }
    tenant.spans.add(span);
    let service = tenant.services.get(span.service);
    if (service === undefined) {
      service = { spans: new TimeIndex(), operations: new Map(), remoteServices: new Map() };
      tenant.services.set(span.service, service);
    }
    service.spans.add(span);
    const opKey = `${span.name}\u0000${span.kind}`;
    const op = service.operations.get(opKey);
    if (op === undefined) service.operations.set(opKey, { name: span.name, spanKind: span.kind, count: 1 });
    else op.count++;
    const remote = span.remoteEndpoint?.serviceName;
    if (remote !== undefined && remote !== '') increment(service.remoteServices, remote);
    for (const key in span.attributes) {
      if (!Object.hasOwn(span.attributes, key)) continue;
      let values = tenant.attributeValues.get(key);
      if (values === undefined) {
        if (tenant.wideKeys.has(key)) continue;
        values = new Map();
        tenant.attributeValues.set(key, values);
      }
      increment(values, span.attributes[key]!);
      if (values.size > MAX_INDEXED_VALUES) {
        tenant.wideKeys.add(key);
        tenant.attributeValues.delete(key);
      }
    }
  }

  private removeOldest(): void {
    const span = this.order.shift();
    this.marks.shift();
    if (span === undefined) return;
    const trace = this.traces.get(span.traceId);
    if (trace !== undefined) {
      trace.shift();
      if (trace.size === 0) this.traces.delete(span.traceId);
    }
    const tenant = this.tenants.get(span.tenant);
    if (tenant === undefined) return;
    tenant.spans.removeOldest(span);
    const service = tenant.services.get(span.service);
    if (service !== undefined) {
      service.spans.removeOldest(span);
      const opKey = `${span.name}\u0000${span.kind}`;
      const op = service.operations.get(opKey);
      if (op !== undefined && --op.count === 0) service.operations.delete(opKey);
      const remote = span.remoteEndpoint?.serviceName;
      if (remote !== undefined && remote !== '') decrement(service.remoteServices, remote);
      if (service.spans.size === 0) tenant.services.delete(span.service);
    }
    for (const key in span.attributes) {
      if (!Object.hasOwn(span.attributes, key)) continue;
      const values = tenant.attributeValues.get(key);
      if (values === undefined) continue;
      decrement(values, span.attributes[key]!);
      if (values.size === 0) tenant.attributeValues.delete(key);
    }
    if (tenant.spans.size === 0) this.tenants.delete(span.tenant);
  }

  /** The tenant indexes a scope reads: one tenant, or all of them. */
  private scoped(scope: TenantScope): TenantIndex[] {
    if (scope.tenant === undefined) return [...this.tenants.values()];
    const tenant = this.tenants.get(scope.tenant);
    return tenant === undefined ? [] : [tenant];
  }

  private getServices(scope: TenantScope): string[] {
    const names = new Set<string>();
    for (const tenant of this.scoped(scope)) for (const name of tenant.services.keys()) names.add(name);
    return [...names].sort(compareStrings);
  }

  private getOperations(query: TenantScope & { service: string; spanKind?: SpanKind }): Operation[] {
    const ops = new Map<string, Operation>();
    for (const tenant of this.scoped(query)) {
      const service = tenant.services.get(query.service);
      if (service === undefined) continue;
      for (const [key, op] of service.operations) {
        if (query.spanKind !== undefined && op.spanKind !== query.spanKind) continue;
        ops.set(key, { name: op.name, spanKind: op.spanKind });
      }
    }
    return [...ops.values()].sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.spanKind, b.spanKind));
  }

  private getRemoteServices(query: TenantScope & { service: string }): string[] {
    const names = new Set<string>();
    for (const tenant of this.scoped(query)) {
      const service = tenant.services.get(query.service);
      if (service !== undefined) for (const name of service.remoteServices.keys()) names.add(name);
    }
    return [...names].sort(compareStrings);
  }

  private getTrace(query: TenantScope & { traceId: string }): Span[] {
    return this.heldTrace(query).map(cloneSpan);
  }

  /** How many spans of one trace are held in the scope (every tenant when undefined), duplicates counted, without copying them. */
  heldTraceSize(traceId: string, tenant?: string): number {
    const trace = this.traces.get(traceId);
    if (trace === undefined) return 0;
    if (tenant === undefined) return trace.size;
    let n = 0;
    for (const span of trace) if (span.tenant === tenant) n++;
    return n;
  }

  /**
   * The held spans of one trace in the scope, exact duplicates collapsed, without copying them
   * (held objects: do not modify); for readers that only look at a few fields, such as summaries.
   */
  heldTrace(query: TenantScope & { traceId: string }): Span[] {
    const trace = this.traces.get(query.traceId);
    if (trace === undefined) return [];
    const spans: Span[] = [];
    for (const span of trace) if (query.tenant === undefined || span.tenant === query.tenant) spans.push(span);
    return dedupeSpans(spans);
  }

  private findTraceIds(query: TraceQuery): TraceRef[] {
    // Compiled first, so a bad pattern is an error even when nothing would be read.
    const where = compilePredicate(query.where);
    if (query.limit <= 0) return [];
    const latest = new Map<string, number>();
    for (const tenant of this.scoped(query)) {
      for (const ref of this.findInTenant(tenant, query, where)) {
        const seen = latest.get(ref.traceId);
        if (seen === undefined || ref.startUs > seen) latest.set(ref.traceId, ref.startUs);
      }
    }
    return newestFirst(latest).slice(0, query.limit);
  }

  /**
   * The newest `limit` traces of one tenant. Buckets are visited newest first; once a whole bucket
   * is done with `limit` traces found, no unvisited span can start later than any of them.
   */
  private findInTenant(tenant: TenantIndex, query: TraceQuery, where: SpanTest): TraceRef[] {
    const index = query.service === undefined ? tenant.spans : tenant.services.get(query.service)?.spans;
    if (index === undefined) return [];
    const latest = new Map<string, number>();
    for (const bucket of index.bucketsDescending(query.startUsMin, query.startUsMax)) {
      for (const span of bucket) {
        if (!spanMatches(span, query) || !where(span)) continue;
        const seen = latest.get(span.traceId);
        if (seen === undefined || span.startUs > seen) latest.set(span.traceId, span.startUs);
      }
      if (latest.size >= query.limit) break;
    }
    return newestFirst(latest).slice(0, query.limit);
  }

  private getAttributeValues(query: TenantScope & { key: string; limit: number }): string[] {
    const values = new Set<string>();
    const tenants = this.scoped(query);
    if (tenants.some((t) => t.wideKeys.has(query.key))) {
      for (const span of this.order) {
        if (query.tenant !== undefined && span.tenant !== query.tenant) continue;
        const value = Object.hasOwn(span.attributes, query.key) ? span.attributes[query.key] : undefined;
        if (value !== undefined) values.add(String(value));
      }
    } else {
      for (const tenant of tenants) {
        const held = tenant.attributeValues.get(query.key);
        if (held !== undefined) for (const value of held.keys()) values.add(String(value));
      }
    }
    return [...values].sort(compareStrings).slice(0, Math.max(0, query.limit));
  }

  private getDependencies(query: TenantScope & { endUs: number; lookbackUs: number }): DependencyLink[] {
    const window = { tenant: query.tenant, startUsMin: query.endUs - query.lookbackUs, startUsMax: query.endUs };
    return computeDependencies(this.spansStartingBetween(window).map(toDepSpan));
  }
}

/** Opens a memory store (nothing to open: it is ready at once). */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  return new MemoryStore(options);
}

/** A deep copy the caller owns, without read-time warnings. */
function cloneSpan(span: Span): Span {
  const copy: Span = {
    ...span,
    attributes: { ...span.attributes },
    resource: { ...span.resource },
    events: span.events.map((event) => (event.attributes === undefined ? { ...event } : { ...event, attributes: { ...event.attributes } })),
    links: span.links.map((link) => (link.attributes === undefined ? { ...link } : { ...link, attributes: { ...link.attributes } })),
  };
  if (span.localEndpoint !== undefined) copy.localEndpoint = { ...span.localEndpoint };
  if (span.remoteEndpoint !== undefined) copy.remoteEndpoint = { ...span.remoteEndpoint };
  delete copy.warnings;
  return copy;
}

function newestFirst(latest: Map<string, number>): TraceRef[] {
  const refs: TraceRef[] = [];
  for (const [traceId, startUs] of latest) refs.push({ traceId, startUs });
  return refs.sort((a, b) => b.startUs - a.startUs || compareStrings(a.traceId, b.traceId));
}

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function decrement<K>(map: Map<K, number>, key: K): void {
  const count = map.get(key);
  if (count === undefined) return;
  if (count <= 1) map.delete(key);
  else map.set(key, count - 1);
}

