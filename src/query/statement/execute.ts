/**
 * Runs a statement against a reader and shapes the answer as a table: partial figures from the
 * engine are merged first, then averages, error rates and percentiles (from the merged log-scale
 * histograms, within 1 % relative) are computed, then sort and limit apply.
 */
import { AppError, isAppError } from '../../errors.js';
import type { Span } from '../../model/index.js';
import type { AggregateGroup, SpanReader, TenantScope } from '../../storage/api.js';
import { histogramQuantile } from '../../storage/histogram.js';
import { compareGroupKeys, mergeAggregateGroups } from '../../storage/predicate.js';
import { compileStatement, DEFAULT_LIMITS, type CompiledSpans, type CompiledTable, type StatementLimits } from './compile.js';
import { parseStatement, SPAN_COLUMNS } from './parser.js';

/** A cell: text, a number (times and durations in µs), or null when there is no value. */
export type Cell = string | number | null;

/** A result column: times are µs since the epoch, durations µs. */
export interface ResultColumn {
  name: string;
  type: 'string' | 'number' | 'time' | 'duration';
}

/** The chart a result suggests: a line over time when grouped by a bucket, else bars per first key. */
export interface ResultChart {
  x: string;
  series: string[];
  type: 'line' | 'bar';
}

/** What a statement answers. */
export interface StatementResult {
  kind: 'table' | 'spans';
  columns: ResultColumn[];
  rows: Cell[][];
  chart?: ResultChart;
  /** Wall time of the run, ms. */
  elapsedMs: number;
  /** Rows were cut by the statement's limit (or the span list's). */
  truncated?: boolean;
}

/** Options of {@link runStatement}. */
export interface RunOptions {
  reader: SpanReader;
  statement: string;
  /** Inclusive bounds on span start, µs since the epoch. */
  startUs: number;
  endUs: number;
  scope: TenantScope;
  limits?: StatementLimits;
  /** Longest a run may take before it is answered with UNAVAILABLE (default 10 s). */
  timeoutMs?: number;
  /** Most characters a statement may have (default 4096). */
  maxStatementLength?: number;
}

/** Default statement length limit, characters. */
export const MAX_STATEMENT_LENGTH = 4096;

/** Default per-statement time limit, ms. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Parses, compiles and runs a statement. Throws StatementError for mistakes in it, TOO_LARGE when it
 * is too long or groups into more than maxGroups groups, UNSUPPORTED when the reader cannot
 * aggregate, UNAVAILABLE when it runs longer than the time limit.
 */
