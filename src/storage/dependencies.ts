/**
 * Service dependency links from spans, following the rules of DependencyReader in api.ts
 * (the semantics of Zipkin's DependencyLinker: https://github.com/openzipkin/zipkin/tree/master/zipkin/src/main/java/zipkin2/internal).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { DependencyLink, Span, SpanKind } from '../model/index.js';
import { compareStrings, SPAN_KINDS } from '../model/index.js';

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

/** DepColumns.flags: the span kind's index in SPAN_KINDS occupies the low three bits. */
export const DEP_KIND_MASK = 7;
/** DepColumns.flags: Zipkin shared server half. */
export const DEP_SHARED = 8;
/** DepColumns.flags: the span is an error. */
export const DEP_ERROR = 16;
/** DepColumns.flags: the span names a parent (parentHi/parentLo hold it). */
export const DEP_HAS_PARENT = 32;

const SERVER = SPAN_KINDS.indexOf('server');
const CLIENT = SPAN_KINDS.indexOf('client');
const PRODUCER = SPAN_KINDS.indexOf('producer');
const CONSUMER = SPAN_KINDS.indexOf('consumer');
const IDENTITY_MASK = DEP_KIND_MASK | DEP_SHARED;

/**
 * Spans as columns, the form the dependency rules run on: one row per span, names (tenants,
 * services, remote services) as codes into `names` (equal names have equal codes), ids as two
 * unsigned 32-bit halves. Engines may fill it straight from storage; DepSpan objects are turned
 * into it by computeDependencies.
 */
export interface DepColumns {
  readonly count: number;
  /** Number of distinct trace numbers used in `trace`. */
  readonly traceCount: number;
  /** Trace number in [0, traceCount): equal exactly for spans of the same tenant and trace id. */
  readonly trace: Int32Array;
  readonly tenant: Int32Array;
  readonly idHi: Uint32Array;
  readonly idLo: Uint32Array;
  /** Meaningful only with DEP_HAS_PARENT. */
  readonly parentHi: Uint32Array;
  readonly parentLo: Uint32Array;
  readonly service: Int32Array;
  /** Remote service code, -1 when none. */
  readonly remote: Int32Array;
  /** Kind index | DEP_SHARED | DEP_ERROR | DEP_HAS_PARENT. */
  readonly flags: Uint8Array;
  /** Start in µs since the epoch, NaN when unknown. */
  readonly startUs: Float64Array;
  readonly names: readonly string[];
  /** Orders two ids (hi, lo halves); only used to choose among duplicate reports deterministically. */
  compareIds(aHi: number, aLo: number, bHi: number, bLo: number): number;
}

/** Options of {@link DepColumnsBuilder}. */
export interface DepColumnsBuilderOptions {
  /** Order of ids (default: numeric, high half first). */
  compareIds?: (aHi: number, aLo: number, bHi: number, bLo: number) => number;
  /** Rows to allocate up front (default 1024); the columns grow as needed. */
  capacity?: number;
}

/** Growable DepColumns: push() a row, then write its fields at the returned index. */
export class DepColumnsBuilder implements DepColumns {
  count = 0;
  traceCount = 0;
  trace: Int32Array;
  tenant: Int32Array;
  idHi: Uint32Array;
  idLo: Uint32Array;
  parentHi: Uint32Array;
  parentLo: Uint32Array;
  service: Int32Array;
  remote: Int32Array;
  flags: Uint8Array;
  startUs: Float64Array;
  readonly names: string[] = [];
  private readonly codes = new Map<string, number>();
  private traceIds: TraceIdTable | undefined;
  private readonly idOrder: (aHi: number, aLo: number, bHi: number, bLo: number) => number;

