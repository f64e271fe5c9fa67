import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouseProcess } from '../../../test/clickhouse/server.js';
import { describeOnEachEngine } from '../../../test/clickhouse/engines.js';
import { dayOf, quoteIdentifier, quoteString, quoteUInt } from './sql.js';

const STRINGS: Array<[string, string, string]> = [
  ['empty', '', "''"],
  ['plain', 'frontend', "'frontend'"],
  ['single quote', "it's", "'it\\'s'"],
  ['double quote', 'say "hi"', `'say "hi"'`],
  ['backslash', 'C:\\path', "'C:\\\\path'"],
  ['backslash before a quote', "\\'", "'\\\\\\''"],
  ['trailing backslash', 'end\\', "'end\\\\'"],
  ['NUL', 'a\u0000b', "'a\\0b'"],
  ['newline, tab, carriage return', 'a\nb\tc\rd', "'a\\nb\\tc\\rd'"],
  ['backspace and form feed', '\b\f', "'\\b\\f'"],
  ['other control characters', '\u0001\u001f\u007f', "'\\x01\\x1f\\x7f'"],
  ['unicode', 'héllo ✓ 😀 中文', "'héllo ✓ 😀 中文'"],
  ['injection: close the literal', "x' OR 1=1 --", "'x\\' OR 1=1 --'"],
  ['injection: escaped quote then close', "x\\' OR 1=1 --", "'x\\\\\\' OR 1=1 --'"],
  ['injection: statement separator', "'; DROP TABLE spans; --", "'\\'; DROP TABLE spans; --'"],
  ['a hex escape written as text', '\\x27', "'\\\\x27'"],
  ['backquote', '`spans`', "'`spans`'"],
];

describe('quoteString', () => {
  it.each(STRINGS)('%s', (_name, value, literal) => {
    expect(quoteString(value)).toBe(literal);
  });
});

describe('quoteUInt', () => {
  const ok: Array<[string, number | bigint, string]> = [
    ['zero', 0, '0'],
    ['a safe integer', 9_007_199_254_740_991, '9007199254740991'],
    ['the largest UInt64 as a bigint', (1n << 64n) - 1n, '18446744073709551615'],
  ];
  it.each(ok)('%s', (_name, value, literal) => {
    expect(quoteUInt(value)).toBe(literal);
  });
  const bad: Array<[string, number | bigint, string]> = [
    ['negative', -1, 'limit: expected a non-negative integer, got -1'],
    ['fraction', 1.5, 'limit: expected a non-negative integer, got 1.5'],
    ['NaN', Number.NaN, 'limit: expected a non-negative integer, got NaN'],
    ['unsafe integer', 2 ** 60, 'limit: expected a non-negative integer, got 1152921504606847000'],
    ['bigint out of range', 1n << 64n, 'limit: expected an unsigned 64-bit integer, got 18446744073709551616'],
  ];
  it.each(bad)('rejects %s', (_name, value, message) => {
    expect(() => quoteUInt(value, 'limit')).toThrow(message);
  });
});

describe('quoteIdentifier', () => {
  const cases: Array<[string, string, string | Error]> = [
    ['plain', 'ariadne', '`ariadne`'],
    ['underscore and digits', '_traces_2', '`_traces_2`'],
    ['a backquote', 'a`b', new Error('ClickHouse identifier: expected letters, digits and _ (not starting with a digit), got "a`b"')],
    ['a dot', 'db.spans', new Error('ClickHouse identifier: expected letters, digits and _ (not starting with a digit), got "db.spans"')],
    ['a leading digit', '1db', new Error('ClickHouse identifier: expected letters, digits and _ (not starting with a digit), got "1db"')],
    ['empty', '', new Error('ClickHouse identifier: expected letters, digits and _ (not starting with a digit), got ""')],
  ];
  it.each(cases)('%s', (_name, value, expected) => {
    if (expected instanceof Error) expect(() => quoteIdentifier(value)).toThrow(expected.message);
    else expect(quoteIdentifier(value)).toBe(expected);
  });
});

describe('dayOf', () => {
  const cases: Array<[string, number, string]> = [
    ['the fixture time', 1_700_000_000_000_000, '2023-11-14'],
    ['the last µs of a day', Date.UTC(2024, 1, 29, 23, 59, 59, 999) * 1000 + 999, '2024-02-29'],
    ['before the epoch clamps', -5, '1970-01-01'],
    ['past the Date range clamps', 1e19, '2105-12-31'],
  ];
  it.each(cases)('%s', (_name, us, day) => {
    expect(dayOf(us)).toBe(day);
  });
});

describeOnEachEngine('quoteString', (engine) => {
  let server: ClickHouseProcess;
  beforeAll(async () => {
    server = await engine.start();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('every value reads back byte for byte and no injection changes the statement', async () => {
    const values = [...STRINGS.map(([, v]) => v), 'lone surrogate \ud800 becomes U+FFFD'.replace('\ud800', '\ufffd'), '\u0000'.repeat(3)];
    // One SELECT of all literals: a literal that escaped its quotes would break the column count or the syntax.
    const query = `SELECT ${values.map((v, i) => `${quoteString(v)} AS c${i}`).join(', ')} FORMAT JSONCompact`;
    const res = await fetch(`${server.url}/`, { method: 'POST', body: query });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { data: string[][] };
    expect(json.data).toEqual([values]);
  });
});
