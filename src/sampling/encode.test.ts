import { describe, expect, it } from 'vitest';
import { encodeLegacyStrategy, encodeStrategy, type OperationSampling, type SamplingStrategyResponse } from './index.js';

function prob(rate: number, operationSampling?: OperationSampling): SamplingStrategyResponse {
  const out: SamplingStrategyResponse = { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: rate } };
  if (operationSampling !== undefined) out.operationSampling = operationSampling;
  return out;
}

function limit(max: number, operationSampling?: OperationSampling): SamplingStrategyResponse {
  const out: SamplingStrategyResponse = { strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: max } };
  if (operationSampling !== undefined) out.operationSampling = operationSampling;
  return out;
}

function ops(defaultSamplingProbability: number, perOperationStrategies: OperationSampling['perOperationStrategies']): OperationSampling {
  return { defaultSamplingProbability, defaultLowerBoundTracesPerSecond: 0, perOperationStrategies, defaultUpperBoundTracesPerSecond: 0 };
}

describe('encoding', () => {
  const cases: { name: string; response: SamplingStrategyResponse; json: string; legacy: string }[] = [
    {
      name: 'probabilistic',
      response: prob(0.001),
      json: '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.001}}',
      legacy: '{"strategyType":0,"probabilisticSampling":{"samplingRate":0.001}}',
    },
    {
      name: 'rate limiting',
      response: limit(7),
      json: '{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":7}}',
      legacy: '{"strategyType":1,"rateLimitingSampling":{"maxTracesPerSecond":7}}',
    },
    {
      name: 'per operation, with every field of operationSampling',
      response: prob(0.05, ops(0.05, [
        { operation: '/health', probabilisticSampling: { samplingRate: 0 } },
        { operation: 'checkout', probabilisticSampling: { samplingRate: 1 } },
      ])),
      json: '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.05},"operationSampling":'
        + '{"defaultSamplingProbability":0.05,"defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":['
        + '{"operation":"/health","probabilisticSampling":{"samplingRate":0}},'
        + '{"operation":"checkout","probabilisticSampling":{"samplingRate":1}}],"defaultUpperBoundTracesPerSecond":0}}',
      legacy: '{"strategyType":0,"probabilisticSampling":{"samplingRate":0.05},"operationSampling":'
        + '{"defaultSamplingProbability":0.05,"defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":['
        + '{"operation":"/health","probabilisticSampling":{"samplingRate":0}},'
        + '{"operation":"checkout","probabilisticSampling":{"samplingRate":1}}],"defaultUpperBoundTracesPerSecond":0}}',
    },
    {
      name: 'rate limiting with operations, empty list',
      response: limit(2, ops(0.001, [])),
      json: '{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":2},"operationSampling":'
        + '{"defaultSamplingProbability":0.001,"defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[],"defaultUpperBoundTracesPerSecond":0}}',
      legacy: '{"strategyType":1,"rateLimitingSampling":{"maxTracesPerSecond":2},"operationSampling":'
        + '{"defaultSamplingProbability":0.001,"defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[],"defaultUpperBoundTracesPerSecond":0}}',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(encodeStrategy(c.response)).toBe(c.json);
      expect(encodeLegacyStrategy(c.response)).toBe(c.legacy);
    });
  }

  it('legacy shape refuses a rate beyond its 16-bit field', () => {
    expect(encodeStrategy(limit(40_000))).toBe('{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":40000}}');
    expect(() => encodeLegacyStrategy(limit(40_000))).toThrow('maxTracesPerSecond 40000 does not fit the legacy sampling response (at most 32767); use /sampling');
  });
});
