/**
 * A real jaeger-client (Node) tracer with a remote sampler, pointed at the plugin on a real port:
 * it must adopt what the strategies file says, per operation and as a whole, and follow reloads.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fastify, type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSamplingProvider, samplingPlugin, type SamplingProvider } from './index.js';

/** The parts of jaeger-client this test touches (the package ships no types). */
interface JaegerSpan {
  context(): { isSampled(): boolean };
  finish(): void;
}
interface JaegerSampler {
  name(): string;
  _samplingRate?: number;
  _maxTracesPerSecond?: number;
}
interface JaegerTracer {
  startSpan(operation: string): JaegerSpan;
  close(callback?: () => void): void;
  _sampler: { _sampler: JaegerSampler };
}
interface JaegerClient {
  initTracer(config: object, options: object): JaegerTracer;
  InMemoryReporter: new () => object;
}

const jaeger = createRequire(import.meta.url)('jaeger-client') as JaegerClient;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const PER_OPERATION = JSON.stringify({
  default_strategy: { type: 'probabilistic', param: 0 },
  service_strategies: [{
    service: 'shop', type: 'probabilistic', param: 0,
    operation_strategies: [
      { operation: 'always', type: 'probabilistic', param: 1 },
      { operation: 'never', type: 'probabilistic', param: 0 },
    ],
  }],
});
const EVERYTHING = JSON.stringify({ service_strategies: [{ service: 'shop', type: 'probabilistic', param: 1 }] });
const RATE_LIMITED = JSON.stringify({ service_strategies: [{ service: 'shop', type: 'ratelimiting', param: 7 }] });

/** How many of `count` new root spans of `operation` the tracer samples. */
function sampledOf(tracer: JaegerTracer, operation: string, count = 50): number {
  let sampled = 0;
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan(operation);
    if (span.context().isSampled()) sampled++;
    span.finish();
  }
  return sampled;
}

describe('jaeger-client remote sampler against samplingPlugin', () => {
  let dir: string;
  let file: string;
  let provider: SamplingProvider;
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ariadne-sampling-client-'));
    file = join(dir, 'strategies.json');
    await writeFile(file, PER_OPERATION);
    provider = await createSamplingProvider({ file, logger: quiet, reloadIntervalMs: 0 });
    app = fastify();
    await app.register(samplingPlugin, { provider });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    provider.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  const paths: { name: string; samplingPath: string }[] = [
    { name: 'agent route /sampling (the client default)', samplingPath: '/sampling' },
    { name: 'collector route /api/sampling', samplingPath: '/api/sampling' },
  ];
  for (const { name, samplingPath } of paths) {
    it(`follows per-operation, probabilistic and rate-limiting strategies via ${name}`, async () => {
      await writeFile(file, PER_OPERATION);
      await provider.reload();
      const tracer = jaeger.initTracer(
        { serviceName: 'shop', sampler: { type: 'remote', param: 0.5, host: '127.0.0.1', port, samplingPath, refreshIntervalMs: 20 } },
        { reporter: new jaeger.InMemoryReporter(), logger: quiet },
      );
      try {
        const current = (): JaegerSampler => tracer._sampler._sampler;
        await vi.waitFor(() => expect(current().name()).toBe('PerOperationSampler'), { timeout: 3000, interval: 10 });
        expect({ always: sampledOf(tracer, 'always'), never: sampledOf(tracer, 'never'), other: sampledOf(tracer, 'other') })
          .toStrictEqual({ always: 50, never: 0, other: 0 });

        await writeFile(file, EVERYTHING);
        expect(await provider.reload()).toBe(true);
        await vi.waitFor(() => expect(current().name()).toBe('ProbabilisticSampler'), { timeout: 3000, interval: 10 });
        expect(current()._samplingRate).toBe(1);
        expect({ never: sampledOf(tracer, 'never'), other: sampledOf(tracer, 'other') }).toStrictEqual({ never: 50, other: 50 });

        await writeFile(file, RATE_LIMITED);
        expect(await provider.reload()).toBe(true);
        await vi.waitFor(() => expect(current().name()).toBe('RateLimitingSampler'), { timeout: 3000, interval: 10 });
        expect(current()._maxTracesPerSecond).toBe(7);
      } finally {
        await new Promise<void>((resolve) => tracer.close(resolve));
      }
    });
  }
});
