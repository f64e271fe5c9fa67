import { describe, expect, it } from 'vitest';
import type { SpanPredicate } from '../api.js';
import { parseHistogram, predicateSql } from './analytics.js';

describe('parseHistogram', () => {
  it.each<[string, unknown, Array<[number, number]>]>([
    ['null', null, []],
    ['empty', '', []],
    ['one pair', '512:3', [[512, 3]]],
    ['unordered pairs come back sorted', '7:1,0:2,530:10', [[0, 2], [7, 1], [530, 10]]],
  ])('%s', (_name, text, want) => {
    expect(parseHistogram(text)).toEqual(want);
  });
});

describe('predicateSql', () => {
  const key = `x'); DROP TABLE spans; --`;
  it.each<[string, SpanPredicate, string, unknown[]]>([
    ['an attribute key is bound as a JSON pointer, never spliced', { op: 'exists', ref: { attribute: key } },
      'coalesce(json_exists(extra, ?) OR json_exists(extra, ?), false)', [`/a/${key}`, `/r/${key}`]],
    ['a promoted key reads its column, the resource by pointer', { op: '=', ref: { attribute: 'http.method' }, value: 'GET' },
      'coalesce(http_method, json_extract_string(extra, ?)) = ?', ['/r/http.method', 'GET']],
    ['pointer escapes ~ and /', { op: 'exists', ref: { attribute: 'a/b~c' } },
      'coalesce(json_exists(extra, ?) OR json_exists(extra, ?), false)', ['/a/a~1b~0c', '/r/a~1b~0c']],
    ['a number on duration compares the column', { op: '>', ref: { field: 'duration' }, value: 50 }, 'duration_us > ?', [50]],
    ['NOT makes leaves that may be missing strict', { op: 'not', arg: { op: '=', ref: { field: 'remote_service' }, value: 'db' } },
      '(NOT coalesce(remote_service = ?, false))', ['db']],
    ['a boolean literal binds its string form', { op: '=', ref: { field: 'service' }, value: true }, 'service = ?', ['true']],
    ['an empty in is false', { op: 'in', ref: { field: 'service' }, values: [] }, 'FALSE', []],
    ['kind compares its stored code', { op: '=', ref: { field: 'kind' }, value: 'server' }, 'kind = ?', [2]],
    ['in on status compares codes, unknown names dropped', { op: 'in', ref: { field: 'status' }, values: ['error', 'nope', 'ok'] }, 'status IN (?, ?)', [2, 1]],
    ['!= an unknown kind is always true', { op: '!=', ref: { field: 'kind' }, value: 'nope' }, 'TRUE', []],
  ])('%s', (_name, predicate, sql, params) => {
    expect(predicateSql(predicate)).toEqual({ sql, params });
  });
});
