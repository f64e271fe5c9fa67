/**
 * Zipkin v2 read API (GET /api/v2/...), shaped exactly as Zipkin's server answers so Zipkin Lens
 * and Grafana's Zipkin data source work unmodified. Errors are plain-text bodies, as Zipkin sends.
 * Spec: https://zipkin.io/zipkin-api/ (openzipkin/zipkin-api zipkin2-api.yaml).
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, HTTP_STATUS, toAppError } from '../../errors.js';
import { compareStrings, formatTraceId } from '../../model/index.js';
import type { DependencyReader, SpanReader } from '../../storage/api.js';
import { scopeOf } from '../scope.js';
import { encodeDependencies, encodeTrace } from './encode.js';
import {
  DEFAULT_LOOKBACK_MS,
  MAX_LIMIT,
  parseDependenciesQuery,
  parseTraceId,
  parseTraceIds,
  parseTracesQuery,
  requiredValue,
  type QueryParams,
} from './params.js';

/** What the Zipkin read API needs. */
export interface ZipkinQueryOptions {
  reader: SpanReader;
  dependencies: DependencyReader;
  /** What /api/v2/autocompleteKeys returns, and the only keys /api/v2/autocompleteValues answers for. */
  autocompleteKeys: string[];
  /** Current time in microseconds since the epoch (tests pin it). */
  now?: () => number;
  /** Lookback when a request gives none, in ms (Zipkin's default: one day). */
  defaultLookbackMs?: number;
  /** Cap on a search's limit (default 1000); a capped answer carries an `ariadne-warning` header. */
  maxLimit?: number;
  /** Cache-Control max-age of name lists once more than three services exist (default 300 s). */
  namesMaxAgeSeconds?: number;
}

/** Most values /api/v2/autocompleteValues returns for one key. */
const MAX_AUTOCOMPLETE_VALUES = 10_000;

/** Fastify plugin, encapsulated; GET routes under /api/v2/ (POST /api/v2/spans belongs to the receiver). */
export const zipkinQueryPlugin: FastifyPluginAsync<ZipkinQueryOptions> = async (app: FastifyInstance, options) => {
  const { reader } = options;
  const now = options.now ?? (() => Date.now() * 1000);
  const defaultLookbackMs = options.defaultLookbackMs ?? DEFAULT_LOOKBACK_MS;
  const maxLimit = options.maxLimit ?? MAX_LIMIT;
  const cacheControl = `max-age=${options.namesMaxAgeSeconds ?? 300}, must-revalidate`;
  const autocompleteKeys = new Set(options.autocompleteKeys);
  // Zipkin starts caching name lists once a deployment is in real use (more than three services).
  let serviceCount = 0;

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const appErr = toAppError(err);
    if (HTTP_STATUS[appErr.code] >= 500) request.log.error({ err }, appErr.message);
    void reply.status(HTTP_STATUS[appErr.code]).type('text/plain; charset=utf-8').send(appErr.message);
  });

  const sendNames = (reply: FastifyReply, names: Iterable<string>, cache: boolean): string[] => {
    if (cache) void reply.header('cache-control', cacheControl);
    return sortedUnique(names);
  };
  const params = (request: FastifyRequest): QueryParams => (request.query ?? {}) as QueryParams;

  app.get('/api/v2/services', async (request, reply) => {
    const services = await reader.getServices(scopeOf(request));
    serviceCount = services.length;
    return sendNames(reply, services, serviceCount > 3);
  });

  app.get('/api/v2/spans', async (request, reply) => {
    const service = requiredValue(params(request), 'serviceName');
    const operations = service === '' ? [] : await reader.getOperations({ ...scopeOf(request), service });
    return sendNames(reply, operations.map((op) => op.name), serviceCount > 3);
  });

  app.get('/api/v2/remoteServices', async (request, reply) => {
    const service = requiredValue(params(request), 'serviceName');
    const remote = service === '' ? [] : await reader.getRemoteServices({ ...scopeOf(request), service });
    return sendNames(reply, remote, serviceCount > 3);
  });

  app.get('/api/v2/traces', async (request, reply) => {
    const { query, cappedFrom } = parseTracesQuery(params(request), {
      nowMs: Math.floor(now() / 1000),
      defaultLookbackMs,
      maxLimit,
    });
    if (cappedFrom !== undefined) void reply.header('ariadne-warning', `limit ${cappedFrom} capped at ${query.limit}`);
    const refs = await reader.findTraceIds({ ...query, ...scopeOf(request) });
    if (refs.length === 0) return [];
    const traces = await reader.getTraces({ ...scopeOf(request), traceIds: refs.map((ref) => ref.traceId) });
    return traces.filter((spans) => spans.length > 0).map(encodeTrace);
  });

  app.get<{ Params: { traceId: string } }>('/api/v2/trace/:traceId', async (request, reply) => {
    const traceId = parseTraceId(request.params.traceId);
    const spans = await reader.getTrace({ ...scopeOf(request), traceId });
    if (spans.length === 0) {
      return reply.status(404).type('text/plain; charset=utf-8').send(`${formatTraceId(traceId)} not found`);
    }
    return encodeTrace(spans);
  });

  app.get('/api/v2/traceMany', async (request) => {
    const traceIds = parseTraceIds(requiredValue(params(request), 'traceIds'));
    const traces = await reader.getTraces({ ...scopeOf(request), traceIds });
    return traces.filter((spans) => spans.length > 0).map(encodeTrace);
  });

  app.get('/api/v2/dependencies', async (request) => {
    const { endUs, lookbackUs } = parseDependenciesQuery(params(request), defaultLookbackMs);
    return encodeDependencies(await options.dependencies.getDependencies({ ...scopeOf(request), endUs, lookbackUs }));
  });

  app.get('/api/v2/autocompleteKeys', async (_request, reply) => sendNames(reply, autocompleteKeys, true));

  app.get('/api/v2/autocompleteValues', async (request, reply) => {
    const key = requiredValue(params(request), 'key');
    // Like Zipkin, only configured keys are indexed for autocompletion: others have no values.
    const values = autocompleteKeys.has(key) ? await reader.getAttributeValues({ ...scopeOf(request), key, limit: MAX_AUTOCOMPLETE_VALUES }) : [];
    return sendNames(reply, values, values.length > 3);
  });
};

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}

