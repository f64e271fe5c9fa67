/** Span builders for this module's tests: every field has a plain default, overrides win. */
import type { Span } from '../../model/index.js';

/** Trace id used by {@link makeSpan} unless overridden (a 64-bit id, left-padded). */
export const TRACE_ID = '0000000000000000463ac35c9f6413ad';

/** A span with defaults: kind unspecified, service "svc", operation "op", start 1_000_000 µs, 100 µs long. */
export function makeSpan(overrides: Partial<Span> & { spanId: string }): Span {
  return {
    traceId: TRACE_ID,
    kind: 'unspecified',
    name: 'op',
    service: 'svc',
    startUs: 1_000_000,
    durationUs: 100,
    statusCode: 'unset',
    attributes: {},
    events: [],
    links: [],
    resource: {},
    tenant: '',
    ...overrides,
  };
}
