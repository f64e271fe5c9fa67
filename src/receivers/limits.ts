/**
 * Limits on what one span, one trace and the whole store may hold, applied to every decoded batch
 * before it is written, and again to spans replayed from the store's log so a restart yields the
 * spans that were acknowledged. Nothing is cut silently: a span that lost anything carries the
 * attribute TRUNCATED_ATTRIBUTE naming what, which the read APIs turn into a span warning
 * (see withTruncationWarnings); spans refused outright are counted by reason.
 *
 * Per span (stateless, the same on ingest and replay): string values (attribute, resource, event
 * and link attribute values, event names, the operation and service names, the status message) are
 * cut to maxValueBytes of UTF-8; attributes, resource attributes, events, links and the attributes
 * of each event beyond their counts are dropped (the first ones are kept).
 * Per trace (an LRU of the most recent traces' running totals): spans of a trace beyond
 * maxTraceSpans are refused; spans that would take a trace beyond maxTraceBytes keep their ids,
 * names, times and status but lose their attributes and events, with the marker.
 * Cardinality: spans of a new service once maxServices services exist (per tenant), and spans of a
 * new operation once a service has maxOperationsPerService, are refused.
 */
import type { Attributes, AttributeValue, Span, SpanEvent, SpanLink } from '../model/index.js';
import type { SpanReader } from '../storage/api.js';

/** The limits in force; every count and size is a positive integer. */
export interface Limits {
  /** Largest string value, in UTF-8 bytes (Tempo's anchor: 2 KB per attribute). */
  maxValueBytes: number;
  /** Most attributes per span; also per resource, per event and per link. */
  maxAttributes: number;
  /** Most events (logs, annotations) per span. */
  maxEvents: number;
  /** Most links (references besides the parent) per span. */
  maxLinks: number;
  /** Most spans one trace may have; later spans are refused. */
  maxTraceSpans: number;
  /** Most estimated bytes of one trace (Tempo's anchor: 5 MB); later spans lose attributes and events. */
  maxTraceBytes: number;
  /** Most distinct services per tenant; spans of further services are refused. */
  maxServices: number;
  /** Most distinct operation names per service; spans of further operations are refused. */
  maxOperationsPerService: number;
  /** Traces whose running totals are remembered (least recently seen forgotten first). */
  recentTraces: number;
}

/** The defaults, as docs/limits.md lists them. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxValueBytes: 2048,
  maxAttributes: 128,
  maxEvents: 128,
  maxLinks: 128,
  maxTraceSpans: 100_000,
  maxTraceBytes: 5 * 1024 * 1024,
  maxServices: 10_000,
  maxOperationsPerService: 5_000,
  recentTraces: 100_000,
};

/** Attribute a span carries when a limit cut something from it; its value says what. */
export const TRUNCATED_ATTRIBUTE = 'ariadne.truncated';

/** Why spans of a batch were refused (the `reason` label of the refused-spans counter). */
export type LimitRefusal = 'trace_spans' | 'services' | 'operations';

/** What the limits made of one batch. */
export interface LimitedBatch {
  /** The spans to write: unchanged objects where nothing was cut, new ones where something was. */
  spans: Span[];
  /** Spans that lost something (they carry TRUNCATED_ATTRIBUTE). */
  truncated: number;
  /** Refused spans by reason. */
  refused: Partial<Record<LimitRefusal, number>>;
  /**
   * True when a decision depended on earlier batches (a refused span, a span stripped for its
   * trace's size): the raw request no longer decodes to these spans, so they must be logged as they are.
   */
  stateful: boolean;
  /** Makes the batch's counts part of the totals; call once the batch is durable. */
  commit(): void;
}

/** Applies the limits to batches and remembers the totals the stateful limits need. */
export interface Limiter {
  readonly limits: Readonly<Limits>;
  /** Applies every limit to a freshly decoded batch; the input spans are not modified. */
  apply(spans: readonly Span[]): LimitedBatch;
  /**
   * Applies the per-span limits to spans replayed from the log and counts them in the totals,
   * refusing nothing: they were acknowledged.
   */
  replay(spans: readonly Span[]): Span[];
  /** Counts services already stored (so the cap holds across restarts). */
  knowServices(tenant: string, services: readonly string[]): void;
}

