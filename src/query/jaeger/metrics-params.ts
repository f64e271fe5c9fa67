/**
 * Query-string parsing for Jaeger's metrics query API (GET /api/metrics/{latencies,calls,errors}),
 * with Jaeger's parameter names and defaults (jaegertracing/jaeger
 * cmd/jaeger/internal/extension/jaegerquery/internal/query_parser.go, default_params.go): times and
 * durations are whole milliseconds. Every rejected value is an INVALID_ARGUMENT naming the parameter.
 */
import { SPAN_KINDS } from '../../model/index.js';
import type { SpanKind } from '../../model/index.js';
import { boolParam, invalid, queryValue, queryValues, quote, type QueryParams } from './params.js';

/** A parsed metrics query; every time and duration in ms. */
export interface MetricsQuery {
  /** At least one service name, in the order given, without repeats. */
  services: string[];
  /** One series per (service, operation) instead of per service. */
  groupByOperation: boolean;
  /** The span kinds asked for (default ['server']), without repeats. */
  spanKinds: SpanKind[];
  /** The last instant of the range (ms since the epoch). */
  endMs: number;
  /** How far before endMs the range starts. */
  lookbackMs: number;
  /** Distance between two points of a series. */
  stepMs: number;
  /** Width of the window each point is computed over. */
  ratePerMs: number;
}

/** Range when `lookback` is absent: one hour (Jaeger's default). */
export const DEFAULT_METRICS_LOOKBACK_MS = 3_600_000;
/** Point spacing when `step` is absent: five seconds (Jaeger's default). */
export const DEFAULT_METRICS_STEP_MS = 5000;
/** Window when `ratePer` is absent: ten minutes (Jaeger's default). */
export const DEFAULT_METRICS_RATE_PER_MS = 600_000;
/** Smallest accepted step, as GET /api/metrics/minstep reports it: one second. */
export const MIN_STEP_MS = 1000;
/** Most points one series may have (Prometheus's limit per series, so clients meet the same bound). */
export const MAX_POINTS = 11_000;
/**
 * Most window buckets one series may need. Windows are counted in buckets as wide as the greatest
 * common divisor of step and ratePer, so awkward pairs (7 s and 10 min) need many narrow buckets.
 */
export const MAX_BUCKETS = 50_000;
/** Longest accepted lookback or ratePer: 30 days. */
export const MAX_METRICS_SPAN_MS = 30 * 86_400_000;

/** Latest instant Date can represent. */
const MAX_TIME_MS = 8.64e15;
const INTEGER = /^[+-]?\d+$/;

/**
 * Parses the parameters every metrics route shares: service (repeatable, required),
 * groupByOperation, spanKind (repeatable), endTs (default `nowMs`), lookback, step and ratePer.
 */
export function parseMetricsParams(params: QueryParams, nowMs: number): MetricsQuery {
  const services = [...new Set(queryValues(params, 'service').filter((s) => s !== ''))];
  if (services.length === 0) throw invalid('service', 'please provide at least one service name');
  const groupByOperation = boolParam(params, 'groupByOperation');
  const spanKinds = spanKindsParam(params);
  const endMs = integerParam(params, 'endTs', 0, MAX_TIME_MS) ?? Math.floor(nowMs);
  const lookbackMs = integerParam(params, 'lookback', 1, MAX_METRICS_SPAN_MS) ?? DEFAULT_METRICS_LOOKBACK_MS;
  const stepMs = integerParam(params, 'step', MIN_STEP_MS, MAX_METRICS_SPAN_MS) ?? DEFAULT_METRICS_STEP_MS;
  const ratePerMs = integerParam(params, 'ratePer', 1, MAX_METRICS_SPAN_MS) ?? DEFAULT_METRICS_RATE_PER_MS;
  if (lookbackMs > endMs) throw invalid('lookback', `${lookbackMs} ms reaches before the epoch from endTs ${endMs}`);
  const points = Math.floor(lookbackMs / stepMs) + 1;
  if (points > MAX_POINTS) {
    throw invalid('step', `a lookback of ${lookbackMs} ms in steps of ${stepMs} ms makes ${points} points per series, more than ${MAX_POINTS}; raise step`);
  }
  const bucketMs = gcd(stepMs, ratePerMs);
  const buckets = Math.ceil((lookbackMs + ratePerMs) / bucketMs) + 1;
  if (buckets > MAX_BUCKETS) {
    throw invalid('ratePer', `windows of ${ratePerMs} ms every ${stepMs} ms need ${buckets} buckets of ${bucketMs} ms (their greatest common divisor), more than ${MAX_BUCKETS}; choose a step and ratePer with a larger common divisor`);
  }
  return { services, groupByOperation, spanKinds, endMs, lookbackMs, stepMs, ratePerMs };
}

/** The `quantile` of GET /api/metrics/latencies: required, a number from 0 to 1. */
export function parseQuantile(params: QueryParams): number {
  const text = queryValue(params, 'quantile');
  if (text === undefined) throw invalid('quantile', 'expected a number from 0 to 1, got nothing');
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 0 && value <= 1)) throw invalid('quantile', `expected a number from 0 to 1, got ${quote(text)}`);
  return value;
}

/** The greatest common divisor of two positive integers. */
export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

function spanKindsParam(params: QueryParams): SpanKind[] {
  const raw = queryValues(params, 'spanKind');
  if (raw.length === 0) return ['server'];
  const kinds = new Set<SpanKind>();
  for (const text of raw) {
    const kind = text.toLowerCase();
    if (!(SPAN_KINDS as readonly string[]).includes(kind)) {
      throw invalid('spanKind', `unsupported span kind ${quote(text)}: expected one of ${SPAN_KINDS.join(', ')}`);
    }
    kinds.add(kind as SpanKind);
  }
  return [...kinds];
}

function integerParam(params: QueryParams, name: string, min: number, max: number): number | undefined {
  const text = queryValue(params, name);
  if (text === undefined) return undefined;
  const value = INTEGER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw invalid(name, `expected a whole number of milliseconds, got ${quote(text)}`);
  if (value < min || value > max) throw invalid(name, `expected ${min} to ${max} milliseconds, got ${value}`);
  return value;
}
