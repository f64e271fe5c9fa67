/** Span builders for this module's tests: plain defaults, overrides win. */
import type { Span } from '../../model/index.js';

/** Trace id of {@link span} unless overridden. */
export const TEST_TRACE_ID = '00000000000000000000000000abcdef';

/** A span of service "svc", operation "op", starting at 1 s, 100 µs long; spanId given as a short hex. */
export function span(overrides: Partial<Span> & { spanId: string }): Span {
  return {
    traceId: TEST_TRACE_ID,
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
    spanId: overrides.spanId.padStart(16, '0'),
    ...(overrides.parentSpanId !== undefined ? { parentSpanId: overrides.parentSpanId.padStart(16, '0') } : {}),
  };
}
