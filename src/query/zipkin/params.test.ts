import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import {
  integerValue,
  parseAnnotationQuery,
  parseDependenciesQuery,
  parseTraceId,
  parseTraceIds,
  parseTracesQuery,
  queryValue,
  requiredValue,
} from './params.js';

const NOW_MS = 1_700_000_000_000;
const context = { nowMs: NOW_MS, defaultLookbackMs: 86_400_000, maxLimit: 1000 };

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_ARGUMENT');
    return (err as AppError).message;
  }
  throw new Error('expected an error');
}

describe('query values', () => {
  it('takes the first of repeated parameters and treats non-strings as absent', () => {
    expect(queryValue({ a: ['x', 'y'] }, 'a')).toBe('x');
    expect(queryValue({ a: 'x' }, 'a')).toBe('x');
    expect(queryValue({}, 'a')).toBeUndefined();
    expect(requiredValue({ a: '' }, 'a')).toBe('');
    expect(errorOf(() => requiredValue({}, 'serviceName'))).toBe('Mandatory parameter/header is missing: serviceName');
  });

  const ints: Array<[string, string | undefined, number | undefined | string]> = [
    ['absent', undefined, undefined],
    ['empty', '', undefined],
    ['plain', '42', 42],
    ['signed', '-5', -5],
    ['plus', '+7', 7],
    ['blanks trimmed', ' 8 ', 8],
    ['decimal', '1.5', 'limit: expected an integer, got "1.5"'],
    ['words', 'ten', 'limit: expected an integer, got "ten"'],
    ['too large', '99999999999999999999', 'limit: expected an integer, got "99999999999999999999"'],
  ];
  it.each(ints)('integer: %s', (_name, text, expected) => {
    const params = text === undefined ? {} : { limit: text };
    if (typeof expected === 'string') expect(errorOf(() => integerValue(params, 'limit'))).toBe(expected);
    else expect(integerValue(params, 'limit')).toBe(expected);
  });
});

describe('parseTraceId', () => {
  const cases: Array<[string, string, string]> = [
    ['64-bit id is padded to its stored form', '463ac35c9f6413ad', '0000000000000000463ac35c9f6413ad'],
    ['128-bit id kept', '463ac35c9f6413ad48485a3953bb6124', '463ac35c9f6413ad48485a3953bb6124'],
    ['short id padded', 'abc', '00000000000000000000000000000abc'],
    ['upper case accepted', '463AC35C9F6413AD', '0000000000000000463ac35c9f6413ad'],
    ['blanks trimmed', ' 463ac35c9f6413ad ', '0000000000000000463ac35c9f6413ad'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(parseTraceId(input)).toBe(expected);
  });

  const bad: Array<[string, string, string]> = [
    ['not hex', '0e8b46e1-81b', '0e8b46e1-81b should be lower-hex encoded with no prefix'],
    ['too long', 'a'.repeat(33), 'traceId.length > 32'],
    ['all zeros', '0000', 'traceId is all zeros'],
    ['empty', '', 'traceId is empty'],
  ];
  it.each(bad)('rejects %s', (_name, input, message) => {
    expect(errorOf(() => parseTraceId(input))).toBe(message);
  });
});

describe('parseTraceIds', () => {
  it('normalises ids and keeps their order', () => {
    expect(parseTraceIds('abcd,463ac35c9f6413ad48485a3953bb6124')).toEqual([
      '0000000000000000000000000000abcd',
      '463ac35c9f6413ad48485a3953bb6124',
    ]);
  });
  const bad: Array<[string, string, string]> = [
    ['empty', '', 'traceIds parameter is empty'],
    ['single id', 'abcd', 'Use /api/v2/trace/{traceId} endpoint to retrieve a single trace'],
    ['malformed id', 'abcd,0e8b46e1-81b', '0e8b46e1-81b should be lower-hex encoded with no prefix'],
    ['duplicate after padding', 'abcd,000abcd', 'redundant traceId: 000abcd'],
    ['empty element', 'abcd,', 'traceId is empty'],
    ['too many', Array.from({ length: 1001 }, (_, i) => (i + 1).toString(16)).join(','), 'traceIds: at most 1000 ids, got 1001'],
  ];
  it.each(bad)('rejects %s', (_name, input, message) => {
    expect(errorOf(() => parseTraceIds(input))).toBe(message);
  });
});

describe('parseAnnotationQuery', () => {
  const cases: Array<[string, string | undefined, unknown]> = [
    ['absent', undefined, []],
    ['blank', '  ', []],
    ['key alone and key=value', 'error and http.method=GET', [{ key: 'error' }, { key: 'http.method', value: 'GET' }]],
    ['blanks around terms trimmed', ' error and  http.method = GET ', [{ key: 'error' }, { key: 'http.method', value: 'GET' }]],
    ['key= means present', 'http.url=', [{ key: 'http.url' }]],
    ['value may contain =', 'q=a=b', [{ key: 'q', value: 'a=b' }]],
    ['a value overrides an earlier bare key', 'error and error=500', [{ key: 'error', value: '500' }]],
    ['a bare key does not override a value', 'error=500 and error', [{ key: 'error', value: '500' }]],
    ['the last value wins', 'a=1 and a=2', [{ key: 'a', value: '2' }]],
    ['empty keys skipped', '=x and  and b', [{ key: 'b' }]],
    ['AND in capitals is not a separator', 'a AND b', [{ key: 'a AND b' }]],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(parseAnnotationQuery(text)).toEqual(expected);
  });
  it('rejects more than 100 terms', () => {
    expect(errorOf(() => parseAnnotationQuery(Array.from({ length: 101 }, (_, i) => `k${i}`).join(' and ')))).toBe(
      'annotationQuery: at most 100 terms, got 101',
    );
  });
});

