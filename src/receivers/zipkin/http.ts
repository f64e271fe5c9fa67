/**
 * Zipkin HTTP receiver: POST /api/v1/spans and /api/v2/spans, also behind a tenant token prefix
 * (/<token>/api/v2/spans, as ingress-nginx is configured with a tokenised URL). The body's media type
 * picks the decoder; gzip and deflate bodies are decoded first. Answers 202 once the spans are durable.
 * Spec: https://zipkin.io/zipkin-api/#/default/post_spans
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, HTTP_STATUS } from '../../errors.js';
import type { Span } from '../../model/index.js';
import { logIfUnexpected } from '../../server/http.js';
import { decodeContent, mediaType } from '../body.js';
import type { Ingest } from '../ingest.js';
import { ZIPKIN_V2_PROTO, decodeZipkinV2Proto } from './decode-proto.js';
import { ZIPKIN_V1_THRIFT, decodeZipkinV1Thrift } from './decode-thrift.js';
import { ZIPKIN_V1_JSON, ZIPKIN_V2_JSON, decodeZipkinV1Json, decodeZipkinV2Json } from './index.js';

/** What the receiver needs from the process. */
export interface ZipkinReceiverOptions {
  ingest: Ingest;
  /** Largest body after content decoding. */
  maxBodyBytes: number;
}

interface BodyFormat {
  format: string;
  decode(bytes: Buffer, tenant: string): Span[];
}

const JSON_TYPES = ['', 'application/json', 'text/json', 'application/x-json'];

/** Media type → decoder, per API version. */
const FORMATS: Record<1 | 2, ReadonlyMap<string, BodyFormat>> = {
  1: new Map([
    ...JSON_TYPES.map((t) => [t, { format: ZIPKIN_V1_JSON, decode: decodeZipkinV1Json }] as const),
    ['application/x-thrift', { format: ZIPKIN_V1_THRIFT, decode: decodeZipkinV1Thrift }],
  ]),
  2: new Map([
    ...JSON_TYPES.map((t) => [t, { format: ZIPKIN_V2_JSON, decode: decodeZipkinV2Json }] as const),
    ['application/x-protobuf', { format: ZIPKIN_V2_PROTO, decode: decodeZipkinV2Proto }],
    ['application/protobuf', { format: ZIPKIN_V2_PROTO, decode: decodeZipkinV2Proto }],
  ]),
};

/** The types each version takes, for the 415 message. */
const TYPE_HINT: Record<1 | 2, string> = { 1: 'application/json or application/x-thrift', 2: 'application/json or application/x-protobuf' };

/** Tenant tokens are path segments: keep them short and printable. */
const TOKEN = /^[A-Za-z0-9._~-]{1,128}$/;

function versionOf(url: string): 1 | 2 {
  return url.includes('/api/v1/') ? 1 : 2;
}

/** Fastify plugin with the Zipkin POST routes; errors answer as plain text, like Zipkin. */
export const zipkinReceiverPlugin: FastifyPluginAsync<ZipkinReceiverOptions> = async (app: FastifyInstance, options) => {
  const { ingest, maxBodyBytes } = options;
  app.setErrorHandler((err, request, reply) => {
    const version = versionOf(request.url);
    const format = FORMATS[version].get(mediaType(request.headers['content-type']))?.format ?? FORMATS[version].get('')!.format;
    const appErr = ingest.refuse(format, err, { bodyLimit: maxBodyBytes, source: request.ip, body: Buffer.isBuffer(request.body) ? request.body : undefined });
    logIfUnexpected(request.log, appErr, err);
    if (appErr.code === 'RESOURCE_EXHAUSTED' || appErr.code === 'UNAVAILABLE') void reply.header('retry-after', '1');
    void reply.status(HTTP_STATUS[appErr.code]).type('text/plain; charset=utf-8').send(appErr.message + '\n');
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const version = versionOf(request.url);
    const token = (request.params as { token?: string }).token;
    if (token !== undefined && !TOKEN.test(token)) {
      throw new AppError('INVALID_ARGUMENT', 'tenant token in the path must be 1-128 characters of A-Z a-z 0-9 . _ ~ -');
    }
    // An access hook that resolved the tenant (multi-tenancy, pinned credentials) has the last word.
    const tenant = request.tenant ?? token ?? '';
    const type = mediaType(request.headers['content-type']);
    const body = FORMATS[version].get(type);
    if (!body) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${JSON.stringify(type)} is not supported on /api/v${version}/spans (use ${TYPE_HINT[version]})`);
    }
    const done = ingest.time(body.format);
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const bytes = await decodeContent(raw, request.headers['content-encoding'], maxBodyBytes);
    const spans = body.decode(bytes, tenant);
    await ingest.accept({ format: body.format, tenant, bytes, spans, source: request.ip });
    done();
    return reply.status(202).send();
  };

  app.post('/api/v1/spans', handle);
  app.post('/api/v2/spans', handle);
  app.post('/:token/api/v1/spans', handle);
  app.post('/:token/api/v2/spans', handle);
};