  constructor(options: DepColumnsBuilderOptions = {}) {
    const capacity = Math.max(16, options.capacity ?? 1024);
    this.trace = new Int32Array(capacity);
    this.tenant = new Int32Array(capacity);
    this.idHi = new Uint32Array(capacity);
    this.idLo = new Uint32Array(capacity);
    this.parentHi = new Uint32Array(capacity);
    this.parentLo = new Uint32Array(capacity);
    this.service = new Int32Array(capacity);
    this.remote = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.startUs = new Float64Array(capacity);
    this.idOrder = options.compareIds ?? ((aHi, aLo, bHi, bLo) => aHi - bHi || aLo - bLo);
  }

  compareIds(aHi: number, aLo: number, bHi: number, bLo: number): number {
    return this.idOrder(aHi, aLo, bHi, bLo);
  }

  /** The code of a name, the same for equal names. */
  name(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.names.length;
      this.names.push(value);
      this.codes.set(value, code);
    }
    return code;
  }

  /** A trace number not used yet. */
  newTrace(): number {
    return this.traceCount++;
  }

  /**
   * The trace number of a tenant code and a 128-bit trace id given as four 32-bit words (most
   * significant first): the same for equal arguments, a new one (newTrace) for each new pair.
   */
  traceOf(tenant: number, w0: number, w1: number, w2: number, w3: number): number {
    return (this.traceIds ??= new TraceIdTable()).numberOf(this, tenant, w0, w1, w2, w3);
  }

  /** The 32 lowercase hex chars of a trace number traceOf gave, undefined for any other. */
  traceId(trace: number): string | undefined {
    return this.traceIds?.idOf(trace);
  }

  /**
   * Adds a span whose ids are in the model's normal form (32 and 16 lowercase hex chars), ids as
   * their numeric halves and the trace by traceOf: rows of spans of one tenant and trace id share
   * a trace number with the rows an engine added through traceOf.
   */
  addSpan(span: Span): void {
    const tenant = this.name(span.tenant ?? '');
    const id = span.traceId;
    const trace = this.traceOf(tenant, hexWord(id, 0), hexWord(id, 8), hexWord(id, 16), hexWord(id, 24));
    const remote = span.remoteEndpoint?.serviceName;
    const parent = span.parentSpanId;
    const i = this.push();
    this.trace[i] = trace;
    this.tenant[i] = tenant;
    this.idHi[i] = hexWord(span.spanId, 0);
    this.idLo[i] = hexWord(span.spanId, 8);
    if (parent !== undefined) {
      this.parentHi[i] = hexWord(parent, 0);
      this.parentLo[i] = hexWord(parent, 8);
    }
    this.service[i] = this.name(span.service);
    this.remote[i] = remote === undefined || remote === '' ? -1 : this.name(remote);
    this.flags[i] = Math.max(0, SPAN_KINDS.indexOf(span.kind)) | (span.shared === true ? DEP_SHARED : 0)
      | (span.statusCode === 'error' ? DEP_ERROR : 0) | (parent !== undefined ? DEP_HAS_PARENT : 0);
    this.startUs[i] = span.startUs;
  }

  /**
   * Adds `rows` rows (default one; all fields zero) and returns the index of the first; the column
   * arrays may be replaced, so read them after.
   */
  push(rows = 1): number {
    if (this.count + rows > this.trace.length) this.grow(Math.max(this.trace.length * 2, this.count + rows));
    const first = this.count;
    this.count += rows;
    return first;
  }

  /** Makes room for `rows` rows in all, so that pushing up to that many never copies the columns. */
  reserve(rows: number): void {
    if (rows > this.trace.length) this.grow(rows);
  }

  private grow(size: number): void {
    this.trace = grown(this.trace, new Int32Array(size));
    this.tenant = grown(this.tenant, new Int32Array(size));
    this.idHi = grown(this.idHi, new Uint32Array(size));
    this.idLo = grown(this.idLo, new Uint32Array(size));
    this.parentHi = grown(this.parentHi, new Uint32Array(size));
    this.parentLo = grown(this.parentLo, new Uint32Array(size));
    this.service = grown(this.service, new Int32Array(size));
    this.remote = grown(this.remote, new Int32Array(size));
    this.flags = grown(this.flags, new Uint8Array(size));
    this.startUs = grown(this.startUs, new Float64Array(size));
  }
}

