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
      return plainField(caseOf('kind', SPAN_KINDS), false);
    case 'status':
      return plainField(caseOf('status', STATUS_CODES), false);
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

/** The aggregation query: one row per group with count, errors, and per measure count/sum/min/max(/histogram). */
export function aggregationSql(q: SpanAggregation): Fragment {
  checkAggregation(q);
  const inner: Fragment[] = [frag('status')];
  q.groupBy.forEach((key, i) => {
    if ('bucketUs' in key) inner.push(frag(`(start_us // ?) * ? AS k${i}`, key.bucketUs, key.bucketUs));
    else inner.push(compose(`$0 AS k${i}`, refSql(key.ref).str));
  });
  q.measures.forEach((m, i) => inner.push(compose(`$0 AS m${i}`, refSql(m.ref).num)));
  const outer: Fragment[] = [];
  q.groupBy.forEach((_k, i) => outer.push(frag(`k${i}`)));
  outer.push(frag('count(*)'), frag('count_if(status = 2)'));
  q.measures.forEach((m, i) => {
    outer.push(frag(`count(m${i}), sum(m${i}), min(m${i}), max(m${i})`));
    if (m.histogram) {
      outer.push(frag(`histogram(CASE WHEN m${i} > 1 THEN CAST(greatest(0, ceil(ln(m${i}) / ?)) AS INTEGER) ELSE 0 END) FILTER (WHERE m${i} IS NOT NULL)`, LN_GAMMA));
    }
  });
  const groupBy = q.groupBy.length === 0 ? '' : ` GROUP BY ${q.groupBy.map((_k, i) => `k${i}`).join(', ')}`;
  return compose(
    `SELECT $0 FROM (SELECT $1 FROM spans WHERE $2)${groupBy} LIMIT $3`,
    joinFragments(outer, ', '),
    joinFragments(inner, ', '),
    selectionSql(q),
    values(q.maxGroups + 1),
  );
}

function toNumber(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/** Turns the columns of aggregationSql's answer into groups (unsorted). */
export function groupsFromColumns(q: SpanAggregation, cols: unknown[][]): AggregateGroup[] {
  const rows = cols[0]?.length ?? 0;
  const out: AggregateGroup[] = [];
  for (let r = 0; r < rows; r++) {
    let c = 0;
    const keys = q.groupBy.map((key) => {
      const v = cols[c++]![r];
      if (v === null || v === undefined) return null;
      return 'bucketUs' in key ? toNumber(v) : String(v);
    });
    const count = toNumber(cols[c++]![r]);
    const errorCount = toNumber(cols[c++]![r]);
    const measures = q.measures.map((m): MeasurePartial => {
      const n = toNumber(cols[c++]![r]);
      const sum = cols[c++]![r];
      const min = cols[c++]![r];
      const max = cols[c++]![r];
      const partial: MeasurePartial = { count: n, sum: sum === null ? 0 : toNumber(sum) };
      if (n > 0) {
        partial.min = toNumber(min);
        partial.max = toNumber(max);
      }
      if (m.histogram) {
        const h = (cols[c++]![r] ?? []) as Array<{ key: number; value: unknown }>;
        partial.histogram = h.map((e): [number, number] => [toNumber(e.key), toNumber(e.value)]).sort((a, b) => a[0] - b[0]);
      }
      return partial;
    });
    out.push({ keys, count, errorCount, measures });
  }
  return out;
}

/** The span search query's WHERE, ORDER BY and LIMIT, for a SELECT of the span columns. */
export function searchSql(q: SpanSearch): Fragment {
  checkSearch(q);
  const order = q.orderBy === 'duration' ? 'duration_us DESC, start_us DESC' : 'start_us DESC';
  return compose(`WHERE $0 ORDER BY ${order}, trace_id ASC, span_id ASC, tenant ASC LIMIT $1`, selectionSql(q), values(q.limit));
}
