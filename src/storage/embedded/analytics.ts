/**
 * Span predicates, grouped aggregations and span searches compiled to DuckDB SQL over the span
 * table, with the semantics of the reference (predicate.ts). Every value, attribute keys included
 * (as JSON pointers), reaches SQL as a bound parameter; only fixed fragments are concatenated.
 */
import { AppError } from '../../errors.js';
import { SPAN_KINDS } from '../../model/index.js';
import type { AggregateGroup, FieldRef, Literal, MeasurePartial, SpanAggregation, SpanPredicate, SpanSearch } from '../api.js';
import { HISTOGRAM_GAMMA } from '../histogram.js';
import { checkAggregation, checkRef, checkSearch, compileRegex, DECIMAL_PATTERN } from '../predicate.js';
import { PROMOTED_COLUMN, STATUS_CODES } from './layout.js';

/** A bound parameter: strings bind as VARCHAR, safe integers as BIGINT, other numbers as DOUBLE, bigints as UHUGEINT. */
export type SqlParam = string | number | bigint;

/** A piece of SQL with the parameters of its placeholders, in order. */
export interface Fragment {
  sql: string;
  params: SqlParam[];
}

function frag(sql: string, ...params: SqlParam[]): Fragment {
  return { sql, params };
}

/** Placeholders for the given values, comma-separated. */
function values(...params: SqlParam[]): Fragment {
  return { sql: params.map(() => '?').join(', '), params };
}

/** Joins fragments with a separator, keeping parameters in placeholder order. */
function joinFragments(parts: readonly Fragment[], separator: string): Fragment {
  return { sql: parts.map((p) => p.sql).join(separator), params: parts.flatMap((p) => p.params) };
}

/** Wraps fragments into one template: `template` holds `$0`, `$1`... in the order they are given. */
function compose(template: string, ...parts: Fragment[]): Fragment {
  const params: SqlParam[] = [];
  const sql = template.replace(/\$(\d)/g, (_m, i: string) => {
    const part = parts[Number(i)] as Fragment;
    params.push(...part.params);
    return part.sql;
  });
  // Placeholders must appear in order for the parameters to line up.
  const order = [...template.matchAll(/\$(\d)/g)].map((m) => Number(m[1]));
  if (order.some((v, i) => i > 0 && v < (order[i - 1] as number))) throw new Error('compose: placeholders out of order');
  return { sql, params };
}

/** How SQL reads one reference: its string form, numeric form, and presence (each NULL-free where noted). */
interface RefSql {
  /** VARCHAR string form, NULL when missing. */
  str: Fragment;
  /** DOUBLE (or BIGINT) numeric form, NULL when missing or unparsable. */
  num: Fragment;
  /** BOOLEAN, never NULL. */
  exists: Fragment;
  /** Whether `str` is never NULL (fields that every span has). */
  alwaysPresent: boolean;
  /** For fields stored as codes of a fixed vocabulary: the column and the names by code. */
  codes?: { column: string; names: readonly string[] };
}

