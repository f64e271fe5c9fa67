/**
 * OTLP JSON (POST /v1/traces with Content-Type application/json) → the internal span model.
 * Spec: https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding — lowerCamelCase field
 * names, trace and span ids as hex (not base64), enums as integers (names accepted too), 64-bit
 * integers as decimal strings or numbers, unknown fields ignored.
 */
import { AppError } from '../../errors.js';
import type { Span } from '../../model/index.js';
import { convertExportRequest, type OtlpDecodeResult } from './convert.js';

/** Payload format key of OTLP JSON request bodies (also the key of their decoder). */
export const OTLP_JSON = 'otlp-json';

/**
 * Decodes an ExportTraceServiceRequest in JSON. Invalid spans are skipped and counted; a body that
 * is not JSON, or JSON of the wrong shape, throws AppError INVALID_ARGUMENT. Pure and deterministic.
 */
export function decodeOtlpJsonRequest(bytes: Buffer, tenant: string): OtlpDecodeResult {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  return convertExportRequest(request, tenant, 'json');
}

/** The spans {@link decodeOtlpJsonRequest} accepts from `bytes`: the log's replay decoder. */
export function decodeOtlpJson(bytes: Buffer, tenant: string): Span[] {
  return decodeOtlpJsonRequest(bytes, tenant).spans;
}
