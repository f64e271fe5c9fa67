import { describe, expect, it } from 'vitest';
import { isAppError } from '../../errors.js';
import type { FindQuery, GetTraceQuery, QueryParams } from './params.js';
import { parseFindQuery, parseGetTraceQuery, parseGoDuration, parseOperationsQuery, parseRfc3339Nanos } from './params.js';

// 2023-11-14T22:13:20Z
const T0_US = 1_700_000_000_000_000;
const MIN = '2023-11-14T22:13:20Z';
const MAX = '2023-11-14T23:13:20Z';
const BOUNDS = { 'query.startTimeMin': MIN, 'query.startTimeMax': MAX };
const WINDOW = { startUsMin: T0_US, startUsMax: T0_US + 3_600_000_000 };

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isAppError(err, 'INVALID_ARGUMENT')) return err.message;
    throw err;
  }
  throw new Error('expected an INVALID_ARGUMENT error');
}

describe('parseRfc3339Nanos', () => {
  const cases: Array<[string, bigint | undefined]> = [
    ['2023-11-14T22:13:20Z', 1_700_000_000_000_000_000n],
    ['2023-11-14T22:13:20.5Z', 1_700_000_000_500_000_000n],
    ['2023-11-14T22:13:20.123456789Z', 1_700_000_000_123_456_789n],
    ['2023-11-14T23:13:20+01:00', 1_700_000_000_000_000_000n],
    ['2023-11-14T21:43:20-00:30', 1_700_000_000_000_000_000n],
    ['1970-01-01T00:00:00Z', 0n],
    ['0001-01-01T00:00:00Z', -62_135_596_800_000_000_000n],
    ['2024-02-29T00:00:00Z', 1_709_164_800_000_000_000n],
    ['2023-02-29T00:00:00Z', undefined],
    ['2023-13-01T00:00:00Z', undefined],
    ['2023-11-14T24:00:00Z', undefined],
    ['2023-11-14T22:13:60Z', undefined],
    ['2023-11-14 22:13:20Z', undefined],
    ['2023-11-14T22:13:20', undefined],
    ['2023-11-14T22:13:20.Z', undefined],
    ['2023-11-14T22:13:20.1234567891Z', undefined],
    ['1700000000000000', undefined],
    ['', undefined],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(parseRfc3339Nanos(text)).toBe(expected);
  });
});

describe('parseGoDuration', () => {
  const cases: Array<[string, bigint | string]> = [
    ['10ms', 10_000_000n],
    ['1.5s', 1_500_000_000n],
    ['1h30m', 5_400_000_000_000n],
    ['2h45m30.5s', 9_930_500_000_000n],
    ['500us', 500_000n],
    ['500µs', 500_000n],
    ['7ns', 7n],
    ['.5s', 500_000_000n],
    ['-1ms', -1_000_000n],
    ['+3s', 3_000_000_000n],
    ['0', 0n],
    ['-0', 0n],
    ['10', 'time: missing unit in duration "10"'],
    ['10x', 'time: unknown unit "x" in duration "10x"'],
    ['abc', 'time: invalid duration "abc"'],
    ['', 'time: invalid duration ""'],
    ['-', 'time: invalid duration "-"'],
    ['.s', 'time: invalid duration ".s"'],
    ['1ms junk', 'time: unknown unit "ms junk" in duration "1ms junk"'],
    ['9999999999h', 'time: invalid duration "9999999999h"'],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(parseGoDuration(text)).toBe(expected);
  });
});

