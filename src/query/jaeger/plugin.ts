/**
 * Jaeger's query HTTP API (GET /api/...), the one the Jaeger UI opens traces with and Grafana's
 * Jaeger data source searches with. Every answer, errors included, is the envelope
 * `{data, total, limit, offset, errors}`. Spec by example: jaegertracing/jaeger
 * cmd/query/app/http_handler.go and jaegertracing/jaeger-ui packages/jaeger-ui/src/api/jaeger.ts.
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, HTTP_STATUS, toAppError } from '../../errors.js';
import { compareStrings, formatTraceId } from '../../model/index.js';
import type { DependencyLink, Span } from '../../model/index.js';
import type { DependencyReader, SpanReader } from '../../storage/api.js';
import { scopeOf } from '../scope.js';
import { toJaegerTrace } from './convert.js';
import { METRIC_NAMES, queryMetrics, type MetricFamily } from './metrics.js';
import { MIN_STEP_MS, parseMetricsParams, parseQuantile } from './metrics-params.js';
import {
  parseDependenciesParams,
  parseGetTraceParams,
  parseOperationsParams,
  parseTraceId,
  parseTraceSearch,
  prettyPrintParam,
  queryValue,
  type QueryParams,
} from './params.js';
import type { JaegerDependencyLink, JaegerError, JaegerOperation, JaegerResponse, JaegerTrace } from './types.js';

/** What the Jaeger query API needs. */
export interface JaegerQueryOptions {
  reader: SpanReader;
  dependencies: DependencyReader;
  /** Shift clock-skewed spans into their parents (off by default in the CLI, like Jaeger); otherwise only flag them. */
  adjustClockSkew: boolean;
  /** Current time in µs since the epoch (tests pin it). */
  now?: () => number;
  /** Most groups (series × window buckets) one metrics query may aggregate; default 200 000. */
  metricsMaxGroups?: number;
}

/**
 * Fastify plugin (encapsulated: register with app.register(jaegerQueryPlugin, opts)); GET routes
 * /api/services, /api/services/:service/operations, /api/operations, /api/traces,
 * /api/traces/:traceID, /api/dependencies and /api/metrics/{latencies,calls,errors,minstep} (computed
 * from the store; 501 when it cannot aggregate spans), answering errors in Jaeger's envelope.
 */
