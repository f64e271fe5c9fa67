import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import type { SpanPredicate } from '../../storage/api.js';
import { StatementError } from './lexer.js';
import { parseStatement } from './parser.js';

const svc = (value: string): SpanPredicate => ({ op: '=', ref: { field: 'service' }, value });

describe('parseStatement: filters', () => {
  const cases: Array<{ name: string; q: string; where: SpanPredicate | undefined }> = [
    { name: 'empty statement lists every span', q: '', where: undefined },
    { name: 'field equals string', q: 'service = "reviews"', where: svc('reviews') },
    { name: 'single quotes', q: "service = 'reviews'", where: svc('reviews') },
    { name: 'JSON escapes', q: 'service = "a\\"b\\u00e9\\n"', where: svc('a"bé\n') },
    { name: 'operation alias name', q: 'name != "GET /"', where: { op: '!=', ref: { field: 'operation' }, value: 'GET /' } },
    { name: 'duration literal in µs', q: 'duration > 50ms', where: { op: '>', ref: { field: 'duration' }, value: 50_000 } },
    { name: 'duration units', q: 'duration >= 1.5s and duration < 2m and duration <= 750us and duration != 1h',
      where: { op: 'and', args: [
        { op: '>=', ref: { field: 'duration' }, value: 1_500_000 },
        { op: '<', ref: { field: 'duration' }, value: 120_000_000 },
        { op: '<=', ref: { field: 'duration' }, value: 750 },
        { op: '!=', ref: { field: 'duration' }, value: 3_600_000_000 },
      ] } },
    { name: 'duration as a quoted string', q: 'duration > "20ms"', where: { op: '>', ref: { field: 'duration' }, value: 20_000 } },
    { name: 'dotted attribute with number', q: 'http.status_code >= 500', where: { op: '>=', ref: { attribute: 'http.status_code' }, value: 500 } },
    { name: 'negative and exponent numbers', q: 'x > -1.5 or y < 2e3', where: { op: 'or', args: [
      { op: '>', ref: { attribute: 'x' }, value: -1.5 }, { op: '<', ref: { attribute: 'y' }, value: 2000 }] } },
    { name: 'booleans', q: 'error = true', where: { op: '=', ref: { attribute: 'error' }, value: true } },
    { name: 'k8s key with dashes', q: 'k8s.pod-name = "a"', where: { op: '=', ref: { attribute: 'k8s.pod-name' }, value: 'a' } },
    { name: 'backquoted key', q: '`my key/with:chars` exists', where: { op: 'exists', ref: { attribute: 'my key/with:chars' } } },
    { name: 'attr() key', q: 'attr("service") = "x"', where: { op: '=', ref: { attribute: 'service' }, value: 'x' } },
    { name: 'exists prefix', q: 'exists peer.service', where: { op: 'exists', ref: { attribute: 'peer.service' } } },
    { name: 'in list', q: 'service in ("a", \'b\')', where: { op: 'in', ref: { field: 'service' }, values: ['a', 'b'] } },
    { name: 'regex', q: 'http.url =~ "^/api/v[0-9]+"', where: { op: 'regex', ref: { attribute: 'http.url' }, pattern: '^/api/v[0-9]+' } },
    { name: 'and binds tighter than or', q: 'a = 1 or b = 2 and c = 3', where: { op: 'or', args: [
      { op: '=', ref: { attribute: 'a' }, value: 1 },
      { op: 'and', args: [{ op: '=', ref: { attribute: 'b' }, value: 2 }, { op: '=', ref: { attribute: 'c' }, value: 3 }] }] } },
    { name: 'parentheses and not', q: 'NOT (a = 1 OR b = 2)', where: { op: 'not', arg: { op: 'or', args: [
      { op: '=', ref: { attribute: 'a' }, value: 1 }, { op: '=', ref: { attribute: 'b' }, value: 2 }] } } },
    { name: '64 levels of nesting', q: `${'('.repeat(63)}not a = 1${')'.repeat(63)}`, where: { op: 'not', arg: { op: '=', ref: { attribute: 'a' }, value: 1 } } },
    { name: 'not not', q: 'not not a exists', where: { op: 'not', arg: { op: 'not', arg: { op: 'exists', ref: { attribute: 'a' } } } } },
    { name: 'keywords and fields case-insensitive', q: 'Service = "x" AnD KIND = "SERVER"', where: { op: 'and', args: [
      svc('x'), { op: '=', ref: { field: 'kind' }, value: 'server' }] } },
    { name: 'status', q: 'status = "error"', where: { op: '=', ref: { field: 'status' }, value: 'error' } },
    { name: 'trace id padded and lowercased', q: 'trace_id = "ABC"', where: { op: '=', ref: { field: 'trace_id' }, value: '00000000000000000000000000000abc' } },
    { name: 'span id padded', q: 'parent_id = "1f"', where: { op: '=', ref: { field: 'parent_id' }, value: '000000000000001f' } },
    { name: 'start as RFC 3339', q: 'start >= "2026-01-02T03:04:05.123456Z"', where: { op: '>=', ref: { field: 'start' }, value: Date.UTC(2026, 0, 2, 3, 4, 5, 123) * 1000 + 456 } },
    { name: 'remote_service', q: 'remote_service exists', where: { op: 'exists', ref: { field: 'remote_service' } } },
    { name: 'multi-line', q: 'service = "a"\n  and duration > 1s', where: { op: 'and', args: [svc('a'), { op: '>', ref: { field: 'duration' }, value: 1_000_000 }] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(parseStatement(c.q).where).toEqual(c.where);
    });
  }
});