/** Creates a limiter; unset limits take DEFAULT_LIMITS. */
export function createLimiter(limits: Partial<Limits> = {}): Limiter {
  const l: Limits = { ...DEFAULT_LIMITS, ...limits };
  const traces = new Map<string, { spans: number; bytes: number }>();
  /** tenant → service → operation names. */
  const services = new Map<string, Map<string, Set<string>>>();

  const servicesOf = (tenant: string): Map<string, Set<string>> => {
    let m = services.get(tenant);
    if (m === undefined) services.set(tenant, (m = new Map()));
    return m;
  };
  const traceKey = (s: Span) => `${s.tenant}\u0000${s.traceId}`;
  const touch = (key: string) => {
    let t = traces.get(key);
    if (t !== undefined) traces.delete(key);
    else t = { spans: 0, bytes: 0 };
    traces.set(key, t); // re-inserted: Map order is the LRU order
    if (traces.size > l.recentTraces) traces.delete(traces.keys().next().value as string);
    return t;
  };
  const remember = (span: Span) => {
    const ops = servicesOf(span.tenant);
    let names = ops.get(span.service);
    if (names === undefined) ops.set(span.service, (names = new Set()));
    if (names.size < l.maxOperationsPerService) names.add(span.name);
  };

  return {
    limits: l,
    apply(input) {
      const out: Span[] = [];
      const refused: Partial<Record<LimitRefusal, number>> = {};
      const refuse = (why: LimitRefusal) => { refused[why] = (refused[why] ?? 0) + 1; };
      let truncated = 0;
      let stateful = false;
      // Totals of this batch, on top of the remembered ones; merged in by commit().
      const pending = new Map<string, { spans: number; bytes: number }>();
      const newOps = new Map<string, Map<string, Set<string>>>();
      for (const original of input) {
        let span = limitSpan(original, l);
        const ops = servicesOf(span.tenant);
        const names = ops.get(span.service);
        const batchOps = newOps.get(span.tenant) ?? new Map<string, Set<string>>();
        const batchNames = batchOps.get(span.service);
        if (names === undefined && batchNames === undefined && ops.size + batchOps.size >= l.maxServices) {
          refuse('services');
          stateful = true;
          continue;
        }
        const known = names?.has(span.name) === true || batchNames?.has(span.name) === true;
        if (!known && (names?.size ?? 0) + (batchNames?.size ?? 0) >= l.maxOperationsPerService) {
          refuse('operations');
          stateful = true;
          continue;
        }
        const key = traceKey(span);
        const before = traces.get(key);
        let total = pending.get(key);
        if (total === undefined) pending.set(key, (total = { spans: 0, bytes: 0 }));
        if ((before?.spans ?? 0) + total.spans + 1 > l.maxTraceSpans) {
          refuse('trace_spans');
          stateful = true;
          continue;
        }
        let bytes = spanBytes(span);
        if ((before?.bytes ?? 0) + total.bytes + bytes > l.maxTraceBytes) {
          span = stripForTrace(span, l.maxTraceBytes);
          bytes = spanBytes(span);
          stateful = true;
        }
        if (span !== original) truncated++;
        total.spans += 1;
        total.bytes += bytes;
        if (!known) {
          if (!newOps.has(span.tenant)) newOps.set(span.tenant, batchOps);
          let set = batchOps.get(span.service);
          if (set === undefined) batchOps.set(span.service, (set = new Set()));
          set.add(span.name);
        }
        out.push(span);
      }
      let committed = false;
      return {
        spans: out,
        truncated,
        refused,
        stateful,
        commit() {
          if (committed) return;
          committed = true;
          for (const [key, add] of pending) {
            const t = touch(key);
            t.spans += add.spans;
            t.bytes += add.bytes;
          }
          for (const [tenant, batchOps] of newOps) {
            const ops = servicesOf(tenant);
            for (const [service, names] of batchOps) {
              let set = ops.get(service);
              if (set === undefined) ops.set(service, (set = new Set()));
              for (const n of names) set.add(n);
            }
          }
        },
      };
    },
    replay(input) {
      const out = input.map((s) => limitSpan(s, l));
      for (const span of out) {
        const t = touch(traceKey(span));
        t.spans += 1;
        t.bytes += spanBytes(span);
        remember(span);
      }
      return out;
    },
    knowServices(tenant, names) {
      const ops = servicesOf(tenant);
      for (const name of names) if (!ops.has(name)) ops.set(name, new Set());
    },
  };
}

