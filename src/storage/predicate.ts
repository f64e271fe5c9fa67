/**
 * The executable reference of span predicates, grouped aggregations and span searches (api.ts):
 * pure code over Span objects. The memory engine runs it as is; SQL engines compile the same
 * semantics and are checked against it by the conformance suite.
 */
import { AppError } from '../errors.js';
import type { AttributeValue, Span } from '../model/index.js';
import { compareStrings } from '../model/index.js';
import type { AggregateGroup, FieldRef, Literal, MeasurePartial, SpanAggregation, SpanPredicate, SpanSearch, TenantScope } from './api.js';
import { spanIdentity } from './dedupe.js';
import { histogramIndex, mergeHistograms } from './histogram.js';

/** A compiled predicate: true when the span satisfies it. */
export type SpanTest = (span: Span) => boolean;

/**
 * The strings a numeric comparison parses as decimal numbers; anything else (exponents, spaces,
 * "inf", hex) has no numeric form, so every engine can apply the same rule with one regex.
 */
export const DECIMAL_PATTERN = '^-?[0-9]+(\\.[0-9]+)?$';
const DECIMAL = new RegExp(DECIMAL_PATTERN);

/** The value a reference reads from a span, undefined when missing (see FieldRef in api.ts). */
export function readField(span: Span, ref: FieldRef): AttributeValue | undefined {
  if ('attribute' in ref) {
    const key = ref.attribute;
    // Own properties only: a key such as "constructor" must not read Object.prototype.
    if (Object.hasOwn(span.attributes, key)) return span.attributes[key];
    if (Object.hasOwn(span.resource, key)) return span.resource[key];
    return undefined;
  }
  switch (ref.field) {
    case 'service':
      return span.service;
    case 'operation':
      return span.name;
    case 'kind':
      return span.kind;
    case 'status':
      return span.statusCode;
    case 'duration':
      return span.durationUs;
    case 'start':
      return span.startUs;
    case 'remote_service':
      return span.remoteEndpoint?.serviceName;
    case 'trace_id':
      return span.traceId;
    case 'span_id':
      return span.spanId;
    case 'parent_id':
      return span.parentSpanId;
  }
}

/** The numeric form of a value: numbers as they are, decimal strings parsed, anything else undefined. */
export function numericForm(value: AttributeValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && DECIMAL.test(value)) return Number(value);
  return undefined;
}

/** The string form of a value (String(v)), undefined when missing. */
function stringForm(value: AttributeValue | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

/** What a literal compares: numbers numerically, strings and booleans as strings ("true"/"false"). */
function literalForm(value: Literal): string | number {
  return typeof value === 'number' ? value : String(value);
}

/** Inline flags a pattern may start with (RE2 syntax), turned into JS flags. */
const LEADING_FLAGS = /^\(\?([ims]+)\)/;

/**
 * Compiles an RE2-compatible pattern for an unanchored match, or throws INVALID_ARGUMENT naming it.
 * Constructs JS accepts but RE2 lacks (lookarounds, backreferences, named groups, \u, \c, [^])
 * are rejected, so a pattern accepted here is accepted by every engine; a leading `(?i)`/`(?s)`/
 * `(?m)` is RE2's flag syntax and is honoured.
 */
export function compileRegex(pattern: string): RegExp {
  if (typeof pattern !== 'string') throw new AppError('INVALID_ARGUMENT', `regex: expected a string pattern, got ${typeof pattern}`);
  let body = pattern;
  let flags = 'u';
  const lead = LEADING_FLAGS.exec(body);
  if (lead !== null) {
    flags += [...new Set(lead[1])].join('');
    body = body.slice(lead[0].length);
  }
  const unsupported = re2Unsupported(body);
  if (unsupported !== undefined) {
    throw new AppError('INVALID_ARGUMENT', `regex ${JSON.stringify(pattern)}: ${unsupported} is not supported (RE2 syntax)`);
  }
  try {
    return new RegExp(body, flags);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.replace(/^Invalid regular expression: /, '') : String(cause);
    throw new AppError('INVALID_ARGUMENT', `regex ${JSON.stringify(pattern)}: invalid pattern (${reason})`, { cause });
  }
}

/** The first construct of a pattern that RE2 lacks, described, or undefined. */
function re2Unsupported(body: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      const n = body[i + 1];
      if (n === undefined) return undefined; // a trailing backslash: the compiler reports it
      if (/[1-9]/.test(n)) return `backreference \\${n}`;
      if (n === 'k') return 'named backreference \\k';
      if (n === 'u') return 'escape \\u (use \\x{...})';
      if (n === 'c') return 'control escape \\c';
      if (n === '0') return 'escape \\0';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      if (body[i + 1] === '^' && body[i + 2] === ']') return 'empty negated class [^]';
      if (body[i + 1] === ']') return 'empty class []';
      inClass = true;
      // A ']' right after '[' or '[^' is a literal in RE2; JS would end the class there.
      if (body[i + 1] === '^') i++;
      continue;
    }
    if (c === '(' && body[i + 1] === '?') {
      const rest = body.slice(i + 2, i + 4);
      if (rest.startsWith('=') || rest.startsWith('!')) return 'lookahead (?= / (?!';
      if (rest === '<=' || rest === '<!') return 'lookbehind (?<= / (?<!';
      if (rest.startsWith('<')) return 'named group (?<name>';
    }
  }
  return undefined;
}