/** The 32-bit word of a hex id starting at char `at`. */
function hexWord(id: string, at: number): number {
  return Number.parseInt(id.slice(at, at + 8), 16);
}

/** A 32-bit word as 8 lowercase hex chars. */
function hexOf(word: number): string {
  return word.toString(16).padStart(8, '0');
}

/**
 * (tenant code, trace id words) → trace number, for DepColumnsBuilder.traceOf: open addressing
 * over typed arrays, so a read of a million spans allocates no object per trace.
 */
class TraceIdTable {
  /** Entry index + 1 per slot, 0 when free. */
  private slots = new Int32Array(4096);
  /** Five words per entry: tenant, then the id's words. */
  private keys = new Uint32Array(5 * 2048);
  private numbers = new Int32Array(2048);
  /** Entry index + 1 per trace number, 0 for numbers given by other means. */
  private entryOfNumber = new Int32Array(2048);
  private size = 0;

  /** The 32 hex chars of a trace number's id, undefined when traceOf did not give it. */
  idOf(trace: number): string | undefined {
    const e = (this.entryOfNumber[trace] ?? 0) - 1;
    if (e < 0) return undefined;
    const k = e * 5;
    return hexOf(this.keys[k + 1]!) + hexOf(this.keys[k + 2]!) + hexOf(this.keys[k + 3]!) + hexOf(this.keys[k + 4]!);
  }

  numberOf(columns: DepColumnsBuilder, tenant: number, w0: number, w1: number, w2: number, w3: number): number {
    const { keys } = this;
    const mask = this.slots.length - 1;
    let slot = traceSlot(tenant, w0, w1, w2, w3) & mask;
    for (let e = this.slots[slot]! - 1; e >= 0; e = this.slots[slot]! - 1) {
      const k = e * 5;
      if (keys[k + 4] === w3 && keys[k + 3] === w2 && keys[k + 2] === w1 && keys[k + 1] === w0 && keys[k] === tenant) return this.numbers[e]!;
      slot = (slot + 1) & mask;
    }
    const e = this.size++;
    if (e === this.numbers.length) {
      this.keys = grown(this.keys, new Uint32Array(this.keys.length * 2));
      this.numbers = grown(this.numbers, new Int32Array(this.numbers.length * 2));
    }
    const k = e * 5;
    this.keys[k] = tenant;
    this.keys[k + 1] = w0;
    this.keys[k + 2] = w1;
    this.keys[k + 3] = w2;
    this.keys[k + 4] = w3;
    const number = columns.newTrace();
    this.numbers[e] = number;
    if (number >= this.entryOfNumber.length) this.entryOfNumber = grown(this.entryOfNumber, new Int32Array(Math.max(number + 1, this.entryOfNumber.length * 2)));
    this.entryOfNumber[number] = e + 1;
    this.slots[slot] = e + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    return number;
  }

