/**
 * OTLP/HTTP receiver (:4318): POST /v1/traces with an ExportTraceServiceRequest in protobuf
 * (application/x-protobuf) or JSON (application/json), optionally gzip. Answers 200 with an
 * ExportTraceServiceResponse in the request's encoding; errors carry a google.rpc.Status body in
 * the same encoding: 400 undecodable, 413 too large, 415 other content types, 429 / 503 with
 * Retry-After when the store cannot take more now.
 * Spec: opentelemetry-proto docs/specification.md, "OTLP/HTTP".
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, GRPC_STATUS, HTTP_STATUS } from '../../errors.js';
import { decodeContent, mediaType } from '../body.js';
import type { Ingest } from '../ingest.js';
import type { OtlpDecodeResult } from './convert.js';
import { OTLP_JSON, decodeOtlpJsonRequest } from './decode-json.js';
import { OTLP_PROTO, decodeOtlpProtoRequest } from './decode-proto.js';
import { exportResponseJson, exportResponseProto, statusJson, statusProto } from './response.js';

/** What the OTLP/HTTP receiver needs from the process. */
export interface OtlpHttpOptions {
  ingest: Ingest;
  /** Largest body, on the wire and after content decoding. */
  maxBodyBytes: number;
  /** Tenant of spans whose request names none (an access hook sets `request.tenant`); default "". */
  tenant?: string;
}

const PROTO_TYPES = new Set(['application/x-protobuf', 'application/protobuf']);
const JSON_TYPE = 'application/json';
const PROTO_CONTENT_TYPE = 'application/x-protobuf';
const JSON_CONTENT_TYPE = 'application/json';

/** The decoder key a request's Content-Type selects (undefined for unsupported types). */
function formatOf(request: FastifyRequest): string | undefined {
  const type = mediaType(request.headers['content-type']);
  if (PROTO_TYPES.has(type)) return OTLP_PROTO;
  if (type === JSON_TYPE) return OTLP_JSON;
  return undefined;
}

/** Fastify plugin with POST /v1/traces; register it on its own port (or under no prefix). */
export const otlpHttpPlugin: FastifyPluginAsync<OtlpHttpOptions> = async (app: FastifyInstance, options) => {
  const { ingest, maxBodyBytes } = options;
  const defaultTenant = options.tenant ?? '';

  // Bodies stay raw: the decoders read them, and the log keeps exactly those bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, request, reply) => {
    const format = formatOf(request);
    const appErr = ingest.refuse(format ?? OTLP_PROTO, err, { bodyLimit: maxBodyBytes, source: request.ip, body: Buffer.isBuffer(request.body) ? request.body : undefined });
    if (appErr.code === 'INTERNAL') request.log.error({ err }, appErr.message);
    if (appErr.code === 'RESOURCE_EXHAUSTED' || appErr.code === 'UNAVAILABLE') void reply.header('retry-after', '1');
    const code = GRPC_STATUS[appErr.code];
    void reply.status(HTTP_STATUS[appErr.code]);
    if (format === OTLP_PROTO) void reply.type(PROTO_CONTENT_TYPE).send(statusProto(code, appErr.message));
    else void reply.type(JSON_CONTENT_TYPE).send(statusJson(code, appErr.message));
  });

  app.post('/v1/traces', { bodyLimit: maxBodyBytes }, async (request: FastifyRequest, reply: FastifyReply) => {
    const format = formatOf(request);
    if (format === undefined) {
      const type = mediaType(request.headers['content-type']);
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${JSON.stringify(type.slice(0, 80))} is not supported on /v1/traces (use application/x-protobuf or application/json)`);
    }
    const tenant = request.tenant ?? defaultTenant;
    const done = ingest.time(format);
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const bytes = await decodeContent(raw, request.headers['content-encoding'], maxBodyBytes);
    const result: OtlpDecodeResult = format === OTLP_PROTO ? decodeOtlpProtoRequest(bytes, tenant) : decodeOtlpJsonRequest(bytes, tenant);
    await ingest.accept({ format, tenant, bytes, spans: result.spans, skipped: result.rejected, source: request.ip });
    done();
    if (format === OTLP_PROTO) return reply.status(200).type(PROTO_CONTENT_TYPE).send(exportResponseProto(result));
    return reply.status(200).type(JSON_CONTENT_TYPE).send(exportResponseJson(result));
  });
};
