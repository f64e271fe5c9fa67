/** Shared construction of the HTTP servers: limits, raw bodies, one error mapping. */
import fastifyCompress from '@fastify/compress';
import { finished } from 'node:stream/promises';
import { LogController, fastify, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppError, HTTP_STATUS, toAppError } from '../errors.js';

/**
 * Bodies declared larger than the limit, up to this many times it, are read and discarded before
 * the 413 is sent: a client still writing its body would otherwise see its connection reset before
 * it reads the answer. Larger ones are answered at once.
 */
export const DRAIN_FACTOR = 4;

/** Options common to every port. */
export interface HttpAppOptions {
  logger: Logger;
  /** Largest accepted request body in bytes (the wire size; gunzipped size is checked by receivers). */
  bodyLimit: number;
}

/**
 * Creates a Fastify app that keeps request bodies as raw Buffers (receivers decode them themselves)
 * and answers errors as `{"error": message}` unless a plugin installs its own handler.
 */
export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;
  app.addHook('onRequest', async (request) => {
    const length = Number(request.headers['content-length']);
    if (!(length > options.bodyLimit)) return;
    if (length <= options.bodyLimit * DRAIN_FACTOR) {
      request.raw.resume();
      await finished(request.raw).catch(() => undefined);
    }
    throw new AppError('TOO_LARGE', `request body exceeds the limit of ${options.bodyLimit} bytes`);
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err, request, reply) => {
    const appErr = toAppError(err, options.bodyLimit);
    logIfUnexpected(request.log, appErr, err);
    void reply.status(HTTP_STATUS[appErr.code]).send({ error: appErr.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: `no route for ${request.method} ${request.url.split('?')[0]}` });
  });
  return app;
}

/** Logs errors a client could not have caused (5xx), once, with their cause. */
export function logIfUnexpected(log: { error(obj: object, msg: string): void }, appErr: AppError, original: unknown): void {
  if (HTTP_STATUS[appErr.code] >= 500) log.error({ err: original }, appErr.message);
}

/**
 * Lets browsers on any origin post spans and read the API, as Zipkin server does by default:
 * every answer carries Access-Control-Allow-Origin: * and OPTIONS preflights answer 204.
 */
export function allowAnyOrigin(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      void reply
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? 'content-type')
        .header('access-control-max-age', '86400');
      return reply.status(204).send();
    }
  });
}

/**
 * Compresses answers of 1 KiB and more with gzip or deflate when the client accepts it (Grafana, the
 * Jaeger UI and browsers do). Request bodies are left alone: receivers decode them with their own limits.
 * Register before the routes.
 */
export async function compressResponses(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCompress, {
    globalDecompression: false,
    encodings: ['gzip', 'deflate'],
    threshold: 1024,
  });
}
