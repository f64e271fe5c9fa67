/**
 * B3 propagation as an Envoy sidecar does it with its Zipkin tracer and shared span contexts.
 * Spec: https://github.com/openzipkin/b3-propagation (multiple headers and the single `b3` header).
 * Inbound, the server span takes the caller's span id (the caller's client span and this server span
 * are two halves of one Zipkin span); outbound, the client span is a new child of the span the app
 * received. Pure: ids and randomness come from an {@link IdSource}.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Multi-header B3 names, lower case as Node delivers them. */
export const B3 = {
  traceId: 'x-b3-traceid',
  spanId: 'x-b3-spanid',
  parentSpanId: 'x-b3-parentspanid',
  sampled: 'x-b3-sampled',
  flags: 'x-b3-flags',
  single: 'b3',
} as const;

/** Envoy's request id header; it is generated when absent and reported as `guid:x-request-id`. */
export const REQUEST_ID = 'x-request-id';

/** The OpenTracing (LightStep) context header a sidecar passes through without reading. */
export const OT_SPAN_CONTEXT = 'x-ot-span-context';

/** Every header an app copies from its incoming request to its outgoing ones (as Bookinfo does). */
export const PROPAGATED_HEADERS: readonly string[] = [
  REQUEST_ID, B3.traceId, B3.spanId, B3.parentSpanId, B3.sampled, B3.flags, B3.single, OT_SPAN_CONTEXT,
];

/** A span's position in a trace: lower-case hex ids and the sampling decision. */
export interface B3Context {
  /** 16 or 32 lower-case hex characters. */
  traceId: string;
  /** 16 lower-case hex characters. */
  spanId: string;
  parentSpanId: string | undefined;
  /** Report this trace. Always true when debug is. */
  sampled: boolean;
  /** `x-b3-flags: 1`: sampled whatever the percentage, and marked debug in Zipkin. */
  debug: boolean;
}

/** What a request's headers say about its trace. */
export type B3Extraction =
  | { kind: 'none'; sampled: boolean | undefined; debug: boolean }
  | { kind: 'context'; traceId: string; spanId: string; parentSpanId: string | undefined; sampled: boolean | undefined; debug: boolean }
  | { kind: 'invalid'; reason: string };

/** Where new ids, request ids and sampling draws come from. */
export interface IdSource {
  /** A new trace id: 16 hex characters, or 32 for 128-bit trace ids. */
  traceId(): string;
  /** A new non-zero span id of 16 hex characters. */
  spanId(): string;
  /** A new `x-request-id` (a UUID). */
  requestId(): string;
  /** A draw in [0, 1) for the sampling decision. */
  random(): number;
}

/** Options of {@link createIdSource}. */
export interface IdSourceOptions {
  /** Generate 128-bit trace ids (Envoy's `trace_id_128bit`); default false. */
  traceId128?: boolean;
  /** Sampling draws; default Math.random. */
  random?: () => number;
}

/** Random ids from node:crypto, sampling draws from `random`. */
export function createIdSource(options: IdSourceOptions = {}): IdSource {
  const nonZeroHex = (bytes: number): string => {
    for (;;) {
      const hex = randomBytes(bytes).toString('hex');
      if (!/^0+$/.test(hex)) return hex;
    }
  };
  return {
    traceId: () => nonZeroHex(options.traceId128 ? 16 : 8),
    spanId: () => nonZeroHex(8),
    requestId: () => randomUUID(),
    random: options.random ?? Math.random,
  };
}

/** The decision a sidecar takes for one request: the span it reports and the headers it forwards. */
export interface SidecarDecision {
  context: B3Context;
  /** The span id is the caller's (server half of a shared span). */
  shared: boolean;
  requestId: string;
  /** Headers to set on the forwarded request; `b3` and every x-b3-* header not listed are removed. */
  headers: Record<string, string>;
}

/** Options of {@link decideInbound} and {@link decideOutbound}. */
export interface DecideOptions {
  /** Percentage of traces without a sampling decision that are reported, 0–100. */
  samplingPercent: number;
  ids: IdSource;
}

const HEX16 = /^[0-9a-f]{16}$/;
const TRACE_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;
const ZERO = /^0+$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first.trim();
}

function readId(value: string, name: string, pattern: RegExp, expected: string): string | { reason: string } {
  const id = value.toLowerCase();
  if (!pattern.test(id)) return { reason: `${name}: expected ${expected} hex chars, got ${JSON.stringify(value)}` };
  if (ZERO.test(id)) return { reason: `${name}: must not be all zeros` };
  return id;
}

function readSampled(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  // B3 says "1"/"0"; early clients sent "true"/"false", which Envoy also accepts.
  return value === '1' || value.toLowerCase() === 'true';
}

