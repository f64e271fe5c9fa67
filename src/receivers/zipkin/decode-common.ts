/**
 * Validation helpers shared by the Zipkin v1 and v2 JSON decoders. Every helper either returns a
 * normalised value or throws an INVALID_ARGUMENT AppError whose message names the span index and
 * the field, so a sender can find the offending span in its batch.
 * Spec: https://github.com/openzipkin/zipkin-api/blob/master/zipkin2-api.yaml
 */
import { AppError } from '../../errors.js';
import type { Attributes, Endpoint, Span, SpanEvent, SpanKind } from '../../model/index.js';

/** 2000-01-01T00:00:00Z in µs: earlier timestamps are treated as unit mistakes (ms or s sent as µs). */
export const MIN_TIMESTAMP_US = 946_684_800_000_000;
/** 2100-01-01T00:00:00Z in µs (exclusive): later timestamps are nanoseconds or garbage. */
export const MAX_TIMESTAMP_US = 4_102_444_800_000_000;
/** Longest accepted duration: 1e12 µs, about 11.6 days. */
export const MAX_DURATION_US = 1e12;

const MAX_QUOTED = 64;
const ZEROS = '00000000000000000000000000000000';

/** Renders a rejected value for an error message: JSON, cut to about 64 characters. */
export function quote(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    return value.length > MAX_QUOTED ? `${JSON.stringify(value.slice(0, MAX_QUOTED))}...` : JSON.stringify(value);
  }
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Nested too deeply to print: String() would recurse as deep, so only say what it is.
    text = `(${Array.isArray(value) ? 'an array' : typeof value} nested too deeply to print)`;
  }
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}...` : text;
}

/** Builds the path of a field inside span `index`: `span[3].annotations[1].timestamp`. */
export function fieldPath(index: number, field: string, item = -1, leaf = ''): string {
  let path = `span[${index}]`;
  if (field !== '') path += `.${field}`;
  if (item >= 0) path += `[${item}]`;
  if (leaf !== '') path += leaf.charCodeAt(0) === 91 /* [ */ ? leaf : `.${leaf}`;
  return path;
}

/** Throws the INVALID_ARGUMENT error for a field: `<path>: expected <expected>, got <value>`. */
export function reject(path: string, expected: string, value: unknown): never {
  throw new AppError('INVALID_ARGUMENT', `${path}: expected ${expected}, got ${quote(value)}`);
}

/** Throws the error for a span that has neither a timestamp nor annotations to take one from. */
export function missingTimestamp(index: number, value: unknown): never {
  throw new AppError('INVALID_ARGUMENT', `${fieldPath(index, 'timestamp')}: required when a span has no annotations, got ${quote(value)}`);
}

/** Bodies above this many bytes are parsed in groups of elements (see parseJsonArrayInGroups). */
const GROUPED_PARSE_BYTES = 64 * 1024;
/** Bytes of elements parsed at once: their text stays below V8's large-object size (128 KiB). */
const GROUP_BYTES = 48 * 1024;

/**
 * Parses a request body that must be a JSON array. A UTF-8 byte order mark is tolerated because
 * some senders write one and it carries no meaning.
 */
export function parseJsonArray(body: Buffer | string): unknown[] {
  if (typeof body !== 'string' && body.length > GROUPED_PARSE_BYTES) {
    const grouped = parseJsonArrayInGroups(body, GROUP_BYTES);
    if (grouped !== undefined) return grouped;
  }
  let text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(parsed)) {
    const what = parsed === null ? 'null' : typeof parsed === 'object' ? 'an object' : quote(parsed);
    throw new AppError('INVALID_ARGUMENT', `body: expected a JSON array of spans, got ${what}`);
  }
  return parsed;
}

const isJsonSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The elements of a JSON array body, parsed a group of about `groupBytes` at a time; undefined
 * whenever the body is not a well-formed array (the caller then parses it whole, which names the
 * error). Equal to JSON.parse of the whole body otherwise.
 * Why: a body's text as one string is a large object to V8, allocated in fresh pages each time;
 * that copy cost ~3.6 µs per 490-byte span, about as much as parsing it, while texts below 128 KiB
 * are copied at memory speed. Only quotes, backslashes, brackets and commas are looked at (the
 * scan jumps from quote to quote inside strings); JSON.parse still checks every group.
 */
export function parseJsonArrayInGroups(body: Buffer, groupBytes: number): unknown[] | undefined {
  const n = body.length;
  let i = n >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  while (i < n && isJsonSpace(body[i])) i++;
  if (body[i] !== 0x5b /* [ */) return undefined;
  const out: unknown[] = [];
  const take = (from: number, to: number): boolean => {
    let group: unknown;
    try {
      group = JSON.parse(`[${body.toString('utf8', from, to)}]`);
    } catch {
      return false;
    }
    for (const element of group as unknown[]) out.push(element);
    return true;
  };
  let depth = 0;
  let commas = 0;
  let groupStart = ++i;
  for (; i < n; i++) {
    const c = body[i];
    if (c === 0x22 /* " */) {
      // To the closing quote: one preceded by an even number of backslashes.
      for (;;) {
        const q = body.indexOf(0x22, i + 1);
        if (q < 0) return undefined;
        let slashes = 0;
        while (body[q - 1 - slashes] === 0x5c /* \ */) slashes++;
        i = q;
        if ((slashes & 1) === 0) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth > 0) {
        depth--;
        continue;
      }
      if (c === 0x7d) return undefined;
      // The array's end: the last group, then nothing but whitespace.
      let empty = true;
      for (let k = groupStart; k < i && empty; k++) empty = isJsonSpace(body[k]);
      if (empty ? commas > 0 : !take(groupStart, i)) return undefined;
      for (let k = i + 1; k < n; k++) if (!isJsonSpace(body[k])) return undefined;
      return out;
    } else if (c === 0x2c /* , */ && depth === 0) {
      commas++;
      if (i - groupStart >= groupBytes) {
        if (!take(groupStart, i)) return undefined;
        groupStart = i + 1;
      }
    }
  }
  return undefined;
}

/** Casts a batch element to a record, or rejects it: every element must be a JSON object. */
export function asSpanObject(value: unknown, index: number): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject(`span[${index}]`, 'an object', value);
  }
  return value as Record<string, unknown>;
}

/**
 * Lowercases and left-pads a hex id of 1..`width` chars to `width`; undefined when it has another
 * length, a non-hex char, or is all zeros. Same result as the model's normalizeTraceId /
 * normalizeSpanId, written as a char loop because it runs several times per span.
 */
export function normalizeHex(id: string, width: 16 | 32): string | undefined {
  const length = id.length;
  if (length === 0 || length > width) return undefined;
  let upper = false;
  let nonZero = false;
  for (let k = 0; k < length; k++) {
    const c = id.charCodeAt(k);
    if (c >= 48 && c <= 57) {
      if (c !== 48) nonZero = true;
    } else if (c >= 97 && c <= 102) {
      nonZero = true;
    } else if (c >= 65 && c <= 70) {
      nonZero = true;
      upper = true;
    } else {
      return undefined;
    }
  }
  if (!nonZero) return undefined;
  const lower = upper ? id.toLowerCase() : id;
  return length === width ? lower : ZEROS.slice(0, width - length) + lower;
}

/** Reads a required trace id (1–32 hex chars, 64-bit ids left-padded to 32). */
export function readTraceId(value: unknown, index: number): string {
  if (typeof value === 'string') {
    const id = normalizeHex(value, 32);
    if (id !== undefined) return id;
  }
  return reject(fieldPath(index, 'traceId'), '16 or 32 hex chars, not all zeros', value);
}

/** Reads a required span id (1–16 hex chars, left-padded to 16). */
export function readSpanId(value: unknown, index: number): string {
  if (typeof value === 'string') {
    const id = normalizeHex(value, 16);
    if (id !== undefined) return id;
  }
  return reject(fieldPath(index, 'id'), '16 hex chars, not all zeros', value);
}

/**
 * Reads an optional parent id: absent, null, "" and all zeros mean a root span (senders use each
 * of these); anything else must be 1–16 hex chars.
 */
export function readParentId(value: unknown, index: number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && value.length <= 16) {
    const id = normalizeHex(value, 16);
    if (id !== undefined) return id;
    let zeros = true;
    for (let k = 0; k < value.length; k++) if (value.charCodeAt(k) !== 48) zeros = false;
    if (zeros) return undefined;
  }
  return reject(fieldPath(index, 'parentId'), '16 hex chars or absent for a root span', value);
}

/** Reads an optional string field; absent or null gives "". */
export function readString(value: unknown, index: number, field: string): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return reject(fieldPath(index, field), 'a string', value);
}

/** Reads an optional boolean field; absent or null gives false. */
export function readBoolean(value: unknown, index: number, field: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return false;
  return reject(fieldPath(index, field), 'a boolean', value);
}

/**
 * Reads an epoch timestamp in µs; absent, null and 0 give 0 ("unset", as Zipkin defines it).
 * Fractions are rounded; values outside 2000..2100 are rejected as a unit mistake.
 */
export function readTimestamp(value: unknown, index: number): number {
  if (typeof value === 'number') {
    if (value === 0) return 0;
    const us = Math.round(value);
    if (us >= MIN_TIMESTAMP_US && us < MAX_TIMESTAMP_US) return us;
  } else if (value === undefined || value === null) {
    return 0;
  }
  return reject(fieldPath(index, 'timestamp'), 'epoch microseconds between 2000-01-01 and 2100-01-01', value);
}

/** Reads the required timestamp of annotation `item` (µs, 2000..2100, rounded). */
export function readEventTime(value: unknown, index: number, item: number): number {
  if (typeof value === 'number') {
    const us = Math.round(value);
    if (us >= MIN_TIMESTAMP_US && us < MAX_TIMESTAMP_US) return us;
  }
  return reject(fieldPath(index, 'annotations', item, 'timestamp'), 'epoch microseconds between 2000-01-01 and 2100-01-01', value);
}

/** Reads a duration in µs; absent or null give 0; fractions are rounded; negative or > 1e12 rejected. */
export function readDuration(value: unknown, index: number): number {
  if (typeof value === 'number') {
    if (value >= 0 && value <= MAX_DURATION_US) return Math.round(value);
  } else if (value === undefined || value === null) {
    return 0;
  }
  return reject(fieldPath(index, 'duration'), 'microseconds between 0 and 1e12', value);
}

/** Reads a Zipkin v2 span kind; absent or null give 'unspecified'. Names are case-sensitive, as in the spec. */
export function readKind(value: unknown, index: number): SpanKind {
  switch (value) {
    case 'CLIENT':
      return 'client';
    case 'SERVER':
      return 'server';
    case 'PRODUCER':
      return 'producer';
    case 'CONSUMER':
      return 'consumer';
    case undefined:
    case null:
      return 'unspecified';
    default:
      return reject(fieldPath(index, 'kind'), 'one of CLIENT, SERVER, PRODUCER, CONSUMER', value);
  }
}

/**
 * Reads an endpoint object. Empty strings and port 0 mean "not set" (as in Zipkin); an endpoint with
 * nothing set is undefined. Addresses are kept as sent: they are display data, not routed to.
 * `field`, `item` and `leaf` locate it for error messages (see fieldPath).
 */
export function readEndpoint(value: unknown, index: number, field: string, item = -1, leaf = ''): Endpoint | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return reject(fieldPath(index, field, item, leaf), 'an endpoint object', value);
  const raw = value as Record<string, unknown>;
  const { serviceName, ipv4, ipv6, port } = raw;
  let endpoint: Endpoint | undefined;
  if (serviceName !== undefined && serviceName !== null && serviceName !== '') {
    if (typeof serviceName !== 'string') return reject(`${fieldPath(index, field, item, leaf)}.serviceName`, 'a string', serviceName);
    endpoint = { serviceName };
  }
  if (ipv4 !== undefined && ipv4 !== null && ipv4 !== '') {
    if (typeof ipv4 !== 'string') return reject(`${fieldPath(index, field, item, leaf)}.ipv4`, 'a string', ipv4);
    if (endpoint === undefined) endpoint = { ipv4 };
    else endpoint.ipv4 = ipv4;
  }
  if (ipv6 !== undefined && ipv6 !== null && ipv6 !== '') {
    if (typeof ipv6 !== 'string') return reject(`${fieldPath(index, field, item, leaf)}.ipv6`, 'a string', ipv6);
    if (endpoint === undefined) endpoint = { ipv6 };
    else endpoint.ipv6 = ipv6;
  }
  if (port !== undefined && port !== null && port !== 0) {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      return reject(`${fieldPath(index, field, item, leaf)}.port`, 'an integer port between 0 and 65535', port);
    }
    if (endpoint === undefined) endpoint = { port };
    else endpoint.port = port;
  }
  return endpoint;
}

/** Converts one tag value to its stored string form: strings as sent, numbers and booleans via String(). */
export function tagString(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return reject(path, 'a string, number or boolean', value);
}

/**
 * Validates a v2 `tags` object in place and returns it as the span's attributes: all values
 * become strings. The parsed object is reused rather than copied because it is ours alone and
 * copying every tag is a measurable share of the decode time.
 */
export function readTags(value: unknown, index: number): Attributes {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return reject(fieldPath(index, 'tags'), 'an object', value);
  const tags = value as Record<string, unknown>;
  for (const key in tags) {
    const tag = tags[key];
    if (typeof tag === 'string') continue;
    if (typeof tag === 'number' || typeof tag === 'boolean') tags[key] = String(tag);
    else reject(fieldPath(index, 'tags', -1, `[${JSON.stringify(key)}]`), 'a string, number or boolean', tag);
  }
  return tags as Attributes;
}

/**
 * Applies Zipkin's error convention: an `error` tag marks the span failed and its value is the
 * message unless it is "" or "true". The tag itself stays in the attributes so reads round-trip.
 */
export function applyErrorTag(span: Span): void {
  const value = span.attributes['error'];
  if (value === undefined) return;
  span.statusCode = 'error';
  if (value !== '' && value !== 'true') span.statusMessage = String(value);
}

/** 16 address bytes as RFC 5952 text: lower-case hex, the longest run of two or more zero groups as "::". */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let k = 0; k < 16; k += 2) groups.push((bytes[k]! << 8) | bytes[k + 1]!);
  let bestStart = -1;
  let bestLength = 0;
  for (let k = 0; k < 8; ) {
    if (groups[k] !== 0) {
      k++;
      continue;
    }
    let end = k;
    while (end < 8 && groups[end] === 0) end++;
    if (end - k > bestLength) {
      bestStart = k;
      bestLength = end - k;
    }
    k = end;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The fields of one Zipkin v2 span, whatever encoding they were read from. */
export interface ZipkinV2Parts {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  kind: SpanKind;
  name: string;
  startUs: number;
  durationUs: number;
  localEndpoint: Endpoint | undefined;
  remoteEndpoint: Endpoint | undefined;
  attributes: Attributes;
  events: SpanEvent[];
  shared: boolean;
  debug: boolean;
  tenant: string;
}

/** Assembles a Zipkin v2 span: service from the local endpoint ("unknown" without one), status from the error tag. */
export function buildZipkinV2Span(p: ZipkinV2Parts): Span {
  const span: Span = {
    traceId: p.traceId,
    spanId: p.spanId,
    kind: p.kind,
    name: p.name,
    service: p.localEndpoint?.serviceName ?? 'unknown',
    startUs: p.startUs,
    durationUs: p.durationUs,
    statusCode: 'unset',
    attributes: p.attributes,
    events: p.events,
    links: [],
    resource: {},
    tenant: p.tenant,
  };
  if (p.parentSpanId !== undefined) span.parentSpanId = p.parentSpanId;
  if (p.localEndpoint !== undefined) span.localEndpoint = p.localEndpoint;
  if (p.remoteEndpoint !== undefined) span.remoteEndpoint = p.remoteEndpoint;
  if (p.shared) span.shared = true;
  if (p.debug) span.debug = true;
  applyErrorTag(span);
  return span;
}