describe('parseStatement: stages', () => {
  it('parses the example statement', () => {
    const q = 'service = "reviews" and duration > 50ms | stats count(), avg(duration), p95(duration) by operation, bucket(5m)';
    const s = parseStatement(q);
    expect(s.where).toEqual({ op: 'and', args: [svc('reviews'), { op: '>', ref: { field: 'duration' }, value: 50_000 }] });
    expect(s.stats?.aggregates.map((a) => [a.fn, a.name, a.quantile])).toEqual([
      ['count', 'count()', undefined], ['avg', 'avg(duration)', undefined], ['p95', 'p95(duration)', 0.95],
    ]);
    expect([q.indexOf('operation'), q.indexOf('bucket')]).toEqual([89, 100]);
    expect(s.stats?.groupBy).toEqual([
      { kind: 'ref', of: { ref: { field: 'operation' }, text: 'operation', offset: 89 }, name: 'operation', offset: 89 },
      { kind: 'bucket', bucketUs: 300_000_000, name: 'bucket(5m)', offset: 100 },
    ]);
  });

  const cases: Array<{ name: string; q: string; columns: string[]; sort?: Array<[string, boolean]>; limit?: number }> = [
    { name: 'aliases', q: '| stats count() as n, percentile(duration, 0.999) as p999 by service as svc', columns: ['svc', 'n', 'p999'] },
    { name: 'every aggregate', q: '| stats count(), errors(), error_rate(), sum(duration), min(duration), max(x.y), p50(duration), p90(duration), p99(duration)',
      columns: ['count()', 'errors()', 'error_rate()', 'sum(duration)', 'min(duration)', 'max(x.y)', 'p50(duration)', 'p90(duration)', 'p99(duration)'] },
    { name: 'sort by an aggregate as written, then a key', q: '| stats count() by service | sort count() desc, service | limit 5',
      columns: ['service', 'count()'], sort: [['count()', true], ['service', false]], limit: 5 },
    { name: 'sort by alias and bucket', q: '| STATS avg(duration) AS a BY bucket() | SORT a DESC, bucket()', columns: ['bucket()', 'a'], sort: [['a', true], ['bucket()', false]] },
    { name: 'group by odd keys', q: '| stats count() by `a b`, attr("c`d"), name', columns: ['`a b`', 'attr("c`d")', 'operation', 'count()'] },
    { name: 'span list sorted by duration', q: 'service = "a" | sort duration | limit 10', columns: [], sort: [['duration', true]], limit: 10 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = parseStatement(c.q);
      const columns = s.stats ? [...s.stats.groupBy.map((k) => k.name), ...s.stats.aggregates.map((a) => a.name)] : [];
      expect(columns).toEqual(c.columns);
      expect(s.sort?.terms.map((t) => [t.column, t.descending])).toEqual(c.sort);
      expect(s.limit?.value).toBe(c.limit);
    });
  }
});

