/**
 * Query-string parsing for Jaeger's query HTTP API, with Jaeger's defaults and, where Jaeger has
 * them, its error messages (jaegertracing/jaeger cmd/query/app/query_parser.go). Every rejected
 * value is an INVALID_ARGUMENT AppError naming the parameter.
 */
import { AppError } from '../../errors.js';
import { SPAN_KINDS, parseDuration } from '../../model/index.js';
import type { SpanKind } from '../../model/index.js';
import type { AttributeFilter, TraceQuery } from '../../storage/api.js';

/** A parsed query string as Fastify hands it over (repeated keys become arrays). */
export type QueryParams = Record<string, unknown>;

/** Traces per search when no limit is given (Jaeger's default). */
export const DEFAULT_LIMIT = 100;
/** Largest accepted search limit: bigger answers are too heavy for a browser to render. */
export const MAX_LIMIT = 1500;
/** Most trace ids one search may name with `traceID=`. */
export const MAX_TRACE_IDS = 1500;
/** Search window when neither start nor lookback is given: two days (Jaeger's default). */
export const DEFAULT_LOOKBACK_US = 2 * 86_400_000_000;
/** /api/dependencies lookback when none is given: one day, in ms (Jaeger's default). */
export const DEFAULT_DEPENDENCIES_LOOKBACK_MS = 86_400_000;

const INTEGER = /^[+-]?\d+$/;
const HEX = /^[0-9a-fA-F]+$/;
const DAYS_OR_WEEKS = /^(\d+)([dw])$/;
const MAX_TAG_FILTERS = 100;

/** A trace search: either by ids (no other filter applies) or by a storage query. */
export type TraceSearch =
  | { kind: 'ids'; traceIds: string[] }
  | { kind: 'query'; query: TraceQuery };

/** All values of a parameter (repeated ones in order); strings only. */
export function queryValues(params: QueryParams, name: string): string[] {
  const raw = params[name];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter((v): v is string => typeof v === 'string');
}

/** The first value of a parameter, with "" treated as absent (as Go's FormValue callers do). */
export function queryValue(params: QueryParams, name: string): string | undefined {
  const value = queryValues(params, name)[0];
  return value === undefined || value === '' ? undefined : value;
}

/** Parses the trace id of a path or `traceID=`: 1–32 hex chars, not all zeros; returns 32 lowercase hex. */
export function parseTraceId(text: string, name = 'traceID'): string {
  const id = text.trim();
  if (id.length === 0 || id.length > 32 || !HEX.test(id)) {
    throw invalid(name, `expected 1 to 32 hex characters, got ${quote(id)}`);
  }
  if (/^0+$/.test(id)) throw invalid(name, 'trace id is all zeros');
  return id.toLowerCase().padStart(32, '0');
}

/**
 * Parses GET /api/traces. With `traceID=` (repeatable) those traces are returned and no service is
 * needed; otherwise `service` is required. start/end are µs since the epoch (end defaults to now,
 * start to end − lookback, lookback to two days); lookback takes Go durations plus the Jaeger UI's
 * "2d"/"1w" forms ("custom" means start/end are given). Tags come from `tag=key:value` (repeatable)
 * then `tags=` JSON objects, a later value replacing an earlier one for the same key, as in Jaeger;
 * `span.kind` becomes the query's span kind and `error=true` asks for failed spans (statusCode error).
 */
