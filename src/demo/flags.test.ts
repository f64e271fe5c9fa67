import { describe, expect, it } from 'vitest';
import { DEMO_FLAGS, demoOptionsFromFlags } from './flags.js';
import type { DemoOptions } from './demo.js';

describe('demoOptionsFromFlags', () => {
  const ok: Array<{ name: string; values: Record<string, string | undefined>; want: DemoOptions }> = [
    { name: 'nothing given', values: {}, want: {} },
    { name: 'undefined values keep defaults', values: { 'demo.rate': undefined }, want: {} },
    {
      name: 'every flag',
      values: {
        'demo.zipkin-url': 'http://collector:9411', 'demo.encoding': 'json-v1', 'demo.rate': '2.5', 'demo.requests': '100',
        'demo.sampling': '50', 'demo.ratings-fail-percent': '0', 'demo.reviews-v3-delay-ms': '200', 'demo.namespace': 'shop',
        'demo.port': '9080', 'demo.flush-interval-ms': '250', 'demo.trace-id-128': 'true', 'demo.seed': '42',
      },
      want: {
        zipkinUrl: 'http://collector:9411', encoding: 'json-v1', rate: 2.5, requests: 100, samplingPercent: 50, ratingsFailPercent: 0,
        reviewsV3DelayMs: 200, namespace: 'shop', port: 9080, flushIntervalMs: 250, traceId128: true, seed: 42,
      },
    },
  ];
  for (const c of ok) {
    it(c.name, () => {
      expect(demoOptionsFromFlags(c.values)).toEqual(c.want);
    });
  }

  const bad: Array<{ name: string; values: Record<string, string>; error: string }> = [
    { name: 'sampling above 100', values: { 'demo.sampling': '150' }, error: '--demo.sampling: expected a number 0–100, got "150"' },
    { name: 'negative rate', values: { 'demo.rate': '-1' }, error: '--demo.rate: expected a number >= 0, got "-1"' },
    { name: 'empty rate', values: { 'demo.rate': '' }, error: '--demo.rate: expected a number >= 0, got ""' },
    { name: 'fractional requests', values: { 'demo.requests': '1.5' }, error: '--demo.requests: expected a whole number, got "1.5"' },
    { name: 'port out of range', values: { 'demo.port': '70000' }, error: '--demo.port: expected a number 0–65535, got "70000"' },
    { name: 'unknown encoding', values: { 'demo.encoding': 'proto3' }, error: '--demo.encoding: expected json-v2 or json-v1, got "proto3"' },
    { name: 'bad boolean', values: { 'demo.trace-id-128': 'yes please' }, error: '--demo.trace-id-128: expected true or false, got "yes please"' },
    { name: 'unknown flag', values: { 'demo.speed': '1' }, error: 'unknown flag --demo.speed; demo flags: --demo.zipkin-url' },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, () => {
      expect(() => demoOptionsFromFlags(c.values)).toThrow(c.error);
    });
  }

  it('lists every flag with an environment variable', () => {
    expect(DEMO_FLAGS.map((f) => f.flag)).toEqual([
      'demo.zipkin-url', 'demo.encoding', 'demo.rate', 'demo.requests', 'demo.sampling', 'demo.ratings-fail-percent',
      'demo.reviews-v3-delay-ms', 'demo.namespace', 'demo.port', 'demo.flush-interval-ms', 'demo.trace-id-128', 'demo.seed',
    ]);
    for (const f of DEMO_FLAGS) expect(f.env).toBe(`ARIADNE_${f.flag.toUpperCase().replace(/[.-]/g, '_')}`);
  });
});
