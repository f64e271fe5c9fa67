/**
 * The statement API on the query port:
 * - GET|POST /api/ariadne/query {q, start, end | lookback} runs a statement (docs/query-language.md)
 *   and answers {kind, columns, rows, chart?, elapsedMs, truncated?};
 * - GET /api/ariadne/traces?q=<filter>&start&end&lookback&limit&minTraceDuration&maxTraceDuration
 *   finds traces with at least one span matching the filter, then bounds the whole trace's duration,
 *   and answers {summaries} in the shape of /api/v3/trace-summaries.
 * Errors answer {error, position?} with the AppError's status; position points into the statement.
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import { AppError, HTTP_STATUS, toAppError } from '../../errors.js';
import { parseDuration } from '../../model/index.js';
import type { SpanReader, TraceQuery, TraceSummary } from '../../storage/api.js';
import { traceSummaries } from '../../storage/summaries.js';
import { toTraceSummaryJson } from '../jaeger-v3/index.js';
import { scopeOf } from '../scope.js';
import { DEFAULT_LIMITS, type StatementLimits } from './compile.js';
import { DEFAULT_TIMEOUT_MS, MAX_STATEMENT_LENGTH, runStatement, withTimeout } from './execute.js';
import { StatementError } from './lexer.js';
import { parseStatement } from './parser.js';
import { MAX_RANGE_US, parseRange, type RangeParams } from './range.js';

/** Options of {@link statementApiPlugin}; every limit has a default. */
export interface StatementApiOptions {
  reader: SpanReader;
  /** Group, span and row limits (default 10 000 groups, 1000 spans). */
  limits?: Partial<StatementLimits>;
  /** Longest a request may run, ms (default 10 000); longer ones answer 503. */
  timeoutMs?: number;
  /** Longest time range, µs (default 31 days). */
  maxRangeUs?: number;
  /** Most characters of a statement (default 4096). */
  maxStatementLength?: number;
  /** The clock, ms since the epoch (tests pin it). */
  now?: () => number;
}

/** Traces a trace search answers when it gives no limit. */
export const DEFAULT_TRACE_LIMIT = 20;

/** Most traces a trace search answers. */
export const MAX_TRACE_LIMIT = 1000;

/** Candidate traces read per page, per trace answered, when whole-trace duration bounds are given; and the most read in all. */
const OVERFETCH = 10;
const MAX_CANDIDATES = 2000;

type QueryFields = RangeParams & { q?: unknown };
type TraceFields = QueryFields & { limit?: unknown; minTraceDuration?: unknown; maxTraceDuration?: unknown };

