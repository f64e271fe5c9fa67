/**
 * The internal Span model → Jaeger's UI JSON (jaegertracing/jaeger internal/uimodel, and
 * model/converter/json for the value rules). Model fields Jaeger has no slot for become tags the
 * way Jaeger shows Zipkin and OTLP spans: kind → `span.kind`, failed status → `error: true`,
 * status message → `otel.status_description`, remote endpoint → `peer.*`, local endpoint ip →
 * process tag `ip`, events → logs with an `event` field.
 */
import { formatTraceId } from '../../model/index.js';
import type { AttributeValue, Attributes, Span, SpanEvent } from '../../model/index.js';
import { correctClockSkew, dedupeSharedSpanIds } from './adjust.js';
import type {
  JaegerKeyValue,
  JaegerLog,
  JaegerProcess,
  JaegerReference,
  JaegerSpan,
  JaegerTrace,
} from './types.js';

/** Options of {@link toJaegerTrace}. */
export interface JaegerTraceOptions {
  /** Shift spans whose clock is skewed against their parent's (otherwise they are only flagged). */
  adjustClockSkew: boolean;
  /** Skip every read-time fix (shared span ids, clock skew): the spans exactly as stored. */
  raw?: boolean;
}

const SAMPLED_FLAG = 1;
const DEBUG_FLAG = 2;

/**
 * Converts the spans of one trace to a Jaeger trace. Pure: the input is not modified. Shared
 * Zipkin span ids are made unique and clock skew is checked (see adjust.ts) unless `raw`; spans are
 * ordered by start time, then span id; processes are numbered p1, p2, ... in that order, one per
 * distinct service + process tags. The trace id prints as 16 hex chars for 64-bit ids.
 */
export function toJaegerTrace(spans: readonly Span[], options: JaegerTraceOptions): JaegerTrace {
  const fixed = options.raw
    ? spans.slice()
    : correctClockSkew(dedupeSharedSpanIds(spans), { apply: options.adjustClockSkew });
  fixed.sort((a, b) => a.startUs - b.startUs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
  const processIds = new Map<string, string>();
  const processes: Record<string, JaegerProcess> = {};
  // Spans of one batch usually share their resource object: serialise each object once.
  const resourceKeys = new Map<Attributes, string>();
  const jaegerSpans = fixed.map((span) => {
    let resourceKey = resourceKeys.get(span.resource);
    if (resourceKey === undefined) {
      resourceKey = JSON.stringify(span.resource);
      resourceKeys.set(span.resource, resourceKey);
    }
    const key = `${span.service}\u0000${localIp(span) ?? ''}\u0000${resourceKey}`;
    let processID = processIds.get(key);
    if (processID === undefined) {
      processID = `p${processIds.size + 1}`;
      processIds.set(key, processID);
      processes[processID] = toProcess(span);
    }
    return toJaegerSpan(span, processID);
  });
  const first = fixed[0];
  return {
    traceID: first === undefined ? '' : formatTraceId(first.traceId),
    spans: jaegerSpans,
    processes,
    warnings: null,
  };
}

/**
 * A typed Jaeger key/value: booleans → bool, integers → int64 (beyond ±(2^53−1) as a decimal
 * string, as Jaeger sends them), other finite numbers → float64, the rest → string.
 */
export function toKeyValue(key: string, value: AttributeValue): JaegerKeyValue {
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return { key, type: 'int64', value };
    if (Number.isInteger(value)) return { key, type: 'int64', value: BigInt(value).toString() };
    if (Number.isFinite(value)) return { key, type: 'float64', value };
    return { key, type: 'string', value: String(value) };
  }
  return { key, type: 'string', value };
}

function toJaegerSpan(span: Span, processID: string): JaegerSpan {
  const traceID = formatTraceId(span.traceId);
  return {
    traceID,
    spanID: span.spanId,
    flags: SAMPLED_FLAG | (span.debug ? DEBUG_FLAG : 0),
    operationName: span.name,
    references: toReferences(span),
    startTime: span.startUs,
    duration: span.durationUs,
    tags: toTags(span),
    logs: toLogs(span.events),
    processID,
    warnings: span.warnings && span.warnings.length > 0 ? [...span.warnings] : null,
  };
}

