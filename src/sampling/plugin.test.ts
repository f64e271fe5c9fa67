import { fastify, type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT_SAMPLING_ROUTES, COLLECTOR_SAMPLING_ROUTES, parseStrategies, samplingPlugin, strategyFor, type SamplingRoute,
} from './index.js';

const { strategies } = parseStrategies(JSON.stringify({
  default_strategy: { type: 'probabilistic', param: 0.5 },
  service_strategies: [
    { service: 'cart', type: 'ratelimiting', param: 4 },
    { service: 'shop', type: 'probabilistic', param: 0.2, operation_strategies: [{ operation: 'GET /', type: 'probabilistic', param: 1 }] },
    { service: 'firehose', type: 'ratelimiting', param: 40000 },
  ],
}));
const provider = { strategyFor: (service: string) => strategyFor(strategies, service) };

async function appWith(routes?: readonly SamplingRoute[]): Promise<FastifyInstance> {
  const app = fastify();
  await app.register(samplingPlugin, routes === undefined ? { provider } : { provider, routes });
  await app.ready();
  return app;
}

const SHOP_OPS = '"operationSampling":{"defaultSamplingProbability":0.2,"defaultLowerBoundTracesPerSecond":0,'
  + '"perOperationStrategies":[{"operation":"GET /","probabilisticSampling":{"samplingRate":1}}],"defaultUpperBoundTracesPerSecond":0}';

describe('samplingPlugin', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await appWith();
  });
  afterAll(async () => {
    await app.close();
  });

  const cases: { name: string; url: string; status: number; type: string; body: string }[] = [
    { name: 'agent /sampling, listed service', url: '/sampling?service=cart', status: 200, type: 'application/json', body: '{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":4}}' },
    { name: 'agent /sampling, unknown service', url: '/sampling?service=nobody', status: 200, type: 'application/json', body: '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.5}}' },
    { name: 'collector /api/sampling', url: '/api/sampling?service=shop', status: 200, type: 'application/json', body: `{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.2},${SHOP_OPS}}` },
    { name: 'legacy / answers the numeric enum', url: '/?service=cart', status: 200, type: 'application/json', body: '{"strategyType":1,"rateLimitingSampling":{"maxTracesPerSecond":4}}' },
    { name: 'legacy / with operations', url: '/?service=shop', status: 200, type: 'application/json', body: `{"strategyType":0,"probabilisticSampling":{"samplingRate":0.2},${SHOP_OPS}}` },
    { name: 'service name is URL-decoded', url: '/sampling?service=c%61rt', status: 200, type: 'application/json', body: '{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":4}}' },
    { name: 'missing service', url: '/sampling', status: 400, type: 'text/plain; charset=utf-8', body: "'service' parameter must be provided once" },
    { name: 'repeated service', url: '/api/sampling?service=a&service=b', status: 400, type: 'text/plain; charset=utf-8', body: "'service' parameter must be provided once" },
    { name: 'empty service', url: '/?service=', status: 400, type: 'text/plain; charset=utf-8', body: "'service' parameter must not be empty" },
    { name: 'legacy rate beyond 16 bits', url: '/?service=firehose', status: 500, type: 'text/plain; charset=utf-8', body: 'maxTracesPerSecond 40000 does not fit the legacy sampling response (at most 32767); use /sampling' },
    { name: 'same rate on /sampling', url: '/sampling?service=firehose', status: 200, type: 'application/json', body: '{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":40000}}' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const res = await app.inject({ method: 'GET', url: c.url });
      expect({ status: res.statusCode, type: res.headers['content-type'], body: res.body }).toStrictEqual({ status: c.status, type: c.type, body: c.body });
    });
  }
});

describe('samplingPlugin routes option', () => {
  const cases: { name: string; routes: readonly SamplingRoute[]; found: string[]; missing: string[] }[] = [
    { name: 'agent routes', routes: AGENT_SAMPLING_ROUTES, found: ['/sampling', '/'], missing: ['/api/sampling'] },
    { name: 'collector routes', routes: COLLECTOR_SAMPLING_ROUTES, found: ['/api/sampling'], missing: ['/sampling', '/'] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const app = await appWith(c.routes);
      try {
        for (const path of c.found) expect((await app.inject({ url: `${path}?service=cart` })).statusCode).toBe(200);
        for (const path of c.missing) expect((await app.inject({ url: `${path}?service=cart` })).statusCode).toBe(404);
      } finally {
        await app.close();
      }
    });
  }
});
