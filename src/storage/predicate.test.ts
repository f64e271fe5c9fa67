import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import type { Span } from '../model/index.js';
import type { AggregateGroup, SpanAggregation, SpanPredicate } from './api.js';
import { histogramIndex } from './histogram.js';
import {
  aggregateSpans,
  compilePredicate,
  compileRegex,
  mergeAggregateGroups,
  numericForm,
  readField,
  searchSpans,
} from './predicate.js';

const T0 = 1_700_000_000_000_000;

function span(fields: Partial<Span> & Pick<Span, 'spanId'>): Span {
  return {
    traceId: '0000000000000000000000000000000a',
    kind: 'server',
    name: 'GET /',
    service: 'web',
    startUs: T0,
    durationUs: 100,
    statusCode: 'unset',
    attributes: {},
    events: [],
    links: [],
    resource: {},
    tenant: '',
    ...fields,
  };
}

/** s1: strings and a numeric string; s2: typed values and a resource; s3: nearly empty; s4: a client with a remote service. */
const s1 = span({ spanId: '0000000000000001', attributes: { 'http.status_code': '200', region: 'eu', 'http.url': '/a?b=1' }, durationUs: 100 });
const s2 = span({
  spanId: '0000000000000002',
  parentSpanId: '0000000000000001',
  service: 'api',
  name: 'query',
  kind: 'internal',
  startUs: T0 + 10,
  durationUs: 2_500,
  statusCode: 'error',
  attributes: { 'http.status_code': 500, retry: true, ratio: 0.5, region: 'us' },
  resource: { region: 'ignored-when-span-has-it', 'host.name': 'h1' },
});
const s3 = span({ spanId: '0000000000000003', startUs: T0 + 20, durationUs: 7, attributes: { 'http.status_code': 'n/a' } });
const s4 = span({
  spanId: '0000000000000004',
  parentSpanId: '0000000000000001',
  kind: 'client',
  startUs: T0 + 30,
  durationUs: 1_000_000,
  remoteEndpoint: { serviceName: 'db', port: 5432 },
  statusCode: 'ok',
  tenant: 'acme',
});
const ALL = [s1, s2, s3, s4];

function ids(spans: Span[]): string[] {
  return spans.map((s) => s.spanId.slice(-1));
}

describe('readField', () => {
  it.each([
    ['service', { field: 'service' }, s2, 'api'],
    ['operation', { field: 'operation' }, s2, 'query'],
    ['kind', { field: 'kind' }, s2, 'internal'],
    ['status', { field: 'status' }, s2, 'error'],
    ['duration', { field: 'duration' }, s2, 2_500],
    ['start', { field: 'start' }, s2, T0 + 10],
    ['remote_service set', { field: 'remote_service' }, s4, 'db'],
    ['remote_service missing', { field: 'remote_service' }, s1, undefined],
    ['parent_id missing', { field: 'parent_id' }, s1, undefined],
    ['parent_id', { field: 'parent_id' }, s2, '0000000000000001'],
    ['trace_id', { field: 'trace_id' }, s2, '0000000000000000000000000000000a'],
    ['span_id', { field: 'span_id' }, s2, '0000000000000002'],
    ['span attribute before resource', { attribute: 'region' }, s2, 'us'],
    ['resource attribute when the span has none', { attribute: 'host.name' }, s2, 'h1'],
    ['attribute keeps its type', { attribute: 'retry' }, s2, true],
    ['missing attribute', { attribute: 'nope' }, s1, undefined],
    ['prototype key is missing', { attribute: 'constructor' }, s1, undefined],
  ] as const)('%s', (_name, ref, s, want) => {
    expect(readField(s, ref)).toBe(want);
  });
});

describe('numericForm', () => {
  it.each([
    [42, 42],
    ['42', 42],
    ['-3.5', -3.5],
    ['007', 7],
    ['1e3', undefined],
    [' 4', undefined],
    ['', undefined],
    ['Infinity', undefined],
    [true, undefined],
    [undefined, undefined],
  ] as const)('%j → %j', (value, want) => {
    expect(numericForm(value)).toBe(want);
  });
});

