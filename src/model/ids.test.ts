import { describe, expect, it } from 'vitest';
import { formatTraceId, normalizeSpanId, normalizeTraceId } from './ids.js';
import { parseDuration } from './duration.js';

describe('normalizeTraceId', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['64-bit id is left-padded', '463AC35C9F6413AD', '0000000000000000463ac35c9f6413ad'],
    ['128-bit id kept', '463ac35c9f6413ad48485a3953bb6124', '463ac35c9f6413ad48485a3953bb6124'],
    ['short id padded', 'abc', '00000000000000000000000000000abc'],
    ['non-hex rejected', 'xyz', undefined],
    ['too long rejected', 'a'.repeat(33), undefined],
    ['all zeros rejected', '0000', undefined],
    ['empty rejected', '', undefined],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(normalizeTraceId(input)).toBe(expected);
  });
});

describe('normalizeSpanId / formatTraceId', () => {
  it('pads span ids and rejects zero and overlong ids', () => {
    expect(normalizeSpanId('1')).toBe('0000000000000001');
    expect(normalizeSpanId('0')).toBeUndefined();
    expect(normalizeSpanId('1'.repeat(17))).toBeUndefined();
  });
  it('prints 64-bit trace ids as 16 hex chars and 128-bit ones whole', () => {
    expect(formatTraceId('0000000000000000463ac35c9f6413ad')).toBe('463ac35c9f6413ad');
    expect(formatTraceId('463ac35c9f6413ad48485a3953bb6124')).toBe('463ac35c9f6413ad48485a3953bb6124');
  });
});

describe('parseDuration', () => {
  const cases: Array<[string, number | undefined]> = [
    ['1.2ms', 1200],
    ['1h30m', 5_400_000_000],
    ['500us', 500],
    ['2s', 2_000_000],
    ['1500ns', 2],
    ['', undefined],
    ['-1ms', undefined],
    ['10', undefined],
    ['1ms junk', undefined],
  ];
  it.each(cases)('%s', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });
});
