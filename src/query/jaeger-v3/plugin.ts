/**
 * Jaeger's query API v3 over HTTP, the one today's Jaeger UI searches with: GET /api/v3/services,
 * /api/v3/operations, /api/v3/trace-summaries, /api/v3/traces and /api/v3/traces/{id}. Shapes and
 * errors after jaegertracing/jaeger cmd/jaeger/internal/extension/jaegerquery/internal/apiv3/
 * http_gateway.go and jaeger-idl proto/api_v3/query_service.proto; traces are OTLP JSON wrapped in
 * `result`; errors are `{"error":{"httpCode":…,"message":…}}`.
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, HTTP_STATUS, toAppError } from '../../errors.js';
import type { Span } from '../../model/index.js';
import { compareStrings } from '../../model/index.js';
import type { SpanReader } from '../../storage/api.js';
import { traceSummaries } from '../../storage/summaries.js';
import { scopeOf } from '../scope.js';
import { toOtlpResourceSpans } from './otlp.js';
import type { OtlpResourceSpans } from './otlp.js';
import { parseFindQuery, parseGetTraceQuery, parseOperationsQuery } from './params.js';
import type { FindQuery, QueryParams } from './params.js';
import { toTraceSummaryJson } from './summary-json.js';

/** What the v3 API needs. */
export interface JaegerV3Options {
  reader: SpanReader;
  /** Shift clock-skewed spans into their parents in traces (default false: only flag them), as the old API does. */
  adjustClockSkew?: boolean;
}

/** Message of the 404 for a trace lookup or search that found nothing (upstream's text). */
export const NO_TRACES_FOUND = 'No traces found';

/**
 * Fastify plugin (encapsulated: register with app.register(jaegerV3Plugin, opts)) with the five
 * GET routes of the v3 API. Every failure, a bad parameter included, is answered with upstream's
 * error object and status (400 bad parameter, 404 nothing found, 500 storage failure); nothing a
 * client sends can make a route throw past the plugin's error handler.
 */
export const jaegerV3Plugin: FastifyPluginAsync<JaegerV3Options> = async (app: FastifyInstance, options) => {
  const { reader } = options;
  const adjustClockSkew = options.adjustClockSkew ?? false;
  const params = (request: FastifyRequest): QueryParams => (request.query ?? {}) as QueryParams;

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const appErr = toAppError(err);
    // Any failure that is not the client's is a 500, as upstream answers every storage error.
    const status = Math.min(HTTP_STATUS[appErr.code], 500);
    if (status >= 500) request.log.error({ err }, appErr.message);
    void reply.status(status).type('application/json; charset=utf-8').send(JSON.stringify({ error: { httpCode: status, message: appErr.message } }));
  });

  app.get('/api/v3/services', async (request, reply) => {
    const services = await reader.getServices(scopeOf(request));
    return send(reply, { services });
  });

  app.get('/api/v3/operations', async (request, reply) => {
    const { service, spanKind } = parseOperationsQuery(params(request));
    if (service === undefined) return send(reply, { operations: [] });
    const seen = new Set<string>();
    const operations: Array<{ name: string; spanKind: string }> = [];
    for (const op of await reader.getOperations({ ...scopeOf(request), service })) {
      // The v3 API has no "unspecified" kind: such operations are listed as internal, as upstream does.
      const kind = op.spanKind === 'unspecified' ? 'internal' : op.spanKind;
      if (spanKind !== undefined && kind !== spanKind) continue;
      const key = `${op.name}\u0000${kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      operations.push({ name: op.name, spanKind: kind });
    }
    operations.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.spanKind, b.spanKind));
    return send(reply, { operations });
  });

  app.get('/api/v3/trace-summaries', async (request, reply) => {
    // Summaries always describe the adjusted trace: rawTraces is validated but has no effect here.
    const { query } = parseFindQuery(params(request));
    const refs = await reader.findTraceIds({ ...query, ...scopeOf(request) });
    const summaries = await traceSummaries(reader, { ...scopeOf(request), traceIds: refs.map((ref) => ref.traceId) });
    return send(reply, { summaries: summaries.map(toTraceSummaryJson) });
  });

  app.get('/api/v3/traces', async (request, reply) => {
    const search: FindQuery = parseFindQuery(params(request));
    const refs = await reader.findTraceIds({ ...search.query, ...scopeOf(request) });
    const traces = refs.length === 0 ? [] : await reader.getTraces({ ...scopeOf(request), traceIds: refs.map((ref) => ref.traceId) });
    return sendTraces(reply, traces, search.rawTraces);
  });

  app.get<{ Params: { traceId: string } }>('/api/v3/traces/:traceId', async (request, reply) => {
    const { rawTraces, ...lookup } = parseGetTraceQuery(request.params.traceId, params(request));
    const spans = await reader.getTrace({ ...lookup, ...scopeOf(request) });
    return sendTraces(reply, [spans], rawTraces);
  });

  function sendTraces(reply: FastifyReply, traces: readonly Span[][], raw: boolean): FastifyReply {
    const resourceSpans: OtlpResourceSpans[] = [];
    for (const spans of traces) {
      if (spans.length > 0) resourceSpans.push(...toOtlpResourceSpans(spans, { raw, adjustClockSkew }));
    }
    if (resourceSpans.length === 0) throw new AppError('NOT_FOUND', NO_TRACES_FOUND);
    return send(reply, { result: { resourceSpans } });
  }
};

function send(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
}


