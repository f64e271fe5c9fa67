/**
 * Query-string parsing for Jaeger's query API v3 over HTTP, with upstream's parameter names (the
 * lowerCamelCase ones and their snake_case aliases), defaults and error messages
 * (jaegertracing/jaeger cmd/jaeger/internal/extension/jaegerquery/internal/apiv3/query_parser.go
 * and http_gateway.go). Values are parsed as Go parses them there: RFC 3339 times, Go durations,
 * strconv integers and booleans. Every rejected value is an INVALID_ARGUMENT AppError.
 */
import { AppError } from '../../errors.js';
import { SPAN_KINDS } from '../../model/index.js';
import type { SpanKind } from '../../model/index.js';
import type { AttributeFilter, TraceQuery } from '../../storage/api.js';

/** A parsed query string as Fastify hands it over (repeated keys become arrays). */
export type QueryParams = Record<string, unknown>;

/** Traces per search when `query.searchDepth` is absent or 0 (upstream's default). */
export const DEFAULT_SEARCH_DEPTH = 100;
/** Largest accepted `query.searchDepth`. */
export const MAX_SEARCH_DEPTH = 10_000;
/** Most `query.attributes` entries one search may carry. */
export const MAX_ATTRIBUTES = 100;

/** A parsed trace search of /api/v3/traces and /api/v3/trace-summaries. */
export interface FindQuery {
  query: TraceQuery;
  /** `query.rawTraces`: skip read-time fixes (traces only; summaries ignore it). */
  rawTraces: boolean;
}

/** A parsed /api/v3/traces/{id} request. */
export interface GetTraceQuery {
  traceId: string;
  startUsMin?: number;
  startUsMax?: number;
  rawTraces: boolean;
}

const GO_RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const INTEGER = /^[+-]?\d+$/;
const HEX = /^[0-9a-fA-F]+$/;
const MAX_INT64 = 2n ** 63n - 1n;
const NS_PER_UNIT: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Parses the search parameters: `query.startTimeMin` and `query.startTimeMax` (RFC 3339, both
 * required, min strictly before max), `query.serviceName`, `query.operationName`,
 * `query.searchDepth` (or `query.num_traces`; default 100), `query.durationMin/Max` (Go durations),
 * `query.attributes` (a JSON object of strings), `query.rawTraces`, each also under its snake_case
 * alias. Nanosecond bounds become inclusive µs bounds that hold exactly the spans inside them. As
 * in the old API, the attribute `error: "true"` asks for failed spans and `span.kind` sets the kind.
 */
export function parseFindQuery(params: QueryParams): FindQuery {
  const service = param(params, 'query.serviceName', 'query.service_name');
  const operation = param(params, 'query.operationName', 'query.operation_name');
  const attributes = attributesParam(params);
  const min = param(params, 'query.startTimeMin', 'query.start_time_min');
  const max = param(params, 'query.startTimeMax', 'query.start_time_max');
  if (min.value === undefined || max.value === undefined) {
    throw new AppError('INVALID_ARGUMENT', 'query.startTimeMin and query.startTimeMax are required');
  }
  const minNs = timeParam(min.name, min.value);
  const maxNs = timeParam(max.name, max.value);
  if (minNs >= maxNs) throw new AppError('INVALID_ARGUMENT', 'query.startTimeMin must be before query.startTimeMax');
  const limit = searchDepthParam(params);
  const query: TraceQuery = { startUsMin: ceilUs(minNs), startUsMax: floorUs(maxNs), limit };
  if (service.value !== undefined) query.service = service.value;
  if (operation.value !== undefined) query.operation = operation.value;
  const durationMin = param(params, 'query.durationMin', 'query.duration_min');
  if (durationMin.value !== undefined) {
    const ns = durationParam(durationMin.name, durationMin.value);
    // A zero or negative minimum excludes nothing (Go's zero value means "unset").
    if (ns > 0n) query.minDurationUs = ceilUs(ns);
  }
  const durationMax = param(params, 'query.durationMax', 'query.duration_max');
  if (durationMax.value !== undefined) {
    const ns = durationParam(durationMax.name, durationMax.value);
    if (ns !== 0n) query.maxDurationUs = floorUs(ns);
  }
  const filters: AttributeFilter[] = [];
  for (const [key, value] of attributes) {
    if (key === 'span.kind' && isSpanKind(value)) query.spanKind = value;
    else if (key === 'error' && value === 'true') query.statusCode = 'error';
    else filters.push({ key, value });
  }
  if (filters.length > 0) query.attributes = filters;
  const raw = param(params, 'query.rawTraces', 'query.raw_traces');
  return { query, rawTraces: raw.value === undefined ? false : boolParam(raw.name, raw.value) };
}

