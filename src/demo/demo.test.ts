import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { spanEndpoint, startDemo, type DemoOptions } from './demo.js';

describe('spanEndpoint', () => {
  const cases = [
    { name: 'bare base URL, v2', url: 'http://127.0.0.1:9411', encoding: undefined, want: 'http://127.0.0.1:9411/api/v2/spans' },
    { name: 'bare base URL, v1', url: 'http://127.0.0.1:9411/', encoding: 'json-v1' as const, want: 'http://127.0.0.1:9411/api/v1/spans' },
    { name: 'span endpoint kept', url: 'http://collector:9411/api/v1/spans', encoding: undefined, want: 'http://collector:9411/api/v1/spans' },
    { name: 'tokenised path kept', url: 'https://ingest.example/t0k3n/api/v2/spans', encoding: undefined, want: 'https://ingest.example/t0k3n/api/v2/spans' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(spanEndpoint(c.url, c.encoding)).toBe(c.want);
    });
  }
});

describe('startDemo', () => {
  const bad: Array<{ name: string; options: DemoOptions; error: string }> = [
    { name: 'sampling above 100', options: { samplingPercent: 101 }, error: 'demo.samplingPercent: expected a percentage 0–100, got 101' },
    { name: 'negative fault rate', options: { ratingsFailPercent: -5 }, error: 'demo.ratingsFailPercent: expected a percentage 0–100, got -5' },
    { name: 'negative rate', options: { rate: -1 }, error: 'demo.rate: expected a number >= 0, got -1' },
    { name: 'zero flush interval', options: { flushIntervalMs: 0 }, error: 'demo.flushIntervalMs: expected a number > 0, got 0' },
    { name: 'fractional requests', options: { requests: 2.5 }, error: 'demo.requests: expected a whole number >= 0, got 2.5' },
    { name: 'namespace with dots', options: { namespace: 'a.b' }, error: `demo.namespace: expected a Kubernetes name (lower-case letters, digits, '-'), got "a.b"` },
    { name: 'not a URL', options: { zipkinUrl: 'collector:9411' }, error: 'demo.zipkinUrl: expected an http(s) URL, got "collector:9411"' },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, async () => {
      await expect(startDemo(c.options)).rejects.toThrow(c.error);
    });
  }

  it('fails on a taken entry port and leaves nothing running', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      await expect(startDemo({ port, rate: 0 })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('runs without load and answers a request sent by hand', async () => {
    const demo = await startDemo({ rate: 0, zipkinUrl: 'http://127.0.0.1:9/api/v2/spans', samplingPercent: 0, ratingsFailPercent: 0, reviewsV3DelayMs: 0 });
    try {
      expect(demo.loadDone).toBeUndefined();
      const res = await fetch(demo.urls.productpage);
      const body = (await res.json()) as { details: { author: string }; reviews: { podname: string } };
      expect(res.status).toBe(200);
      expect(body.details.author).toBe('William Shakespeare');
      expect(body.reviews.podname).toBe('reviews-v1-0');
      expect(demo.stats().reporter.reported).toBe(0);
      expect(demo.summary().split('\n')[3]).toBe('  load       off (send your own requests)');
    } finally {
      await demo.close();
    }
  });
});