describe('parseFindQuery', () => {
  const cases: Array<[string, QueryParams, FindQuery]> = [
    ['only the required bounds: default search depth', BOUNDS, { query: { ...WINDOW, limit: 100 }, rawTraces: false }],
    [
      'every parameter, canonical names',
      {
        ...BOUNDS, 'query.serviceName': 'frontend', 'query.operationName': 'GET /', 'query.searchDepth': '20',
        'query.durationMin': '1.5ms', 'query.durationMax': '2s', 'query.attributes': '{"http.method":"GET","region":"eu"}',
        'query.rawTraces': 'true',
      },
      {
        query: {
          ...WINDOW, limit: 20, service: 'frontend', operation: 'GET /', minDurationUs: 1500, maxDurationUs: 2_000_000,
          attributes: [{ key: 'http.method', value: 'GET' }, { key: 'region', value: 'eu' }],
        },
        rawTraces: true,
      },
    ],
    [
      'snake_case aliases',
      {
        'query.start_time_min': MIN, 'query.start_time_max': MAX, 'query.service_name': 'frontend', 'query.operation_name': 'op',
        'query.search_depth': '7', 'query.duration_min': '1ms', 'query.duration_max': '3ms', 'query.raw_traces': '1',
      },
      { query: { ...WINDOW, limit: 7, service: 'frontend', operation: 'op', minDurationUs: 1000, maxDurationUs: 3000 }, rawTraces: true },
    ],
    ['query.num_traces is the older alias of the search depth', { ...BOUNDS, 'query.num_traces': '3' }, { query: { ...WINDOW, limit: 3 }, rawTraces: false }],
    ['the canonical name wins over its alias', { ...BOUNDS, 'query.searchDepth': '5', 'query.search_depth': 'x' }, { query: { ...WINDOW, limit: 5 }, rawTraces: false }],
    ['an empty value counts as absent', { ...BOUNDS, 'query.serviceName': '', 'query.service_name': 'b' }, { query: { ...WINDOW, limit: 100, service: 'b' }, rawTraces: false }],
    ['a repeated parameter uses its first value', { ...BOUNDS, 'query.serviceName': ['a', 'b'] }, { query: { ...WINDOW, limit: 100, service: 'a' }, rawTraces: false }],
    ['search depth 0 is the default', { ...BOUNDS, 'query.searchDepth': '0' }, { query: { ...WINDOW, limit: 100 }, rawTraces: false }],
    [
      'nanosecond bounds become µs bounds holding exactly the spans inside',
      { 'query.startTimeMin': '2023-11-14T22:13:20.000000001Z', 'query.startTimeMax': '2023-11-14T22:13:20.000002999Z' },
      { query: { startUsMin: T0_US + 1, startUsMax: T0_US + 2, limit: 100 }, rawTraces: false },
    ],
    [
      'error=true asks for failed spans, span.kind sets the kind, other keys stay attributes',
      { ...BOUNDS, 'query.attributes': '{"error":"true","span.kind":"client","span.kind.x":"1"}' },
      { query: { ...WINDOW, limit: 100, statusCode: 'error', spanKind: 'client', attributes: [{ key: 'span.kind.x', value: '1' }] }, rawTraces: false },
    ],
    ['JSON null attributes mean none', { ...BOUNDS, 'query.attributes': 'null' }, { query: { ...WINDOW, limit: 100 }, rawTraces: false }],
    ['zero durations mean unset', { ...BOUNDS, 'query.durationMin': '0', 'query.durationMax': '0s' }, { query: { ...WINDOW, limit: 100 }, rawTraces: false }],
    ['sub-µs durations round inwards', { ...BOUNDS, 'query.durationMin': '1500ns', 'query.durationMax': '2500ns' }, { query: { ...WINDOW, limit: 100, minDurationUs: 2, maxDurationUs: 2 }, rawTraces: false }],
  ];
  it.each(cases)('%s', (_name, params, expected) => {
    expect(parseFindQuery(params)).toEqual(expected);
  });

  const errors: Array<[string, QueryParams, string]> = [
    ['no bounds', {}, 'query.startTimeMin and query.startTimeMax are required'],
    ['no max', { 'query.startTimeMin': MIN }, 'query.startTimeMin and query.startTimeMax are required'],
    ['empty min', { 'query.startTimeMin': '', 'query.startTimeMax': MAX }, 'query.startTimeMin and query.startTimeMax are required'],
    [
      'malformed min',
      { 'query.startTimeMin': 'yesterday', 'query.startTimeMax': MAX },
      'malformed parameter query.startTimeMin: parsing time "yesterday" as "2006-01-02T15:04:05.999999999Z07:00": not an RFC 3339 time',
    ],
    [
      'malformed max under its alias',
      { 'query.startTimeMin': MIN, 'query.start_time_max': '1700000000' },
      'malformed parameter query.start_time_max: parsing time "1700000000" as "2006-01-02T15:04:05.999999999Z07:00": not an RFC 3339 time',
    ],
    ['min equal to max', { 'query.startTimeMin': MIN, 'query.startTimeMax': MIN }, 'query.startTimeMin must be before query.startTimeMax'],
    ['min after max', { 'query.startTimeMin': MAX, 'query.startTimeMax': MIN }, 'query.startTimeMin must be before query.startTimeMax'],
    ['search depth not a number', { ...BOUNDS, 'query.searchDepth': 'ten' }, 'malformed parameter query.searchDepth: strconv.Atoi: parsing "ten": invalid syntax'],
    ['num_traces not a number', { ...BOUNDS, 'query.num_traces': '1.5' }, 'malformed parameter query.num_traces: strconv.Atoi: parsing "1.5": invalid syntax'],
    [
      'search depth beyond int64',
      { ...BOUNDS, 'query.searchDepth': '99999999999999999999' },
      'malformed parameter query.searchDepth: strconv.Atoi: parsing "99999999999999999999": value out of range',
    ],
    ['negative search depth', { ...BOUNDS, 'query.searchDepth': '-1' }, 'malformed parameter query.searchDepth: expected a search depth from 1 to 10000, got -1'],
    ['search depth too large', { ...BOUNDS, 'query.searchDepth': '10001' }, 'malformed parameter query.searchDepth: expected a search depth from 1 to 10000, got 10001'],
    ['bad minimum duration', { ...BOUNDS, 'query.durationMin': '10' }, 'malformed parameter query.durationMin: time: missing unit in duration "10"'],
    ['bad maximum duration alias', { ...BOUNDS, 'query.duration_max': 'soon' }, 'malformed parameter query.duration_max: time: invalid duration "soon"'],
    ['attributes not JSON', { ...BOUNDS, 'query.attributes': '{"a":' }, `malformed parameter query.attributes: ${jsonError('{"a":')}`],
    [
      'attributes not an object',
      { ...BOUNDS, 'query.attributes': '["a"]' },
      'malformed parameter query.attributes: json: cannot unmarshal array into Go value of type map[string]string',
    ],
    [
      'an attribute value that is not a string',
      { ...BOUNDS, 'query.attributes': '{"http.status_code":500}' },
      'malformed parameter query.attributes: json: cannot unmarshal number into Go value of type string',
    ],
    ['attributes are checked before the bounds', { 'query.attributes': '7' }, 'malformed parameter query.attributes: json: cannot unmarshal number into Go value of type map[string]string'],
    ['bad rawTraces', { ...BOUNDS, 'query.rawTraces': 'yes' }, 'malformed parameter query.rawTraces: strconv.ParseBool: parsing "yes": invalid syntax'],
  ];
  it.each(errors)('rejects %s', (_name, params, expected) => {
    expect(message(() => parseFindQuery(params))).toBe(expected);
  });
});