/**
 * Compiles a predicate (undefined: always true) into a span test; regexes are compiled once.
 * Throws INVALID_ARGUMENT for a malformed predicate or a pattern no engine may accept.
 */
export function compilePredicate(predicate: SpanPredicate | undefined): SpanTest {
  if (predicate === undefined) return () => true;
  return compileNode(predicate, 'where');
}

function compileNode(p: SpanPredicate, path: string): SpanTest {
  if (p === null || typeof p !== 'object') throw new AppError('INVALID_ARGUMENT', `${path}: expected a predicate object`);
  switch (p.op) {
    case 'and': {
      const args = compileArgs(p.args, path);
      return (span) => {
        for (const test of args) if (!test(span)) return false;
        return true;
      };
    }
    case 'or': {
      const args = compileArgs(p.args, path);
      return (span) => {
        for (const test of args) if (test(span)) return true;
        return false;
      };
    }
    case 'not': {
      const arg = compileNode(p.arg, `${path}.arg`);
      return (span) => !arg(span);
    }
    case 'exists': {
      const read = reader(p.ref, path);
      return (span) => read(span) !== undefined;
    }
    case 'regex': {
      const read = reader(p.ref, path);
      const re = compileRegex(p.pattern);
      return (span) => {
        const v = read(span);
        return v !== undefined && re.test(String(v));
      };
    }
    case 'in': {
      const read = reader(p.ref, path);
      if (!Array.isArray(p.values)) throw new AppError('INVALID_ARGUMENT', `${path}.values: expected an array of literals`);
      const tests = p.values.map((value, i) => equality(checkLiteral(value, `${path}.values[${i}]`)));
      return (span) => {
        const v = read(span);
        if (v === undefined) return false;
        for (const test of tests) if (test(v)) return true;
        return false;
      };
    }
    case '=':
    case '!=': {
      const read = reader(p.ref, path);
      const eq = equality(checkLiteral(p.value, `${path}.value`));
      const negate = p.op === '!=';
      return (span) => {
        const v = read(span);
        if (v === undefined) return false;
        if (typeof p.value === 'number' && numericForm(v) === undefined) return false;
        return eq(v) !== negate;
      };
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const read = reader(p.ref, path);
      const literal = literalForm(checkLiteral(p.value, `${path}.value`));
      const holds = ORDER_TESTS[p.op];
      if (typeof literal === 'number') {
        return (span) => {
          const n = numericForm(read(span));
          return n !== undefined && holds(n < literal ? -1 : n > literal ? 1 : 0);
        };
      }
      return (span) => {
        const s = stringForm(read(span));
        return s !== undefined && holds(compareStrings(s, literal));
      };
    }
    default:
      throw new AppError('INVALID_ARGUMENT', `${path}.op: unknown operator ${JSON.stringify((p as { op: unknown }).op)}`);
  }
}

