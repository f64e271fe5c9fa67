import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import {
  DEFAULT_LOOKBACK_US,
  parseDependenciesParams,
  parseGetTraceParams,
  parseOperationsParams,
  parseTraceId,
  parseTraceSearch,
  prettyPrintParam,
  type QueryParams,
  type TraceSearch,
} from './params.js';

const NOW_US = 1_700_000_000_000_000;

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

describe('parseTraceSearch', () => {
  const ok: Array<{ name: string; params: QueryParams; expected: TraceSearch }> = [
    {
      name: 'service only: Jaeger defaults (limit 100, two days back from now)',
      params: { service: 'frontend' },
      expected: {
        kind: 'query',
        query: { service: 'frontend', startUsMin: NOW_US - DEFAULT_LOOKBACK_US, startUsMax: NOW_US, limit: 100 },
      },
    },
    {
      name: 'every filter',
      params: {
        service: 'frontend', operation: 'GET /', start: '1000', end: '5000', limit: '20',
        minDuration: '1.2ms', maxDuration: '1s', lookback: '1h',
        tag: ['http.method:GET', 'url:http://x:8080/a'], tags: '{"http.status_code":"500","error":true,"retries":3}',
      },
      expected: {
        kind: 'query',
        query: {
          service: 'frontend', operation: 'GET /', startUsMin: 1000, startUsMax: 5000, limit: 20,
          minDurationUs: 1200, maxDurationUs: 1_000_000, statusCode: 'error',
          attributes: [
            { key: 'http.method', value: 'GET' },
            { key: 'url', value: 'http://x:8080/a' },
            { key: 'http.status_code', value: '500' },
            { key: 'retries', value: '3' },
          ],
        },
      },
    },
    {
      name: 'lookback sets start when start is absent; the UI\'s day form is understood',
      params: { service: 's', end: '10000000000', lookback: '2d' },
      expected: {
        kind: 'query',
        query: { service: 's', startUsMin: 10_000_000_000 - 172_800_000_000, startUsMax: 10_000_000_000, limit: 100 },
      },
    },
    {
      name: 'a later tag value replaces an earlier one; span.kind becomes the span kind',
      params: { service: 's', tag: ['a:1', 'span.kind:server'], tags: '{"a":"2"}', lookback: 'custom' },
      expected: {
        kind: 'query',
        query: {
          service: 's', startUsMin: NOW_US - DEFAULT_LOOKBACK_US, startUsMax: NOW_US, limit: 100, spanKind: 'server',
          attributes: [{ key: 'a', value: '2' }],
        },
      },
    },
    {
      name: 'empty values count as absent',
      params: { service: 's', operation: '', limit: '', start: '', end: '', minDuration: '', tags: '' },
      expected: {
        kind: 'query',
        query: { service: 's', startUsMin: NOW_US - DEFAULT_LOOKBACK_US, startUsMax: NOW_US, limit: 100 },
      },
    },
    {
      name: 'traceID search needs no service; ids are normalised and deduplicated',
      params: { traceID: ['463AC35C9F6413AD', '0000000000000000463ac35c9f6413ad', 'abc'] },
      expected: {
        kind: 'ids',
        traceIds: ['0000000000000000463ac35c9f6413ad', '00000000000000000000000000000abc'],
      },
    },
  ];
  it.each(ok)('$name', ({ params, expected }) => {
    expect(parseTraceSearch(params, NOW_US)).toEqual(expected);
  });

  const bad: Array<[string, QueryParams, string]> = [
    ['service missing', {}, "parameter 'service' is required"],
    ['service empty', { service: '' }, "parameter 'service' is required"],
    ['start not an integer', { service: 's', start: '12abc' }, `unable to parse param 'start': expected an integer, got "12abc"`],
    ['end not an integer', { service: 's', end: '1.5' }, `unable to parse param 'end': expected an integer, got "1.5"`],
    ['end before start', { service: 's', start: '10', end: '5' }, "'end' should not be before 'start'"],
    ['limit zero', { service: 's', limit: '0' }, `unable to parse param 'limit': expected an integer from 1 to 1500, got "0"`],
    ['limit negative', { service: 's', limit: '-5' }, `unable to parse param 'limit': expected an integer from 1 to 1500, got "-5"`],
    ['limit too large', { service: 's', limit: '1501' }, `unable to parse param 'limit': expected an integer from 1 to 1500, got "1501"`],
    ['limit not a number', { service: 's', limit: 'ten' }, `unable to parse param 'limit': expected an integer from 1 to 1500, got "ten"`],
    [
      'minDuration without unit', { service: 's', minDuration: '10' },
      `unable to parse param 'minDuration': expected a duration like "1.2ms" or "1h30m", got "10"`,
    ],
    [
      'maxDuration garbage', { service: 's', maxDuration: 'soon' },
      `unable to parse param 'maxDuration': expected a duration like "1.2ms" or "1h30m", got "soon"`,
    ],
    ['min above max', { service: 's', minDuration: '2s', maxDuration: '1s' }, "'maxDuration' should be greater than 'minDuration'"],
    ['lookback garbage', { service: 's', lookback: 'forever' }, `unable to parse param 'lookback': expected a duration like "1h", "2d" or "1w", got "forever"`],
    ['tag without colon', { service: 's', tag: 'error' }, `malformed 'tag' parameter, expecting key:value, received: "error"`],
    ['tags not JSON', { service: 's', tags: '{"a":' }, "malformed 'tags' parameter, cannot parse JSON: Unexpected end of JSON input"],
    ['tags an array', { service: 's', tags: '["a"]' }, `malformed 'tags' parameter, expected a JSON object, got "[\\"a\\"]"`],
    ['tags nested value', { service: 's', tags: '{"a":{"b":1}}' }, `malformed 'tags' parameter, "a": expected a string value, got "{\\"b\\":1}"`],
    ['traceID malformed', { traceID: 'xyz' }, `unable to parse param 'traceID': expected 1 to 32 hex characters, got "xyz"`],
    ['traceID all zeros', { traceID: '000' }, "unable to parse param 'traceID': trace id is all zeros"],
    [
      'too many traceIDs', { traceID: Array.from({ length: 1501 }, (_, i) => (i + 1).toString(16)) },
      "unable to parse param 'traceID': at most 1500 ids per request, got 1501",
    ],
    [
      'too many tags', { service: 's', tags: JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v']))) },
      'too many tags: at most 100, got 101',
    ],
  ];
  it.each(bad)('400: %s', (_name, params, message) => {
    expect(errorOf(() => parseTraceSearch(params, NOW_US))).toBe(message);
  });
});

describe('other parameters', () => {
  it('parseTraceId accepts 1-32 hex chars in any case', () => {
    expect(parseTraceId('463AC35C9F6413AD')).toBe('0000000000000000463ac35c9f6413ad');
    expect(errorOf(() => parseTraceId('a'.repeat(33)))).toBe(
      `unable to parse param 'traceID': expected 1 to 32 hex characters, got "${'a'.repeat(33)}"`,
    );
  });

  it('parseGetTraceParams reads raw and the time hints', () => {
    expect(parseGetTraceParams({})).toEqual({ raw: false });
    expect(parseGetTraceParams({ raw: 'true', start: '5', end: '9' })).toEqual({ raw: true, startUsMin: 5, startUsMax: 9 });
    expect(errorOf(() => parseGetTraceParams({ raw: 'yes' }))).toBe(`unable to parse param 'raw': expected true or false, got "yes"`);
    expect(errorOf(() => parseGetTraceParams({ start: 'x' }))).toBe(`unable to parse param 'start': expected an integer, got "x"`);
  });

  it('parseOperationsParams requires a service and a known span kind', () => {
    expect(parseOperationsParams({ service: 's' })).toEqual({ service: 's' });
    expect(parseOperationsParams({ service: 's', spanKind: '' })).toEqual({ service: 's' });
    expect(parseOperationsParams({ service: 's', spanKind: 'server' })).toEqual({ service: 's', spanKind: 'server' });
    expect(errorOf(() => parseOperationsParams({ spanKind: 'server' }))).toBe("parameter 'service' is required");
    expect(errorOf(() => parseOperationsParams({ service: 's', spanKind: 'SERVER' }))).toBe(
      `unable to parse param 'spanKind': expected one of internal, server, client, producer, consumer, got "SERVER"`,
    );
  });

  it('parseDependenciesParams reads ms and defaults to one day back from now', () => {
    expect(parseDependenciesParams({}, NOW_US)).toEqual({ endUs: NOW_US, lookbackUs: 86_400_000_000 });
    expect(parseDependenciesParams({ endTs: '1700000000000', lookback: '3600000' }, NOW_US)).toEqual({
      endUs: 1_700_000_000_000_000,
      lookbackUs: 3_600_000_000,
    });
    expect(errorOf(() => parseDependenciesParams({ endTs: 'now' }, NOW_US))).toBe(
      `unable to parse param 'endTs': expected an integer, got "now"`,
    );
    expect(errorOf(() => parseDependenciesParams({ lookback: '0' }, NOW_US))).toBe(
      "unable to parse param 'lookback': expected a positive number of milliseconds, got 0",
    );
  });

  it('prettyPrintParam is on for any value but "" and "false"', () => {
    expect([{}, { prettyPrint: '' }, { prettyPrint: 'false' }, { prettyPrint: 'true' }, { prettyPrint: '1' }].map(prettyPrintParam)).toEqual([
      false, false, false, true, true,
    ]);
  });
});
