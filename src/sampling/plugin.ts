/**
 * Jaeger remote sampling over HTTP: `GET <route>?service=<name>` answers the service's strategy.
 * Routes and shapes as Jaeger serves them: the agent (5778) serves `/sampling` and the legacy `/`
 * (numeric strategyType, for clients built with Thrift 0.9.2); the collector (14268) serves
 * `/api/sampling`. Errors are plain text, as Jaeger's handler sends them.
 * Spec: jaegertracing/jaeger clientcfghttp/handler.go (the agent and collector sampling handler).
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, HTTP_STATUS, toAppError } from '../errors.js';
import { encodeLegacyStrategy, encodeStrategy } from './encode.js';
import type { SamplingProvider } from './provider.js';
import type { SamplingStrategyResponse } from './strategies.js';

/** A path the plugin can answer on; `/` answers the legacy shape, the others the current one. */
export type SamplingRoute = '/sampling' | '/' | '/api/sampling';

/** The routes Jaeger's agent serves (port 5778). */
export const AGENT_SAMPLING_ROUTES: readonly SamplingRoute[] = ['/sampling', '/'];

/** The route Jaeger's collector serves (port 14268). */
export const COLLECTOR_SAMPLING_ROUTES: readonly SamplingRoute[] = ['/api/sampling'];

/** Options of {@link samplingPlugin}. */
export interface SamplingPluginOptions {
  /** Answers a service's strategy; a promise for sources that must be asked (an agent asking its collector). */
  provider: { strategyFor(service: string): Readonly<SamplingStrategyResponse> | Promise<Readonly<SamplingStrategyResponse>> };
  /** Which routes to mount (default: all three, so one app can stand in for agent and collector alike). */
  routes?: readonly SamplingRoute[];
}

/** Fastify plugin, encapsulated: GET routes answering `?service=` with `application/json`, 400 in text otherwise. */
export const samplingPlugin: FastifyPluginAsync<SamplingPluginOptions> = async (app: FastifyInstance, options) => {
  const { provider } = options;
  const routes = options.routes ?? ['/sampling', '/', '/api/sampling'];

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const appErr = toAppError(err);
    if (HTTP_STATUS[appErr.code] >= 500) request.log.error({ err }, appErr.message);
    void reply.status(HTTP_STATUS[appErr.code]).type('text/plain; charset=utf-8').send(appErr.message);
  });

  const handler = (encode: (response: Readonly<SamplingStrategyResponse>) => string) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<Buffer> => {
      const body = encode(await provider.strategyFor(serviceParam(request)));
      // Sent as bytes so the content type stays exactly Jaeger's (Fastify would append a charset to a string).
      void reply.header('content-type', 'application/json');
      return Buffer.from(body, 'utf8');
    };

  for (const route of new Set(routes)) {
    app.get(route, handler(route === '/' ? encodeLegacyStrategy : encodeStrategy));
  }
};

/** The one non-empty `service` query parameter; Jaeger also refuses a missing or repeated one. */
function serviceParam(request: FastifyRequest): string {
  const value = (request.query as Record<string, unknown> | undefined)?.['service'];
  if (typeof value !== 'string') {
    throw new AppError('INVALID_ARGUMENT', "'service' parameter must be provided once");
  }
  if (value === '') throw new AppError('INVALID_ARGUMENT', "'service' parameter must not be empty");
  return value;
}