export async function runStatement(options: RunOptions): Promise<StatementResult> {
  const started = performance.now();
  const maxLength = options.maxStatementLength ?? MAX_STATEMENT_LENGTH;
  if (options.statement.length > maxLength) {
    throw new AppError('TOO_LARGE', `the statement has ${options.statement.length} characters, more than the limit of ${maxLength}`);
  }
  const limits = options.limits ?? DEFAULT_LIMITS;
  const statement = parseStatement(options.statement);
  const compiled = compileStatement(statement, { startUs: options.startUs, endUs: options.endUs, scope: options.scope, limits });
  const { reader } = options;
  if (reader.aggregateSpans === undefined || reader.findSpans === undefined) {
    throw new AppError('UNSUPPORTED', 'this storage engine cannot run statements (it has no span aggregation)');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const result =
    compiled.kind === 'spans'
      // One span more than the limit says whether the limit cut the list.
      ? spanRows(compiled, await withTimeout(reader.findSpans({ ...compiled.search, limit: compiled.search.limit + 1 }), timeoutMs))
      : tableRows(compiled, await withTimeout(aggregate(reader, compiled), timeoutMs));
  return { ...result, elapsedMs: Math.round((performance.now() - started) * 10) / 10 };
}

async function aggregate(reader: SpanReader, compiled: CompiledTable): Promise<AggregateGroup[]> {
  try {
    return await reader.aggregateSpans!(compiled.aggregation);
  } catch (err) {
    if (isAppError(err, 'RESOURCE_EXHAUSTED')) {
      throw new AppError(
        'TOO_LARGE',
        `the statement makes more than ${compiled.aggregation.maxGroups} groups (the limit): narrow the filter, the time range or the "by" keys`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** Resolves as `work` does, or rejects with UNAVAILABLE once `ms` have passed. */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new AppError('UNAVAILABLE', `the statement ran longer than the limit of ${ms / 1000} s: narrow the time range or the filter`));
    }, ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
    // The engine's work goes on after a timeout; its late failure must not surface as unhandled.
    work.catch(() => undefined);
  }
}

function spanRows(compiled: CompiledSpans, spans: Span[]): Omit<StatementResult, 'elapsedMs'> {
  const types: Record<(typeof SPAN_COLUMNS)[number], ResultColumn['type']> = {
    start: 'time', trace_id: 'string', span_id: 'string', service: 'string', operation: 'string', kind: 'string', status: 'string', duration: 'duration',
  };
  const columns = SPAN_COLUMNS.map((name) => ({ name, type: types[name] }));
  const rows = spans.slice(0, compiled.search.limit).map((s): Cell[] => [s.startUs, s.traceId, s.spanId, s.service, s.name, s.kind, s.statusCode, s.durationUs]);
  const out: Omit<StatementResult, 'elapsedMs'> = { kind: 'spans', columns, rows };
  if (spans.length > compiled.search.limit) out.truncated = true;
  return out;
}

/** Turns merged groups into rows: keys, then each aggregate's value. Exported for tests of the maths. */
export function tableRows(compiled: CompiledTable, partials: readonly AggregateGroup[]): Omit<StatementResult, 'elapsedMs'> {
  let groups = mergeAggregateGroups(partials);
  if (groups.length > compiled.aggregation.maxGroups) {
    throw new AppError('TOO_LARGE', `the statement makes more than ${compiled.aggregation.maxGroups} groups (the limit): narrow the filter, the time range or the "by" keys`);
  }
  // Without group keys a statement answers one row, even over no spans (count 0).
  if (groups.length === 0 && compiled.keys.length === 0) {
    groups = [{ keys: [], count: 0, errorCount: 0, measures: compiled.aggregation.measures.map(() => ({ count: 0, sum: 0 })) }];
  }
  groups.sort((a, b) => compareGroupKeys(a.keys, b.keys));
  const columns: ResultColumn[] = [
    ...compiled.keys.map((k) => ({ name: k.node.name, type: k.type })),
    ...compiled.aggregates.map((a) => ({ name: a.node.name, type: a.type })),
  ];
  let rows: Cell[][] = groups.map((g) => [...g.keys.map((k) => k ?? null), ...compiled.aggregates.map((a): Cell => {
    const m = a.measure === undefined ? undefined : g.measures[a.measure];
    switch (a.node.fn) {
      case 'count':
        return g.count;
      case 'errors':
        return g.errorCount;
      case 'error_rate':
        return g.count === 0 ? null : g.errorCount / g.count;
      case 'sum':
        return m === undefined || m.count === 0 ? null : m.sum;
      case 'avg':
        return m === undefined || m.count === 0 ? null : m.sum / m.count;
      case 'min':
        return m?.min ?? null;
      case 'max':
        return m?.max ?? null;
      default: {
        if (m === undefined || m.count === 0 || m.histogram === undefined) return null;
        const bounds: { min?: number; max?: number } = {};
        if (m.min !== undefined) bounds.min = m.min;
        if (m.max !== undefined) bounds.max = m.max;
        return histogramQuantile(m.histogram, a.node.quantile ?? 0.5, bounds) ?? null;
      }
    }
  })]);
  if (compiled.sort.length > 0) {
    const order = compiled.sort.map((term) => ({ index: columns.findIndex((c) => c.name === term.column), descending: term.descending }));
    rows = rows
      .map((row, i) => ({ row, i }))
      .sort((a, b) => {
        for (const { index, descending } of order) {
          const c = compareCells(a.row[index] ?? null, b.row[index] ?? null, descending);
          if (c !== 0) return c;
        }
        return a.i - b.i;
      })
      .map((x) => x.row);
  }
  const out: Omit<StatementResult, 'elapsedMs'> = { kind: 'table', columns, rows };
  if (rows.length > compiled.limit) {
    out.rows = rows.slice(0, compiled.limit);
    out.truncated = true;
  }
  const chart = chartOf(compiled, columns);
  if (chart) out.chart = chart;
  return out;
}

/** Orders two cells; null sorts last in either direction. */
function compareCells(a: Cell, b: Cell, descending: boolean): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  let c: number;
  if (typeof a === 'number' && typeof b === 'number') c = a - b;
  else {
    const x = String(a);
    const y = String(b);
    c = x < y ? -1 : x > y ? 1 : 0;
  }
  return descending ? -c : c;
}

function chartOf(compiled: CompiledTable, columns: ResultColumn[]): ResultChart | undefined {
  const series = compiled.aggregates.map((a) => a.node.name);
  const bucket = compiled.keys.find((k) => k.node.kind === 'bucket');
  if (bucket) return { x: bucket.node.name, series, type: 'line' };
  const first = compiled.keys[0];
  if (first && columns.length > 0) return { x: first.node.name, series, type: 'bar' };
  return undefined;
}