export function parseTraceSearch(params: QueryParams, nowUs: number): TraceSearch {
  const endUs = integerParam(params, 'end') ?? nowUs;
  const lookbackUs = lookbackParam(params);
  const startUs = integerParam(params, 'start') ?? endUs - (lookbackUs ?? DEFAULT_LOOKBACK_US);
  if (endUs < startUs) throw new AppError('INVALID_ARGUMENT', "'end' should not be before 'start'");
  const tags = tagsParams(params);
  const limit = limitParam(params);
  const minDurationUs = durationParam(params, 'minDuration');
  const maxDurationUs = durationParam(params, 'maxDuration');
  if (minDurationUs !== undefined && maxDurationUs !== undefined && maxDurationUs < minDurationUs) {
    throw new AppError('INVALID_ARGUMENT', "'maxDuration' should be greater than 'minDuration'");
  }
  const idTexts = queryValues(params, 'traceID').filter((id) => id !== '');
  if (idTexts.length > MAX_TRACE_IDS) {
    throw invalid('traceID', `at most ${MAX_TRACE_IDS} ids per request, got ${idTexts.length}`);
  }
  if (idTexts.length > 0) {
    // start/end are validated but not used to narrow: a trace asked for by id is returned whole
    // wherever its spans fall in time.
    return { kind: 'ids', traceIds: [...new Set(idTexts.map((id) => parseTraceId(id)))] };
  }
  const service = queryValue(params, 'service');
  if (service === undefined) throw new AppError('INVALID_ARGUMENT', "parameter 'service' is required");
  const query: TraceQuery = { service, startUsMin: startUs, startUsMax: endUs, limit };
  const operation = queryValue(params, 'operation');
  if (operation !== undefined) query.operation = operation;
  if (minDurationUs !== undefined) query.minDurationUs = minDurationUs;
  if (maxDurationUs !== undefined) query.maxDurationUs = maxDurationUs;
  const attributes: AttributeFilter[] = [];
  for (const [key, value] of tags) {
    if (key === 'span.kind' && isSpanKind(value)) query.spanKind = value;
    // The Jaeger UI's usual `error=true` asks for failed spans, however the sender marked them
    // (a Zipkin `error` tag holding a message, an OTLP status), so it becomes a status condition.
    else if (key === 'error' && value === 'true') query.statusCode = 'error';
    else attributes.push({ key, value });
  }
  if (attributes.length > 0) query.attributes = attributes;
  return { kind: 'query', query };
}

/** Optional start/end hints (µs) of GET /api/traces/:traceID, and whether `raw=true` asked for stored spans. */
export function parseGetTraceParams(params: QueryParams): { startUsMin?: number; startUsMax?: number; raw: boolean } {
  const out: { startUsMin?: number; startUsMax?: number; raw: boolean } = { raw: boolParam(params, 'raw') };
  const start = integerParam(params, 'start');
  const end = integerParam(params, 'end');
  if (start !== undefined) out.startUsMin = start;
  if (end !== undefined) out.startUsMax = end;
  return out;
}

/** GET /api/operations: `service` is required; `spanKind` is one of the model's kinds or "" for all. */
export function parseOperationsParams(params: QueryParams): { service: string; spanKind?: SpanKind } {
  const service = queryValue(params, 'service');
  if (service === undefined) throw new AppError('INVALID_ARGUMENT', "parameter 'service' is required");
  const kind = queryValue(params, 'spanKind');
  if (kind === undefined) return { service };
  if (!isSpanKind(kind)) {
    throw invalid('spanKind', `expected one of ${SPAN_KINDS.filter((k) => k !== 'unspecified').join(', ')}, got ${quote(kind)}`);
  }
  return { service, spanKind: kind };
}

/** GET /api/dependencies: endTs (ms since epoch, default now) and lookback (ms, default one day, > 0). */
export function parseDependenciesParams(params: QueryParams, nowUs: number): { endUs: number; lookbackUs: number } {
  const endMs = integerParam(params, 'endTs');
  const lookbackMs = integerParam(params, 'lookback') ?? DEFAULT_DEPENDENCIES_LOOKBACK_MS;
  if (lookbackMs <= 0) throw invalid('lookback', `expected a positive number of milliseconds, got ${lookbackMs}`);
  return { endUs: endMs === undefined ? nowUs : endMs * 1000, lookbackUs: lookbackMs * 1000 };
}