/** Estimated bytes of a span as stored: fixed fields plus every string and key it carries. */
export function spanBytes(span: Span): number {
  let n = 96 + span.name.length + span.service.length + (span.statusMessage?.length ?? 0);
  n += attributesBytes(span.attributes) + attributesBytes(span.resource);
  for (const e of span.events) n += 16 + e.name.length + (e.attributes ? attributesBytes(e.attributes) : 0);
  for (const k of span.links) n += 32 + (k.attributes ? attributesBytes(k.attributes) : 0);
  return n;
}

function attributesBytes(attributes: Attributes): number {
  let n = 0;
  for (const key in attributes) {
    const v = attributes[key]!;
    n += key.length + (typeof v === 'string' ? v.length : 8);
  }
  return n;
}

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
export function cutUtf8(text: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair is 4 for 2 units): short strings fit.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the character that was split.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** What was cut from one span, in the order the marker lists it. */
class Cuts {
  private readonly items: string[] = [];
  private values = 0;
  private readonly valueNames: string[] = [];

  value(where: string, bytes: number): void {
    this.values++;
    if (this.valueNames.length < 3) this.valueNames.push(`${where} (${bytes} bytes)`);
  }

  add(item: string): void {
    this.items.push(item);
  }

  get empty(): boolean {
    return this.values === 0 && this.items.length === 0;
  }

