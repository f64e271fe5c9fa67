/**
 * Parses a statement (docs/query-language.md) into a filter, already in the storage contract's
 * SpanPredicate form, and its stages with their output columns resolved. Every mistake is a
 * StatementError naming what was expected and where. The result is plain data: it is compiled to
 * storage requests, never to query text.
 */
import { normalizeSpanId, normalizeTraceId, parseDuration, SPAN_KINDS } from '../../model/index.js';
import type { FieldRef, Literal, SpanField, SpanPredicate } from '../../storage/api.js';
import { compileRegex } from '../../storage/predicate.js';
import { describeToken, positionAt, StatementError, tokenize, type Token } from './lexer.js';

/** The aggregate functions of a stats stage. */
export type AggregateFunction =
  | 'count' | 'errors' | 'error_rate' | 'sum' | 'avg' | 'min' | 'max' | 'p50' | 'p90' | 'p95' | 'p99' | 'percentile';

/** A resolved reference: what it reads and its canonical text (a column name when grouped by). */
export interface RefNode {
  ref: FieldRef;
  text: string;
  offset: number;
}

/** One aggregate column of a stats stage. */
export interface AggregateNode {
  fn: AggregateFunction;
  /** What sum/avg/min/max/percentiles read; absent for count, errors and error_rate. */
  of?: RefNode;
  /** The quantile (0..1) of a percentile function. */
  quantile?: number;
  /** Column name: its `as` name, else its canonical text, e.g. "p95(duration)". */
  name: string;
  offset: number;
}

/** One group key of a stats stage: a reference, or the start time's bucket (auto-sized when bucketUs is absent). */
export type GroupKeyNode =
  | { kind: 'ref'; of: RefNode; name: string; offset: number }
  | { kind: 'bucket'; bucketUs?: number; name: string; offset: number };

/** One sort term, resolved to a column name of the result. */
export interface SortTerm {
  column: string;
  descending: boolean;
  offset: number;
}

/** A parsed statement. Without `stats` it lists spans. */
export interface Statement {
  source: string;
  where?: SpanPredicate;
  stats?: { aggregates: AggregateNode[]; groupBy: GroupKeyNode[]; offset: number };
  sort?: { terms: SortTerm[]; offset: number };
  limit?: { value: number; offset: number };
}

/** Column names of a span list, in order (the only sortable ones are start and duration). */
export const SPAN_COLUMNS = ['start', 'trace_id', 'span_id', 'service', 'operation', 'kind', 'status', 'duration'] as const;

const FIELDS: Record<string, SpanField> = {
  service: 'service',
  operation: 'operation',
  name: 'operation',
  kind: 'kind',
  status: 'status',
  duration: 'duration',
  start: 'start',
  remote_service: 'remote_service',
  trace_id: 'trace_id',
  span_id: 'span_id',
  parent_id: 'parent_id',
};

/** Deepest nesting of parentheses and `not` a filter may have. */
const MAX_DEPTH = 64;
const RESERVED = new Set(['and', 'or', 'not', 'in', 'exists']);
const STATUSES = ['unset', 'ok', 'error'];
const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=']);
const AGGREGATES: Record<string, { fn: AggregateFunction; arity: 0 | 1 | 2; quantile?: number }> = {
  count: { fn: 'count', arity: 0 },
  errors: { fn: 'errors', arity: 0 },
  error_rate: { fn: 'error_rate', arity: 0 },
  sum: { fn: 'sum', arity: 1 },
  avg: { fn: 'avg', arity: 1 },
  min: { fn: 'min', arity: 1 },
  max: { fn: 'max', arity: 1 },
  p50: { fn: 'p50', arity: 1, quantile: 0.5 },
  p90: { fn: 'p90', arity: 1, quantile: 0.9 },
  p95: { fn: 'p95', arity: 1, quantile: 0.95 },
  p99: { fn: 'p99', arity: 1, quantile: 0.99 },
  percentile: { fn: 'percentile', arity: 2 },
};
const AGGREGATE_LIST = 'count(), errors(), error_rate(), sum, avg, min, max, p50, p90, p95, p99 or percentile';
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Options of {@link parseStatement}. */
export interface ParseOptions {
  /** Refuse a statement with stages (the trace search takes a filter only). */
  filterOnly?: boolean;
}

/** Parses a statement; throws StatementError (INVALID_ARGUMENT with a position) on any mistake. */
export function parseStatement(source: string, options: ParseOptions = {}): Statement {
  return new Parser(source, options).statement();
}

