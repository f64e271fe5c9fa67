/** A deterministic span set for this module's tests, and exact figures computed from it directly. */
import type { Span } from '../../model/index.js';

/** Start of the data set, µs: a multiple of 5 minutes, so 5m buckets start at T0. */
export const T0 = 1_699_999_800_000_000;

/** Length of the data set, µs (30 minutes). */
export const SPAN_RANGE_US = 30 * 60_000_000;

const SERVICES: Record<string, string[]> = {
  productpage: ['GET /productpage', 'GET /login'],
  reviews: ['GET /reviews', 'GET /reviews/{id}', 'POST /reviews'],
  ratings: ['GET /ratings'],
};

/**
 * `count` spans (default 600) of three services, one span per trace, starting every 3 s from T0;
 * durations log-spread from ~1 ms to ~1 s; every 17th span fails with http.status_code "500";
 * `retries` is a number attribute on every third span; every 10th span carries `peer.service`.
 */
export function testSpans(count = 600): Span[] {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const names = Object.keys(SERVICES);
  const spans: Span[] = [];
  for (let i = 0; i < count; i++) {
    const service = names[i % names.length]!;
    const ops = SERVICES[service]!;
    const failed = i % 17 === 0;
    const attributes: Span['attributes'] = { 'http.status_code': failed ? '500' : '200', 'http.url': `/item/${i}` };
    if (i % 3 === 0) attributes.retries = i % 5;
    if (i % 10 === 0) attributes['peer.service'] = 'db';
    const hex = (i + 1).toString(16);
    spans.push({
      traceId: hex.padStart(32, '0'),
      spanId: hex.padStart(16, '0'),
      kind: 'server',
      name: ops[Math.floor(rand() * ops.length)]!,
      service,
      startUs: T0 + i * 3_000_000,
      durationUs: Math.round(1000 * Math.exp(rand() * Math.log(1000))),
      statusCode: failed ? 'error' : 'unset',
      attributes,
      events: [],
      links: [],
      resource: {},
      tenant: '',
    });
  }
  return spans;
}

/** The exact nearest-rank q-quantile of values. */
export function exactQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}
