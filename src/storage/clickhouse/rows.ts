/**
 * Span ⇄ row of the `spans` table. Ids are stored as unsigned 64-bit integers (a trace id as two),
 * attributes as parallel key / value arrays with a type letter per value so numbers and booleans
 * come back as they went in, and the rarely searched rest (events, links, endpoints, status
 * message) as one JSON text column.
 */
import type { Attributes, Endpoint, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../../model/index.js';
import { SPAN_KINDS } from '../../model/index.js';

const STATUS_CODES: readonly StatusCode[] = ['unset', 'ok', 'error'];
const FLAG_SHARED = 1;
const FLAG_DEBUG = 2;

/** The columns of the spans table a row carries, in insert order (day is computed by the server; see row-binary.ts). */
export const SPAN_COLUMNS = [
  'tenant', 'trace_hi', 'trace_lo', 'span_id', 'parent_id', 'start_us', 'duration_us', 'service', 'name', 'kind', 'status',
  'flags', 'remote_service', 'attr_keys', 'attr_values', 'attr_types', 'res_keys', 'res_values', 'res_types', 'event_names', 'extra',
] as const;

/** A 16-hex-char id as the decimal text of its unsigned 64-bit value. */
function hexToDecimal(hex: string): string {
  return BigInt(`0x${hex}`).toString();
}

/** The decimal text of an unsigned 64-bit value as 16 lowercase hex chars. */
export function decimalToHex(decimal: string): string {
  return BigInt(decimal).toString(16).padStart(16, '0');
}

/** The two 64-bit halves of a 32-hex-char trace id, as decimal text. */
export function traceIdParts(traceId: string): [string, string] {
  return [hexToDecimal(traceId.slice(0, 16)), hexToDecimal(traceId.slice(16, 32))];
}

interface Extra {
  m?: string;
  e?: SpanEvent[];
  l?: SpanLink[];
  le?: Endpoint;
  re?: Endpoint;
}

/** The `extra` column of a span: status message, events, links and endpoints as JSON, '' when it has none. */
export function extraOf(span: Span): string {
  const extra: Extra = {};
  if (span.statusMessage !== undefined) extra.m = span.statusMessage;
  if (span.events.length > 0) extra.e = span.events;
  if (span.links.length > 0) extra.l = span.links;
  if (span.localEndpoint !== undefined) extra.le = span.localEndpoint;
  if (span.remoteEndpoint !== undefined) extra.re = span.remoteEndpoint;
  return Object.keys(extra).length === 0 ? '' : JSON.stringify(extra);
}

/** The `flags` column of a span: shared and debug bits. */
export function spanFlags(span: Span): number {
  return (span.shared === true ? FLAG_SHARED : 0) | (span.debug === true ? FLAG_DEBUG : 0);
}

/** The SELECT list of summaryRowToSpan: what a trace summary and duplicate collapsing read, nothing more. */
export const SUMMARY_COLUMNS = 'tenant, trace_hi, trace_lo, span_id, parent_id, start_us, duration_us, service, name, kind, status, flags';

/** The SELECT list rowToSpan expects, in order: the summary columns first, then the rest of the span. */
export const READ_COLUMNS = `${SUMMARY_COLUMNS}, attr_keys, attr_values, attr_types, res_keys, res_values, res_types, extra`;

/** One row of READ_COLUMNS as JSONCompact gives it (UInt64 as quoted decimal text). */
export type SpanRow = [
  string, string, string, string, string, string, string, string, string, number, number,
  number, string[], string[], string, string[], string[], string, string,
];

function attributesFrom(keys: string[], values: string[], types: string): Attributes {
  const out: Attributes = {};
  for (let i = 0; i < keys.length; i++) {
    const text = values[i] ?? '';
    const type = types[i];
    out[keys[i]!] = type === 'n' ? Number(text) : type === 'b' ? text === 'true' : text;
  }
  return out;
}

/** The span a row stores; a fresh object the caller owns. */
export function rowToSpan(row: SpanRow): Span {
  const span = summaryRowToSpan(row);
  span.attributes = attributesFrom(row[12], row[13], row[14]);
  span.resource = attributesFrom(row[15], row[16], row[17]);
  const extraText = row[18];
  if (extraText !== '') {
    const extra = JSON.parse(extraText) as Extra;
    if (extra.m !== undefined) span.statusMessage = extra.m;
    if (extra.e !== undefined) span.events = extra.e;
    if (extra.l !== undefined) span.links = extra.l;
    if (extra.le !== undefined) span.localEndpoint = extra.le;
    if (extra.re !== undefined) span.remoteEndpoint = extra.re;
  }
  if ((row[11] & FLAG_DEBUG) !== 0) span.debug = true;
  return span;
}

/** The kind code stored for a span kind. */
export function kindCode(kind: SpanKind): number {
  return Math.max(0, SPAN_KINDS.indexOf(kind));
}

/** The status code stored for a status. */
export function statusCodeNumber(status: StatusCode): number {
  return Math.max(0, STATUS_CODES.indexOf(status));
}

/** One row of SUMMARY_COLUMNS as JSONCompact gives it. */
export type SummaryRow = [string, string, string, string, string, string, string, string, string, number, number, number];

/**
 * A span with only the fields summaries and duplicate collapsing use (no attributes, events or links),
 * from a SUMMARY_COLUMNS row or the same leading columns of a READ_COLUMNS row.
 */
export function summaryRowToSpan(row: SummaryRow | SpanRow): Span {
  const [tenant, hi, lo, spanId, parentId, startUs, durationUs, service, name, kind, status, flags] = row;
  const span: Span = {
    traceId: decimalToHex(hi) + decimalToHex(lo),
    spanId: decimalToHex(spanId),
    kind: SPAN_KINDS[kind] ?? 'unspecified',
    name,
    service,
    startUs: Number(startUs),
    durationUs: Number(durationUs),
    statusCode: STATUS_CODES[status] ?? 'unset',
    attributes: {},
    events: [],
    links: [],
    resource: {},
    tenant,
  };
  if (parentId !== '0') span.parentSpanId = decimalToHex(parentId);
  if ((flags & FLAG_SHARED) !== 0) span.shared = true;
  return span;
}