/** The canonical text of a reference: field names as themselves, plain keys bare, others backquoted or attr("..."). */
export function refText(ref: FieldRef): string {
  if ('field' in ref) return ref.field;
  if (PLAIN_KEY.test(ref.attribute) && FIELDS[ref.attribute.toLowerCase()] === undefined && !RESERVED.has(ref.attribute.toLowerCase())) {
    return ref.attribute;
  }
  return ref.attribute.includes('`') ? `attr(${JSON.stringify(ref.attribute)})` : `\`${ref.attribute}\``;
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  /** Open parentheses and `not`s around the current condition. */
  private depth = 0;
  /** Offsets of "asc" words in the sort stage (span lists refuse them). */
  private readonly ascOffsets: number[] = [];

  constructor(
    private readonly source: string,
    private readonly options: ParseOptions,
  ) {
    this.tokens = tokenize(source);
  }

  statement(): Statement {
    const out: Statement = { source: this.source };
    if (!this.atSymbol('|') && this.peek().kind !== 'end') out.where = this.or();
    if (this.options.filterOnly && this.atSymbol('|')) {
      this.fail(this.peek(), 'a trace search takes a filter only: stages ("|") belong on the Query page');
    }
    while (this.atSymbol('|')) {
      this.next();
      this.stage(out);
    }
    const end = this.peek();
    if (end.kind !== 'end') {
      this.fail(end, `expected "and", "or"${this.options.filterOnly ? '' : ', "|"'} or the end of the statement, found ${describeToken(end)}`);
    }
    this.resolveSort(out);
    return out;
  }

  // ---- filter ----

  private or(): SpanPredicate {
    const args = [this.and()];
    while (this.atWord('or')) {
      this.next();
      args.push(this.and());
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  }

  private and(): SpanPredicate {
    const args = [this.not()];
    while (this.atWord('and')) {
      this.next();
      args.push(this.not());
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  }

  private not(): SpanPredicate {
    if (this.atWord('not')) {
      this.nest(this.next());
      const arg = this.not();
      this.depth--;
      return { op: 'not', arg };
    }
    return this.primary();
  }

  /** Counts one level of nesting; deep nesting is refused so no recursion, here or in an engine, can exhaust the stack. */
  private nest(t: Token): void {
    if (++this.depth > MAX_DEPTH) this.fail(t, `conditions nest more than ${MAX_DEPTH} levels deep`);
  }

  private primary(): SpanPredicate {
    const t = this.peek();
    if (this.atSymbol('(')) {
      this.nest(this.next());
      const inner = this.or();
      this.expectSymbol(')', `expected ")" to close the "(" at ${this.where(t)}`);
      this.depth--;
      return inner;
    }
    if (this.atWord('exists')) {
      this.next();
      return { op: 'exists', ref: this.ref('after "exists"').ref };
    }
    const ref = this.ref('a condition');
    const op = this.peek();
    if (this.atWord('exists')) {
      this.next();
      return { op: 'exists', ref: ref.ref };
    }
    if (op.kind === 'symbol' && COMPARISONS.has(op.text)) {
      this.next();
      const value = this.literal(ref, op.text);
      return { op: op.text as '=' | '!=' | '<' | '<=' | '>' | '>=', ref: ref.ref, value };
    }
    if (this.atWord('in')) {
      this.next();
      this.expectSymbol('(', 'expected "(" after "in", e.g. in ("a", "b")');
      const values = [this.literal(ref, 'in')];
      while (this.atSymbol(',')) {
        this.next();
        values.push(this.literal(ref, 'in'));
      }
      this.expectSymbol(')', 'expected "," or ")" in the list after "in"');
      return { op: 'in', ref: ref.ref, values };
    }
    if (this.atSymbol('=~')) {
      this.next();
      const p = this.peek();
      if (p.kind !== 'string') this.fail(p, `expected a quoted regular expression after "=~", found ${describeToken(p)}`);
      this.next();
      checkPattern(this.source, p);
      return { op: 'regex', ref: ref.ref, pattern: p.value as string };
    }
    const stage = ref.text === 'stats' || ref.text === 'sort' || ref.text === 'limit' ? `; stages start with "|", e.g. "| ${ref.text} …"` : '';
    return this.fail(op, `expected an operator after ${ref.text} (=, !=, <, <=, >, >=, =~, in or exists), found ${describeToken(op)}${stage}`);
  }

  /** A reference: a field, a dotted attribute key, a `backquoted` key or attr("key"). */
  private ref(context: string): RefNode {
    const t = this.peek();
    if (t.kind === 'quoted-name') {
      this.next();
      const ref: FieldRef = { attribute: t.value as string };
      return { ref, text: refText(ref), offset: t.offset };
    }
    if (t.kind === 'name' && !RESERVED.has(t.text.toLowerCase())) {
      this.next();
      if (t.text.toLowerCase() === 'attr' && this.atSymbol('(')) {
        this.next();
        const key = this.peek();
        if (key.kind !== 'string') this.fail(key, `expected a quoted key in attr(...), found ${describeToken(key)}`);
        if (key.value === '') this.fail(key, 'expected a non-empty key in attr(...)');
        this.next();
        this.expectSymbol(')', 'expected ")" after the key of attr(...)');
        const ref: FieldRef = { attribute: key.value as string };
        return { ref, text: refText(ref), offset: t.offset };
      }
      const field = FIELDS[t.text.toLowerCase()];
      const ref: FieldRef = field !== undefined ? { field } : { attribute: t.text };
      return { ref, text: refText(ref), offset: t.offset };
    }
    const what = context.startsWith('after') ? `expected a field or attribute ${context}` : `expected a field or attribute to start ${context}`;
    return this.fail(t, `${what}, found ${describeToken(t)}`);
  }

  /** A literal compared with `ref`, checked and converted for the fields that need it. */
  private literal(ref: RefNode, after: string): Literal {
    const t = this.peek();
    let value: Literal;
    if (t.kind === 'string' || t.kind === 'number' || t.kind === 'duration') {
      value = t.value;
    } else if (t.kind === 'name' && (t.text.toLowerCase() === 'true' || t.text.toLowerCase() === 'false')) {
      value = t.text.toLowerCase() === 'true';
    } else if (t.kind === 'name' && !RESERVED.has(t.text.toLowerCase())) {
      return this.fail(t, `expected a value after "${after}", found ${describeToken(t)} (quote text: ${JSON.stringify(t.text)})`);
    } else {
      return this.fail(t, `expected a value after "${after}", found ${describeToken(t)}`);
    }
    this.next();
    const ordered = after === '<' || after === '<=' || after === '>' || after === '>=';
    if (ordered && typeof value === 'boolean') this.fail(t, `expected a number or a string after "${after}", found ${describeToken(t)}`);
    if (!('field' in ref.ref)) return value;
    switch (ref.ref.field) {
      case 'duration':
        if (typeof value === 'string') {
          const us = parseDurationText(value);
          if (us === undefined) this.fail(t, `expected a duration for duration (e.g. 50ms, 1.5s), found ${describeToken(t)}`);
          return us!;
        }
        if (typeof value !== 'number') this.fail(t, `expected a duration for duration (e.g. 50ms, 1.5s), found ${describeToken(t)}`);
        return value;
      case 'start':
        if (t.kind === 'duration') this.fail(t, `expected a time for start (RFC 3339 such as "2026-01-02T15:04:05Z", or µs since the epoch), found ${describeToken(t)}`);
        if (typeof value === 'string') {
          const ms = RFC3339.test(value) ? Date.parse(value.replace(' ', 'T')) : Number.NaN;
          if (Number.isNaN(ms)) this.fail(t, `expected an RFC 3339 time for start (e.g. "2026-01-02T15:04:05Z"), found ${describeToken(t)}`);
          const fraction = /\.(\d+)/.exec(value)?.[1] ?? '';
          // Date.parse keeps milliseconds only; the rest of the fraction still counts in µs.
          return ms * 1000 + Number((fraction + '000000').slice(3, 6));
        }
        if (typeof value !== 'number') this.fail(t, `expected a time for start, found ${describeToken(t)}`);
        return value;
      case 'kind':
        return this.oneOf(t, value, SPAN_KINDS, 'kind');
      case 'status':
        return this.oneOf(t, value, STATUSES, 'status');
      case 'trace_id':
      case 'span_id':
      case 'parent_id': {
        if (typeof value !== 'string' || !/^[0-9a-fA-F]{1,32}$/.test(value) || (ref.ref.field !== 'trace_id' && value.length > 16)) {
          this.fail(t, `expected a quoted hex id for ${ref.ref.field}, found ${describeToken(t)}`);
        }
        const id = value as string;
        return ref.ref.field === 'trace_id' ? normalizeTraceId(id) ?? id.toLowerCase() : normalizeSpanId(id) ?? id.toLowerCase();
      }
      default:
        return value;
    }
  }

  private oneOf(t: Token, value: Literal, allowed: readonly string[], field: string): string {
    const text = typeof value === 'string' ? value.toLowerCase() : undefined;
    if (text === undefined || !allowed.includes(text)) {
      this.fail(t, `expected ${field} to be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, found ${describeToken(t)}`);
    }
    return text!;
  }

  // ---- stages ----

  private stage(out: Statement): void {
    const t = this.peek();
    const word = t.kind === 'name' ? t.text.toLowerCase() : '';
    if (word === 'stats') {
      if (out.stats) this.fail(t, 'a statement has at most one "stats" stage');
      if (out.sort || out.limit) this.fail(t, '"stats" must come before "sort" and "limit"');
      this.next();
      out.stats = this.stats(t.offset);
      return;
    }
    if (word === 'sort') {
      if (out.sort) this.fail(t, 'a statement has at most one "sort" stage: list several columns in it, separated by ","');
      this.next();
      out.sort = { terms: this.sortTerms(), offset: t.offset };
      return;
    }
    if (word === 'limit') {
      if (out.limit) this.fail(t, 'a statement has at most one "limit" stage');
      this.next();
      const n = this.peek();
      if (n.kind !== 'number' || !Number.isInteger(n.value) || (n.value as number) < 1) {
        this.fail(n, `expected a whole number ≥ 1 after "limit", found ${describeToken(n)}`);
      }
      this.next();
      out.limit = { value: n.value as number, offset: n.offset };
      return;
    }
    this.fail(t, `expected a stage after "|" (stats, sort or limit), found ${describeToken(t)}`);
  }

  private stats(offset: number): NonNullable<Statement['stats']> {
    const names = new Set<string>();
    const unique = (name: string, t: Token) => {
      if (names.has(name)) this.fail(t, `column ${JSON.stringify(name)} appears twice: name one of them with "as"`);
      names.add(name);
    };
    const aggregates: AggregateNode[] = [];
    do {
      if (aggregates.length > 0) this.next();
      const t = this.peek();
      const agg = this.aggregate();
      unique(agg.name, t);
      aggregates.push(agg);
    } while (this.atSymbol(','));
    const groupBy: GroupKeyNode[] = [];
    if (this.atWord('by')) {
      this.next();
      do {
        if (groupBy.length > 0) this.next();
        const t = this.peek();
        const key = this.groupKey();
        unique(key.name, t);
        groupBy.push(key);
      } while (this.atSymbol(','));
    }
    return { aggregates, groupBy, offset };
  }

  private aggregate(): AggregateNode {
    const t = this.peek();
    const spec = t.kind === 'name' ? AGGREGATES[t.text.toLowerCase()] : undefined;
    if (spec === undefined) this.fail(t, `expected an aggregate (${AGGREGATE_LIST}), found ${describeToken(t)}`);
    this.next();
    this.expectSymbol('(', `expected "(" after ${t.text.toLowerCase()}`);
    const node: AggregateNode = { fn: spec!.fn, name: '', offset: t.offset };
    if (spec!.arity >= 1) node.of = this.ref(`after "${spec!.fn}("`);
    if (spec!.quantile !== undefined) node.quantile = spec!.quantile;
    let quantileText = '';
    if (spec!.arity === 2) {
      this.expectSymbol(',', 'expected "," and a quantile between 0 and 1, e.g. percentile(duration, 0.999)');
      const q = this.peek();
      if (q.kind !== 'number' || (q.value as number) < 0 || (q.value as number) > 1) {
        this.fail(q, `expected a quantile between 0 and 1, found ${describeToken(q)}`);
      }
      this.next();
      node.quantile = q.value as number;
      quantileText = `, ${q.value as number}`;
    }
    this.expectSymbol(')', `expected ")" to close ${spec!.fn}(`);
    node.name = this.alias() ?? `${spec!.fn}(${node.of?.text ?? ''}${quantileText})`;
    return node;
  }

  private groupKey(): GroupKeyNode {
    const t = this.peek();
    if (t.kind === 'name' && t.text.toLowerCase() === 'bucket' && this.peek(1).kind === 'symbol' && this.peek(1).text === '(') {
      this.next();
      this.next();
      let bucketUs: number | undefined;
      let text = '';
      const d = this.peek();
      if (d.kind === 'duration') {
        if ((d.value as number) < 1000) this.fail(d, `expected a bucket of at least 1ms, found ${describeToken(d)}`);
        bucketUs = d.value as number;
        text = d.text;
        this.next();
      } else if (!this.atSymbol(')')) {
        this.fail(d, `expected a duration in bucket(...), e.g. bucket(5m), or bucket() to fit the range, found ${describeToken(d)}`);
      }
      this.expectSymbol(')', 'expected ")" to close bucket(');
      const name = this.alias() ?? `bucket(${text})`;
      return bucketUs === undefined ? { kind: 'bucket', name, offset: t.offset } : { kind: 'bucket', bucketUs, name, offset: t.offset };
    }
    const of = this.ref('a group key after "by"');
    return { kind: 'ref', of, name: this.alias() ?? of.text, offset: t.offset };
  }

  /** An optional `as name`. */
  private alias(): string | undefined {
    if (!this.atWord('as')) return undefined;
    this.next();
    const t = this.peek();
    if (t.kind !== 'name' && t.kind !== 'quoted-name' && t.kind !== 'string') this.fail(t, `expected a column name after "as", found ${describeToken(t)}`);
    if (t.value === '') this.fail(t, 'expected a non-empty column name after "as"');
    this.next();
    return t.value as string;
  }

  /** Sort terms as written; names are matched against the result's columns by resolveSort. */
  private sortTerms(): SortTerm[] {
    const terms: SortTerm[] = [];
    do {
      if (terms.length > 0) this.next();
      const t = this.peek();
      let column: string;
      if (t.kind === 'name' && this.peek(1).kind === 'symbol' && this.peek(1).text === '(') {
        // An aggregate or bucket written as in the stats stage names its column.
        column = t.text.toLowerCase() === 'bucket' ? this.groupKey().name : this.aggregate().name;
      } else if (t.kind === 'name' || t.kind === 'quoted-name' || t.kind === 'string') {
        this.next();
        column = t.value as string;
      } else {
        return this.fail(t, `expected a column name after "sort", found ${describeToken(t)}`);
      }
      let descending = false;
      if (this.atWord('desc')) {
        descending = true;
        this.next();
      } else if (this.atWord('asc')) {
        this.ascOffsets.push(this.next().offset);
      }
      terms.push({ column, descending, offset: t.offset });
    } while (this.atSymbol(','));
    return terms;
  }

  private resolveSort(out: Statement): void {
    if (!out.sort) return;
    const columns = out.stats
      ? [...out.stats.groupBy.map((k) => k.name), ...out.stats.aggregates.map((a) => a.name)]
      : ['start', 'duration'];
    for (const term of out.sort.terms) {
      let match = columns.find((c) => c === term.column);
      if (match === undefined) {
        const field = FIELDS[term.column.toLowerCase()];
        const canonical = field ?? term.column.toLowerCase();
        match = columns.find((c) => c === canonical || c.toLowerCase() === term.column.toLowerCase());
      }
      if (match === undefined) {
        const what = out.stats ? 'a column of the stats stage' : 'start or duration (a span list)';
        throw new StatementError(this.source, term.offset, `cannot sort by ${JSON.stringify(term.column)}: expected ${what}: ${columns.map((c) => JSON.stringify(c)).join(', ')}`);
      }
      term.column = match;
    }
    if (!out.stats) {
      if (out.sort.terms.length > 1) throw new StatementError(this.source, out.sort.terms[1]!.offset, 'a span list sorts by one column: start or duration');
      const term = out.sort.terms[0]!;
      // Span lists come newest or longest first; "sort duration" means the longest first.
      term.descending = true;
      const asc = this.ascOffsets[0];
      if (asc !== undefined) throw new StatementError(this.source, asc, 'a span list sorts newest or longest first only: remove "asc", or group with "stats"');
    }
  }

  // ---- tokens ----

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  private atWord(word: string): boolean {
    const t = this.peek();
    return t.kind === 'name' && t.text.toLowerCase() === word;
  }

  private atSymbol(symbol: string): boolean {
    const t = this.peek();
    return t.kind === 'symbol' && t.text === symbol;
  }

  private expectSymbol(symbol: string, message: string): void {
    if (!this.atSymbol(symbol)) this.fail(this.peek(), `${message}, found ${describeToken(this.peek())}`);
    this.next();
  }

  private where(t: Token): string {
    const p = positionAt(this.source, t.offset);
    return `${p.line}:${p.column}`;
  }

  private fail(t: Token, message: string): never {
    throw new StatementError(this.source, t.offset, message);
  }
}

function parseDurationText(text: string): number | undefined {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : parseDuration(trimmed);
}

/** Checks a pattern with the storage reference's RE2 rules, so every engine accepts what the parser accepts. */
function checkPattern(source: string, t: Token): void {
  try {
    compileRegex(t.value as string);
  } catch (err) {
    const message = (err as Error).message.replace(/^regex "(?:[^"\\]|\\.)*": /, '');
    throw new StatementError(source, t.offset, `invalid regular expression: ${message}`);
  }
}
