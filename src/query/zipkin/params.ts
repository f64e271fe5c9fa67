/**
 * Query-string parsing for the Zipkin v2 read API, with Zipkin's defaults and its error messages
 * (zipkin2.storage.QueryRequest, zipkin2.Span.normalizeTraceId) where Zipkin has them.
 */
import { AppError } from '../../errors.js';
import type { AttributeFilter, TraceQuery } from '../../storage/api.js';

/** A parsed query string as Fastify hands it over (repeated keys become arrays). */
export type QueryParams = Record<string, unknown>;

/** Zipkin's default lookback: one day, in milliseconds. */
export const DEFAULT_LOOKBACK_MS = 86_400_000;
/** Zipkin's default number of traces per search. */
export const DEFAULT_LIMIT = 10;
/** Largest number of traces one search returns; larger limits are capped to it. */
export const MAX_LIMIT = 1000;
/** Largest number of ids /api/v2/traceMany accepts. */
export const MAX_TRACE_IDS = 1000;
/** Largest number of `and`-joined terms in an annotationQuery. */
export const MAX_ANNOTATION_TERMS = 100;

const HEX = /^[0-9a-fA-F]+$/;
const INTEGER = /^[+-]?\d+$/;

/** First value of a query parameter, or undefined when absent (repeated parameters: the first wins). */
export function queryValue(params: QueryParams, name: string): string | undefined {
  const raw = params[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' ? value : undefined;
}

/** A parameter that must be present (it may be empty); the message is Zipkin's. */
export function requiredValue(params: QueryParams, name: string): string {
  const value = queryValue(params, name);
  if (value === undefined) throw new AppError('INVALID_ARGUMENT', `Mandatory parameter/header is missing: ${name}`);
  return value;
}

/** An optional integer parameter; empty counts as absent; anything but a safe integer is a 400 naming it. */
export function integerValue(params: QueryParams, name: string): number | undefined {
  const text = queryValue(params, name)?.trim();
  if (text === undefined || text === '') return undefined;
  const value = INTEGER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new AppError('INVALID_ARGUMENT', `${name}: expected an integer, got ${JSON.stringify(truncate(text))}`);
  }
  return value;
}

/**
 * Validates a trace id the way Zipkin does (1–32 hex chars, not all zeros; surrounding blanks
 * trimmed) and returns it normalised to 32 lowercase hex chars, so a 64-bit id finds its padded
 * form. Upper-case hex is accepted as well.
 */
export function parseTraceId(text: string): string {
  const id = text.trim();
  if (id.length === 0) throw new AppError('INVALID_ARGUMENT', 'traceId is empty');
  if (id.length > 32) throw new AppError('INVALID_ARGUMENT', 'traceId.length > 32');
  if (!HEX.test(id)) throw new AppError('INVALID_ARGUMENT', `${truncate(id)} should be lower-hex encoded with no prefix`);
  if (/^0+$/.test(id)) throw new AppError('INVALID_ARGUMENT', 'traceId is all zeros');
  return id.toLowerCase().padStart(32, '0');
}

/** Parses the comma-separated `traceIds` of /api/v2/traceMany: at least two distinct valid ids. */
export function parseTraceIds(text: string): string[] {
  if (text.length === 0) throw new AppError('INVALID_ARGUMENT', 'traceIds parameter is empty');
  const parts = text.split(',');
  if (parts.length > MAX_TRACE_IDS) {
    throw new AppError('INVALID_ARGUMENT', `traceIds: at most ${MAX_TRACE_IDS} ids, got ${parts.length}`);
  }
  const ids = new Set<string>();
  for (const part of parts) {
    const id = parseTraceId(part);
    if (ids.has(id)) throw new AppError('INVALID_ARGUMENT', `redundant traceId: ${truncate(part)}`);
    ids.add(id);
  }
  if (ids.size === 1) {
    throw new AppError('INVALID_ARGUMENT', 'Use /api/v2/trace/{traceId} endpoint to retrieve a single trace');
  }
  return [...ids];
}

/**
 * Parses Zipkin's annotationQuery, e.g. `error and http.method=GET`: terms joined by " and "; a
 * bare key (or `key=`) asks for a tag key or annotation value to be present; `key=value` asks for a
 * tag with that value and overrides an earlier bare key; the last value for a key wins.
 */
export function parseAnnotationQuery(text: string | undefined): AttributeFilter[] {
  if (text === undefined || text.trim() === '') return [];
  const terms = text.split(' and ');
  if (terms.length > MAX_ANNOTATION_TERMS) {
    throw new AppError('INVALID_ARGUMENT', `annotationQuery: at most ${MAX_ANNOTATION_TERMS} terms, got ${terms.length}`);
  }
  const wanted = new Map<string, string>();
  for (const term of terms) {
    const eq = term.indexOf('=');
    if (eq === -1) {
      const key = term.trim();
      if (key !== '' && !wanted.has(key)) wanted.set(key, '');
    } else {
      const key = term.slice(0, eq).trim();
      if (key !== '') wanted.set(key, term.slice(eq + 1).trim());
    }
  }
  return [...wanted].map(([key, value]) => (value === '' ? { key } : { key, value }));
}