/** Reads the single `b3` header: `{traceId}-{spanId}[-{sampling}[-{parentSpanId}]]` or just `{sampling}`. */
function extractSingle(value: string): B3Extraction {
  const parts = value.split('-');
  if (parts.length === 1) {
    const flag = parts[0]!;
    if (flag === 'd') return { kind: 'none', sampled: true, debug: true };
    if (flag === '0' || flag === '1') return { kind: 'none', sampled: flag === '1', debug: false };
    return { kind: 'invalid', reason: `b3: expected 0, 1, d or {traceId}-{spanId}, got ${JSON.stringify(value)}` };
  }
  if (parts.length > 4) return { kind: 'invalid', reason: `b3: expected at most 4 fields, got ${parts.length}` };
  const traceId = readId(parts[0]!, 'b3 traceId', TRACE_ID, '16 or 32');
  if (typeof traceId !== 'string') return { kind: 'invalid', ...traceId };
  const spanId = readId(parts[1]!, 'b3 spanId', HEX16, '16');
  if (typeof spanId !== 'string') return { kind: 'invalid', ...spanId };
  let sampled: boolean | undefined;
  let debug = false;
  const flag = parts[2];
  if (flag !== undefined) {
    if (flag === 'd') {
      sampled = true;
      debug = true;
    } else if (flag === '0' || flag === '1') {
      sampled = flag === '1';
    } else {
      return { kind: 'invalid', reason: `b3 sampling: expected 0, 1 or d, got ${JSON.stringify(flag)}` };
    }
  }
  let parentSpanId: string | undefined;
  if (parts[3] !== undefined) {
    const parent = readId(parts[3], 'b3 parentSpanId', HEX16, '16');
    if (typeof parent !== 'string') return { kind: 'invalid', ...parent };
    parentSpanId = parent;
  }
  return { kind: 'context', traceId, spanId, parentSpanId, sampled, debug };
}

/**
 * Reads B3 from request headers. The single `b3` header wins over the x-b3-* headers when both are
 * present. A trace id without a span id (or the reverse) and malformed ids are `invalid`, which a
 * sidecar answers as Envoy does: the request passes untouched and nothing is reported.
 */
export function extractB3(headers: IncomingHttpHeaders): B3Extraction {
  const single = header(headers, B3.single);
  if (single !== undefined) return extractSingle(single);
  const debug = header(headers, B3.flags) === '1';
  const sampledHeader = readSampled(header(headers, B3.sampled));
  const sampled = debug ? true : sampledHeader;
  const rawTrace = header(headers, B3.traceId);
  const rawSpan = header(headers, B3.spanId);
  if (rawTrace === undefined && rawSpan === undefined) return { kind: 'none', sampled, debug };
  if (rawTrace === undefined) return { kind: 'invalid', reason: `${B3.spanId} present without ${B3.traceId}` };
  if (rawSpan === undefined) return { kind: 'invalid', reason: `${B3.traceId} present without ${B3.spanId}` };
  const traceId = readId(rawTrace, B3.traceId, TRACE_ID, '16 or 32');
  if (typeof traceId !== 'string') return { kind: 'invalid', ...traceId };
  const spanId = readId(rawSpan, B3.spanId, HEX16, '16');
  if (typeof spanId !== 'string') return { kind: 'invalid', ...spanId };
  const rawParent = header(headers, B3.parentSpanId);
  let parentSpanId: string | undefined;
  if (rawParent !== undefined) {
    const parent = readId(rawParent, B3.parentSpanId, HEX16, '16');
    if (typeof parent !== 'string') return { kind: 'invalid', ...parent };
    parentSpanId = parent;
  }
  return { kind: 'context', traceId, spanId, parentSpanId, sampled, debug };
}

/**
 * The x-b3-* headers that carry `context`. Debug is sent as `x-b3-flags: 1` alone, because B3 says
 * debug implies an accept decision and x-b3-sampled should then be omitted.
 */
export function injectB3(context: B3Context): Record<string, string> {
  const out: Record<string, string> = { [B3.traceId]: context.traceId, [B3.spanId]: context.spanId };
  if (context.parentSpanId !== undefined) out[B3.parentSpanId] = context.parentSpanId;
  if (context.debug) out[B3.flags] = '1';
  else out[B3.sampled] = context.sampled ? '1' : '0';
  return out;
}

function sample(decision: boolean | undefined, options: DecideOptions): boolean {
  if (decision !== undefined) return decision;
  return options.ids.random() * 100 < options.samplingPercent;
}

function decide(headers: IncomingHttpHeaders, options: DecideOptions, side: 'inbound' | 'outbound'): SidecarDecision | { invalid: string } {
  const found = extractB3(headers);
  if (found.kind === 'invalid') return { invalid: found.reason };
  const requestId = header(headers, REQUEST_ID) ?? options.ids.requestId();
  let context: B3Context;
  let shared = false;
  if (found.kind === 'none') {
    // A new trace starts here, with this proxy's span as its root.
    context = { traceId: options.ids.traceId(), spanId: options.ids.spanId(), parentSpanId: undefined, sampled: sample(found.sampled, options), debug: found.debug };
  } else if (side === 'inbound') {
    context = { traceId: found.traceId, spanId: found.spanId, parentSpanId: found.parentSpanId, sampled: sample(found.sampled, options), debug: found.debug };
    shared = true;
  } else {
    context = { traceId: found.traceId, spanId: options.ids.spanId(), parentSpanId: found.spanId, sampled: sample(found.sampled, options), debug: found.debug };
  }
  return { context, shared, requestId, headers: { ...injectB3(context), [REQUEST_ID]: requestId } };
}

/**
 * Inbound listener: joins the caller's span (shared id, same parent) or starts a trace; the app
 * receives headers naming the server span, so the calls it makes become its children.
 */
export function decideInbound(headers: IncomingHttpHeaders, options: DecideOptions): SidecarDecision | { invalid: string } {
  return decide(headers, options, 'inbound');
}

/**
 * Outbound listener: a new client span, child of the span in the app's headers (or the root of a
 * new trace when the app dropped them); the callee receives the client span's id.
 */
export function decideOutbound(headers: IncomingHttpHeaders, options: DecideOptions): SidecarDecision | { invalid: string } {
  return decide(headers, options, 'outbound');
}
