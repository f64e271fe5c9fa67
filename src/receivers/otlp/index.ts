/** OTLP receivers: protobuf and JSON decoders, the gRPC TraceService and the HTTP /v1/traces plugin. */
export { OTLP_ATTRIBUTES, convertExportRequest } from './convert.js';
export type { OtlpDecodeResult, OtlpDialect } from './convert.js';
export { OTLP_PROTO, decodeOtlpProto, decodeOtlpProtoRequest } from './decode-proto.js';
export { OTLP_JSON, decodeOtlpJson, decodeOtlpJsonRequest } from './decode-json.js';
export { OTLP_TRACE_SERVICE, createOtlpTraceService } from './grpc.js';
export type { OtlpGrpcOptions } from './grpc.js';
export { otlpHttpPlugin } from './http.js';
export type { OtlpHttpOptions } from './http.js';
