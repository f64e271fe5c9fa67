import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH, parseDurationUs, parseTags, searchFromParams, searchToParams, toSummaryQuery } from './search.js';

describe('parseTags', () => {
  const cases: Array<{ name: string; text: string; tags: Array<[string, string]> }> = [
    { name: 'empty', text: '  ', tags: [] },
    { name: 'pairs', text: 'http.status_code=500 error=true', tags: [['http.status_code', '500'], ['error', 'true']] },
    { name: 'quoted value with spaces and escapes', text: 'db.statement="select \\"x\\" from t"', tags: [['db.statement', 'select "x" from t']] },
    { name: 'quoted key', text: '"my key"=v', tags: [['my key', 'v']] },
    { name: 'bare key means present', text: 'error', tags: [['error', '']] },
  ];
  it.each(cases)('$name', ({ text, tags }) => expect(parseTags(text)).toEqual(tags));
  it('rejects a dangling quote', () => {
    expect(() => parseTags('a="open')).toThrow('tags: cannot read');
  });
});

describe('parseDurationUs', () => {
  it.each([
    ['250ms', 250_000], ['1.5s', 1_500_000], ['300us', 300], ['300µs', 300], ['2m', 120_000_000], ['1h', 3_600_000_000],
  ] as const)('%s = %i µs', (text, us) => expect(parseDurationUs('min', text)).toBe(us));
  it('names the field on error', () => {
    expect(() => parseDurationUs('min duration', '12')).toThrow('min duration: expected a number with a unit (e.g. 250ms, 1.5s), got "12"');
  });
});

describe('URL state', () => {
  it('round-trips and leaves defaults and empty fields out', () => {
    const state = { ...DEFAULT_SEARCH, service: 'web', tags: 'error=true', minDuration: '10ms' };
    const params = searchToParams(state);
    expect(params.toString()).toBe('service=web&tags=error%3Dtrue&minDuration=10ms&lookback=1h&limit=20');
    expect(searchFromParams(params)).toEqual(state);
  });
  it('reads Jaeger UI\'s JSON tags', () => {
    const state = searchFromParams(new URLSearchParams('service=a&tags=%7B%22error%22%3A%22true%22%2C%22x%20y%22%3A%22a%20b%22%7D'));
    expect(state.tags).toBe('error=true "x y"="a b"');
  });
  it('drops start/end unless the lookback is custom', () => {
    expect(searchToParams({ ...DEFAULT_SEARCH, start: '1', end: '2' }).has('start')).toBe(false);
    expect(searchToParams({ ...DEFAULT_SEARCH, lookback: 'custom', start: '1', end: '2' }).get('start')).toBe('1');
  });
});

describe('toSummaryQuery', () => {
  const NOW = Date.UTC(2025, 0, 2, 3, 4, 5) * 1000 + 123_456;
  it('builds the v3 parameters', () => {
    const q = toSummaryQuery({
      ...DEFAULT_SEARCH, service: 'web', operation: 'GET /', tags: 'http.status_code=500 error=true', minDuration: '1.5ms', maxDuration: '2s', limit: '50',
    }, NOW);
    expect(Object.fromEntries(q)).toEqual({
      'query.startTimeMin': '2025-01-02T02:04:05.123456Z',
      'query.startTimeMax': '2025-01-02T03:04:05.123456Z',
      'query.serviceName': 'web',
      'query.operationName': 'GET /',
      'query.durationMin': '1500us',
      'query.durationMax': '2000000us',
      'query.attributes': '{"http.status_code":"500","error":"true"}',
      'query.searchDepth': '50',
    });
  });
  it('uses the custom range', () => {
    const q = toSummaryQuery({ ...DEFAULT_SEARCH, lookback: 'custom', start: '1000000', end: '2000001' }, NOW);
    expect(q.get('query.startTimeMin')).toBe('1970-01-01T00:00:01.000000Z');
    expect(q.get('query.startTimeMax')).toBe('1970-01-01T00:00:02.000001Z');
  });
  const bad: Array<{ name: string; patch: Partial<typeof DEFAULT_SEARCH>; error: string }> = [
    { name: 'limit', patch: { limit: '0' }, error: 'limit: expected a whole number from 1 to 1500, got "0"' },
    { name: 'custom range backwards', patch: { lookback: 'custom', start: '5', end: '1' }, error: 'custom range: choose a start before the end' },
    { name: 'lookback', patch: { lookback: '3w' }, error: 'lookback: unknown value "3w"' },
  ];
  it.each(bad)('rejects a bad $name', ({ patch, error }) => {
    expect(() => toSummaryQuery({ ...DEFAULT_SEARCH, ...patch }, NOW)).toThrow(error);
  });
});