const ORDER_TESTS: Record<'<' | '<=' | '>' | '>=', (cmp: number) => boolean> = {
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

function compileArgs(args: SpanPredicate[], path: string): SpanTest[] {
  if (!Array.isArray(args)) throw new AppError('INVALID_ARGUMENT', `${path}.args: expected an array of predicates`);
  return args.map((arg, i) => compileNode(arg, `${path}.args[${i}]`));
}

/** Equality of a present value with one literal (the `=` / `in` rule of api.ts). */
function equality(literal: Literal): (v: AttributeValue) => boolean {
  if (typeof literal === 'number') return (v) => numericForm(v) === literal;
  const s = String(literal);
  return (v) => String(v) === s;
}

function checkLiteral(value: Literal, path: string): Literal {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new AppError('INVALID_ARGUMENT', `${path}: expected a string, finite number or boolean, got ${JSON.stringify(value)}`);
}

const FIELDS = new Set(['service', 'operation', 'kind', 'status', 'duration', 'start', 'remote_service', 'trace_id', 'span_id', 'parent_id']);

/** Validates a reference and returns its reader; throws INVALID_ARGUMENT for an unknown field. */
function reader(ref: FieldRef, path: string): (span: Span) => AttributeValue | undefined {
  checkRef(ref, `${path}.ref`);
  return (span) => readField(span, ref);
}

/** Throws INVALID_ARGUMENT unless `ref` is a known field or an attribute with a string key. */
export function checkRef(ref: FieldRef, path: string): void {
  if (ref !== null && typeof ref === 'object') {
    if ('attribute' in ref && typeof ref.attribute === 'string') return;
    if ('field' in ref && FIELDS.has(ref.field)) return;
  }
  throw new AppError('INVALID_ARGUMENT', `${path}: expected {field} of ${[...FIELDS].join('|')} or {attribute: string}, got ${JSON.stringify(ref)}`);
}

/** True when the span is in the tenant scope and starts within [startUsMin, startUsMax]. */
export function inWindow(span: Span, q: TenantScope & { startUsMin: number; startUsMax: number }): boolean {
  return (q.tenant === undefined || span.tenant === q.tenant) && span.startUs >= q.startUsMin && span.startUs <= q.startUsMax;
}

/** Orders group keys: per position, null first, then numbers ascending, then strings by code unit. */
export function compareGroupKeys(a: ReadonlyArray<string | number | null>, b: ReadonlyArray<string | number | null>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return compareStrings(x, y);
  }
  return a.length - b.length;
}

/** Throws INVALID_ARGUMENT unless the aggregation's group keys, measures and limits are well formed. */
export function checkAggregation(q: SpanAggregation): void {
  if (!Array.isArray(q.groupBy)) throw new AppError('INVALID_ARGUMENT', 'groupBy: expected an array');
  q.groupBy.forEach((key, i) => {
    if (key !== null && typeof key === 'object' && 'bucketUs' in key) {
      if (!Number.isInteger(key.bucketUs) || key.bucketUs < 1) {
        throw new AppError('INVALID_ARGUMENT', `groupBy[${i}].bucketUs: expected a positive integer, got ${JSON.stringify(key.bucketUs)}`);
      }
    } else checkRef((key as { ref: FieldRef })?.ref, `groupBy[${i}].ref`);
  });
  if (!Array.isArray(q.measures)) throw new AppError('INVALID_ARGUMENT', 'measures: expected an array');
  q.measures.forEach((m, i) => checkRef(m?.ref, `measures[${i}].ref`));
  if (!Number.isInteger(q.maxGroups) || q.maxGroups < 0) {
    throw new AppError('INVALID_ARGUMENT', `maxGroups: expected a non-negative integer, got ${JSON.stringify(q.maxGroups)}`);
  }
}

