/**
 * Tokens of the statement language (docs/query-language.md) and the error type that points at a
 * place in the statement. Positions count UTF-16 code units, as the browser's textarea does, so the
 * UI can put its caret exactly where the server says.
 */
import { AppError } from '../../errors.js';
import { parseDuration } from '../../model/index.js';

/** A place in a statement: 1-based line and column, 0-based offset. */
export interface SourcePosition {
  line: number;
  column: number;
  offset: number;
}

/** The position of an offset in a statement. */
export function positionAt(source: string, offset: number): SourcePosition {
  const at = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1, offset: at };
}

/** A mistake in a statement: INVALID_ARGUMENT whose message starts with "at line:column:" and which carries the position. */
export class StatementError extends AppError {
  readonly position: SourcePosition;

  constructor(source: string, offset: number, message: string) {
    const position = positionAt(source, offset);
    super('INVALID_ARGUMENT', `at ${position.line}:${position.column}: ${message}`);
    this.name = 'StatementError';
    this.position = position;
  }
}

/** What a token is. `name` is a bare (dotted) word, `quoted-name` a backquoted key. */
export type TokenKind = 'name' | 'quoted-name' | 'string' | 'number' | 'duration' | 'symbol' | 'end';

/** One token: its source text and span, and its value (decoded string, number, or µs for a duration). */
export interface Token {
  kind: TokenKind;
  text: string;
  value: string | number;
  offset: number;
  end: number;
}

const SYMBOLS = ['<=', '>=', '!=', '=~', '=', '<', '>', '(', ')', ',', '|'];
const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_-]/;
const DIGIT = /[0-9]/;
const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** How a token reads in an error message. */
export function describeToken(token: Token): string {
  if (token.kind === 'end') return 'the end of the statement';
  const text = token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text;
  return JSON.stringify(text);
}

/** Splits a statement into tokens (the last one is `end`); throws StatementError at the first character that starts none. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (offset: number, message: string): never => {
    throw new StatementError(source, offset, message);
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) fail(start, `unterminated string: expected a closing ${c}`);
        const ch = source[i]!;
        if (ch === c) {
          i++;
          break;
        }
        if (ch === '\n') fail(start, `unterminated string: expected a closing ${c} before the end of the line`);
        if (ch !== '\\') {
          value += ch;
          i++;
          continue;
        }
        const esc = source[i + 1];
        if (esc === 'u') {
          const hex = source.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(i, 'invalid escape: expected 4 hex digits after \\u');
          value += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (esc !== undefined && ESCAPES[esc] !== undefined) {
          value += ESCAPES[esc];
          i += 2;
        } else {
          fail(i, `invalid escape ${JSON.stringify(`\\${esc ?? ''}`)}: use \\" \\' \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX`);
        }
      }
      tokens.push({ kind: 'string', text: source.slice(start, i), value, offset: start, end: i });
      continue;
    }
    if (c === '`') {
      const close = source.indexOf('`', i + 1);
      if (close < 0) fail(start, 'unterminated key: expected a closing `');
      const key = source.slice(i + 1, close);
      if (key === '') fail(start, 'empty key: write a key between the backquotes');
      i = close + 1;
      tokens.push({ kind: 'quoted-name', text: source.slice(start, i), value: key, offset: start, end: i });
      continue;
    }
    if (DIGIT.test(c) || (c === '-' && DIGIT.test(source[i + 1] ?? '')) || (c === '.' && DIGIT.test(source[i + 1] ?? ''))) {
      i = scanNumber(source, i + (c === '-' ? 1 : 0));
      if (i < source.length && /[A-Za-zµμ]/.test(source[i]!)) {
        // A number glued to letters is a duration: 750us, 1.5s, 1h30m.
        while (i < source.length && /[A-Za-z0-9.µμ]/.test(source[i]!)) i++;
        const text = source.slice(start, i);
        const us = c === '-' ? undefined : parseDuration(text);
        if (us === undefined) fail(start, `invalid duration ${JSON.stringify(text)}: expected a number with a unit (ns, us, ms, s, m, h), e.g. 50ms`);
        tokens.push({ kind: 'duration', text, value: us!, offset: start, end: i });
      } else {
        const text = source.slice(start, i);
        const n = Number(text);
        if (!Number.isFinite(n)) fail(start, `invalid number ${JSON.stringify(text)}`);
        tokens.push({ kind: 'number', text, value: n, offset: start, end: i });
      }
      continue;
    }
    if (NAME_START.test(c)) {
      i++;
      for (;;) {
        while (i < source.length && NAME_PART.test(source[i]!)) i++;
        // A dot continues the name only when a name part follows it (http.status_code, k8s.pod.name).
        if (source[i] === '.' && NAME_PART.test(source[i + 1] ?? '')) {
          i++;
          continue;
        }
        break;
      }
      const text = source.slice(start, i);
      tokens.push({ kind: 'name', text, value: text, offset: start, end: i });
      continue;
    }
    const symbol = SYMBOLS.find((s) => source.startsWith(s, i));
    if (symbol !== undefined) {
      i += symbol.length;
      tokens.push({ kind: 'symbol', text: symbol, value: symbol, offset: start, end: i });
      continue;
    }
    const shown = c === '!' ? '"!" (did you mean "!=" or "not"?)' : JSON.stringify(String.fromCodePoint(source.codePointAt(i)!));
    fail(start, `unexpected character ${shown}`);
  }
  tokens.push({ kind: 'end', text: '', value: '', offset: source.length, end: source.length });
  return tokens;
}

function scanNumber(source: string, from: number): number {
  let i = from;
  while (i < source.length && DIGIT.test(source[i]!)) i++;
  if (source[i] === '.' && DIGIT.test(source[i + 1] ?? '')) {
    i++;
    while (i < source.length && DIGIT.test(source[i]!)) i++;
  }
  // An exponent only when digits follow it, so "1e" stays an invalid duration rather than a number.
  if ((source[i] === 'e' || source[i] === 'E') && /^[+-]?[0-9]/.test(source.slice(i + 1, i + 3))) {
    i += source[i + 1] === '+' || source[i + 1] === '-' ? 2 : 1;
    while (i < source.length && DIGIT.test(source[i]!)) i++;
  }
  return i;
}
