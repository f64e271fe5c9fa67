/**
 * How a Span is laid out as a DuckDB row: fixed typed columns for what searches and aggregates
 * touch, common tags promoted to their own VARCHAR columns (dictionary/FSST compress well), and
 * everything else as one compact JSON text column. The mapping round-trips every stored Span
 * field exactly, including attribute value types and attribute order.
 */
import { SPAN_KINDS, type Attributes, type AttributeValue, type Endpoint, type Span, type SpanEvent, type SpanLink, type StatusCode } from '../../model/index.js';

/** Tag keys kept in their own columns, with their column names (chosen from the common workload). */
export const PROMOTED: readonly (readonly [key: string, column: string])[] = [
  // Ordered as instrumentations commonly emit them, so attribute order rarely needs recording.
  ['http.method', 'http_method'],
  ['http.status_code', 'http_status_code'],
  ['http.url', 'http_url'],
  ['http.route', 'http_route'],
  ['component', 'component'],
  ['peer.service', 'peer_service'],
  ['region', 'region'],
  ['host.name', 'host_name'],
  ['user.id', 'user_id'],
  ['error', 'error'],
];

/** Promoted column name by tag key. */
export const PROMOTED_COLUMN: ReadonlyMap<string, string> = new Map(PROMOTED);

/** Status codes in their stable numeric order (the index is the storage code). */
export const STATUS_CODES: readonly StatusCode[] = ['unset', 'ok', 'error'];

const KIND_CODE = new Map(SPAN_KINDS.map((k, i) => [k, i]));
const STATUS_CODE = new Map(STATUS_CODES.map((s, i) => [s, i]));

/** One row as written to the staging file / appender. Ids are hex; conversion to integers happens in SQL. */
export interface SpanRow {
  /** trace id, 32 hex */
  t: string;
  /** span id, 16 hex */
  s: string;
  /** parent span id, 16 hex, or null */
  p: string | null;
  st: number;
  d: number;
  sv: string;
  n: string;
  k: number;
  sc: number;
  tn: string;
  /** remoteEndpoint.serviceName */
  rs: string | null;
  /** promoted tag values, in PROMOTED order (null when absent) */
  pv: (string | null)[];
  /** JSON text of everything else, or null when there is nothing else */
  x: string | null;
}

/** The JSON document of the `extra` column; short keys because they repeat on every row. */
interface Extra {
  /** attributes that are not promoted */
  a?: Attributes;
  /** types of promoted attributes whose value is not a string: n = number, b = boolean */
  pt?: Record<string, 'n' | 'b'>;
  /** attribute key order, only when it differs from promoted-first order */
  ao?: string[];
  e?: { t: number; n: string; a?: Attributes }[];
  l?: { t: string; s: string; y: SpanLink['type']; a?: Attributes }[];
  r?: Attributes;
  le?: StoredEndpoint;
  re?: StoredEndpoint;
  sm?: string;
  sh?: boolean;
  db?: boolean;
}

/**
 * An endpoint without redundancy: `s` absent means "serviceName equals the span's service"
 * (local) or "serviceName is in the remote_service column" (remote); `s: null` means no serviceName.
 */
interface StoredEndpoint {
  s?: string | null;
  i4?: string;
  i6?: string;
  p?: number;
}

function storeEndpoint(ep: Endpoint, implied: string | undefined): StoredEndpoint {
  const out: StoredEndpoint = {};
  if (ep.serviceName === undefined) out.s = null;
  else if (ep.serviceName !== implied) out.s = ep.serviceName;
  if (ep.ipv4 !== undefined) out.i4 = ep.ipv4;
  if (ep.ipv6 !== undefined) out.i6 = ep.ipv6;
  if (ep.port !== undefined) out.p = ep.port;
  return out;
}