describe('compilePredicate: semantic rules', () => {
  const cases: Array<[string, SpanPredicate, string[]]> = [
    ['= string compares string forms', { op: '=', ref: { attribute: 'http.status_code' }, value: '500' }, ['2']],
    ['= number parses numeric strings', { op: '=', ref: { attribute: 'http.status_code' }, value: 200 }, ['1']],
    ['= number on a number value', { op: '=', ref: { attribute: 'http.status_code' }, value: 500 }, ['2']],
    ['= boolean compares "true"', { op: '=', ref: { attribute: 'retry' }, value: true }, ['2']],
    ['= string "true" equals a boolean true', { op: '=', ref: { attribute: 'retry' }, value: 'true' }, ['2']],
    ['= on a field', { op: '=', ref: { field: 'service' }, value: 'api' }, ['2']],
    ['!= is false on missing values', { op: '!=', ref: { attribute: 'region' }, value: 'eu' }, ['2']],
    ['!= number: unparsable is missing', { op: '!=', ref: { attribute: 'http.status_code' }, value: 200 }, ['2']],
    ['!= string: unparsable is a value', { op: '!=', ref: { attribute: 'http.status_code' }, value: '200' }, ['2', '3']],
    ['> number on duration', { op: '>', ref: { field: 'duration' }, value: 100 }, ['2', '4']],
    ['>= number on duration', { op: '>=', ref: { field: 'duration' }, value: 100 }, ['1', '2', '4']],
    ['< number on a numeric string', { op: '<', ref: { attribute: 'http.status_code' }, value: 300 }, ['1']],
    ['<= number on a float attribute', { op: '<=', ref: { attribute: 'ratio' }, value: 0.5 }, ['2']],
    ['> string compares code units', { op: '>', ref: { attribute: 'http.status_code' }, value: '3' }, ['2', '3']],
    ['< string on numbers uses string forms', { op: '<', ref: { field: 'duration' }, value: '2' }, ['1', '4']],
    ['in mixes literal types', { op: 'in', ref: { attribute: 'http.status_code' }, values: [200, 'n/a'] }, ['1', '3']],
    ['in with an empty list', { op: 'in', ref: { field: 'service' }, values: [] }, []],
    ['in on a missing value', { op: 'in', ref: { field: 'remote_service' }, values: ['db', 'x'] }, ['4']],
    ['regex is unanchored', { op: 'regex', ref: { attribute: 'http.url' }, pattern: 'b=\\d' }, ['1']],
    ['regex tests string forms of numbers', { op: 'regex', ref: { field: 'duration' }, pattern: '^2[0-9]{3}$' }, ['2']],
    ['regex with a leading (?i)', { op: 'regex', ref: { field: 'service' }, pattern: '(?i)^API$' }, ['2']],
    ['regex on a missing value is false', { op: 'regex', ref: { attribute: 'nope' }, pattern: '.*' }, []],
    ['exists on an attribute', { op: 'exists', ref: { attribute: 'region' } }, ['1', '2']],
    ['exists on a resource attribute', { op: 'exists', ref: { attribute: 'host.name' } }, ['2']],
    ['exists on remote_service', { op: 'exists', ref: { field: 'remote_service' } }, ['4']],
    ['exists on parent_id', { op: 'exists', ref: { field: 'parent_id' } }, ['2', '4']],
    ['exists on other fields is always true', { op: 'exists', ref: { field: 'status' } }, ['1', '2', '3', '4']],
    ['not inverts false on missing', { op: 'not', arg: { op: '=', ref: { attribute: 'region' }, value: 'eu' } }, ['2', '3', '4']],
    ['and', { op: 'and', args: [{ op: '=', ref: { field: 'service' }, value: 'web' }, { op: '<', ref: { field: 'duration' }, value: 200 }] }, ['1', '3']],
    ['or', { op: 'or', args: [{ op: '=', ref: { field: 'kind' }, value: 'client' }, { op: '=', ref: { field: 'status' }, value: 'error' }] }, ['2', '4']],
    ['empty and is true', { op: 'and', args: [] }, ['1', '2', '3', '4']],
    ['empty or is false', { op: 'or', args: [] }, []],
  ];
  it.each(cases)('%s', (_name, predicate, want) => {
    const test = compilePredicate(predicate);
    expect(ids(ALL.filter(test))).toEqual(want);
  });

  it('undefined selects every span', () => {
    expect(ALL.filter(compilePredicate(undefined)).length).toBe(4);
  });
});

