/** Receivers: wire formats in, spans out. Also the decoder table the store's log replays with. */
import { AppError } from '../errors.js';
import type { Span } from '../model/index.js';
import type { Payload } from '../storage/api.js';
import {
  JAEGER_AGENT_BINARY, JAEGER_AGENT_COMPACT, JAEGER_THRIFT_BATCH, decodeJaegerAgentBinary, decodeJaegerAgentCompact, decodeJaegerThriftBatch,
} from './jaeger/index.js';
import { JAEGER_PROTO, decodeJaegerProto } from './jaeger/decode-proto.js';
import { OTLP_JSON, OTLP_PROTO, decodeOtlpJson, decodeOtlpProto } from './otlp/index.js';
import { ZIPKIN_V1_JSON, ZIPKIN_V2_JSON, decodeZipkinV1Json, decodeZipkinV2Json } from './zipkin/index.js';
import { ZIPKIN_V2_PROTO, decodeZipkinV2Proto } from './zipkin/decode-proto.js';
import { ZIPKIN_V1_THRIFT, decodeZipkinV1Thrift } from './zipkin/decode-thrift.js';

export { zipkinReceiverPlugin } from './zipkin/http.js';
export type { ZipkinReceiverOptions } from './zipkin/http.js';
export { createJaegerCollectorService } from './jaeger/grpc.js';
export { jaegerHttpPlugin } from './jaeger/http.js';
export { startAgentUdp } from './jaeger/udp.js';
export { watchUdpKernelCounters } from './udp-kernel.js';

/** The format keys each receiver port takes (the same keys the log and the ingest figures use). */
export const FORMATS_BY_RECEIVER = {
  zipkin: [ZIPKIN_V2_JSON, ZIPKIN_V2_PROTO, ZIPKIN_V1_JSON, ZIPKIN_V1_THRIFT],
  otlpGrpc: [OTLP_PROTO],
  otlpHttp: [OTLP_PROTO, OTLP_JSON],
  jaegerHttp: [JAEGER_THRIFT_BATCH],
  jaegerGrpc: [JAEGER_PROTO],
  jaegerCompact: [JAEGER_AGENT_COMPACT],
  jaegerBinary: [JAEGER_AGENT_BINARY],
} as const;
export { createOtlpTraceService, otlpHttpPlugin } from './otlp/index.js';
export { startGrpcServer } from './grpc.js';
export type { GrpcAccess, GrpcAuthorize, GrpcService } from './grpc.js';
export { createIngest, REFUSAL_REASON } from './ingest.js';
export { admitGrpc, admitHttp, budgetShortfall, bufferedSpansLimit, createAdmission } from './admission.js';
export type { Admission, AdmissionOptions, MemoryUsage } from './admission.js';
export { DEFAULT_LIMITS, TRUNCATED_ATTRIBUTE, createLimiter, withTruncationWarnings } from './limits.js';
export type { Limiter, Limits } from './limits.js';
export { createIngestStats } from './ingest-stats.js';
export type { IngestSnapshot, IngestStats, Refusal, ReceiverStats, SourceStats } from './ingest-stats.js';
export type { Ingest, IngestBatch, IngestOptions } from './ingest.js';

/** Every logged format and the decoder that reads it again; each is the one its receiver used. */
const DECODERS: Record<string, (bytes: Buffer, tenant: string) => Span[]> = {
  [ZIPKIN_V1_JSON]: decodeZipkinV1Json,
  [ZIPKIN_V2_JSON]: decodeZipkinV2Json,
  [ZIPKIN_V1_THRIFT]: decodeZipkinV1Thrift,
  [ZIPKIN_V2_PROTO]: decodeZipkinV2Proto,
  [JAEGER_THRIFT_BATCH]: decodeJaegerThriftBatch,
  [JAEGER_AGENT_COMPACT]: decodeJaegerAgentCompact,
  [JAEGER_AGENT_BINARY]: decodeJaegerAgentBinary,
  [JAEGER_PROTO]: decodeJaegerProto,
  [OTLP_PROTO]: decodeOtlpProto,
  [OTLP_JSON]: decodeOtlpJson,
};

/** Decodes a logged request body again; the same decoder the receiver used, so the same spans. */
export function decodePayload(payload: Payload): Span[] {
  const decode = DECODERS[payload.format];
  if (!decode) throw new AppError('INTERNAL', `no decoder for logged format ${JSON.stringify(payload.format)}`);
  return decode(payload.bytes, payload.tenant);
}