  /** Doubles the slots (at most half used) and places every entry again. */
  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    const { keys } = this;
    for (let e = 0; e < this.size; e++) {
      const k = e * 5;
      let slot = traceSlot(keys[k]!, keys[k + 1]!, keys[k + 2]!, keys[k + 3]!, keys[k + 4]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.slots = slots;
  }
}

function traceSlot(tenant: number, w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(w3 ^ Math.imul(tenant, 0x27d4eb2f), 0x9e3779b1);
  h = Math.imul(h ^ w2 ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ w1 ^ (h >>> 13), 0xc2b2ae35);
  return (Math.imul(h ^ w0 ^ (h >>> 16), 0x165667b1) ^ (h >>> 15)) >>> 0;
}

function grown<A extends Int32Array | Uint32Array | Uint8Array | Float64Array>(old: A, fresh: A): A {
  fresh.set(old);
  return fresh;
}

/**
 * The rows of columns filled by addSpan and traceOf as DepSpan objects, ids in the model's normal
 * form (the objects addSpan was given would give the same edges), giving the event loop a turn
 * (setImmediate) after every `sliceSpans` rows.
 */
export async function depSpansOf(columns: DepColumnsBuilder, options: LinkSliceOptions = {}): Promise<DepSpan[]> {
  const slice = options.sliceSpans ?? DEFAULT_LINK_SLICE_SPANS;
  const { trace, tenant, idHi, idLo, parentHi, parentLo, service, remote, flags, startUs, names } = columns;
  const traceIds: string[] = [];
  const out: DepSpan[] = [];
  for (let i = 0; i < columns.count; i++) {
    if (i > 0 && i % slice === 0) await yieldToLoop();
    const t = trace[i]!;
    let traceId = traceIds[t];
    if (traceId === undefined) traceIds[t] = traceId = columns.traceId(t) ?? `trace ${t}`;
    const f = flags[i]!;
    const r = remote[i]!;
    out.push({
      traceId,
      spanId: hexOf(idHi[i]!) + hexOf(idLo[i]!),
      parentSpanId: (f & DEP_HAS_PARENT) === 0 ? undefined : hexOf(parentHi[i]!) + hexOf(parentLo[i]!),
      service: names[service[i]!]!,
      kind: SPAN_KINDS[f & DEP_KIND_MASK] ?? 'unspecified',
      shared: (f & DEP_SHARED) !== 0,
      remoteService: r < 0 ? undefined : names[r],
      error: (f & DEP_ERROR) !== 0,
      tenant: names[tenant[i]!],
      startUs: startUs[i]!,
    });
  }
  return out;
}

/** DepSpan objects as columns; span ids are coded by their text, so any id format works. */
export function depColumnsOf(spans: Iterable<DepSpan>): DepColumns {
  return runAll(depColumnsSteps(spans, Number.POSITIVE_INFINITY));
}

/** depColumnsOf, pausing (a yield) after every `sliceSpans` spans. */
function* depColumnsSteps(spans: Iterable<DepSpan>, sliceSpans: number): Generator<void, DepColumns> {
  const idText: string[] = [''];
  const idCodes = new Map<string, number>();
  const idCode = (id: string): number => {
    let code = idCodes.get(id);
    if (code === undefined) {
      code = idText.length;
      idText.push(id);
      idCodes.set(id, code);
    }
    return code;
  };
  const columns = new DepColumnsBuilder({ compareIds: (_aHi, aLo, _bHi, bLo) => compareStrings(idText[aLo] ?? '', idText[bLo] ?? '') });
  // tenant → traceId → trace number; nested maps avoid building a composite key string per span.
  const tenants = new Map<string, Map<string, number>>();
  for (const span of spans) {
    if (columns.count > 0 && columns.count % sliceSpans === 0) yield;
    const tenant = span.tenant ?? '';
    let traces = tenants.get(tenant);
    if (traces === undefined) tenants.set(tenant, (traces = new Map()));
    let trace = traces.get(span.traceId);
    if (trace === undefined) traces.set(span.traceId, (trace = columns.newTrace()));
    const i = columns.push();
    columns.trace[i] = trace;
    columns.tenant[i] = columns.name(tenant);
    columns.idLo[i] = idCode(span.spanId);
    if (span.parentSpanId !== undefined) columns.parentLo[i] = idCode(span.parentSpanId);
    columns.service[i] = columns.name(span.service);
    columns.remote[i] = span.remoteService === undefined ? -1 : columns.name(span.remoteService);
    columns.flags[i] = Math.max(0, SPAN_KINDS.indexOf(span.kind)) | (span.shared === true ? DEP_SHARED : 0) | (span.error ? DEP_ERROR : 0)
      | (span.parentSpanId !== undefined ? DEP_HAS_PARENT : 0);
    columns.startUs[i] = span.startUs ?? Number.NaN;
  }
  return columns;
}

/**
 * Computes the caller → callee links of the given spans, sorted by parent then child.
 * An edge is counted once per span whose parent span belongs to another service (the client and
 * server halves of a shared span id count once, on the server half), plus once per client or
 * producer span that names a remote service and has no child span reported by that service. A
 * consumer span that names a remote service (its broker) links broker → consumer instead of
 * linking to its parent's service, so messaging shows as producer → broker → consumer.
 * errorCount counts calls whose callee-side span is an error, or the caller-side span when there
 * is no callee. Self-edges are never produced. Reports of one span id by the same service with the
 * same kind and shared flag count once (the one with the earliest start, then no error, then the
 * smallest remote service, then parent id, is used). Where several spans could be the caller, the
 * smallest service name is taken, so the answer never depends on the order of the input.
 * With a `window`, only edges whose counting span starts in it are counted (see CountWindow).
 */
export function computeDependencies(spans: Iterable<DepSpan> | DepColumns, window?: CountWindow): DependencyLink[] {
  const columns = asColumns(spans);
  const links = linkCounter(columns, window);
  runAll(linkSteps(columns, links.sink, Number.POSITIVE_INFINITY));
  return links.result();
}

/**
 * The edges of the given spans per minute of their counting span (see CountWindow) and per tenant,
 * only for counting spans starting in `window`; sorted by minute, tenant, parent, child. Summing
 * the rows of every minute of a window gives computeDependencies(spans, window) for that window.
 */
export function computeMinuteEdges(spans: Iterable<DepSpan> | DepColumns, window: CountWindow): MinuteEdge[] {
  const columns = asColumns(spans);
  const edges = minuteEdgeCounter(columns, window);
  runAll(linkSteps(columns, edges.sink, Number.POSITIVE_INFINITY));
  return edges.result();
}

/** Spans linked between two turns of the event loop by the sliced computations (default). */
export const DEFAULT_LINK_SLICE_SPANS = 32_768;

/** Options of the sliced computations. */
export interface LinkSliceOptions {
  /** Spans linked between two turns of the event loop (default DEFAULT_LINK_SLICE_SPANS). */
  sliceSpans?: number;
}

/**
 * computeDependencies, giving the event loop a turn (setImmediate) after every slice of about
 * `sliceSpans` spans (DepSpan objects turned into columns, then whole traces linked); the answer
 * is exactly the synchronous one.
 */
export async function computeDependenciesSliced(spans: Iterable<DepSpan> | DepColumns, window?: CountWindow, options: LinkSliceOptions = {}): Promise<DependencyLink[]> {
  const slice = options.sliceSpans ?? DEFAULT_LINK_SLICE_SPANS;
  const columns = await asColumnsSliced(spans, slice);
  const links = linkCounter(columns, window);
  await runSliced(linkSteps(columns, links.sink, slice));
  return links.result();
}

/**
 * computeMinuteEdges, giving the event loop a turn (setImmediate) after every slice of about
 * `sliceSpans` spans (DepSpan objects turned into columns, then whole traces linked); the answer
 * is exactly the synchronous one.
 */
export async function computeMinuteEdgesSliced(spans: Iterable<DepSpan> | DepColumns, window: CountWindow, options: LinkSliceOptions = {}): Promise<MinuteEdge[]> {
  const slice = options.sliceSpans ?? DEFAULT_LINK_SLICE_SPANS;
  const columns = await asColumnsSliced(spans, slice);
  const edges = minuteEdgeCounter(columns, window);
  await runSliced(linkSteps(columns, edges.sink, slice));
  return edges.result();
}

function isColumns(spans: Iterable<DepSpan> | DepColumns): spans is DepColumns {
  return (spans as DepColumns).startUs instanceof Float64Array;
}

function asColumns(spans: Iterable<DepSpan> | DepColumns): DepColumns {
  return isColumns(spans) ? spans : depColumnsOf(spans);
}

/** DepSpan objects as columns in slices, for the sliced computations. */
function asColumnsSliced(spans: Iterable<DepSpan> | DepColumns, sliceSpans: number): Promise<DepColumns> {
  return isColumns(spans) ? Promise.resolve(spans) : runSliced(depColumnsSteps(spans, sliceSpans));
}

/** Runs steps to their end at once. */
function runAll<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/** Runs steps to their end, giving the event loop a turn (setImmediate) at every pause. */
async function runSliced<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    await yieldToLoop();
  }
}