function loadEndpoint(ep: StoredEndpoint, implied: string | null): Endpoint {
  const out: Endpoint = {};
  if (ep.s === undefined) {
    if (implied !== null) out.serviceName = implied;
  } else if (ep.s !== null) out.serviceName = ep.s;
  if (ep.i4 !== undefined) out.ipv4 = ep.i4;
  if (ep.i6 !== undefined) out.ipv6 = ep.i6;
  if (ep.p !== undefined) out.port = ep.p;
  return out;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/** Converts a span to its row. Pure; the span is not modified. */
export function spanToRow(span: Span): SpanRow {
  const pv: (string | null)[] = new Array<string | null>(PROMOTED.length).fill(null);
  const extra: Extra = {};
  let rest: Attributes | undefined;
  let types: Record<string, 'n' | 'b'> | undefined;
  const keys = Object.keys(span.attributes);
  let promotedSeen = 0;
  let ordered = true;
  let lastPromoted = -1;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = span.attributes[key] as AttributeValue;
    const column = promotedIndex(key);
    if (column >= 0) {
      pv[column] = typeof value === 'string' ? value : String(value);
      if (typeof value !== 'string') (types ??= {})[key] = typeof value === 'number' ? 'n' : 'b';
      // Reconstruction puts promoted keys first, in PROMOTED order; note the order otherwise.
      if (column < lastPromoted || promotedSeen !== i) ordered = false;
      lastPromoted = column;
      promotedSeen++;
    } else if (key === '__proto__') {
      // Assigning would set (or, for a primitive, silently ignore) the prototype: define the data property.
      Object.defineProperty((rest ??= {}), key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      (rest ??= {})[key] = value;
    }
  }
  if (rest) extra.a = rest;
  if (types) extra.pt = types;
  if (!ordered) extra.ao = keys;
  if (span.events.length > 0) {
    extra.e = span.events.map((ev) => (ev.attributes === undefined ? { t: ev.timeUs, n: ev.name } : { t: ev.timeUs, n: ev.name, a: ev.attributes }));
  }
  if (span.links.length > 0) {
    extra.l = span.links.map((l) =>
      l.attributes === undefined ? { t: l.traceId, s: l.spanId, y: l.type } : { t: l.traceId, s: l.spanId, y: l.type, a: l.attributes },
    );
  }
  if (hasKeys(span.resource)) extra.r = span.resource;
  if (span.localEndpoint) extra.le = storeEndpoint(span.localEndpoint, span.service);
  if (span.remoteEndpoint) extra.re = storeEndpoint(span.remoteEndpoint, span.remoteEndpoint.serviceName);
  if (span.statusMessage !== undefined) extra.sm = span.statusMessage;
  if (span.shared !== undefined) extra.sh = span.shared;
  if (span.debug !== undefined) extra.db = span.debug;
  return {
    t: span.traceId,
    s: span.spanId,
    p: span.parentSpanId ?? null,
    st: span.startUs,
    d: span.durationUs,
    sv: span.service,
    n: span.name,
    k: KIND_CODE.get(span.kind) ?? 0,
    sc: STATUS_CODE.get(span.statusCode) ?? 0,
    tn: span.tenant,
    rs: span.remoteEndpoint?.serviceName ?? null,
    pv,
    x: hasKeys(extra) ? JSON.stringify(extra) : null,
  };
}

const PROMOTED_INDEX = new Map(PROMOTED.map(([key], i) => [key, i]));
function promotedIndex(key: string): number {
  return PROMOTED_INDEX.get(key) ?? -1;
}

/** The columns of a stored row as read back (ids already formatted as hex). */
export interface StoredRow {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  startUs: number;
  durationUs: number;
  service: string;
  name: string;
  kind: number;
  status: number;
  tenant: string;
  remoteService: string | null;
  promoted: readonly (string | null)[];
  extra: string | null;
}

/** Rebuilds the span a row was made from. */
export function rowToSpan(row: StoredRow): Span {
  const extra: Extra = row.extra === null ? {} : (JSON.parse(row.extra) as Extra);
  // Promoted values first, then the rest: the order spans were written in, unless `ao` says otherwise.
  let attributes: Attributes = {};
  for (let i = 0; i < PROMOTED.length; i++) {
    const value = row.promoted[i];
    if (value === null || value === undefined) continue;
    const key = (PROMOTED[i] as readonly [string, string])[0];
    const type = extra.pt?.[key];
    attributes[key] = type === 'n' ? Number(value) : type === 'b' ? value === 'true' : value;
  }
  const rest = extra.a;
  if (extra.ao) {
    const promoted = attributes;
    attributes = {};
    for (const key of extra.ao) {
      const v = Object.hasOwn(promoted, key) ? promoted[key] : rest?.[key];
      if (v !== undefined) attributes[key] = v;
    }
  } else if (rest) {
    for (const key in rest) {
      // A stored `__proto__` key (JSON.parse makes it an own property) must stay data, not a prototype.
      if (key === '__proto__') Object.defineProperty(attributes, key, { value: rest[key], enumerable: true, writable: true, configurable: true });
      else attributes[key] = rest[key]!;
    }
  }
  const span: Span = {
    traceId: row.traceId,
    spanId: row.spanId,
    kind: SPAN_KINDS[row.kind] ?? 'unspecified',
    name: row.name,
    service: row.service,
    startUs: row.startUs,
    durationUs: row.durationUs,
    statusCode: STATUS_CODES[row.status] ?? 'unset',
    attributes,
    events: extra.e
      ? extra.e.map((e): SpanEvent => (e.a === undefined ? { timeUs: e.t, name: e.n } : { timeUs: e.t, name: e.n, attributes: e.a }))
      : [],
    links: extra.l
      ? extra.l.map((l): SpanLink => (l.a === undefined ? { traceId: l.t, spanId: l.s, type: l.y } : { traceId: l.t, spanId: l.s, type: l.y, attributes: l.a }))
      : [],
    resource: extra.r ?? {},
    tenant: row.tenant,
  };
  if (row.parentSpanId !== null) span.parentSpanId = row.parentSpanId;
  if (extra.sm !== undefined) span.statusMessage = extra.sm;
  if (extra.le) span.localEndpoint = loadEndpoint(extra.le, row.service);
  if (extra.re) span.remoteEndpoint = loadEndpoint(extra.re, row.remoteService);
  if (extra.sh !== undefined) span.shared = extra.sh;
  if (extra.db !== undefined) span.debug = extra.db;
  return span;
}

/**
 * One line of the newline-delimited JSON staging file DuckDB's read_json ingests: null fields
 * are left out (read as NULL), and the extra document is embedded as JSON rather than as an
 * escaped string, which keeps the line short and cheap to build.
 */
export function stagingLine(row: SpanRow): string {
  // Ids are validated lowercase hex and numbers are numbers: both are safe to inline.
  let line = `{"t":"${row.t}","s":"${row.s}"`;
  if (row.p !== null) line += `,"p":"${row.p}"`;
  line += `,"st":${row.st},"d":${row.d},"sv":${JSON.stringify(row.sv)},"n":${JSON.stringify(row.n)},"k":${row.k},"sc":${row.sc},"tn":${JSON.stringify(row.tn)}`;
  if (row.rs !== null) line += `,"rs":${JSON.stringify(row.rs)}`;
  for (let i = 0; i < row.pv.length; i++) {
    const v = row.pv[i];
    if (v !== null && v !== undefined) line += `,"c${i}":${JSON.stringify(v)}`;
  }
  if (row.x !== null) line += `,"x":${row.x}`;
  return `${line}}\n`;
}

/**
 * The quote character of the CSV staging file: a control character that JSON text never holds
 * raw and other values almost never do, so quoting rarely has to copy a value to escape it.
 */
export const CSV_QUOTE = '\x1f';

/** A string as one quoted field of the CSV staging files (quote doubled inside). */
export function csvText(v: string): string {
  return v.indexOf(CSV_QUOTE) < 0 ? CSV_QUOTE + v + CSV_QUOTE : CSV_QUOTE + v.replaceAll(CSV_QUOTE, CSV_QUOTE + CSV_QUOTE) + CSV_QUOTE;
}

/**
 * One line of the CSV staging file DuckDB's read_csv ingests, in the column order of its staging
 * columns: NULL is an empty unquoted field, every string is quoted (so an empty string stays
 * empty) with the quote doubled inside, and `traceStartUs` (the earliest start of the span's
 * trace in this flush) comes first as the sort key.
 */
export function stagingCsvLine(row: SpanRow, traceStartUs: number): string {
  // Ids are validated lowercase hex and the numbers integers: they need no quoting.
  let line =
    traceStartUs + ',' + row.t + ',' + row.s + ',' + (row.p ?? '') + ',' + row.st + ',' + row.d + ',' + csvText(row.sv) + ',' +
    csvText(row.n) + ',' + row.k + ',' + row.sc + ',' + csvText(row.tn) + ',' + (row.rs === null ? '' : csvText(row.rs));
  for (let i = 0; i < row.pv.length; i++) {
    const v = row.pv[i];
    line += v === null || v === undefined ? ',' : ',' + csvText(v);
  }
  return line + ',' + (row.x === null ? '' : csvText(row.x)) + '\n';
}