/**
 * Parses GET /api/v3/traces/{id}: the id as Jaeger's TraceIDFromString reads it (1–32 hex chars,
 * returned as 32 lowercase hex), optional `startTime` / `endTime` (RFC 3339) as lookup hints, and
 * `rawTraces`; snake_case aliases accepted. An all-zero id is valid here and simply never found.
 */
export function parseGetTraceQuery(traceIdText: string, params: QueryParams): GetTraceQuery {
  const out: GetTraceQuery = { traceId: traceIdParam(traceIdText), rawTraces: false };
  const start = param(params, 'startTime', 'start_time');
  if (start.value !== undefined) out.startUsMin = floorUs(timeParam(start.name, start.value));
  const end = param(params, 'endTime', 'end_time');
  if (end.value !== undefined) out.startUsMax = ceilUs(timeParam(end.name, end.value));
  const raw = param(params, 'rawTraces', 'raw_traces');
  if (raw.value !== undefined) out.rawTraces = boolParam(raw.name, raw.value);
  return out;
}

/**
 * Parses GET /api/v3/operations: `service` (absent means no operations) and `spanKind` (or
 * `span_kind`); an unknown kind is returned as given and simply matches nothing.
 */
export function parseOperationsQuery(params: QueryParams): { service?: string; spanKind?: string } {
  const out: { service?: string; spanKind?: string } = {};
  const service = first(params, 'service');
  if (service !== undefined) out.service = service;
  const kind = param(params, 'spanKind', 'span_kind').value;
  if (kind !== undefined) out.spanKind = kind;
  return out;
}

/**
 * Parses an RFC 3339 time with an optional fraction of up to 9 digits, as Go's time.Parse with
 * RFC3339Nano does, to nanoseconds since the epoch.
 */
export function parseRfc3339Nanos(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const fraction = BigInt((m[7] ?? '').padEnd(9, '0'));
  return (BigInt(date.getTime()) - BigInt(offsetMinutes) * 60_000n) * 1_000_000n + fraction;
}

/**
 * Parses a Go duration ("300ms", "-1.5h", "2h45m", "0") to nanoseconds, or returns Go's error text
 * (`time: invalid duration "x"`, `time: missing unit in duration "1"`, `time: unknown unit ...`).
 */
export function parseGoDuration(text: string): bigint | string {
  const quoted = goQuote(text);
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return `time: invalid duration ${quoted}`;
  let totalNs = 0;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    if ((number[1] ?? '') === '' && (number[2] ?? '') === '') return `time: invalid duration ${quoted}`;
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') return `time: missing unit in duration ${quoted}`;
    const scale = NS_PER_UNIT[unit];
    if (scale === undefined) return `time: unknown unit ${goQuote(unit)} in duration ${quoted}`;
    rest = rest.slice(unit.length);
    totalNs += Number(`${number[1] || '0'}.${number[2] || '0'}`) * scale;
  }
  if (!Number.isFinite(totalNs) || totalNs > Number(MAX_INT64)) return `time: invalid duration ${quoted}`;
  const ns = BigInt(Math.trunc(totalNs));
  return negative ? -ns : ns;
}

/** The first non-empty value of `canonical`, else of `alias`, with the name it came from (Go's getQueryParam). */
function param(params: QueryParams, canonical: string, alias: string): { value: string | undefined; name: string } {
  const value = first(params, canonical);
  return value !== undefined ? { value, name: canonical } : { value: first(params, alias), name: alias };
}