export const jaegerQueryPlugin: FastifyPluginAsync<JaegerQueryOptions> = async (app: FastifyInstance, options) => {
  const { reader, adjustClockSkew } = options;
  const metricsMaxGroups = options.metricsMaxGroups ?? 200_000;
  const now = options.now ?? (() => Date.now() * 1000);
  const params = (request: FastifyRequest): QueryParams => (request.query ?? {}) as QueryParams;
  const convert = (spans: Span[]) => toJaegerTrace(spans, { adjustClockSkew });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const appErr = toAppError(err);
    const status = HTTP_STATUS[appErr.code];
    if (status >= 500) request.log.error({ err }, appErr.message);
    const body: JaegerResponse<null> = {
      data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg: appErr.message }],
    };
    void reply.status(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
  });

  app.get('/api/services', async (request, reply) => {
    const services = await reader.getServices(scopeOf(request));
    return send(request, reply, envelope(services));
  });

  app.get<{ Params: { service: string } }>('/api/services/:service/operations', async (request, reply) => {
    const operations = await reader.getOperations({ ...scopeOf(request), service: request.params.service });
    return send(request, reply, envelope(sortedUnique(operations.map((op) => op.name))));
  });

  app.get('/api/operations', async (request, reply) => {
    const query = parseOperationsParams(params(request));
    const operations = await reader.getOperations({ ...query, ...scopeOf(request) });
    const data: JaegerOperation[] = operations.map((op) => ({
      name: op.name,
      spanKind: op.spanKind === 'unspecified' ? '' : op.spanKind,
    }));
    return send(request, reply, envelope(data));
  });

  app.get('/api/traces', async (request, reply) => {
    const search = parseTraceSearch(params(request), now());
    if (search.kind === 'ids') {
      const traces = (await reader.getTraces({ ...scopeOf(request), traceIds: search.traceIds })).filter((spans) => spans.length > 0);
      const found = new Set(traces.map((spans) => spans[0]!.traceId));
      const missing: JaegerError[] = search.traceIds
        .filter((id) => !found.has(id))
        .map((id) => ({ msg: 'trace not found', traceID: formatTraceId(id) }));
      return send(request, reply, envelope(traces.map(convert), missing.length > 0 ? missing : null));
    }
    const refs = await reader.findTraceIds({ ...search.query, ...scopeOf(request) });
    const traces = refs.length === 0 ? [] : await reader.getTraces({ ...scopeOf(request), traceIds: refs.map((ref) => ref.traceId) });
    return send(request, reply, envelope(traces.filter((spans) => spans.length > 0).map(convert)));
  });

  app.get<{ Params: { traceID: string } }>('/api/traces/:traceID', async (request, reply) => {
    const traceId = parseTraceId(request.params.traceID);
    const { raw, ...hints } = parseGetTraceParams(params(request));
    const spans = await reader.getTrace({ ...scopeOf(request), traceId, ...hints });
    if (spans.length === 0) throw new AppError('NOT_FOUND', 'trace not found');
    const data: JaegerTrace[] = [toJaegerTrace(spans, { adjustClockSkew, raw })];
    return send(request, reply, envelope(data));
  });

  // Service performance metrics come from the store itself (metrics.ts), not from a metrics backend.
  for (const metric of METRIC_NAMES) {
    app.get(`/api/metrics/${metric}`, async (request, reply) => {
      const query = parseMetricsParams(params(request), Math.floor(now() / 1000));
      const quantile = metric === 'latencies' ? parseQuantile(params(request)) : undefined;
      const family = await queryMetrics({ reader, scope: scopeOf(request), metric, query, quantile, maxGroups: metricsMaxGroups });
      return send(request, reply, family);
    });
  }

  app.get('/api/metrics/minstep', async (request, reply) => {
    const body: JaegerResponse<number> = { data: MIN_STEP_MS, total: 0, limit: 0, offset: 0, errors: null };
    return send(request, reply, body);
  });

  app.get('/api/metrics/:name', async (request) => {
    const { name } = request.params as { name: string };
    throw new AppError('NOT_FOUND', `no metric ${JSON.stringify(name)}: expected latencies, calls, errors or minstep`);
  });

  app.get('/api/dependencies', async (request, reply) => {
    const query = parseDependenciesParams(params(request), now());
    const links = await options.dependencies.getDependencies({ ...query, ...scopeOf(request) });
    const data = mergeDependencies(links, queryValue(params(request), 'service'));
    return send(request, reply, envelope(data));
  });
};

/**
 * Sums links with the same parent → child (an engine may split them, e.g. by time bucket), keeping
 * only those touching `service` when given, ordered by parent then child.
 */
export function mergeDependencies(links: readonly DependencyLink[], service?: string): JaegerDependencyLink[] {
  const merged = new Map<string, JaegerDependencyLink>();
  for (const link of links) {
    if (service !== undefined && link.parent !== service && link.child !== service) continue;
    const key = JSON.stringify([link.parent, link.child]);
    const entry = merged.get(key);
    if (entry) {
      entry.callCount += link.callCount;
      entry.errorCount += link.errorCount;
    } else {
      merged.set(key, { parent: link.parent, child: link.child, callCount: link.callCount, errorCount: link.errorCount });
    }
  }
  return [...merged.values()].sort((a, b) => compareStrings(a.parent, b.parent) || compareStrings(a.child, b.child));
}

function envelope<T extends unknown[]>(data: T, errors: JaegerError[] | null = null): JaegerResponse<T> {
  return { data, total: data.length, limit: 0, offset: 0, errors };
}

/** Sends the body; `prettyPrint` indents it as Jaeger does. */
function send(request: FastifyRequest, reply: FastifyReply, body: JaegerResponse<unknown> | MetricFamily): FastifyReply {
  void reply.type('application/json; charset=utf-8');
  return reply.send(JSON.stringify(body, null, prettyPrintParam((request.query ?? {}) as QueryParams) ? 4 : undefined));
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}


