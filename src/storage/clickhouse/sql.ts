/**
 * SQL literals for ClickHouse. Servers before 19.x have no server-side query parameters, so every
 * value that reaches a statement goes through one of these functions and nothing else.
 */
import { AppError } from '../../errors.js';

// ClickHouse's quoted-string reader understands these backslash escapes; everything else is
// taken byte for byte, so only the quote, the backslash and control characters need escaping.
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * A single-quoted ClickHouse string literal that reads back as exactly `value` (as UTF-8): quotes
 * and backslashes are escaped, control characters become escapes, so no input can end the literal.
 */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\'\u0000-\u001f\u007f]/g, (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

/** A non-negative integer literal; throws INVALID_ARGUMENT for anything else (NaN, fractions, unsafe integers). */
export function quoteUInt(value: number | bigint, what = 'value'): string {
  if (typeof value === 'bigint') {
    if (value < 0n || value >= 1n << 64n) throw new AppError('INVALID_ARGUMENT', `${what}: expected an unsigned 64-bit integer, got ${value}`);
    return value.toString();
  }
  if (!Number.isSafeInteger(value) || value < 0) throw new AppError('INVALID_ARGUMENT', `${what}: expected a non-negative integer, got ${value}`);
  return String(value);
}

/** A back-quoted identifier (database, table); only [A-Za-z_][A-Za-z0-9_]* is accepted. */
export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) {
    throw new AppError('INVALID_ARGUMENT', `ClickHouse identifier: expected letters, digits and _ (not starting with a digit), got ${JSON.stringify(name.slice(0, 64))}`);
  }
  return `\`${name}\``;
}

/** A Date literal ('YYYY-MM-DD', UTC) for the day containing `us` µs since the epoch, clamped to ClickHouse's Date range. */
export function quoteDay(us: number): string {
  return `'${dayOf(us)}'`;
}

/** The UTC day ('YYYY-MM-DD') of `us` µs since the epoch, clamped to 1970-01-01 .. 2105-12-31 (ClickHouse's Date range). */
export function dayOf(us: number): string {
  const ms = Math.min(Math.max(Math.floor(us / 1000), 0), Date.UTC(2105, 11, 31));
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The values of one statement: with `useParameters` each value becomes a server-side parameter
 * (`{v0:String}`, its text sent apart as `param_v0`), otherwise a quoted literal (quoteString), for
 * servers without query parameters. Either way the statement text never holds the value raw.
 */
export class SqlValues {
  /** The parameters to send with the statement (empty for literals). */
  readonly params: Record<string, string> = {};
  private next = 0;

  constructor(private readonly useParameters: boolean) {}

  /** The SQL that stands for `value` as a String. */
  string(value: string): string {
    if (!this.useParameters) return quoteString(value);
    const name = `v${this.next++}`;
    this.params[name] = value;
    return `{${name}:String}`;
  }
}
