/**
 * Zipkin HTTP receiver: POST /api/v1/spans and /api/v2/spans (JSON, optionally gzip), also behind a
 * tenant token prefix (/<token>/api/v2/spans, as ingress-nginx is configured with a tokenised URL).
 * Answers 202 once the spans are durable. Spec: https://zipkin.io/zipkin-api/#/default/post_spans
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, HTTP_STATUS, toAppError } from '../../errors.js';
import type { Span } from '../../model/index.js';
import type { SpanWriter } from '../../storage/api.js';
import type { Metrics } from '../../server/metrics.js';
import { logIfUnexpected } from '../../server/http.js';
import { decodeContent, mediaType } from '../body.js';
import { ZIPKIN_V1_JSON, ZIPKIN_V2_JSON, decodeZipkinV1Json, decodeZipkinV2Json } from './index.js';

/** What the receiver needs from the process. */
export interface ZipkinReceiverOptions {
  writer: SpanWriter;
  metrics: Metrics;
  /** Largest body after content decoding. */
  maxBodyBytes: number;
}

const JSON_TYPES = new Set(['', 'application/json', 'text/json', 'application/x-json']);
const REJECT_REASON: Record<string, string> = {
  INVALID_ARGUMENT: 'invalid', TOO_LARGE: 'too_large', UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  RESOURCE_EXHAUSTED: 'overloaded', UNAVAILABLE: 'unavailable',
};

/** Tenant tokens are path segments: keep them short and printable. */
const TOKEN = /^[A-Za-z0-9._~-]{1,128}$/;

/** Fastify plugin with the Zipkin POST routes; errors answer as plain text, like Zipkin. */
export const zipkinReceiverPlugin: FastifyPluginAsync<ZipkinReceiverOptions> = async (app: FastifyInstance, options) => {
  app.setErrorHandler((err, request, reply) => {
    const appErr = toAppError(err, options.maxBodyBytes);
    logIfUnexpected(request.log, appErr, err);
    const protocol = request.url.includes('/api/v1/') ? ZIPKIN_V1_JSON : ZIPKIN_V2_JSON;
    const reason = REJECT_REASON[appErr.code] ?? 'internal';
    options.metrics.requestsRejected.inc({ protocol, reason });
    if (appErr.code === 'RESOURCE_EXHAUSTED' || appErr.code === 'UNAVAILABLE') void reply.header('retry-after', '1');
    void reply.status(HTTP_STATUS[appErr.code]).type('text/plain; charset=utf-8').send(appErr.message + '\n');
  });

  const handle = (version: 1 | 2) => async (request: FastifyRequest, reply: FastifyReply) => {
    const stop = options.metrics.ingestSeconds.startTimer();
    const format = version === 1 ? ZIPKIN_V1_JSON : ZIPKIN_V2_JSON;
    const token = (request.params as { token?: string }).token;
    if (token !== undefined && !TOKEN.test(token)) {
      throw new AppError('INVALID_ARGUMENT', 'tenant token in the path must be 1-128 characters of A-Z a-z 0-9 . _ ~ -');
    }
    const tenant = token ?? '';
    const type = mediaType(request.headers['content-type']);
    if (!JSON_TYPES.has(type)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${JSON.stringify(type)} is not supported on /api/v${version}/spans (use application/json)`);
    }
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const bytes = await decodeContent(raw, request.headers['content-encoding'], options.maxBodyBytes);
    const spans: Span[] = version === 1 ? decodeZipkinV1Json(bytes, tenant) : decodeZipkinV2Json(bytes, tenant);
    if (spans.length > 0) {
      try {
        await options.writer.writeSpans(spans, { payload: { format, tenant, bytes } });
      } catch (err) {
        const appErr = toAppError(err);
        options.metrics.spansRejected.inc({ protocol: format, reason: REJECT_REASON[appErr.code] ?? 'internal' }, spans.length);
        throw appErr;
      }
    }
    options.metrics.spansReceived.inc({ protocol: format }, spans.length);
    stop({ protocol: format });
    return reply.status(202).send();
  };

  app.post('/api/v1/spans', handle(1));
  app.post('/api/v2/spans', handle(2));
  app.post('/:token/api/v1/spans', handle(1));
  app.post('/:token/api/v2/spans', handle(2));
};
