/**
 * The statement API (/api/ariadne/query) and the filter trace search (/api/ariadne/traces), with
 * each answer's shape checked before a view sees it. A statement mistake comes back as a
 * StatementFailure carrying the position the server pointed at.
 */
import { ApiError, parseTraceSummary, readBody, request } from '../../api/client.js';
import type { TraceSummary } from '../../api/types.js';

/** A column of a statement result; times are µs since the epoch, durations µs. */
export interface QueryColumn {
  name: string;
  type: 'string' | 'number' | 'time' | 'duration';
}

/** A cell: text, a number, or null for no value. */
export type QueryCell = string | number | null;

/** The chart the server suggests for a result. */
export interface QueryChart {
  x: string;
  series: string[];
  type: 'line' | 'bar';
}

/** A statement's answer. */
export interface QueryResult {
  kind: 'table' | 'spans';
  columns: QueryColumn[];
  rows: QueryCell[][];
  chart?: QueryChart;
  elapsedMs: number;
  truncated: boolean;
}

/** Where in the statement the server found a mistake. */
export interface QueryPosition {
  line: number;
  column: number;
  offset: number;
}

/** A refused statement or filter: the server's message and, for mistakes in it, their position. */
export class StatementFailure extends ApiError {
  readonly position: QueryPosition | undefined;
  constructor(status: number, message: string, position?: QueryPosition) {
    super(status, message);
    this.name = 'StatementFailure';
    this.position = position;
  }
}

const TYPES = new Set(['string', 'number', 'time', 'duration']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(what: string): never {
  throw new ApiError(200, `unexpected answer from the server: ${what}`);
}

async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const res = await request(url, signal);
  const body = await readBody(url, res);
  if (!res.ok) {
    const message = isObject(body) && typeof body.error === 'string' ? body.error : `${url.split('?')[0]} answered ${res.status}`;
    const p = isObject(body) && isObject(body.position) ? body.position : undefined;
    const position = p && typeof p.line === 'number' && typeof p.column === 'number' && typeof p.offset === 'number'
      ? { line: p.line, column: p.column, offset: p.offset } : undefined;
    throw new StatementFailure(res.status, message, position);
  }
  return body;
}

/** Checks a /api/ariadne/query answer. Exported for tests. */
export function parseQueryResult(body: unknown): QueryResult {
  if (!isObject(body)) bad('query: expected an object');
  if (body.kind !== 'table' && body.kind !== 'spans') bad('query.kind: expected "table" or "spans"');
  if (!Array.isArray(body.columns)) bad('query.columns: expected an array');
  const columns = body.columns.map((c, i): QueryColumn => {
    if (!isObject(c) || typeof c.name !== 'string' || typeof c.type !== 'string' || !TYPES.has(c.type)) bad(`query.columns[${i}]: expected {name, type}`);
    return { name: c.name, type: c.type as QueryColumn['type'] };
  });
  if (!Array.isArray(body.rows)) bad('query.rows: expected an array');
  const rows = body.rows.map((r, i): QueryCell[] => {
    if (!Array.isArray(r) || r.length !== columns.length) bad(`query.rows[${i}]: expected ${columns.length} cells`);
    return r.map((cell, j): QueryCell => {
      if (cell === null || typeof cell === 'string' || typeof cell === 'number') return cell;
      return bad(`query.rows[${i}][${j}]: expected text, a number or null`);
    });
  });
  const result: QueryResult = {
    kind: body.kind, columns, rows, elapsedMs: typeof body.elapsedMs === 'number' ? body.elapsedMs : 0, truncated: body.truncated === true,
  };
  const c = body.chart;
  if (isObject(c) && typeof c.x === 'string' && Array.isArray(c.series) && (c.type === 'line' || c.type === 'bar')) {
    const names = new Set(columns.map((col) => col.name));
    const series = c.series.filter((s): s is string => typeof s === 'string' && names.has(s));
    if (names.has(c.x)) result.chart = { x: c.x, series, type: c.type };
  }
  return result;
}

/** Runs a statement over a range given as URL parameters (start/end in ms, or lookback). */
export async function fetchQuery(params: { q: string; start?: string; end?: string; lookback?: string }, signal?: AbortSignal): Promise<QueryResult> {
  const search = new URLSearchParams({ q: params.q });
  if (params.start) search.set('start', params.start);
  if (params.end) search.set('end', params.end);
  if (params.lookback) search.set('lookback', params.lookback);
  return parseQueryResult(await getJson(`/api/ariadne/query?${search.toString()}`, signal));
}

/** Finds traces with a span matching a filter; start/end in µs; trace duration bounds as typed (e.g. "1.5s"). */
export async function fetchFilteredTraces(
  params: { q: string; startUs: number; endUs: number; limit: string; minTraceDuration?: string; maxTraceDuration?: string },
  signal?: AbortSignal,
): Promise<TraceSummary[]> {
  const search = new URLSearchParams({ q: params.q, start: String(Math.floor(params.startUs / 1000)), end: String(Math.ceil(params.endUs / 1000)), limit: params.limit || '20' });
  if (params.minTraceDuration) search.set('minTraceDuration', params.minTraceDuration);
  if (params.maxTraceDuration) search.set('maxTraceDuration', params.maxTraceDuration);
  const body = await getJson(`/api/ariadne/traces?${search.toString()}`, signal);
  if (!isObject(body) || !Array.isArray(body.summaries)) bad('traces: expected {summaries: []}');
  return body.summaries.map(parseTraceSummary);
}