/** What /api/v2/traces needs besides the query string. */
export interface TracesQueryContext {
  /** Current time in milliseconds since the epoch (the default endTs). */
  nowMs: number;
  defaultLookbackMs: number;
  maxLimit: number;
}

/** A parsed /api/v2/traces request. */
export interface ParsedTracesQuery {
  query: TraceQuery;
  /** The limit asked for, when it was above the cap and so lowered to query.limit. */
  cappedFrom?: number;
}

/**
 * Parses /api/v2/traces parameters into a storage search with Zipkin's defaults (endTs now,
 * lookback one day, limit 10) and checks (in Zipkin's order, with its messages), plus
 * `lookback > endTs`. Empty names and the span name "all" mean no filter.
 */
export function parseTracesQuery(params: QueryParams, context: TracesQueryContext): ParsedTracesQuery {
  const endTs = integerValue(params, 'endTs') ?? context.nowMs;
  const lookback = integerValue(params, 'lookback') ?? context.defaultLookbackMs;
  const limit = integerValue(params, 'limit') ?? DEFAULT_LIMIT;
  const minDuration = integerValue(params, 'minDuration');
  const maxDuration = integerValue(params, 'maxDuration');
  if (endTs <= 0) throw new AppError('INVALID_ARGUMENT', 'endTs <= 0');
  if (limit <= 0) throw new AppError('INVALID_ARGUMENT', 'limit <= 0');
  if (lookback <= 0) throw new AppError('INVALID_ARGUMENT', 'lookback <= 0');
  if (minDuration !== undefined) {
    if (minDuration <= 0) throw new AppError('INVALID_ARGUMENT', 'minDuration <= 0');
    if (maxDuration !== undefined && maxDuration < minDuration) {
      throw new AppError('INVALID_ARGUMENT', 'maxDuration < minDuration');
    }
  } else if (maxDuration !== undefined) {
    throw new AppError('INVALID_ARGUMENT', 'maxDuration is only valid with minDuration');
  }
  if (lookback > endTs) throw new AppError('INVALID_ARGUMENT', `lookback > endTs: ${lookback} > ${endTs}`);
  const endUs = toMicros(endTs, 'endTs');

  const query: TraceQuery = {
    startUsMin: endUs - lookback * 1000,
    startUsMax: endUs,
    limit: Math.min(limit, context.maxLimit),
  };
  const service = nonEmpty(queryValue(params, 'serviceName'));
  if (service !== undefined) query.service = service;
  const remoteService = nonEmpty(queryValue(params, 'remoteServiceName'));
  if (remoteService !== undefined) query.remoteService = remoteService;
  const spanName = nonEmpty(queryValue(params, 'spanName'));
  if (spanName !== undefined && spanName.toLowerCase() !== 'all') query.operation = spanName;
  const terms = parseAnnotationQuery(queryValue(params, 'annotationQuery'));
  // A bare `error` asks for failed spans: the decoders set statusCode error from the `error` tag, and
  // other protocols mark failures by status alone, so the status is the condition that finds them all.
  const attributes = terms.filter((t) => !(t.key === 'error' && t.value === undefined));
  if (attributes.length < terms.length) query.statusCode = 'error';
  if (attributes.length > 0) query.attributes = attributes;
  if (minDuration !== undefined) query.minDurationUs = minDuration;
  if (maxDuration !== undefined) query.maxDurationUs = maxDuration;

  return limit > context.maxLimit ? { query, cappedFrom: limit } : { query };
}

/** A parsed /api/v2/dependencies request, in microseconds. */
export interface DependenciesWindow {
  endUs: number;
  lookbackUs: number;
}

/** Parses /api/v2/dependencies: endTs (ms) is required, lookback (ms) defaults to one day. */
export function parseDependenciesQuery(params: QueryParams, defaultLookbackMs: number): DependenciesWindow {
  const endTs = integerValue(params, 'endTs');
  if (endTs === undefined) throw new AppError('INVALID_ARGUMENT', 'Mandatory parameter/header is missing: endTs');
  const lookback = integerValue(params, 'lookback') ?? defaultLookbackMs;
  if (endTs <= 0) throw new AppError('INVALID_ARGUMENT', 'endTs <= 0');
  if (lookback <= 0) throw new AppError('INVALID_ARGUMENT', 'lookback <= 0');
  if (lookback > endTs) throw new AppError('INVALID_ARGUMENT', `lookback > endTs: ${lookback} > ${endTs}`);
  return { endUs: toMicros(endTs, 'endTs'), lookbackUs: lookback * 1000 };
}

function toMicros(ms: number, name: string): number {
  const us = ms * 1000;
  if (!Number.isSafeInteger(us)) throw new AppError('INVALID_ARGUMENT', `${name}: ${ms} is out of range`);
  return us;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Keeps echoed input short in error messages. */
function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