/** The RESOURCE_EXHAUSTED error every engine raises when an aggregation has too many groups. */
export function tooManyGroups(maxGroups: number): AppError {
  return new AppError('RESOURCE_EXHAUSTED', `aggregation: more than ${maxGroups} groups (narrow the filter, the time range or the group keys)`);
}

interface GroupState {
  keys: Array<string | number | null>;
  count: number;
  errorCount: number;
  measures: Array<{ count: number; sum: number; min?: number; max?: number; histogram?: Map<number, number> }>;
}

/**
 * Groups the spans an aggregation selects (tenant scope, start window, `where`; exact duplicates
 * once) and returns each group's partial figures, sorted by keys (compareGroupKeys). Throws
 * RESOURCE_EXHAUSTED when there would be more than maxGroups groups.
 */
export function aggregateSpans(spans: Iterable<Span>, q: SpanAggregation): AggregateGroup[] {
  checkAggregation(q);
  const test = compilePredicate(q.where);
  const seen = new Set<string>();
  const groups = new Map<string, GroupState>();
  const keyReaders = q.groupBy.map((key): ((span: Span) => string | number | null) => {
    if ('bucketUs' in key) {
      const size = key.bucketUs;
      return (span) => Math.floor(span.startUs / size) * size;
    }
    const ref = key.ref;
    return (span) => {
      const v = readField(span, ref);
      return v === undefined ? null : String(v);
    };
  });
  for (const span of spans) {
    if (!inWindow(span, q) || !test(span)) continue;
    const identity = spanIdentity(span);
    if (seen.has(identity)) continue;
    seen.add(identity);
    const keys = keyReaders.map((read) => read(span));
    const id = JSON.stringify(keys);
    let group = groups.get(id);
    if (group === undefined) {
      if (groups.size >= q.maxGroups) throw tooManyGroups(q.maxGroups);
      group = {
        keys,
        count: 0,
        errorCount: 0,
        measures: q.measures.map((m) => (m.histogram ? { count: 0, sum: 0, histogram: new Map() } : { count: 0, sum: 0 })),
      };
      groups.set(id, group);
    }
    group.count++;
    if (span.statusCode === 'error') group.errorCount++;
    for (let i = 0; i < q.measures.length; i++) {
      const v = numericForm(readField(span, q.measures[i]!.ref));
      if (v === undefined) continue;
      const m = group.measures[i]!;
      m.count++;
      m.sum += v;
      if (m.min === undefined || v < m.min) m.min = v;
      if (m.max === undefined || v > m.max) m.max = v;
      if (m.histogram !== undefined) {
        const index = histogramIndex(v);
        m.histogram.set(index, (m.histogram.get(index) ?? 0) + 1);
      }
    }
  }
  const out: AggregateGroup[] = [];
  for (const g of groups.values()) {
    out.push({
      keys: g.keys,
      count: g.count,
      errorCount: g.errorCount,
      measures: g.measures.map((m) => {
        const partial: MeasurePartial = { count: m.count, sum: m.sum };
        if (m.min !== undefined) partial.min = m.min;
        if (m.max !== undefined) partial.max = m.max;
        if (m.histogram !== undefined) partial.histogram = [...m.histogram].sort((a, b) => a[0] - b[0]);
        return partial;
      }),
    });
  }
  return out.sort((a, b) => compareGroupKeys(a.keys, b.keys));
}

