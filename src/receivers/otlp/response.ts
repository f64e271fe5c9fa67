/**
 * The answers of the OTLP receivers: ExportTraceServiceResponse (with partial_success when spans were
 * skipped) and the google.rpc.Status body of OTLP/HTTP errors, in protobuf or JSON.
 * Spec: opentelemetry-proto docs/specification.md, "OTLP/HTTP Response" and "Failures".
 */
import protobuf from 'protobufjs/minimal.js';
import { opentelemetry } from '../../../proto/gen/otlp.js';
import type { OtlpDecodeResult } from './convert.js';

const { ExportTraceServiceResponse } = opentelemetry.proto.collector.trace.v1;

/** The ExportTraceServiceResponse of a decoded request as protobuf bytes. */
export function exportResponseProto(result: Pick<OtlpDecodeResult, 'rejected' | 'message'>): Buffer {
  const message = result.rejected > 0
    ? { partialSuccess: { rejectedSpans: result.rejected, errorMessage: result.message } }
    : {};
  return Buffer.from(ExportTraceServiceResponse.encode(message).finish());
}

/** The ExportTraceServiceResponse of a decoded request in the protobuf JSON mapping (int64 as a string). */
export function exportResponseJson(result: Pick<OtlpDecodeResult, 'rejected' | 'message'>): string {
  if (result.rejected === 0) return '{}';
  return JSON.stringify({ partialSuccess: { rejectedSpans: String(result.rejected), errorMessage: result.message } });
}

/** A google.rpc.Status {code, message} as protobuf bytes (field 1 int32 code, field 2 string message). */
export function statusProto(code: number, message: string): Buffer {
  const writer = protobuf.Writer.create();
  if (code !== 0) writer.uint32(8).int32(code);
  if (message !== '') writer.uint32(18).string(message);
  return Buffer.from(writer.finish());
}

/** A google.rpc.Status {code, message} in the protobuf JSON mapping. */
export function statusJson(code: number, message: string): string {
  return JSON.stringify({ code, message });
}