describe('parseTracesQuery', () => {
  it("uses Zipkin's defaults: endTs now, lookback one day, limit 10", () => {
    expect(parseTracesQuery({}, context)).toEqual({
      query: { startUsMin: (NOW_MS - 86_400_000) * 1000, startUsMax: NOW_MS * 1000, limit: 10 },
    });
  });

  it('maps every parameter and ignores unknown ones', () => {
    const params = {
      serviceName: 'frontend',
      remoteServiceName: 'backend',
      spanName: 'get /api',
      annotationQuery: 'error and http.method=GET',
      minDuration: '100',
      maxDuration: '2000',
      endTs: '1600000000000',
      lookback: '3600000',
      limit: '25',
      sortOrder: 'whatever',
    };
    expect(parseTracesQuery(params, context)).toEqual({
      query: {
        service: 'frontend',
        remoteService: 'backend',
        operation: 'get /api',
        attributes: [{ key: 'http.method', value: 'GET' }],
        statusCode: 'error',
        minDurationUs: 100,
        maxDurationUs: 2000,
        startUsMin: 1_599_996_400_000_000,
        startUsMax: 1_600_000_000_000_000,
        limit: 25,
      },
    });
  });

  const noFilter: Array<[string, Record<string, string>]> = [
    ['span name all', { spanName: 'all' }],
    ['span name ALL', { spanName: 'ALL' }],
    ['empty names', { serviceName: '', spanName: '', remoteServiceName: '', annotationQuery: '' }],
  ];
  it.each(noFilter)('%s means no filter', (_name, params) => {
    expect(parseTracesQuery(params, context).query).toEqual({
      startUsMin: (NOW_MS - 86_400_000) * 1000,
      startUsMax: NOW_MS * 1000,
      limit: 10,
    });
  });

  it('caps the limit and says from what', () => {
    expect(parseTracesQuery({ limit: '5000' }, context)).toEqual({
      query: { startUsMin: (NOW_MS - 86_400_000) * 1000, startUsMax: NOW_MS * 1000, limit: 1000 },
      cappedFrom: 5000,
    });
  });

  it('accepts minDuration alone and equal bounds', () => {
    expect(parseTracesQuery({ minDuration: '5' }, context).query.minDurationUs).toBe(5);
    expect(parseTracesQuery({ minDuration: '5', maxDuration: '5' }, context).query.maxDurationUs).toBe(5);
  });

  const bad: Array<[string, Record<string, string>, string]> = [
    ['negative limit', { limit: '-1' }, 'limit <= 0'],
    ['zero limit', { limit: '0' }, 'limit <= 0'],
    ['non-numeric limit', { limit: 'ten' }, 'limit: expected an integer, got "ten"'],
    ['zero endTs', { endTs: '0' }, 'endTs <= 0'],
    ['non-numeric endTs', { endTs: 'yesterday' }, 'endTs: expected an integer, got "yesterday"'],
    ['negative lookback', { lookback: '-5' }, 'lookback <= 0'],
    ['lookback beyond the epoch', { endTs: '1000', lookback: '2000' }, 'lookback > endTs: 2000 > 1000'],
    ['zero minDuration', { minDuration: '0' }, 'minDuration <= 0'],
    ['non-numeric minDuration', { minDuration: '1ms' }, 'minDuration: expected an integer, got "1ms"'],
    ['maxDuration below minDuration', { minDuration: '10', maxDuration: '5' }, 'maxDuration < minDuration'],
    ['maxDuration alone', { maxDuration: '5' }, 'maxDuration is only valid with minDuration'],
    ['endTs too large for microseconds', { endTs: '9007199254741' }, 'endTs: 9007199254741 is out of range'],
  ];
  it.each(bad)('rejects %s', (_name, params, message) => {
    expect(errorOf(() => parseTracesQuery(params, context))).toBe(message);
  });
});

describe('parseDependenciesQuery', () => {
  it('reads endTs and lookback in ms, lookback defaulting to one day', () => {
    expect(parseDependenciesQuery({ endTs: '1600000000000', lookback: '60000' }, 86_400_000)).toEqual({
      endUs: 1_600_000_000_000_000,
      lookbackUs: 60_000_000,
    });
    expect(parseDependenciesQuery({ endTs: '1600000000000' }, 86_400_000)).toEqual({
      endUs: 1_600_000_000_000_000,
      lookbackUs: 86_400_000_000,
    });
  });
  const bad: Array<[string, Record<string, string>, string]> = [
    ['missing endTs', {}, 'Mandatory parameter/header is missing: endTs'],
    ['zero endTs', { endTs: '0' }, 'endTs <= 0'],
    ['non-numeric endTs', { endTs: 'now' }, 'endTs: expected an integer, got "now"'],
    ['zero lookback', { endTs: '1600000000000', lookback: '0' }, 'lookback <= 0'],
    ['lookback beyond the epoch', { endTs: '10', lookback: '11' }, 'lookback > endTs: 11 > 10'],
  ];
  it.each(bad)('rejects %s', (_name, params, message) => {
    expect(errorOf(() => parseDependenciesQuery(params, 86_400_000))).toBe(message);
  });
});
