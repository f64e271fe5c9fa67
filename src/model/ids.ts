/** Id parsing and formatting shared by every protocol. */

const HEX = /^[0-9a-fA-F]+$/;
const ZERO16 = '0000000000000000';

/**
 * Normalises a trace id to 32 lowercase hex chars. Accepts 1–32 hex chars (shorter ids are
 * left-padded, as Zipkin does). Returns undefined when the input is not a valid id, or all zeros.
 */
export function normalizeTraceId(id: string): string | undefined {
  if (id.length === 0 || id.length > 32 || !HEX.test(id)) return undefined;
  const lower = id.toLowerCase().padStart(32, '0');
  return /^0+$/.test(lower) ? undefined : lower;
}

/** Normalises a span id to 16 lowercase hex chars (1–16 hex accepted), or undefined. */
export function normalizeSpanId(id: string): string | undefined {
  if (id.length === 0 || id.length > 16 || !HEX.test(id)) return undefined;
  const lower = id.toLowerCase().padStart(16, '0');
  return lower === ZERO16 ? undefined : lower;
}

/**
 * Formats a stored 32-hex trace id for APIs that echo the sender's width (Zipkin, Jaeger):
 * 64-bit ids (high half zero) come out as 16 hex chars.
 */
export function formatTraceId(traceId: string): string {
  return traceId.startsWith(ZERO16) ? traceId.slice(16) : traceId;
}