  text(maxValueBytes: number): string {
    const parts: string[] = [];
    if (this.values > 0) {
      const more = this.values - this.valueNames.length;
      parts.push(`${plural(this.values, 'value')} cut to ${maxValueBytes} bytes: ${this.valueNames.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
    }
    return [...parts, ...this.items].join('; ');
  }
}

function limitString(text: string, where: string, l: Limits, cuts: Cuts): string {
  if (text.length * 3 <= l.maxValueBytes) return text;
  const cut = cutUtf8(text, l.maxValueBytes);
  if (cut !== text) cuts.value(where, Buffer.byteLength(text, 'utf8'));
  return cut;
}

function limitAttributes(attributes: Attributes, what: string, l: Limits, cuts: Cuts, marker: boolean): Attributes {
  let out: Attributes | undefined;
  let count = 0;
  let dropped = 0;
  for (const key in attributes) {
    const value = attributes[key]!;
    // The marker itself is not counted, so applying the limits twice changes nothing.
    if (marker && key === TRUNCATED_ATTRIBUTE) continue;
    if (count >= l.maxAttributes) {
      dropped++;
      out ??= copyUpTo(attributes, key);
      continue;
    }
    count++;
    const cutKey = limitString(key, `${what} key`, l, cuts);
    const cutValue: AttributeValue = typeof value === 'string' ? limitString(value, `${what} ${JSON.stringify(cutKey)}`, l, cuts) : value;
    if (out === undefined && (cutKey !== key || cutValue !== value)) out = copyUpTo(attributes, key);
    if (out !== undefined) out[cutKey] = cutValue;
  }
  if (dropped > 0) cuts.add(`${plural(dropped, what)} dropped (limit ${l.maxAttributes})`);
  if (marker && out !== undefined && attributes[TRUNCATED_ATTRIBUTE] !== undefined) out[TRUNCATED_ATTRIBUTE] = attributes[TRUNCATED_ATTRIBUTE]!;
  return out ?? attributes;
}

/** A copy of the attributes that come before `stop` (insertion order), the marker left out. */
function copyUpTo(attributes: Attributes, stop: string): Attributes {
  const out: Attributes = {};
  for (const key in attributes) {
    if (key === stop) break;
    if (key !== TRUNCATED_ATTRIBUTE) out[key] = attributes[key]!;
  }
  return out;
}

/** Applies the per-span limits; returns the same object when nothing had to be cut. */
export function limitSpan(span: Span, l: Limits): Span {
  const cuts = new Cuts();
  const name = limitString(span.name, 'name', l, cuts);
  const service = limitString(span.service, 'service', l, cuts);
  const statusMessage = span.statusMessage === undefined ? undefined : limitString(span.statusMessage, 'status message', l, cuts);
  const attributes = limitAttributes(span.attributes, 'attribute', l, cuts, true);
  const resource = limitAttributes(span.resource, 'resource attribute', l, cuts, false);
  let events: SpanEvent[] = span.events;
  if (events.length > l.maxEvents) {
    cuts.add(`${plural(events.length - l.maxEvents, 'event')} dropped (limit ${l.maxEvents})`);
    events = events.slice(0, l.maxEvents);
  }
  events = mapIfChanged(events, (e) => {
    const eventName = limitString(e.name, 'event name', l, cuts);
    const attrs = e.attributes === undefined ? undefined : limitAttributes(e.attributes, 'event attribute', l, cuts, false);
    return eventName === e.name && attrs === e.attributes ? e : { ...e, name: eventName, ...(attrs ? { attributes: attrs } : {}) };
  });
  let links: SpanLink[] = span.links;
  if (links.length > l.maxLinks) {
    cuts.add(`${plural(links.length - l.maxLinks, 'link')} dropped (limit ${l.maxLinks})`);
    links = links.slice(0, l.maxLinks);
  }
  links = mapIfChanged(links, (k) => {
    const attrs = k.attributes === undefined ? undefined : limitAttributes(k.attributes, 'link attribute', l, cuts, false);
    return attrs === k.attributes ? k : { ...k, ...(attrs ? { attributes: attrs } : {}) };
  });
  if (cuts.empty) return span;
  const out: Span = { ...span, name, service, attributes: { ...attributes }, resource, events, links };
  if (statusMessage !== undefined) out.statusMessage = statusMessage;
  out.attributes[TRUNCATED_ATTRIBUTE] = joinMarker(span.attributes[TRUNCATED_ATTRIBUTE], cuts.text(l.maxValueBytes));
  return out;
}

function mapIfChanged<T>(items: T[], f: (item: T) => T): T[] {
  let out: T[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const next = f(items[i]!);
    if (next !== items[i] && out === undefined) out = items.slice(0, i);
    if (out !== undefined) out.push(next);
  }
  return out ?? items;
}

/** The span without attributes and events, for a trace over its size limit. */
function stripForTrace(span: Span, maxTraceBytes: number): Span {
  const dropped: string[] = [];
  const attrs = Object.keys(span.attributes).filter((k) => k !== TRUNCATED_ATTRIBUTE).length;
  if (attrs > 0) dropped.push(plural(attrs, 'attribute'));
  if (span.events.length > 0) dropped.push(plural(span.events.length, 'event'));
  if (dropped.length === 0) return span;
  const note = `trace over its limit of ${maxTraceBytes} bytes: ${dropped.join(' and ')} dropped`;
  return { ...span, attributes: { [TRUNCATED_ATTRIBUTE]: joinMarker(span.attributes[TRUNCATED_ATTRIBUTE], note) }, events: [] };
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function joinMarker(previous: AttributeValue | undefined, note: string): string {
  return previous === undefined || previous === '' ? note : `${String(previous)}; ${note}`;
}

/** The warning a span with the truncation marker shows in the read APIs. */
export function truncationWarning(span: Span): string | undefined {
  const note = span.attributes[TRUNCATED_ATTRIBUTE];
  return note === undefined ? undefined : `truncated by limits: ${String(note)}`;
}

/** Adds the truncation warning to a span that carries the marker (a copy; the input is kept). */
export function warnTruncated(span: Span): Span {
  const warning = truncationWarning(span);
  if (warning === undefined || span.warnings?.includes(warning)) return span;
  return { ...span, warnings: [...(span.warnings ?? []), warning] };
}

/**
 * A reader whose trace and span reads give every truncated span its warning (the Jaeger API, its v3 and the
 * UI show span warnings); other reads pass through.
 */
export function withTruncationWarnings(reader: SpanReader): SpanReader {
  const mark = (spans: Span[]): Span[] => {
    for (let i = 0; i < spans.length; i++) {
      if (spans[i]!.attributes[TRUNCATED_ATTRIBUTE] !== undefined) return spans.map(warnTruncated);
    }
    return spans;
  };
  const getTrace: SpanReader['getTrace'] = async (query) => mark(await reader.getTrace(query));
  const getTraces: SpanReader['getTraces'] = async (query) => (await reader.getTraces(query)).map(mark);
  // A proxy rather than a copy: optional capabilities and class-based readers keep working as they are.
  return new Proxy(reader, {
    get(target, prop) {
      if (prop === 'getTrace') return getTrace;
      if (prop === 'getTraces') return getTraces;
      if (prop === 'findSpans' && target.findSpans) {
        const findSpans = target.findSpans.bind(target);
        return async (query: Parameters<typeof findSpans>[0]) => (await findSpans(query)).map(warnTruncated);
      }
      if (prop === 'getSpans' && target.getSpans) {
        const getSpans = target.getSpans.bind(target);
        return async (query: Parameters<typeof getSpans>[0]) => mark(await getSpans(query));
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
