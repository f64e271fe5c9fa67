/**
 * Span predicates, grouped aggregations and span searches compiled to ClickHouse SQL (18.16 and
 * later) with the semantics of the reference (predicate.ts). The server has no query parameters,
 * so every value, attribute keys and patterns included, goes through sql.ts's quoting; every
 * expression is built so it is never NULL (presence is an explicit flag), which keeps NOT exact.
 */
import { AppError } from '../../errors.js';
import { SPAN_KINDS } from '../../model/index.js';
import type { AggregateGroup, FieldRef, Literal, MeasurePartial, SpanAggregation, SpanPredicate, SpanSearch, TenantScope } from '../api.js';
import { HISTOGRAM_GAMMA } from '../histogram.js';
import { checkAggregation, checkRef, checkSearch, compileRegex, DECIMAL_PATTERN } from '../predicate.js';
import { quoteDay, quoteString, quoteUInt } from './sql.js';

/** How SQL reads one reference: a presence flag and a String value (meaningful when present). */
interface RefSql {
  present: string;
  str: string;
  /** A numeric expression for fields stored as integers (duration, start). */
  integer?: string;
}

const STATUS_NAMES = ['unset', 'ok', 'error'];

function nameOf(column: string, names: readonly string[]): string {
  // Fixed vocabularies of the model, not input.
  return `[${names.map((n) => `'${n}'`).join(', ')}][${column} + 1]`;
}

/** 16 lowercase hex chars of a UInt64 column (hex() drops leading zero bytes and is uppercase). */
function hex16(column: string): string {
  return `substring(concat('0000000000000000', lower(hex(${column}))), length(lower(hex(${column}))) + 1, 16)`;
}

/** The SQL reading of a reference (FieldRef: an attribute, else the resource attribute of that key). */
function refSql(ref: FieldRef): RefSql {
  if ('attribute' in ref) {
    const key = quoteString(ref.attribute);
    return {
      present: `(has(attr_keys, ${key}) OR has(res_keys, ${key}))`,
      str: `if(has(attr_keys, ${key}), attr_values[indexOf(attr_keys, ${key})], res_values[indexOf(res_keys, ${key})])`,
    };
  }
  switch (ref.field) {
    case 'service':
      return { present: '1', str: 'service' };
    case 'operation':
      return { present: '1', str: 'name' };
    case 'kind':
      return { present: '1', str: nameOf('kind', SPAN_KINDS) };
    case 'status':
      return { present: '1', str: nameOf('status', STATUS_NAMES) };
    case 'duration':
      return { present: '1', str: 'toString(duration_us)', integer: 'duration_us' };
    case 'start':
      return { present: '1', str: 'toString(start_us)', integer: 'start_us' };
    case 'remote_service':
      // Stored as '' when the span has none.
      return { present: `(remote_service != '')`, str: 'remote_service' };
    case 'trace_id':
      return { present: '1', str: `concat(${hex16('trace_hi')}, ${hex16('trace_lo')})` };
    case 'span_id':
      return { present: '1', str: hex16('span_id') };
    case 'parent_id':
      return { present: '(parent_id != 0)', str: hex16('parent_id') };
  }
}

const DECIMAL_SQL = quoteString(DECIMAL_PATTERN);

/** The numeric form: [presence flag, Float64 value]. */
function numericSql(ref: RefSql): [string, string] {
  if (ref.integer !== undefined) return ['1', `toFloat64(${ref.integer})`];
  return [`(${ref.present} AND match(${ref.str}, ${DECIMAL_SQL}))`, `toFloat64OrZero(${ref.str})`];
}

function numberLiteral(value: number): string {
  return `toFloat64(${quoteString(String(value))})`;
}