/** Adds two partials of the same measure: counts and sums add, min/max combine, histograms merge. */
export function mergeMeasurePartials(a: MeasurePartial, b: MeasurePartial): MeasurePartial {
  const out: MeasurePartial = { count: a.count + b.count, sum: a.sum + b.sum };
  const min = a.min === undefined ? b.min : b.min === undefined ? a.min : Math.min(a.min, b.min);
  const max = a.max === undefined ? b.max : b.max === undefined ? a.max : Math.max(a.max, b.max);
  if (min !== undefined) out.min = min;
  if (max !== undefined) out.max = max;
  if (a.histogram !== undefined || b.histogram !== undefined) out.histogram = mergeHistograms(a.histogram ?? [], b.histogram ?? []);
  return out;
}

/**
 * Merges answers of the same aggregation over disjoint span sets: groups with equal keys add
 * their counts and partials; the result is sorted by keys (compareGroupKeys). Inputs are not
 * modified; a group found in one list only is returned as it is (shared, not copied: copying every
 * histogram of a large answer cost more than the query that produced it).
 */
export function mergeAggregateGroups(...lists: ReadonlyArray<readonly AggregateGroup[]>): AggregateGroup[] {
  const byKeys = new Map<string, { group: AggregateGroup; owned: boolean }>();
  for (const list of lists) {
    for (const g of list) {
      const id = JSON.stringify(g.keys);
      const held = byKeys.get(id);
      if (held === undefined) {
        byKeys.set(id, { group: g, owned: false });
        continue;
      }
      const h = held.group;
      const measures = h.measures.map((m, i) => (g.measures[i] === undefined ? m : mergeMeasurePartials(m, g.measures[i]!)));
      if (held.owned) {
        h.count += g.count;
        h.errorCount += g.errorCount;
        h.measures = measures;
      } else {
        held.group = { keys: [...h.keys], count: h.count + g.count, errorCount: h.errorCount + g.errorCount, measures };
        held.owned = true;
      }
    }
  }
  return [...byKeys.values()].map((v) => v.group).sort((a, b) => compareGroupKeys(a.keys, b.keys));
}

/**
 * Orders spans of a search: by start (newest first) or duration (longest first, then newest
 * first), then by trace id, span id and tenant ascending so equal keys still have one order.
 */
export function compareSearchOrder(orderBy: SpanSearch['orderBy']): (a: Span, b: Span) => number {
  const tail = (a: Span, b: Span): number =>
    compareStrings(a.traceId, b.traceId) || compareStrings(a.spanId, b.spanId) || compareStrings(a.tenant, b.tenant);
  if (orderBy === 'duration') return (a, b) => b.durationUs - a.durationUs || b.startUs - a.startUs || tail(a, b);
  return (a, b) => b.startUs - a.startUs || tail(a, b);
}

/** Throws INVALID_ARGUMENT unless the search's order and limit are well formed. */
export function checkSearch(q: SpanSearch): void {
  if (q.orderBy !== 'start' && q.orderBy !== 'duration') {
    throw new AppError('INVALID_ARGUMENT', `orderBy: expected "start" or "duration", got ${JSON.stringify(q.orderBy)}`);
  }
  if (!Number.isInteger(q.limit) || q.limit < 0) throw new AppError('INVALID_ARGUMENT', `limit: expected a non-negative integer, got ${JSON.stringify(q.limit)}`);
}

/**
 * The spans a search selects (tenant scope, start window, `where`; exact duplicates once), in the
 * search's order (compareSearchOrder), at most `limit`. Returns the given span objects, not copies.
 */
export function searchSpans(spans: Iterable<Span>, q: SpanSearch): Span[] {
  checkSearch(q);
  const test = compilePredicate(q.where);
  const seen = new Set<string>();
  const out: Span[] = [];
  for (const span of spans) {
    if (!inWindow(span, q) || !test(span)) continue;
    const identity = spanIdentity(span);
    if (seen.has(identity)) continue;
    seen.add(identity);
    out.push(span);
  }
  return out.sort(compareSearchOrder(q.orderBy)).slice(0, q.limit);
}
