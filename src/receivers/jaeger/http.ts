/**
 * Jaeger collector HTTP receiver (:14268): POST /api/traces with a binary-Thrift `Batch`
 * (Content-Type application/x-thrift or application/vnd.apache.thrift.binary, optionally gzip),
 * as jaeger-client's HTTPSender and Jaeger agents send it. Answers 202 with no body once the spans
 * are durable, like Jaeger's collector (cmd/collector/app/handler/http_handler.go); errors are
 * plain text: 400 undecodable, 413 too large, 415 other content types (Jaeger says 400 there; 415
 * names the problem exactly), 429 / 503 with Retry-After when the store cannot take more now.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, HTTP_STATUS } from '../../errors.js';
import { decodeContent, mediaType } from '../body.js';
import type { Ingest } from '../ingest.js';
import { JAEGER_THRIFT_BATCH, decodeJaegerThriftBatch } from './decode-thrift.js';

/** What the Jaeger HTTP receiver needs from the process. */
export interface JaegerHttpOptions {
  ingest: Ingest;
  /** Largest body, on the wire and after content decoding. */
  maxBodyBytes: number;
  /** Tenant of spans whose request names none (an access hook sets `request.tenant`); default "". */
  tenant?: string;
}

const THRIFT_TYPES = new Set(['application/x-thrift', 'application/vnd.apache.thrift.binary']);

/** Fastify plugin with POST /api/traces; encapsulated, so its body parser and error handler stay its own. */
export const jaegerHttpPlugin: FastifyPluginAsync<JaegerHttpOptions> = async (app: FastifyInstance, options) => {
  const { ingest, maxBodyBytes } = options;
  const defaultTenant = options.tenant ?? '';

  // Bodies stay raw: the decoder reads them, and the store's log keeps exactly those bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, request, reply) => {
    const appErr = ingest.refuse(JAEGER_THRIFT_BATCH, err, { bodyLimit: maxBodyBytes, source: request.ip, body: Buffer.isBuffer(request.body) ? request.body : undefined });
    if (HTTP_STATUS[appErr.code] >= 500 && appErr.code !== 'UNAVAILABLE') request.log.error({ err }, appErr.message);
    if (appErr.code === 'RESOURCE_EXHAUSTED' || appErr.code === 'UNAVAILABLE') void reply.header('retry-after', '1');
    void reply.status(HTTP_STATUS[appErr.code]).type('text/plain; charset=utf-8').send(`${appErr.message}\n`);
  });

  app.post('/api/traces', { bodyLimit: maxBodyBytes }, async (request: FastifyRequest, reply: FastifyReply) => {
    const type = mediaType(request.headers['content-type']);
    if (!THRIFT_TYPES.has(type)) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Type ${JSON.stringify(type.slice(0, 80))} is not supported on /api/traces (use application/x-thrift or application/vnd.apache.thrift.binary)`,
      );
    }
    const tenant = request.tenant ?? defaultTenant;
    const done = ingest.time(JAEGER_THRIFT_BATCH);
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const bytes = await decodeContent(raw, request.headers['content-encoding'], maxBodyBytes);
    const spans = decodeJaegerThriftBatch(bytes, tenant);
    await ingest.accept({ format: JAEGER_THRIFT_BATCH, tenant, bytes, spans, source: request.ip });
    done();
    return reply.status(202).send();
  });
};
