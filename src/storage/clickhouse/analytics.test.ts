import { describe, expect, it } from 'vitest';
import type { SpanPredicate } from '../api.js';
import { predicateSql, serverPattern } from './analytics.js';

describe('serverPattern', () => {
  it.each([
    ['no flags: unchanged', 'get /cart', 'get /cart'],
    ['flags without i: unchanged', '(?s)a.b', '(?s)a.b'],
    ['a leading (?i) keeps its flag and gains a never-matching alternative', '(?i)get /CART', '(?i)(?:get /CART)|\\b\\B'],
    ['several flags', '(?im)^x', '(?im)(?:^x)|\\b\\B'],
  ])('%s', (_name, pattern, want) => {
    expect(serverPattern(pattern)).toBe(want);
  });
});

describe('predicateSql', () => {
  it.each<[string, SpanPredicate, string]>([
    ['an attribute key is a quoted literal', { op: 'exists', ref: { attribute: "k'); DROP TABLE spans; --" } },
      "(has(attr_keys, 'k\\'); DROP TABLE spans; --') OR has(res_keys, 'k\\'); DROP TABLE spans; --'))"],
    ['a string value is a quoted literal', { op: '=', ref: { field: 'service' }, value: "a'b\\" }, "(1 AND service = 'a\\'b\\\\')"],
    ['a number compares the numeric form', { op: '>', ref: { field: 'duration' }, value: 5 }, "(1 AND toFloat64(duration_us) > toFloat64('5'))"],
    ['empty or is false', { op: 'or', args: [] }, '0'],
  ])('%s', (_name, predicate, want) => {
    expect(predicateSql(predicate)).toBe(want);
  });

  it('rejects a pattern RE2 lacks before it reaches the server', () => {
    expect(() => predicateSql({ op: 'regex', ref: { field: 'service' }, pattern: '(?<=a)b' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
