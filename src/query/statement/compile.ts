/**
 * Turns a parsed statement and a time range into storage requests: a SpanAggregation for a stats
 * statement, a SpanSearch for a span list. Only data structures cross into storage, never query
 * text, so a statement can read and nothing else.
 */
import type { FieldRef, GroupKey, Measure, SpanAggregation, SpanSearch, TenantScope } from '../../storage/api.js';
import { StatementError } from './lexer.js';
import type { AggregateNode, GroupKeyNode, SortTerm, Statement } from './parser.js';

/** The bounds one statement runs within. */
export interface StatementLimits {
  /** Most groups an aggregation may produce (and most rows a table answers). */
  maxGroups: number;
  /** Most spans a span list answers. */
  maxSpans: number;
  /** Spans a span list answers when the statement has no limit. */
  defaultSpans: number;
}

/** Defaults: 10 000 groups, 1000 spans (100 unless the statement says). */
export const DEFAULT_LIMITS: StatementLimits = { maxGroups: 10_000, maxSpans: 1000, defaultSpans: 100 };

/** How an aggregate column is read from a merged group: which measure (by index) and what function. */
export interface AggregateColumn {
  node: AggregateNode;
  /** Index into SpanAggregation.measures, for functions that read a measure. */
  measure?: number;
  type: 'number' | 'duration' | 'time';
}

/** A group key column: its name and value type. */
export interface KeyColumn {
  node: GroupKeyNode;
  type: 'string' | 'time';
}

/** A stats statement ready to run. */
export interface CompiledTable {
  kind: 'table';
  aggregation: SpanAggregation;
  keys: KeyColumn[];
  aggregates: AggregateColumn[];
  sort: SortTerm[];
  /** Most rows to answer (the statement's limit, else maxGroups). */
  limit: number;
}

/** A span list ready to run. */
export interface CompiledSpans {
  kind: 'spans';
  search: SpanSearch;
}

/** Steps bucket() picks from, so that a range gets at most ~120 buckets of a familiar size. */
const AUTO_BUCKETS_US = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800].map((s) => s * 1_000_000);
const AUTO_BUCKET_TARGET = 120;

/** The bucket bucket() picks for a range: the smallest familiar step giving at most 120 buckets. */
export function autoBucketUs(rangeUs: number): number {
  return AUTO_BUCKETS_US.find((step) => rangeUs / step <= AUTO_BUCKET_TARGET) ?? AUTO_BUCKETS_US[AUTO_BUCKETS_US.length - 1]!;
}

/** Options of {@link compileStatement}. */
export interface CompileOptions {
  /** Inclusive bounds on span start, µs since the epoch. */
  startUs: number;
  endUs: number;
  scope: TenantScope;
  limits?: StatementLimits;
}

/** Compiles a statement for a range; throws StatementError where a limit or the range makes it impossible. */
export function compileStatement(statement: Statement, options: CompileOptions): CompiledTable | CompiledSpans {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const range = { ...options.scope, startUsMin: options.startUs, startUsMax: options.endUs };
  const where = statement.where === undefined ? {} : { where: statement.where };
  if (!statement.stats) {
    const limit = statement.limit?.value ?? limits.defaultSpans;
    if (limit > limits.maxSpans) {
      throw new StatementError(statement.source, statement.limit!.offset, `a span list answers at most ${limits.maxSpans} spans: lower the limit, or group with "stats"`);
    }
    const orderBy = statement.sort?.terms[0]?.column === 'duration' ? 'duration' : 'start';
    return { kind: 'spans', search: { ...range, ...where, orderBy, limit } };
  }

  const { stats } = statement;
  const measures: Measure[] = [];
  const measureIndex = (ref: FieldRef, histogram: boolean): number => {
    const key = JSON.stringify(ref);
    let index = measures.findIndex((m) => JSON.stringify(m.ref) === key);
    if (index < 0) {
      index = measures.length;
      measures.push({ ref, histogram });
    } else if (histogram) {
      measures[index]!.histogram = true;
    }
    return index;
  };
  const aggregates: AggregateColumn[] = stats.aggregates.map((node) => {
    if (node.of === undefined) return { node, type: 'number' };
    const percentile = node.quantile !== undefined;
    const ref = node.of.ref;
    const kind = 'field' in ref ? ref.field : undefined;
    let type: AggregateColumn['type'] = 'number';
    if (kind === 'duration') type = 'duration';
    if (kind === 'start' && (node.fn === 'min' || node.fn === 'max' || node.fn === 'avg' || percentile)) type = 'time';
    return { node, measure: measureIndex(ref, percentile), type };
  });

  const rangeUs = Math.max(1, options.endUs - options.startUs + 1);
  const groupBy: GroupKey[] = [];
  const keys: KeyColumn[] = [];
  for (const node of stats.groupBy) {
    if (node.kind === 'ref') {
      groupBy.push({ ref: node.of.ref });
      keys.push({ node, type: 'string' });
      continue;
    }
    const bucketUs = node.bucketUs ?? autoBucketUs(rangeUs);
    const buckets = Math.ceil(rangeUs / bucketUs);
    if (buckets > limits.maxGroups) {
      throw new StatementError(
        statement.source,
        node.offset,
        `${node.name} over this range makes ${buckets} buckets, more than the limit of ${limits.maxGroups} groups: use a larger bucket or a shorter range`,
      );
    }
    groupBy.push({ bucketUs });
    keys.push({ node, type: 'time' });
  }

  const limit = statement.limit?.value ?? limits.maxGroups;
  if (limit > limits.maxGroups) {
    throw new StatementError(statement.source, statement.limit!.offset, `a table answers at most ${limits.maxGroups} rows: lower the limit`);
  }
  return {
    kind: 'table',
    aggregation: { ...range, ...where, groupBy, measures, maxGroups: limits.maxGroups },
    keys,
    aggregates,
    sort: statement.sort?.terms ?? [],
    limit,
  };
}