/** Fastify plugin (encapsulated) with the statement query and the filter-based trace search. */
export const statementApiPlugin: FastifyPluginAsync<StatementApiOptions> = async (app: FastifyInstance, options) => {
  const { reader } = options;
  const limits: StatementLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRangeUs = options.maxRangeUs ?? MAX_RANGE_US;
  const maxLength = options.maxStatementLength ?? MAX_STATEMENT_LENGTH;
  const now = options.now ?? Date.now;

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const appErr = toAppError(err);
    const status = HTTP_STATUS[appErr.code];
    if (appErr.code === 'UNAVAILABLE') request.log.warn({ url: request.url.slice(0, 200) }, appErr.message);
    else if (status >= 500) request.log.error({ err }, appErr.message);
    const body: { error: string; position?: StatementError['position'] } = { error: appErr.message };
    if (appErr instanceof StatementError) body.position = appErr.position;
    void reply.status(status).header('cache-control', 'no-store').send(body);
  });

  const statementOf = (fields: QueryFields): string => {
    if (fields.q === undefined) return '';
    if (typeof fields.q !== 'string') throw new AppError('INVALID_ARGUMENT', `q: expected a statement string, got ${typeof fields.q}`);
    return fields.q;
  };

  const query = async (fields: QueryFields, scope: ReturnType<typeof scopeOf>) => {
    const range = parseRange(fields, now() * 1000, maxRangeUs);
    return runStatement({ reader, statement: statementOf(fields), ...range, scope, limits, timeoutMs, maxStatementLength: maxLength });
  };

  app.get('/api/ariadne/query', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    return query((request.query ?? {}) as QueryFields, scopeOf(request));
  });

  app.post('/api/ariadne/query', async (request, reply) => {
    const body = jsonBody(request.body);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new AppError('INVALID_ARGUMENT', 'body: expected a JSON object {q, start, end} or {q, lookback}');
    }
    void reply.header('cache-control', 'no-store');
    return query(body as QueryFields, scopeOf(request));
  });

  app.get('/api/ariadne/traces', async (request, reply) => {
    const fields = (request.query ?? {}) as TraceFields;
    const statement = statementOf(fields);
    if (statement.length > maxLength) {
      throw new AppError('TOO_LARGE', `the filter has ${statement.length} characters, more than the limit of ${maxLength}`);
    }
    const where = statement.trim() === '' ? undefined : parseStatement(statement, { filterOnly: true }).where;
    const range = parseRange(fields, now() * 1000, maxRangeUs);
    const limit = parseLimit(fields.limit);
    const minUs = traceDuration('minTraceDuration', fields.minTraceDuration);
    const maxUs = traceDuration('maxTraceDuration', fields.maxTraceDuration);
    if (minUs !== undefined && maxUs !== undefined && minUs > maxUs) {
      throw new AppError('INVALID_ARGUMENT', 'minTraceDuration: must not be more than maxTraceDuration');
    }
    if (where !== undefined && reader.aggregateSpans === undefined) {
      throw new AppError('UNSUPPORTED', 'this storage engine cannot search with a filter (it has no span aggregation)');
    }
    const bounded = minUs !== undefined || maxUs !== undefined;
    const scope = scopeOf(request);
    const keep = (s: TraceSummary) => {
      const d = s.endUs - s.startUs;
      return (minUs === undefined || d >= minUs) && (maxUs === undefined || d <= maxUs);
    };
    const search: TraceQuery = {
      ...scope,
      startUsMin: range.startUs,
      startUsMax: range.endUs,
      limit: bounded ? Math.min(MAX_CANDIDATES, limit * OVERFETCH) : limit,
    };
    if (where !== undefined) search.where = where;
    const summaries = await withTimeout(
      (async () => {
        // Whole-trace bounds are checked on summaries: read candidates page by page, newest first,
        // until enough traces pass or MAX_CANDIDATES were read.
        const kept: TraceSummary[] = [];
        const seen = new Set<string>();
        while (kept.length < limit && seen.size < MAX_CANDIDATES && search.startUsMax >= search.startUsMin) {
          const refs = await reader.findTraceIds(search);
          const fresh = refs.filter((r) => !seen.has(r.traceId));
          for (const r of fresh) seen.add(r.traceId);
          const found = await traceSummaries(reader, { ...scope, traceIds: fresh.map((r) => r.traceId) });
          kept.push(...found.filter(keep));
          if (!bounded || refs.length < search.limit) break;
          search.startUsMax = Math.min(...refs.map((r) => r.startUs)) - 1;
        }
        return kept.slice(0, limit);
      })(),
      timeoutMs,
    );
    void reply.header('cache-control', 'no-store');
    return { summaries: summaries.map(toTraceSummaryJson) };
  });
};

/** The request body as JSON: the query port keeps bodies as raw bytes, other apps may have parsed them. */
function jsonBody(raw: unknown): unknown {
  if (!Buffer.isBuffer(raw) && typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw.toString());
  } catch {
    throw new AppError('INVALID_ARGUMENT', 'body: expected JSON such as {"q": "service = \\"a\\"", "lookback": "1h"}');
  }
}

function parseLimit(raw: unknown): number {
  if (raw === undefined || raw === '') return DEFAULT_TRACE_LIMIT;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TRACE_LIMIT) {
    throw new AppError('INVALID_ARGUMENT', `limit: expected a whole number from 1 to ${MAX_TRACE_LIMIT}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** A whole-trace duration bound: a Go-style duration ("1.5s") or whole µs. */
function traceDuration(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const us = typeof raw === 'string' ? (/^\d+$/.test(raw) ? Number(raw) : parseDuration(raw)) : undefined;
  if (us === undefined) throw new AppError('INVALID_ARGUMENT', `${name}: expected a duration such as 250ms or 1.5s, got ${JSON.stringify(raw)}`);
  return us;
}