/** `prettyPrint` as Jaeger reads it: any value but "" and "false" turns it on. */
export function prettyPrintParam(params: QueryParams): boolean {
  const value = queryValues(params, 'prettyPrint')[0];
  return value !== undefined && value !== '' && value !== 'false';
}

function integerParam(params: QueryParams, name: string): number | undefined {
  const text = queryValue(params, name);
  if (text === undefined) return undefined;
  const value = INTEGER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw invalid(name, `expected an integer, got ${quote(text)}`);
  return value;
}

function limitParam(params: QueryParams): number {
  const text = queryValue(params, 'limit');
  if (text === undefined) return DEFAULT_LIMIT;
  const value = INTEGER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_LIMIT) {
    throw invalid('limit', `expected an integer from 1 to ${MAX_LIMIT}, got ${quote(text)}`);
  }
  return value;
}

function durationParam(params: QueryParams, name: string): number | undefined {
  const text = queryValue(params, name);
  if (text === undefined) return undefined;
  const value = parseDuration(text);
  if (value === undefined) throw invalid(name, `expected a duration like "1.2ms" or "1h30m", got ${quote(text)}`);
  return value;
}

function lookbackParam(params: QueryParams): number | undefined {
  const text = queryValue(params, 'lookback');
  if (text === undefined || text === 'custom') return undefined;
  const m = DAYS_OR_WEEKS.exec(text);
  const value = m ? Number(m[1]) * (m[2] === 'd' ? 86_400_000_000 : 7 * 86_400_000_000) : parseDuration(text);
  if (value === undefined || !Number.isSafeInteger(value)) {
    throw invalid('lookback', `expected a duration like "1h", "2d" or "1w", got ${quote(text)}`);
  }
  return value;
}

/** A Go-style boolean parameter (strconv.ParseBool's spellings), false when absent; INVALID_ARGUMENT otherwise. */
export function boolParam(params: QueryParams, name: string): boolean {
  const text = queryValue(params, name);
  if (text === undefined) return false;
  // The spellings Go's strconv.ParseBool accepts.
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(text)) return false;
  throw invalid(name, `expected true or false, got ${quote(text)}`);
}

/** `tag=k:v` values then `tags=` JSON objects; a later value wins for a repeated key. */
function tagsParams(params: QueryParams): Map<string, string> {
  const tags = new Map<string, string>();
  for (const tag of queryValues(params, 'tag')) {
    const colon = tag.indexOf(':');
    if (colon < 0) {
      throw new AppError('INVALID_ARGUMENT', `malformed 'tag' parameter, expecting key:value, received: ${quote(tag)}`);
    }
    tags.set(tag.slice(0, colon), tag.slice(colon + 1));
  }
  for (const text of queryValues(params, 'tags')) {
    if (text === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new AppError('INVALID_ARGUMENT', `malformed 'tags' parameter, cannot parse JSON: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AppError('INVALID_ARGUMENT', `malformed 'tags' parameter, expected a JSON object, got ${quote(text)}`);
    }
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new AppError(
          'INVALID_ARGUMENT',
          `malformed 'tags' parameter, ${quote(key)}: expected a string value, got ${quote(JSON.stringify(value) ?? '')}`,
        );
      }
      tags.set(key, String(value));
    }
  }
  if (tags.size > MAX_TAG_FILTERS) {
    throw new AppError('INVALID_ARGUMENT', `too many tags: at most ${MAX_TAG_FILTERS}, got ${tags.size}`);
  }
  return tags;
}

function isSpanKind(value: string): value is SpanKind {
  return value !== 'unspecified' && (SPAN_KINDS as readonly string[]).includes(value);
}

/** The error of a malformed parameter, worded as Jaeger words it. */
export function invalid(name: string, detail: string): AppError {
  return new AppError('INVALID_ARGUMENT', `unable to parse param '${name}': ${detail}`);
}

/** JSON-quotes a client value for an error message, cut to 64 characters. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