function checkLiteral(value: Literal, path: string): void {
  if (typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number' && Number.isFinite(value)) return;
  throw new AppError('INVALID_ARGUMENT', `${path}: expected a string, finite number or boolean, got ${JSON.stringify(value)}`);
}

/** A predicate as a ClickHouse condition (UInt8, never NULL). */
export function predicateSql(p: SpanPredicate, path = 'where'): string {
  if (p === null || typeof p !== 'object') throw new AppError('INVALID_ARGUMENT', `${path}: expected a predicate object`);
  switch (p.op) {
    case 'and':
    case 'or': {
      if (!Array.isArray(p.args)) throw new AppError('INVALID_ARGUMENT', `${path}.args: expected an array of predicates`);
      if (p.args.length === 0) return p.op === 'and' ? '1' : '0';
      return `(${p.args.map((a, i) => predicateSql(a, `${path}.args[${i}]`)).join(p.op === 'and' ? ' AND ' : ' OR ')})`;
    }
    case 'not':
      return `(NOT ${predicateSql(p.arg, `${path}.arg`)})`;
    case 'exists':
      checkRef(p.ref, `${path}.ref`);
      return refSql(p.ref).present;
    case 'regex': {
      checkRef(p.ref, `${path}.ref`);
      compileRegex(p.pattern);
      const ref = refSql(p.ref);
      return `(${ref.present} AND match(${ref.str}, ${quoteString(serverPattern(p.pattern))}))`;
    }
    case 'in': {
      checkRef(p.ref, `${path}.ref`);
      if (!Array.isArray(p.values)) throw new AppError('INVALID_ARGUMENT', `${path}.values: expected an array of literals`);
      p.values.forEach((v, i) => checkLiteral(v, `${path}.values[${i}]`));
      if (p.values.length === 0) return '0';
      const ref = refSql(p.ref);
      const [numPresent, num] = numericSql(ref);
      const strings = p.values.filter((v) => typeof v !== 'number').map((v) => quoteString(String(v)));
      const numbers = p.values.filter((v): v is number => typeof v === 'number').map(numberLiteral);
      const parts: string[] = [];
      if (strings.length > 0) parts.push(`(${ref.present} AND ${ref.str} IN (${strings.join(', ')}))`);
      if (numbers.length > 0) parts.push(`(${numPresent} AND ${num} IN (${numbers.join(', ')}))`);
      return `(${parts.join(' OR ')})`;
    }
    case '=':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=': {
      checkRef(p.ref, `${path}.ref`);
      checkLiteral(p.value, `${path}.value`);
      const ref = refSql(p.ref);
      if (typeof p.value === 'number') {
        const [numPresent, num] = numericSql(ref);
        return `(${numPresent} AND ${num} ${p.op} ${numberLiteral(p.value)})`;
      }
      return `(${ref.present} AND ${ref.str} ${p.op} ${quoteString(String(p.value))})`;
    }
    default:
      throw new AppError('INVALID_ARGUMENT', `${path}.op: unknown operator ${JSON.stringify((p as { op: unknown }).op)}`);
  }
}

/**
 * The pattern as sent to the server. ClickHouse 18.16 prefilters rows by the literal text a
 * pattern requires, case-sensitively even under a leading (?i); a top-level alternative that never
 * matches (\b\B) turns that prefilter off without changing what matches.
 */
export function serverPattern(pattern: string): string {
  const lead = /^\(\?[ims]+\)/.exec(pattern);
  if (lead === null || !lead[0].includes('i')) return pattern;
  return `${lead[0]}(?:${pattern.slice(lead[0].length)})|\\b\\B`;
}

/** The WHERE clause every analytic read shares: day partitions, window, tenant scope, predicate. */
export function selectionSql(q: TenantScope & { startUsMin: number; startUsMax: number; where?: SpanPredicate }): string {
  const min = Math.max(0, Math.ceil(q.startUsMin));
  const max = Math.max(0, Math.floor(q.startUsMax));
  const parts = [
    `day BETWEEN ${quoteDay(min)} AND ${quoteDay(max)}`,
    `start_us BETWEEN ${quoteUInt(min, 'startUsMin')} AND ${quoteUInt(max, 'startUsMax')}`,
  ];
  if (q.startUsMax < q.startUsMin || q.startUsMax < 0) parts.push('0');
  if (q.tenant !== undefined) parts.push(`tenant = ${quoteString(q.tenant)}`);
  if (q.where !== undefined) parts.push(predicateSql(q.where));
  return parts.join(' AND ');
}

/** The columns a span's identity is made of (see dedupe.ts): rows equal on these are one span. */
export const IDENTITY_COLUMNS = 'tenant, trace_hi, trace_lo, span_id, kind, bitAnd(flags, 1), service, start_us, duration_us, name';

const LN_GAMMA = Math.log(HISTOGRAM_GAMMA);

