/**
 * OTLP protobuf (ExportTraceServiceRequest, as sent to gRPC :4317 and to POST /v1/traces with
 * Content-Type application/x-protobuf) → the internal span model, on protobufjs' static decoder.
 * Spec: opentelemetry-proto collector/trace/v1/trace_service.proto.
 */
import { AppError } from '../../errors.js';
import type { Span } from '../../model/index.js';
import { opentelemetry } from '../../../proto/gen/otlp.js';
import { convertExportRequest, type OtlpDecodeResult } from './convert.js';

/** Payload format key of OTLP protobuf request bodies (also the key of their decoder). */
export const OTLP_PROTO = 'otlp-proto';

const { ExportTraceServiceRequest } = opentelemetry.proto.collector.trace.v1;

/**
 * Decodes an ExportTraceServiceRequest. Invalid spans are skipped and counted; bytes that are not
 * such a message throw AppError INVALID_ARGUMENT. Pure and deterministic.
 */
export function decodeOtlpProtoRequest(bytes: Buffer, tenant: string): OtlpDecodeResult {
  let request: unknown;
  try {
    request = ExportTraceServiceRequest.decode(bytes);
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `ExportTraceServiceRequest: not a valid protobuf message: ${(err as Error).message}`, { cause: err });
  }
  return convertExportRequest(request, tenant, 'proto');
}

/** The spans {@link decodeOtlpProtoRequest} accepts from `bytes`: the log's replay decoder. */
export function decodeOtlpProto(bytes: Buffer, tenant: string): Span[] {
  return decodeOtlpProtoRequest(bytes, tenant).spans;
}