/** The first value of a parameter, "" counted as absent (Go's url.Values.Get then != ""). */
function first(params: QueryParams, name: string): string | undefined {
  const raw = params[name];
  const value = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function timeParam(name: string, text: string): bigint {
  const ns = parseRfc3339Nanos(text);
  if (ns === undefined) {
    throw malformed(name, `parsing time ${goQuote(text)} as ${goQuote(GO_RFC3339_NANO)}: not an RFC 3339 time`);
  }
  return ns;
}

function durationParam(name: string, text: string): bigint {
  const ns = parseGoDuration(text);
  if (typeof ns === 'string') throw malformed(name, ns);
  return ns;
}

function searchDepthParam(params: QueryParams): number {
  let { value, name } = param(params, 'query.searchDepth', 'query.search_depth');
  if (value === undefined) {
    value = first(params, 'query.num_traces');
    name = 'query.num_traces';
  }
  if (value === undefined) return DEFAULT_SEARCH_DEPTH;
  if (!INTEGER.test(value)) throw malformed(name, `strconv.Atoi: parsing ${goQuote(value)}: invalid syntax`);
  const depth = BigInt(value);
  if (depth > MAX_INT64 || depth < -MAX_INT64 - 1n) {
    throw malformed(name, `strconv.Atoi: parsing ${goQuote(value)}: value out of range`);
  }
  if (depth === 0n) return DEFAULT_SEARCH_DEPTH;
  if (depth < 0n || depth > BigInt(MAX_SEARCH_DEPTH)) {
    throw malformed(name, `expected a search depth from 1 to ${MAX_SEARCH_DEPTH}, got ${value}`);
  }
  return Number(depth);
}

/** `query.attributes`: a JSON object of strings, decoded as Go's json.Unmarshal into map[string]string. */
function attributesParam(params: QueryParams): Map<string, string> {
  const name = 'query.attributes';
  const text = first(params, name);
  const out = new Map<string, string>();
  if (text === undefined) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw malformed(name, (err as Error).message);
  }
  if (parsed === null) return out;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw malformed(name, `json: cannot unmarshal ${goJsonKind(parsed)} into Go value of type map[string]string`);
  }
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (value === null) {
      out.set(key, '');
      continue;
    }
    if (typeof value !== 'string') {
      throw malformed(name, `json: cannot unmarshal ${goJsonKind(value)} into Go value of type string`);
    }
    out.set(key, value);
  }
  if (out.size > MAX_ATTRIBUTES) throw malformed(name, `at most ${MAX_ATTRIBUTES} attributes, got ${out.size}`);
  return out;
}

function traceIdParam(text: string): string {
  const name = 'trace_id';
  if (text.length > 32) throw malformed(name, `TraceID cannot be longer than 32 hex characters: ${text}`);
  // Go parses the high and low halves separately and names the half that failed.
  const halves = text.length > 16 ? [text.slice(0, text.length - 16), text.slice(text.length - 16)] : [text];
  for (const half of halves) {
    if (!HEX.test(half)) throw malformed(name, `strconv.ParseUint: parsing ${goQuote(half)}: invalid syntax`);
  }
  return text.toLowerCase().padStart(32, '0');
}

function boolParam(name: string, text: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(text)) return false;
  throw malformed(name, `strconv.ParseBool: parsing ${goQuote(text)}: invalid syntax`);
}

function isSpanKind(value: string): value is SpanKind {
  return value !== 'unspecified' && (SPAN_KINDS as readonly string[]).includes(value);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** ns → µs rounded up, kept within the safe integer range. */
function ceilUs(ns: bigint): number {
  const us = ns >= 0n ? (ns + 999n) / 1000n : ns / 1000n;
  return clampSafe(us);
}

/** ns → µs rounded down, kept within the safe integer range. */
function floorUs(ns: bigint): number {
  const us = ns >= 0n ? ns / 1000n : (ns - 999n) / 1000n;
  return clampSafe(us);
}

function clampSafe(value: bigint): number {
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(value > max ? max : value < -max ? -max : value);
}

function goJsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/** Quotes a client value as Go's %q does for printable text, cut to 64 characters. */
function goQuote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

function malformed(name: string, detail: string): AppError {
  return new AppError('INVALID_ARGUMENT', `malformed parameter ${name}: ${detail}`);
}