/** Counts edges into links (computeDependencies). */
function linkCounter(columns: DepColumns, window: CountWindow | undefined): { sink: EdgeSink; result(): DependencyLink[] } {
  const width = columns.names.length;
  const links = new Map<number, DependencyLink>();
  const { startUs, flags, names } = columns;
  return {
    sink(span, parent, child) {
      if (window !== undefined) {
        const start = startUs[span]!;
        if (!(start >= window.startUs && start <= window.endUs)) return;
      }
      const key = parent * width + child;
      let link = links.get(key);
      if (link === undefined) links.set(key, (link = { parent: names[parent]!, child: names[child]!, callCount: 0, errorCount: 0 }));
      link.callCount++;
      if ((flags[span]! & DEP_ERROR) !== 0) link.errorCount++;
    },
    result: () => [...links.values()].sort(compareLinks),
  };
}

/** Counts edges into minute rows (computeMinuteEdges). */
function minuteEdgeCounter(columns: DepColumns, window: CountWindow): { sink: EdgeSink; result(): MinuteEdge[] } {
  const width = columns.names.length;
  // minute → tenant code → parent * width + child → row
  const rows = new Map<number, Map<number, Map<number, MinuteEdge>>>();
  const out: MinuteEdge[] = [];
  const { startUs, flags, tenant, names } = columns;
  return {
    sink(span, parent, child) {
      const start = startUs[span]!;
      if (!(start >= window.startUs && start <= window.endUs)) return;
      const minuteUs = Math.floor(start / MINUTE_US) * MINUTE_US;
      let tenants = rows.get(minuteUs);
      if (tenants === undefined) rows.set(minuteUs, (tenants = new Map()));
      const t = tenant[span]!;
      let edges = tenants.get(t);
      if (edges === undefined) tenants.set(t, (edges = new Map()));
      const key = parent * width + child;
      let row = edges.get(key);
      if (row === undefined) {
        row = { minuteUs, tenant: names[t]!, parent: names[parent]!, child: names[child]!, callCount: 0, errorCount: 0 };
        edges.set(key, row);
        out.push(row);
      }
      row.callCount++;
      if ((flags[span]! & DEP_ERROR) !== 0) row.errorCount++;
    },
    result: () =>
      out.sort(
        (a, b) => a.minuteUs - b.minuteUs || compareStrings(a.tenant, b.tenant) || compareStrings(a.parent, b.parent) || compareStrings(a.child, b.child),
      ),
  };
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

/** Receives every edge: the row of its counting span and the name codes of both ends (never equal). */
type EdgeSink = (span: number, parent: number, child: number) => void;

function isCallerKind(kind: number): boolean {
  return kind === CLIENT || kind === PRODUCER;
}

/**
 * Links the spans trace by trace, pausing (a yield) once at least `sliceSpans` spans were linked
 * since the last pause. Per trace, span ids go into an open-addressing table whose entries chain
 * the distinct reports of that id and the spans naming it as parent, so the work is linear in the
 * spans of the trace. The columns must not change until it has run to its end.
 */
function* linkSteps(c: DepColumns, sink: EdgeSink, sliceSpans: number): Generator<void> {
  const n = c.count;
  if (n === 0) return;
  const { trace, idHi, idLo, parentHi, parentLo, service, remote, flags, startUs, names } = c;
  // Spans ordered by trace (a counting sort): each trace is one slice of `order`.
  const first = new Int32Array(c.traceCount + 1);
  for (let from = 0; from < n; from += sliceSpans) {
    if (from > 0) yield;
    for (let i = from, end = Math.min(n, from + sliceSpans); i < end; i++) first[trace[i]! + 1]!++;
  }
  let largest = 0;
  for (let t = 0; t < c.traceCount; t++) {
    largest = Math.max(largest, first[t + 1]!);
    first[t + 1]! += first[t]!;
  }
  const order = new Int32Array(n);
  const fill = first.slice(0, c.traceCount);
  for (let from = 0; from < n; from += sliceSpans) {
    yield;
    for (let i = from, end = Math.min(n, from + sliceSpans); i < end; i++) order[fill[trace[i]!]!++] = i;
  }

  let slotCapacity = 16;
  while (slotCapacity < largest * 2) slotCapacity *= 2;
  const slots = new Int32Array(slotCapacity);
  const entryHi = new Uint32Array(largest);
  const entryLo = new Uint32Array(largest);
  /** First distinct report of the entry's id, chained through nextSame. */
  const entryHead = new Int32Array(largest);
  /** First span naming the entry's id as parent, chained through nextChild. */
  const entryChild = new Int32Array(largest);
  const nextSame = new Int32Array(n);
  const nextChild = new Int32Array(n);
  const entryOf = new Int32Array(n);
  let mask = 0;
  let entries = 0;

  const find = (hi: number, lo: number, insert: boolean): number => {
    let h = (Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask;
    for (;;) {
      const e = slots[h]!;
      if (e < 0) {
        if (!insert) return -1;
        entryHi[entries] = hi;
        entryLo[entries] = lo;
        entryHead[entries] = -1;
        entryChild[entries] = -1;
        slots[h] = entries;
        return entries++;
      }
      if (entryHi[e] === hi && entryLo[e] === lo) return e;
      h = (h + 1) & mask;
    }
  };

  const smaller = (current: number, candidate: number): number =>
    current < 0 || (candidate !== current && compareStrings(names[candidate]!, names[current]!) < 0) ? candidate : current;

  /** Which of two reports of the same span by the same service is used: the earlier start, no error, smaller remote, smaller parent. */
  const before = (a: number, b: number): boolean => {
    const sa = startUs[a]!;
    const sb = startUs[b]!;
    if (sa !== sb && !(Number.isNaN(sa) && Number.isNaN(sb))) return Number.isNaN(sa) || sa < sb;
    const ea = flags[a]! & DEP_ERROR;
    const eb = flags[b]! & DEP_ERROR;
    if (ea !== eb) return ea < eb;
    const ra = remote[a]!;
    const rb = remote[b]!;
    if (ra !== rb) return ra < 0 || (rb >= 0 && compareStrings(names[ra]!, names[rb]!) < 0);
    const pa = flags[a]! & DEP_HAS_PARENT;
    const pb = flags[b]! & DEP_HAS_PARENT;
    if (pa !== pb) return pa < pb;
    return pa !== 0 && c.compareIds(parentHi[a]!, parentLo[a]!, parentHi[b]!, parentLo[b]!) < 0;
  };

  /** The parent's service among the reports of its id (entry), or -1: its own service wins, then a callee half, then any. */
  const parentService = (entry: number, child: number): number => {
    const head = entryHead[entry]!;
    if (nextSame[head]! < 0) return head === child ? -1 : service[head]!;
    let callee = -1;
    let any = -1;
    for (let v = head; v >= 0; v = nextSame[v]!) {
      if (v === child) continue;
      if (service[v] === service[child]) return service[child]!;
      if ((flags[v]! & DEP_SHARED) !== 0 || !isCallerKind(flags[v]! & DEP_KIND_MASK)) callee = smaller(callee, service[v]!);
      any = smaller(any, service[v]!);
    }
    return callee >= 0 ? callee : any;
  };

  const emit = (span: number, parent: number, child: number): void => {
    if (parent !== child) sink(span, parent, child);
  };

  let pausedAt = 0;
  yield;
  for (let t = 0; t < c.traceCount; t++) {
    const from = first[t]!;
    const to = first[t + 1]!;
    if (from === to) continue;
    if (from - pausedAt >= sliceSpans) {
      pausedAt = from;
      yield;
    }
    let capacity = 16;
    while (capacity < (to - from) * 2) capacity *= 2;
    mask = capacity - 1;
    slots.fill(-1, 0, capacity);
    entries = 0;

    // Distinct reports per id: a report repeating one (same kind, shared flag and service) keeps the better of the two.
    for (let k = from; k < to; k++) {
      const s = order[k]!;
      const e = find(idHi[s]!, idLo[s]!, true);
      entryOf[s] = e;
      let prev = -1;
      let u = entryHead[e]!;
      while (u >= 0 && !((flags[u]! & IDENTITY_MASK) === (flags[s]! & IDENTITY_MASK) && service[u] === service[s])) {
        prev = u;
        u = nextSame[u]!;
      }
      if (u < 0) {
        nextSame[s] = entryHead[e]!;
        entryHead[e] = s;
      } else if (before(s, u)) {
        nextSame[s] = nextSame[u]!;
        if (prev < 0) entryHead[e] = s;
        else nextSame[prev] = s;
      }
    }
    for (let e = 0; e < entries; e++) {
      for (let u = entryHead[e]!; u >= 0; u = nextSame[u]!) {
        nextChild[u] = -1;
        if ((flags[u]! & DEP_HAS_PARENT) === 0) continue;
        const pe = find(parentHi[u]!, parentLo[u]!, false);
        if (pe < 0) continue;
        nextChild[u] = entryChild[pe]!;
        entryChild[pe] = u;
      }
    }

    for (let e = 0; e < entries; e++) {
      for (let u = entryHead[e]!; u >= 0; u = nextSame[u]!) {
        const f = flags[u]!;
        const kind = f & DEP_KIND_MASK;
        const shared = (f & DEP_SHARED) !== 0;
        const own = service[u]!;
        let parent = -1;
        // The callee half of an RPC whose caller reported the same span id (Zipkin shared spans; also
        // senders that forget the shared flag): its caller is that other half, not the parent id.
        if (shared || kind === SERVER || kind === CONSUMER) {
          for (let v = entryHead[e]!; v >= 0; v = nextSame[v]!) {
            if (v !== u && (flags[v]! & DEP_SHARED) === 0 && isCallerKind(flags[v]! & DEP_KIND_MASK)) parent = smaller(parent, service[v]!);
          }
        }
        if (parent < 0 && (f & DEP_HAS_PARENT) !== 0) {
          const pe = find(parentHi[u]!, parentLo[u]!, false);
          if (pe >= 0) parent = parentService(pe, u);
        }
        const rem = remote[u]!;
        // A consumer that names its broker was called by the broker, not by the producer's service
        // (Zipkin links messaging through the broker: producer → broker → consumer).
        if (kind === CONSUMER && rem >= 0) emit(u, rem, own);
        else if (parent >= 0) emit(u, parent, own);

        if (rem >= 0 && isCallerKind(kind) && !shared) {
          let answered = false;
          for (let v = entryChild[e]!; v >= 0 && !answered; v = nextChild[v]!) answered = service[v] === rem;
          for (let v = entryHead[e]!; v >= 0 && !answered; v = nextSame[v]!) answered = v !== u && service[v] === rem;
          if (!answered) emit(u, own, rem);
        }
      }
    }
  }
}