describe('parseStatement: errors point at the mistake', () => {
  const cases: Array<{ name: string; q: string; message: string; line: number; column: number; filterOnly?: boolean }> = [
    { name: 'missing value', q: 'service = "reviews" and x = | stats count()', message: 'at 1:29: expected a value after "=", found "|"', line: 1, column: 29 },
    { name: 'value at end', q: 'duration >', message: 'at 1:11: expected a value after ">", found the end of the statement', line: 1, column: 11 },
    { name: 'bare word value', q: 'kind = server', message: 'at 1:8: expected a value after "=", found "server" (quote text: "server")', line: 1, column: 8 },
    { name: 'unknown kind', q: 'kind = "sever"', message: 'at 1:8: expected kind to be one of "unspecified", "internal", "server", "client", "producer", "consumer", found "\\"sever\\""', line: 1, column: 8 },
    { name: 'unknown status', q: 'status = "bad"', message: 'at 1:10: expected status to be one of "unset", "ok", "error", found "\\"bad\\""', line: 1, column: 10 },
    { name: 'missing operator', q: 'service "a"', message: 'at 1:9: expected an operator after service (=, !=, <, <=, >, >=, =~, in or exists), found "\\"a\\""', line: 1, column: 9 },
    { name: 'unclosed paren', q: '(a = 1 or b = 2', message: 'at 1:16: expected ")" to close the "(" at 1:1, found the end of the statement', line: 1, column: 16 },
    { name: 'unterminated string', q: 'a = "abc', message: 'at 1:5: unterminated string: expected a closing "', line: 1, column: 5 },
    { name: 'bad escape', q: 'a = "x\\q"', message: 'at 1:7: invalid escape "\\\\q": use \\" \\\' \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX', line: 1, column: 7 },
    { name: 'bad duration unit', q: 'duration > 5sec', message: 'at 1:12: invalid duration "5sec": expected a number with a unit (ns, us, ms, s, m, h), e.g. 50ms', line: 1, column: 12 },
    { name: 'duration string that is not one', q: 'duration > "fast"', message: 'at 1:12: expected a duration for duration (e.g. 50ms, 1.5s), found "\\"fast\\""', line: 1, column: 12 },
    { name: 'bang', q: 'a ! 1', message: 'at 1:3: unexpected character "!" (did you mean "!=" or "not"?)', line: 1, column: 3 },
    { name: 'second line', q: 'service = "a"\nand and', message: 'at 2:5: expected a field or attribute to start a condition, found "and"', line: 2, column: 5 },
    { name: 'trailing word', q: 'a = 1 b = 2', message: 'at 1:7: expected "and", "or", "|" or the end of the statement, found "b"', line: 1, column: 7 },
    { name: 'unknown stage', q: 'a = 1 | where b = 2', message: 'at 1:9: expected a stage after "|" (stats, sort or limit), found "where"', line: 1, column: 9 },
    { name: 'unknown aggregate', q: '| stats median(duration)', message: 'at 1:9: expected an aggregate (count(), errors(), error_rate(), sum, avg, min, max, p50, p90, p95, p99 or percentile), found "median"', line: 1, column: 9 },
    { name: 'quantile out of range', q: '| stats percentile(duration, 99)', message: 'at 1:30: expected a quantile between 0 and 1, found "99"', line: 1, column: 30 },
    { name: 'duplicate column', q: '| stats count(), count()', message: 'at 1:18: column "count()" appears twice: name one of them with "as"', line: 1, column: 18 },
    { name: 'sort by unknown column', q: '| stats count() by service | sort p95(duration)', message: 'at 1:35: cannot sort by "p95(duration)": expected a column of the stats stage: "service", "count()"', line: 1, column: 35 },
    { name: 'span list sort by service', q: 'a = 1 | sort service', message: 'at 1:14: cannot sort by "service": expected start or duration (a span list): "start", "duration"', line: 1, column: 14 },
    { name: 'span list asc', q: '| sort start asc', message: 'at 1:14: a span list sorts newest or longest first only: remove "asc", or group with "stats"', line: 1, column: 14 },
    { name: 'stats after sort', q: '| sort start | stats count()', message: 'at 1:16: "stats" must come before "sort" and "limit"', line: 1, column: 16 },
    { name: 'limit zero', q: '| limit 0', message: 'at 1:9: expected a whole number ≥ 1 after "limit", found "0"', line: 1, column: 9 },
    { name: 'bad regex', q: 'a =~ "(x"', message: 'at 1:6: invalid regular expression: invalid pattern (/(x/u: Unterminated group)', line: 1, column: 6 },
    { name: 'lookahead regex', q: 'a =~ "x(?=y)"', message: 'at 1:6: invalid regular expression: lookahead (?= / (?! is not supported (RE2 syntax)', line: 1, column: 6 },
    { name: 'bucket too small', q: '| stats count() by bucket(10us)', message: 'at 1:27: expected a bucket of at least 1ms, found "10us"', line: 1, column: 27 },
    { name: 'ordered boolean', q: 'a < true', message: 'at 1:5: expected a number or a string after "<", found "true"', line: 1, column: 5 },
    { name: 'stages refused in a trace filter', q: 'a = 1 | stats count()', message: 'at 1:7: a trace search takes a filter only: stages ("|") belong on the Query page', line: 1, column: 7, filterOnly: true },
    { name: 'bad trace id', q: 'trace_id = "xyz"', message: 'at 1:12: expected a quoted hex id for trace_id, found "\\"xyz\\""', line: 1, column: 12 },
    { name: 'stage without a pipe', q: 'stats count() by service', message: 'at 1:7: expected an operator after stats (=, !=, <, <=, >, >=, =~, in or exists), found "count"; stages start with "|", e.g. "| stats …"', line: 1, column: 7 },
    { name: 'nesting too deep', q: `${'('.repeat(70)}a = 1${')'.repeat(70)}`, message: 'at 1:65: conditions nest more than 64 levels deep', line: 1, column: 65 },
    { name: 'not nesting too deep', q: `${'not '.repeat(65)}a = 1`, message: 'at 1:257: conditions nest more than 64 levels deep', line: 1, column: 257 },
    { name: 'time for start', q: 'start > 5m', message: 'at 1:9: expected a time for start (RFC 3339 such as "2026-01-02T15:04:05Z", or µs since the epoch), found "5m"', line: 1, column: 9 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let caught: unknown;
      try {
        parseStatement(c.q, { filterOnly: c.filterOnly ?? false });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(StatementError);
      expect(caught).toBeInstanceOf(AppError);
      const err = caught as StatementError;
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toBe(c.message);
      expect([err.position.line, err.position.column]).toEqual([c.line, c.column]);
      const lines = c.q.split('\n');
      const offset = lines.slice(0, c.line - 1).reduce((n, l) => n + l.length + 1, 0) + c.column - 1;
      expect(err.position.offset).toBe(offset);
    });
  }
});