/** The aggregation query over `table`: one row per group (keys, count, errors, per measure count/sum/min/max/histogram). */
export function aggregationSql(q: SpanAggregation, table: string): string {
  checkAggregation(q);
  const inner: string[] = ['status'];
  const outer: string[] = [];
  const groupBy: string[] = [];
  q.groupBy.forEach((key, i) => {
    if ('bucketUs' in key) {
      const size = quoteUInt(key.bucketUs, `groupBy[${i}].bucketUs`);
      inner.push(`intDiv(start_us, ${size}) * ${size} AS k${i}`, `1 AS p${i}`);
    } else {
      const ref = refSql(key.ref);
      // Missing values group apart from present empty ones: presence is part of the key.
      inner.push(`if(${ref.present}, ${ref.str}, '') AS k${i}`, `toUInt8(${ref.present}) AS p${i}`);
    }
    outer.push(`p${i}`, `k${i}`);
    groupBy.push(`p${i}`, `k${i}`);
  });
  outer.push('count()', 'countIf(status = 2)');
  q.measures.forEach((m, i) => {
    const [present, value] = numericSql(refSql(m.ref));
    inner.push(`toUInt8(${present}) AS q${i}`, `if(q${i}, ${value}, 0) AS v${i}`);
    outer.push(`countIf(q${i})`, `sumIf(v${i}, q${i})`, `minIf(v${i}, q${i})`, `maxIf(v${i}, q${i})`);
    if (m.histogram) {
      const index = `if(v${i} > 1, toUInt32(greatest(0, ceil(log(v${i}) / ${numberLiteral(LN_GAMMA)}))), 0)`;
      outer.push(`sumMapIf([${index}], [toUInt64(1)], q${i})`);
    }
  });
  const grouping = groupBy.length === 0 ? '' : ` GROUP BY ${groupBy.join(', ')}`;
  return `SELECT ${outer.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${table} WHERE ${selectionSql(q)} LIMIT 1 BY ${IDENTITY_COLUMNS})${grouping} LIMIT ${quoteUInt(q.maxGroups + 1, 'maxGroups')}`;
}

function num(v: unknown): number {
  return typeof v === 'string' ? Number(v) : (v as number);
}

/** Turns the rows of aggregationSql's answer (JSONCompact) into groups (unsorted). */
export function groupsFromRows(q: SpanAggregation, rows: unknown[][]): AggregateGroup[] {
  // A query without group keys answers one row even when no span matched.
  return rows.map((row) => {
    let c = 0;
    const keys = q.groupBy.map((key) => {
      const present = num(row[c++]);
      const value = row[c++];
      if ('bucketUs' in key) return num(value);
      return present === 1 ? String(value) : null;
    });
    const count = num(row[c++]);
    const errorCount = num(row[c++]);
    const measures = q.measures.map((m): MeasurePartial => {
      const n = num(row[c++]);
      const sum = num(row[c++]);
      const min = num(row[c++]);
      const max = num(row[c++]);
      const partial: MeasurePartial = { count: n, sum: n === 0 ? 0 : sum };
      if (n > 0) {
        partial.min = min;
        partial.max = max;
      }
      if (m.histogram) {
        const [indexes, counts] = row[c++] as [unknown[], unknown[]];
        partial.histogram = indexes.map((index, i): [number, number] => [num(index), num(counts[i])]).filter(([, k]) => k > 0).sort((a, b) => a[0] - b[0]);
      }
      return partial;
    });
    return { keys, count, errorCount, measures };
  }).filter((group) => group.count > 0);
}

/** The span search query over `table`, selecting `columns`, exact duplicates once, in the search's order and limit. */
export function searchSql(q: SpanSearch, table: string, columns: string): string {
  checkSearch(q);
  const order = q.orderBy === 'duration' ? 'duration_us DESC, start_us DESC' : 'start_us DESC';
  return `SELECT ${columns} FROM ${table} WHERE ${selectionSql(q)}
ORDER BY ${order}, trace_hi ASC, trace_lo ASC, span_id ASC, tenant ASC LIMIT 1 BY ${IDENTITY_COLUMNS} LIMIT ${quoteUInt(q.limit, 'limit')}`;
}

/** A ClickHouse rejection of a pattern its RE2 cannot compile, as INVALID_ARGUMENT; anything else unchanged. */
export function patternError(err: unknown): unknown {
  const message = (err as Error)?.message ?? '';
  if (/CANNOT_COMPILE_REGEXP|compile.*regexp|Code: 427/i.test(message)) {
    return new AppError('INVALID_ARGUMENT', `regex rejected by ClickHouse: ${message}`, { cause: err });
  }
  return err;
}