/** RFC 6901 JSON pointer to `/<section>/<key>`, as DuckDB's JSON functions take it. */
function pointer(section: string, key: string): string {
  return `/${section}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function caseOf(column: string, names: readonly string[]): string {
  // The names are the model's fixed vocabularies, not input: safe to inline as literals.
  return `CASE ${column} ${names.map((n, i) => `WHEN ${i} THEN '${n}'`).join(' ')} END`;
}

const DECIMAL_SQL = `'${DECIMAL_PATTERN}'`;

function numericOf(str: Fragment): Fragment {
  return compose(`CASE WHEN regexp_full_match($0, ${DECIMAL_SQL}) THEN CAST($1 AS DOUBLE) END`, str, str);
}

function plainField(column: string, nullable: boolean): RefSql {
  const str = frag(column);
  return { str, num: numericOf(str), exists: frag(nullable ? `(${column} IS NOT NULL)` : 'TRUE'), alwaysPresent: !nullable };
}

function hexId(column: string, width: number, nullable: boolean): RefSql {
  const str = frag(`lpad(lower(hex(${column})), ${width}, '0')`);
  return { str, num: numericOf(str), exists: frag(nullable ? `(${column} IS NOT NULL)` : 'TRUE'), alwaysPresent: !nullable };
}

function integerField(column: string): RefSql {
  return { str: frag(`CAST(${column} AS VARCHAR)`), num: frag(column), exists: frag('TRUE'), alwaysPresent: true };
}

/** The SQL reading of a reference (see FieldRef: an attribute, else the resource attribute of that key). */
export function refSql(ref: FieldRef): RefSql {
  if ('attribute' in ref) {
    const key = ref.attribute;
    const column = PROMOTED_COLUMN.get(key);
    const resource = pointer('r', key);
    if (column !== undefined) {
      const str = frag(`coalesce(${column}, json_extract_string(extra, ?))`, resource);
      return { str, num: numericOf(str), exists: frag(`(${column} IS NOT NULL OR coalesce(json_exists(extra, ?), false))`, resource), alwaysPresent: false };
    }
    const own = pointer('a', key);
    const str = frag('coalesce(json_extract_string(extra, ?), json_extract_string(extra, ?))', own, resource);
    return { str, num: numericOf(str), exists: frag('coalesce(json_exists(extra, ?) OR json_exists(extra, ?), false)', own, resource), alwaysPresent: false };
  }
  switch (ref.field) {
    case 'service':
      return plainField('service', false);
    case 'operation':
      return plainField('name', false);
    case 'kind':
      return { ...plainField(caseOf('kind', SPAN_KINDS), false), codes: { column: 'kind', names: SPAN_KINDS } };
    case 'status':
      return { ...plainField(caseOf('status', STATUS_CODES), false), codes: { column: 'status', names: STATUS_CODES } };
    case 'duration':
      return integerField('duration_us');
    case 'start':
      return integerField('start_us');
    case 'remote_service':
      return plainField('remote_service', true);
    case 'trace_id':
      return hexId('trace_id', 32, false);
    case 'span_id':
      return hexId('span_id', 16, false);
    case 'parent_id':
      return hexId('parent_id', 16, true);
  }
}

/** `true`/`false` literals compare as strings; numbers numerically; strings as strings. */
function literalParam(value: Literal): SqlParam {
  return typeof value === 'boolean' ? String(value) : value;
}

/**
 * A predicate as a SQL boolean. In a `strict` context (under NOT) the result is never NULL, so
 * NOT inverts "missing" (false) to true; elsewhere a NULL leaf already reads as false.
 */
export function predicateSql(p: SpanPredicate, strict = false, path = 'where'): Fragment {
  if (p === null || typeof p !== 'object') throw new AppError('INVALID_ARGUMENT', `${path}: expected a predicate object`);
  const leaf = (f: Fragment, present: boolean): Fragment => (strict && !present ? compose('coalesce($0, false)', f) : f);
  switch (p.op) {
    case 'and':
    case 'or': {
      if (!Array.isArray(p.args)) throw new AppError('INVALID_ARGUMENT', `${path}.args: expected an array of predicates`);
      if (p.args.length === 0) return frag(p.op === 'and' ? 'TRUE' : 'FALSE');
      const args = p.args.map((a, i) => predicateSql(a, strict, `${path}.args[${i}]`));
      return compose('($0)', joinFragments(args, p.op === 'and' ? ' AND ' : ' OR '));
    }
    case 'not':
      return compose('(NOT $0)', predicateSql(p.arg, true, `${path}.arg`));
    case 'exists': {
      checkRef(p.ref, `${path}.ref`);
      return refSql(p.ref).exists;
    }
    case 'regex': {
      checkRef(p.ref, `${path}.ref`);
      compileRegex(p.pattern);
      const ref = refSql(p.ref);
      return leaf(compose('regexp_matches($0, $1)', ref.str, values(p.pattern)), ref.alwaysPresent);
    }
    case 'in': {
      checkRef(p.ref, `${path}.ref`);
      if (!Array.isArray(p.values)) throw new AppError('INVALID_ARGUMENT', `${path}.values: expected an array of literals`);
      p.values.forEach((v, i) => checkLiteral(v, `${path}.values[${i}]`));
      if (p.values.length === 0) return frag('FALSE');
      const ref = refSql(p.ref);
      const coded = ref.codes;
      if (coded !== undefined && p.values.every((v) => typeof v !== 'number')) {
        // Compare the stored codes: no per-row name, and the column's statistics apply.
        const codes = [...new Set(p.values.map((v) => coded.names.indexOf(String(v))).filter((c) => c >= 0))];
        return codes.length === 0 ? frag('FALSE') : compose(`${coded.column} IN ($0)`, values(...codes));
      }
      const numbers = p.values.filter((v): v is number => typeof v === 'number');
      const strings = p.values.filter((v) => typeof v !== 'number').map((v) => String(v));
      const parts: Fragment[] = [];
      if (strings.length > 0) parts.push(compose('$0 IN ($1)', ref.str, values(...strings)));
      if (numbers.length > 0) parts.push(compose('$0 IN ($1)', ref.num, values(...numbers)));
      const present = numbers.length > 0 ? isIntegerField(p.ref) : ref.alwaysPresent;
      return leaf(parts.length === 1 ? (parts[0] as Fragment) : compose('($0)', joinFragments(parts, ' OR ')), present);
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
      const op = p.op === '!=' ? '<>' : p.op;
      if (ref.codes !== undefined && typeof p.value !== 'number' && (p.op === '=' || p.op === '!=')) {
        const code = ref.codes.names.indexOf(String(p.value));
        if (code < 0) return frag(p.op === '=' ? 'FALSE' : 'TRUE');
        return frag(`${ref.codes.column} ${op} ?`, code);
      }
      const numeric = typeof p.value === 'number';
      // The numeric form may be NULL even for fields every span has ("api" has no number).
      const present = numeric ? isIntegerField(p.ref) : ref.alwaysPresent;
      return leaf(compose(`$0 ${op} $1`, numeric ? ref.num : ref.str, values(literalParam(p.value))), present);
    }
    default:
      throw new AppError('INVALID_ARGUMENT', `${path}.op: unknown operator ${JSON.stringify((p as { op: unknown }).op)}`);
  }
}

function isIntegerField(ref: FieldRef): boolean {
  return 'field' in ref && (ref.field === 'duration' || ref.field === 'start');
}

function checkLiteral(value: Literal, path: string): void {
  if (typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number' && Number.isFinite(value)) return;
  throw new AppError('INVALID_ARGUMENT', `${path}: expected a string, finite number or boolean, got ${JSON.stringify(value)}`);
}

/** The WHERE clause every analytic read shares: window, tenant scope, predicate. */
export function selectionSql(q: { tenant?: string; startUsMin: number; startUsMax: number; where?: SpanPredicate }): Fragment {
  const parts: Fragment[] = [frag('start_us BETWEEN ? AND ?', q.startUsMin, q.startUsMax)];
  if (q.tenant !== undefined) parts.push(frag('tenant = ?', q.tenant));
  if (q.where !== undefined) parts.push(predicateSql(q.where));
  return joinFragments(parts, ' AND ');
}

const LN_GAMMA = Math.log(HISTOGRAM_GAMMA);

/** The histogram bucket index of a numeric column alias (NULL when the value is NULL), as histogram.ts defines it. */
function histogramIndexSql(alias: string): Fragment {
  return frag(`CASE WHEN ${alias} > 1 THEN CAST(greatest(0, ceil(ln(${alias}) / ?)) AS INTEGER) WHEN ${alias} IS NOT NULL THEN 0 END`, LN_GAMMA);
}

/*
 * AGGREGATION_NOTE: histograms leave DuckDB as one "index:count,..." text per group, counted by a
 * GROUP BY of (keys, index) under the group's own GROUP BY. At 1M workload spans, 1200 groups
 * (service × 24 min) holding 262k (group, index) pairs, on a 2-core machine at load 16:
 *   no histogram                                     query 140-390 ms
 *   histogram() aggregate (a MAP per group)          query 1.3 s + 0.7-0.8 s turning MAPs into JS
 *   (keys, index) rows returned flat                 query 0.3-0.5 s + 0.9-1.9 s into JS
 *   list(index), list(count) per group               query 0.5-1.0 s + 0.4-0.8 s into JS
 *   string_agg('index:count') per group              query 0.4-1.0 s + 11-22 ms into JS, parsed in JS
 */

/**
 * The queries of an aggregation, answered in one snapshot: the first gives one row per group with
 * its keys, count, errors and each measure's count/sum/min/max, plus the first histogram measure's
 * histogram; each further histogram measure has a query of its own (keys, histogram text).
 */
export function aggregationSql(q: SpanAggregation): Fragment[] {
  checkAggregation(q);
  const keyNames = q.groupBy.map((_k, i) => `k${i}`);
  const inner: Fragment[] = [frag('status')];
  q.groupBy.forEach((key, i) => {
    if ('bucketUs' in key) inner.push(frag(`(start_us // ?) * ? AS k${i}`, key.bucketUs, key.bucketUs));
    else inner.push(compose(`$0 AS k${i}`, refSql(key.ref).str));
  });
  q.measures.forEach((m, i) => inner.push(compose(`$0 AS m${i}`, refSql(m.ref).num)));
  const base = compose('SELECT $0 FROM spans WHERE $1', joinFragments(inner, ', '), selectionSql(q));
  const groupBy = (extra: string[]): string => {
    const names = [...keyNames, ...extra];
    return names.length === 0 ? '' : ` GROUP BY ${names.join(', ')}`;
  };
  const keysSelect = keyNames.map((k) => `${k}, `).join('');
  const limit = values(q.maxGroups + 1);
  const histograms = q.measures.flatMap((m, i) => (m.histogram ? [i] : []));
  const first = histograms[0];
  const queries: Fragment[] = [];
  const figures = q.measures.map((_m, i) => `count(m${i}) AS c${i}, sum(m${i}) AS s${i}, min(m${i}) AS mn${i}, max(m${i}) AS mx${i}`);
  if (first === undefined) {
    queries.push(compose(`SELECT ${keysSelect}count(*), count_if(status = 2)${figures.map((f) => `, ${f}`).join('')} FROM ($0)${groupBy([])} LIMIT $1`, base, limit));
  } else {
    // Per (keys, index of the first histogram measure), then per keys: the counts add up exactly.
    const outerFigures = q.measures.map((_m, i) => `, sum(c${i}), sum(s${i}), min(mn${i}), max(mx${i})`).join('');
    queries.push(
      compose(
        `SELECT ${keysSelect}sum(n), sum(e)${outerFigures}, string_agg(h || ':' || c${first}, ',') FILTER (WHERE h IS NOT NULL)
        FROM (SELECT ${keysSelect}$0 AS h, count(*) AS n, count_if(status = 2) AS e, ${figures.join(', ')} FROM ($1)${groupBy(['h'])})${groupBy([])} LIMIT $2`,
        histogramIndexSql(`m${first}`),
        base,
        limit,
      ),
    );
  }
  for (const i of histograms.slice(1)) {
    queries.push(
      compose(
        `SELECT ${keysSelect}string_agg(h || ':' || c, ',') FROM (SELECT ${keysSelect}$0 AS h, count(*) AS c FROM ($1) WHERE m${i} IS NOT NULL${groupBy(['h'])})${groupBy([])} LIMIT $2`,
        histogramIndexSql(`m${i}`),
        base,
        limit,
      ),
    );
  }
  return queries;
}