describe('parseGetTraceQuery', () => {
  const cases: Array<[string, string, QueryParams, GetTraceQuery]> = [
    ['a 64-bit id is padded', '463AC35C9F6413AD', {}, { traceId: '0000000000000000463ac35c9f6413ad', rawTraces: false }],
    ['a 128-bit id is kept', '4bf92f3577b34da6a3ce929d0e0e4736', {}, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', rawTraces: false }],
    ['an all-zero id parses (and is never found)', '0', {}, { traceId: '00000000000000000000000000000000', rawTraces: false }],
    [
      'time hints widen to whole µs, rawTraces',
      'abc',
      { startTime: '2023-11-14T22:13:20.0000005Z', endTime: '2023-11-14T22:13:20.0000015Z', rawTraces: 'true' },
      { traceId: '00000000000000000000000000000abc', startUsMin: T0_US, startUsMax: T0_US + 2, rawTraces: true },
    ],
    [
      'snake_case aliases',
      'abc',
      { start_time: MIN, end_time: MAX, raw_traces: 'f' },
      { traceId: '00000000000000000000000000000abc', ...WINDOW, rawTraces: false },
    ],
  ];
  it.each(cases)('%s', (_name, id, params, expected) => {
    expect(parseGetTraceQuery(id, params)).toEqual(expected);
  });

  const errors: Array<[string, string, QueryParams, string]> = [
    ['too long', 'a'.repeat(33), {}, `malformed parameter trace_id: TraceID cannot be longer than 32 hex characters: ${'a'.repeat(33)}`],
    ['not hex', 'xyz', {}, 'malformed parameter trace_id: strconv.ParseUint: parsing "xyz": invalid syntax'],
    ['bad low half of a long id', `1${'g'.repeat(16)}`, {}, `malformed parameter trace_id: strconv.ParseUint: parsing "${'g'.repeat(16)}": invalid syntax`],
    ['bad startTime', 'abc', { startTime: 'now' }, 'malformed parameter startTime: parsing time "now" as "2006-01-02T15:04:05.999999999Z07:00": not an RFC 3339 time'],
    ['bad end_time', 'abc', { end_time: '1' }, 'malformed parameter end_time: parsing time "1" as "2006-01-02T15:04:05.999999999Z07:00": not an RFC 3339 time'],
    ['bad rawTraces', 'abc', { rawTraces: 'maybe' }, 'malformed parameter rawTraces: strconv.ParseBool: parsing "maybe": invalid syntax'],
  ];
  it.each(errors)('rejects %s', (_name, id, params, expected) => {
    expect(message(() => parseGetTraceQuery(id, params))).toBe(expected);
  });
});

describe('parseOperationsQuery', () => {
  const cases: Array<[string, QueryParams, { service?: string; spanKind?: string }]> = [
    ['service only', { service: 'frontend' }, { service: 'frontend' }],
    ['service and kind', { service: 'frontend', spanKind: 'server' }, { service: 'frontend', spanKind: 'server' }],
    ['kind under its alias', { service: 'frontend', span_kind: 'client' }, { service: 'frontend', spanKind: 'client' }],
    ['nothing', {}, {}],
    ['an unknown kind is kept (and matches nothing)', { service: 's', spanKind: 'weird' }, { service: 's', spanKind: 'weird' }],
  ];
  it.each(cases)('%s', (_name, params, expected) => {
    expect(parseOperationsQuery(params)).toEqual(expected);
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}
