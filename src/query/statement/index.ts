/** The statement query language over spans: parser, compiler to storage requests, runner and HTTP API. */
export { statementApiPlugin, DEFAULT_TRACE_LIMIT, MAX_TRACE_LIMIT } from './plugin.js';
export type { StatementApiOptions } from './plugin.js';
export { parseStatement, refText, SPAN_COLUMNS } from './parser.js';
export type { AggregateFunction, AggregateNode, GroupKeyNode, ParseOptions, RefNode, SortTerm, Statement } from './parser.js';
export { compileStatement, autoBucketUs, DEFAULT_LIMITS } from './compile.js';
export type { AggregateColumn, CompiledSpans, CompiledTable, CompileOptions, KeyColumn, StatementLimits } from './compile.js';
export { runStatement, tableRows, withTimeout, DEFAULT_TIMEOUT_MS, MAX_STATEMENT_LENGTH } from './execute.js';
export type { Cell, ResultChart, ResultColumn, RunOptions, StatementResult } from './execute.js';
export { positionAt, StatementError, tokenize } from './lexer.js';
export type { SourcePosition, Token, TokenKind } from './lexer.js';
export { parseRange, DEFAULT_LOOKBACK_US, MAX_RANGE_US } from './range.js';
export type { RangeParams, TimeRange } from './range.js';