describe('compilePredicate: rejected input', () => {
  const cases: Array<[string, unknown, string]> = [
    ['lookahead', { op: 'regex', ref: { field: 'service' }, pattern: 'a(?=b)' }, 'regex "a(?=b)": lookahead (?= / (?! is not supported (RE2 syntax)'],
    ['lookbehind', { op: 'regex', ref: { field: 'service' }, pattern: '(?<!a)b' }, 'regex "(?<!a)b": lookbehind (?<= / (?<! is not supported (RE2 syntax)'],
    ['backreference', { op: 'regex', ref: { field: 'service' }, pattern: '(a)\\1' }, 'regex "(a)\\\\1": backreference \\1 is not supported (RE2 syntax)'],
    ['named group', { op: 'regex', ref: { field: 'service' }, pattern: '(?<x>a)' }, 'regex "(?<x>a)": named group (?<name> is not supported (RE2 syntax)'],
    ['\\u escape', { op: 'regex', ref: { field: 'service' }, pattern: '\\u0041' }, 'regex "\\\\u0041": escape \\u (use \\x{...}) is not supported (RE2 syntax)'],
    ['unknown field', { op: 'exists', ref: { field: 'color' } }, 'where.ref: expected {field} of'],
    ['unknown op', { op: 'xor', args: [] }, 'where.op: unknown operator "xor"'],
    ['non-finite number', { op: 'and', args: [{ op: '>', ref: { field: 'duration' }, value: Number.NaN }] }, 'where.args[0].value: expected a string, finite number or boolean, got null'],
  ];
  it.each(cases)('%s', (_name, predicate, message) => {
    let error: unknown;
    try {
      compilePredicate(predicate as SpanPredicate);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_ARGUMENT');
    expect((error as AppError).message.startsWith(message)).toBe(true);
  });

  it('reports a pattern JS cannot compile as invalid, naming it', () => {
    expect(() => compileRegex('a(')).toThrow(/^regex "a\(": invalid pattern/);
  });
});

const WINDOW = { startUsMin: T0, startUsMax: T0 + 1_000 };

describe('aggregateSpans', () => {
  it('groups by a field and a bucket, sorted by keys, with measures and histograms', () => {
    const q: SpanAggregation = {
      ...WINDOW,
      groupBy: [{ ref: { field: 'service' } }, { bucketUs: 20 }],
      measures: [{ ref: { field: 'duration' }, histogram: true }, { ref: { attribute: 'http.status_code' }, histogram: false }],
      maxGroups: 10,
    };
    expect(aggregateSpans(ALL, q)).toEqual<AggregateGroup[]>([
      { keys: ['api', T0], count: 1, errorCount: 1, measures: [{ count: 1, sum: 2_500, min: 2_500, max: 2_500, histogram: [[histogramIndex(2_500), 1]] }, { count: 1, sum: 500, min: 500, max: 500 }] },
      { keys: ['web', T0], count: 1, errorCount: 0, measures: [{ count: 1, sum: 100, min: 100, max: 100, histogram: [[histogramIndex(100), 1]] }, { count: 1, sum: 200, min: 200, max: 200 }] },
      { keys: ['web', T0 + 20], count: 2, errorCount: 0, measures: [
        { count: 2, sum: 1_000_007, min: 7, max: 1_000_000, histogram: [[histogramIndex(7), 1], [histogramIndex(1_000_000), 1]] },
        { count: 0, sum: 0 },
      ] },
    ]);
  });

  it('puts missing keys in a null group that sorts first, and a tenant scope narrows', () => {
    const q: SpanAggregation = { ...WINDOW, groupBy: [{ ref: { attribute: 'region' } }], measures: [], maxGroups: 10 };
    expect(aggregateSpans(ALL, q).map((g) => [g.keys, g.count])).toEqual([[[null], 2], [['eu'], 1], [['us'], 1]]);
    expect(aggregateSpans(ALL, { ...q, tenant: 'acme' }).map((g) => [g.keys, g.count])).toEqual([[[null], 1]]);
  });

  it('keys are string forms: numbers and booleans as String(v)', () => {
    const q: SpanAggregation = { ...WINDOW, groupBy: [{ ref: { attribute: 'http.status_code' } }, { ref: { attribute: 'retry' } }], measures: [], maxGroups: 10 };
    expect(aggregateSpans(ALL, q).map((g) => g.keys)).toEqual([[null, null], ['200', null], ['500', 'true'], ['n/a', null]]);
  });

  it('counts exact duplicates once and honours window and where', () => {
    const q: SpanAggregation = {
      startUsMin: T0 + 1,
      startUsMax: T0 + 30,
      where: { op: '=', ref: { field: 'service' }, value: 'web' },
      groupBy: [],
      measures: [],
      maxGroups: 1,
    };
    expect(aggregateSpans([...ALL, { ...s3 }, s4], q)).toEqual([{ keys: [], count: 2, errorCount: 0, measures: [] }]);
  });

  it('rejects more groups than maxGroups with RESOURCE_EXHAUSTED', () => {
    const q: SpanAggregation = { ...WINDOW, groupBy: [{ ref: { field: 'span_id' } }], measures: [], maxGroups: 3 };
    expect(() => aggregateSpans(ALL, q)).toThrow(expect.objectContaining({ code: 'RESOURCE_EXHAUSTED' }));
    expect(aggregateSpans(ALL, { ...q, maxGroups: 4 }).length).toBe(4);
  });

  it('rejects a bucket that is not a positive integer', () => {
    const q: SpanAggregation = { ...WINDOW, groupBy: [{ bucketUs: 0 }], measures: [], maxGroups: 3 };
    expect(() => aggregateSpans(ALL, q)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('mergeAggregateGroups', () => {
  it('equals aggregating the union of disjoint span sets', () => {
    const q: SpanAggregation = { ...WINDOW, groupBy: [{ ref: { field: 'service' } }], measures: [{ ref: { field: 'duration' }, histogram: true }], maxGroups: 10 };
    const whole = aggregateSpans(ALL, q);
    expect(mergeAggregateGroups(aggregateSpans([s1, s2], q), aggregateSpans([s3, s4], q), [])).toEqual(whole);
    expect(mergeAggregateGroups(aggregateSpans([s4, s1], q), aggregateSpans([s2], q), aggregateSpans([s3], q))).toEqual(whole);
  });
});

describe('searchSpans', () => {
  it.each([
    ['newest first', 'start', 10, undefined, ['4', '3', '2', '1']],
    ['longest first', 'duration', 10, undefined, ['4', '2', '1', '3']],
    ['limit', 'duration', 2, undefined, ['4', '2']],
    ['where', 'start', 10, { op: '=', ref: { field: 'service' }, value: 'web' }, ['4', '3', '1']],
  ] as const)('%s', (_name, orderBy, limit, where, want) => {
    expect(ids(searchSpans([...ALL, s2], { ...WINDOW, orderBy, limit, where: where as SpanPredicate | undefined }))).toEqual(want);
  });

  it('breaks ties of duration by start, then by ids', () => {
    const a = span({ spanId: '00000000000000aa', startUs: T0 + 5 });
    const b = span({ spanId: '00000000000000bb', startUs: T0 + 5 });
    const c = span({ spanId: '00000000000000cc', startUs: T0 + 6 });
    expect(searchSpans([b, c, a], { ...WINDOW, orderBy: 'duration', limit: 3 }).map((s) => s.spanId)).toEqual([c.spanId, a.spanId, b.spanId]);
  });
});