function toNumber(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/** "index:count,..." (non-negative integers) as [index, count] pairs sorted by index. */
export function parseHistogram(text: unknown): Array<[number, number]> {
  if (typeof text !== 'string' || text === '') return [];
  // Hand-rolled: split/map over ~1M pairs per answer cost more than the query (AGGREGATION_NOTE).
  const out: Array<[number, number]> = [];
  let index = 0;
  let value = 0;
  let sorted = true;
  for (let i = 0; i <= text.length; i++) {
    const ch = i < text.length ? text.charCodeAt(i) : 44;
    if (ch === 58) {
      index = value;
      value = 0;
    } else if (ch === 44) {
      if (out.length > 0 && out[out.length - 1]![0] > index) sorted = false;
      out.push([index, value]);
      value = 0;
    } else {
      value = value * 10 + (ch - 48);
    }
  }
  return sorted ? out : out.sort((a, b) => a[0] - b[0]);
}

/** Turns the answers of aggregationSql's queries (columns, in order) into groups (unsorted). */
export function groupsFromColumns(q: SpanAggregation, answers: unknown[][][]): AggregateGroup[] {
  const cols = answers[0] ?? [];
  const rows = cols[0]?.length ?? 0;
  const readKeys = (columns: unknown[][], r: number): Array<string | number | null> =>
    q.groupBy.map((key, i) => {
      const v = columns[i]![r];
      if (v === null || v === undefined) return null;
      return 'bucketUs' in key ? toNumber(v) : String(v);
    });
  const histograms = q.measures.flatMap((m, i) => (m.histogram ? [i] : []));
  // Further histogram measures, by group keys.
  const extra = new Map<number, Map<string, Array<[number, number]>>>();
  histograms.slice(1).forEach((measure, n) => {
    const columns = answers[n + 1] ?? [];
    const byKeys = new Map<string, Array<[number, number]>>();
    for (let r = 0; r < (columns[0]?.length ?? 0); r++) byKeys.set(JSON.stringify(readKeys(columns, r)), parseHistogram(columns[q.groupBy.length]![r]));
    extra.set(measure, byKeys);
  });
  const out: AggregateGroup[] = [];
  for (let r = 0; r < rows; r++) {
    const keys = readKeys(cols, r);
    let c = q.groupBy.length;
    const count = toNumber(cols[c++]![r]);
    const errorCount = toNumber(cols[c++]![r]);
    const measures = q.measures.map((): MeasurePartial => {
      const n = toNumber(cols[c++]![r] ?? 0);
      const sum = cols[c++]![r];
      const min = cols[c++]![r];
      const max = cols[c++]![r];
      const partial: MeasurePartial = { count: n, sum: sum === null ? 0 : toNumber(sum) };
      if (n > 0) {
        partial.min = toNumber(min);
        partial.max = toNumber(max);
      }
      return partial;
    });
    const firstHistogram = histograms[0];
    if (firstHistogram !== undefined) measures[firstHistogram]!.histogram = parseHistogram(cols[c]![r]);
    for (const [measure, byKeys] of extra) measures[measure]!.histogram = byKeys.get(JSON.stringify(keys)) ?? [];
    // A query without group keys answers one row even when no span matched.
    if (count > 0) out.push({ keys, count, errorCount, measures });
  }
  return out;
}

/** The ORDER BY clause of a span search (the order compareSearchOrder defines). */
export function searchOrder(q: SpanSearch): string {
  const order = q.orderBy === 'duration' ? 'duration_us DESC, start_us DESC' : 'start_us DESC';
  return `ORDER BY ${order}, trace_id ASC, span_id ASC, tenant ASC`;
}

/** The span search query's WHERE, ORDER BY and LIMIT, for a SELECT of the span columns. */
export function searchSql(q: SpanSearch): Fragment {
  checkSearch(q);
  return compose(`WHERE $0 ${searchOrder(q)} LIMIT $1`, selectionSql(q), values(q.limit));
}