/** The parent first (as CHILD_OF), then the links in their order, without repeats. */
function toReferences(span: Span): JaegerReference[] {
  const refs: JaegerReference[] = [];
  const seen = new Set<string>();
  const add = (refType: JaegerReference['refType'], traceId: string, spanId: string) => {
    const key = `${refType}/${traceId}/${spanId}`;
    if (seen.has(key)) return;
    seen.add(key);
    refs.push({ refType, traceID: formatTraceId(traceId), spanID: spanId });
  };
  if (span.parentSpanId !== undefined) add('CHILD_OF', span.traceId, span.parentSpanId);
  for (const link of span.links) {
    // Jaeger has no plain "link": OTLP links are shown as FOLLOWS_FROM, as Jaeger does.
    add(link.type === 'child_of' ? 'CHILD_OF' : 'FOLLOWS_FROM', link.traceId, link.spanId);
  }
  return refs;
}

function toTags(span: Span): JaegerKeyValue[] {
  const attrs = span.attributes;
  const failed = span.statusCode === 'error';
  const tags: JaegerKeyValue[] = [];
  for (const key in attrs) {
    // The Jaeger UI only marks a span failed when `error` is true / "true"; Zipkin puts the
    // message there, which stays readable as otel.status_description below.
    tags.push(key === 'error' && failed ? { key, type: 'bool', value: true } : toKeyValue(key, attrs[key]!));
  }
  const addMissing = (key: string, value: AttributeValue | undefined) => {
    if (value === undefined || value === '' || key in attrs) return;
    tags.push(toKeyValue(key, value));
  };
  if (span.kind !== 'unspecified') addMissing('span.kind', span.kind);
  if (failed) addMissing('error', true);
  // An explicit OK (OTLP, or an otel.status_code tag) has no other trace in Jaeger's tags.
  if (span.statusCode === 'ok') addMissing('otel.status_code', 'OK');
  const zipkinMessage = failed && typeof attrs['error'] === 'string' && attrs['error'] !== 'true' ? attrs['error'] : undefined;
  addMissing('otel.status_description', span.statusMessage ?? zipkinMessage);
  const remote = span.remoteEndpoint;
  if (remote) {
    addMissing('peer.service', remote.serviceName);
    addMissing('peer.ipv4', remote.ipv4);
    addMissing('peer.ipv6', remote.ipv6);
    addMissing('peer.port', remote.port);
  }
  return tags;
}

function toLogs(events: readonly SpanEvent[]): JaegerLog[] {
  return events
    .map((event, i) => ({ event, i }))
    .sort((a, b) => a.event.timeUs - b.event.timeUs || a.i - b.i)
    .map(({ event }) => ({ timestamp: event.timeUs, fields: toLogFields(event) }));
}

/**
 * Log fields of an event: `event` = its name, then its attributes. A Jaeger log that had no `event`
 * field was stored under the name "log" and gets none back; a Zipkin annotation whose value is a
 * JSON object of strings (how Jaeger clients report logs over Zipkin) is expanded into its fields.
 */
function toLogFields(event: SpanEvent): JaegerKeyValue[] {
  const attrs: Attributes = event.attributes ?? {};
  const hasAttrs = Object.keys(attrs).length > 0;
  if (!hasAttrs) {
    const expanded = jsonFields(event.name);
    if (expanded) return expanded;
  }
  const fields: JaegerKeyValue[] = [];
  if (event.name !== '' && !('event' in attrs) && !(event.name === 'log' && hasAttrs)) {
    fields.push({ key: 'event', type: 'string', value: event.name });
  }
  for (const [key, value] of Object.entries(attrs)) fields.push(toKeyValue(key, value));
  return fields;
}

function jsonFields(text: string): JaegerKeyValue[] | undefined {
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0 || !entries.every(([, v]) => typeof v === 'string')) return undefined;
  return entries.map(([key, value]) => ({ key, type: 'string', value: value as string }));
}

/** The reporting process: service plus resource attributes, and the local endpoint's ip as `ip`. */
function toProcess(span: Span): JaegerProcess {
  const tags: JaegerKeyValue[] = [];
  for (const [key, value] of Object.entries(span.resource)) {
    // service.name is the process's serviceName already.
    if (key !== 'service.name') tags.push(toKeyValue(key, value));
  }
  const ip = localIp(span);
  if (ip !== undefined && !('ip' in span.resource)) tags.push({ key: 'ip', type: 'string', value: ip });
  return { serviceName: span.service, tags };
}

function localIp(span: Span): string | undefined {
  const ip = span.localEndpoint?.ipv4 ?? span.localEndpoint?.ipv6;
  return ip === '' ? undefined : ip;
}
