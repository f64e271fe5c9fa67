import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { defaultStrategies, parseStrategies, strategyFor, type SamplingStrategyResponse } from './index.js';

/** Every merge rule at once: default per-operation entries, service overrides, ignored rate-limited operations. */
const MERGING = JSON.stringify({
  default_strategy: {
    type: 'probabilistic', param: 0.5,
    operation_strategies: [
      { operation: '/health', type: 'probabilistic', param: 0 },
      { operation: 'checkout', type: 'probabilistic', param: 1 },
      { operation: 'spam', type: 'ratelimiting', param: 1 },
    ],
  },
  service_strategies: [
    {
      service: 'cart', type: 'probabilistic', param: 0.8,
      operation_strategies: [
        { operation: '/health', type: 'probabilistic', param: 0.25 },
        { operation: 'add', type: 'probabilistic', param: 0.2 },
        { operation: 'bulk', type: 'ratelimiting', param: 10 },
      ],
    },
    { service: 'billing', type: 'ratelimiting', param: 5, operation_strategies: [{ operation: 'charge', type: 'probabilistic', param: 0.3 }] },
    { service: 'search', type: 'probabilistic', param: 0.05 },
    { service: 'mailer', type: 'ratelimiting', param: 3.7 },
  ],
});

/** Services and default without per-operation entries. */
const PLAIN = JSON.stringify({
  default_strategy: { type: 'ratelimiting', param: 2 },
  service_strategies: [
    { service: 'cart', type: 'probabilistic', param: 0.8 },
    { service: 'empty-ops', type: 'probabilistic', param: 0.3, operation_strategies: [] },
    { service: 'only-limited-ops', type: 'probabilistic', param: 0.4, operation_strategies: [{ operation: 'x', type: 'ratelimiting', param: 3 }] },
  ],
});

const DEFAULT_OPS = [
  { operation: '/health', probabilisticSampling: { samplingRate: 0 } },
  { operation: 'checkout', probabilisticSampling: { samplingRate: 1 } },
];

function prob(rate: number, operationSampling?: SamplingStrategyResponse['operationSampling']): SamplingStrategyResponse {
  const out: SamplingStrategyResponse = { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: rate } };
  if (operationSampling !== undefined) out.operationSampling = operationSampling;
  return out;
}

function limit(max: number, operationSampling?: SamplingStrategyResponse['operationSampling']): SamplingStrategyResponse {
  const out: SamplingStrategyResponse = { strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: max } };
  if (operationSampling !== undefined) out.operationSampling = operationSampling;
  return out;
}

function ops(defaultSamplingProbability: number, perOperationStrategies: typeof DEFAULT_OPS) {
  return { defaultSamplingProbability, defaultLowerBoundTracesPerSecond: 0, perOperationStrategies, defaultUpperBoundTracesPerSecond: 0 };
}

describe('strategyFor', () => {
  const cases: { name: string; file: string | null; service: string; want: SamplingStrategyResponse }[] = [
    { name: 'no file: built-in default', file: null, service: 'any', want: prob(0.001) },
    { name: 'file of null: built-in default', file: 'null', service: 'any', want: prob(0.001) },
    { name: 'empty object: built-in default', file: '{}', service: 'any', want: prob(0.001) },
    { name: 'explicit nulls: built-in default', file: '{"default_strategy":null,"service_strategies":null}', service: 'any', want: prob(0.001) },
    { name: 'plain: listed service', file: PLAIN, service: 'cart', want: prob(0.8) },
    { name: 'plain: unknown service gets the default', file: PLAIN, service: 'nobody', want: limit(2) },
    { name: 'plain: empty operation list adds nothing', file: PLAIN, service: 'empty-ops', want: prob(0.3) },
    {
      name: 'plain: only rate-limited operations leaves an empty list', file: PLAIN, service: 'only-limited-ops',
      want: prob(0.4, ops(0.4, [])),
    },
    {
      name: 'own operations merged with the default ones, own first, own win', file: MERGING, service: 'cart',
      want: prob(0.8, ops(0.8, [
        { operation: '/health', probabilisticSampling: { samplingRate: 0.25 } },
        { operation: 'add', probabilisticSampling: { samplingRate: 0.2 } },
        { operation: 'checkout', probabilisticSampling: { samplingRate: 1 } },
      ])),
    },
    {
      name: 'rate-limited service with own operations: operations default to the fallback 0.001', file: MERGING, service: 'billing',
      want: limit(5, ops(0.001, [{ operation: 'charge', probabilisticSampling: { samplingRate: 0.3 } }, ...DEFAULT_OPS])),
    },
    {
      name: 'probabilistic service without operations: default list, its own rate as operations default', file: MERGING,
      service: 'search', want: prob(0.05, ops(0.05, DEFAULT_OPS)),
    },
    {
      name: 'rate-limited service without operations: default list and default rate; fractional rate truncated',
      file: MERGING, service: 'mailer', want: limit(3, ops(0.5, DEFAULT_OPS)),
    },
    { name: 'unknown service: the default with its operations', file: MERGING, service: 'nobody', want: prob(0.5, ops(0.5, DEFAULT_OPS)) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const strategies = c.file === null ? defaultStrategies() : parseStrategies(c.file).strategies;
      expect(strategyFor(strategies, c.service)).toStrictEqual(c.want);
    });
  }

  it('reports what Jaeger ignores as warnings', () => {
    const withUnknown = JSON.parse(MERGING) as Record<string, unknown>;
    withUnknown['sampling'] = 1;
    (withUnknown['service_strategies'] as Record<string, unknown>[])[2]!['operation_strategy'] = [];
    expect(parseStrategies(JSON.stringify(withUnknown)).warnings).toStrictEqual([
      'strategies: unknown field "sampling" ignored',
      'default_strategy.operation_strategies[2]: per-operation strategies can only be probabilistic; "spam" is ignored',
      'service_strategies[0].operation_strategies[2]: per-operation strategies can only be probabilistic; "bulk" is ignored',
      'service_strategies[2]: unknown field "operation_strategy" ignored',
    ]);
  });

  it('uses the configured default probability where the file sets none', () => {
    const { strategies } = parseStrategies(MERGING, { defaultSamplingProbability: 0.25 });
    expect(strategyFor(strategies, 'billing').operationSampling?.defaultSamplingProbability).toBe(0.25);
    expect(strategyFor(parseStrategies('{}', { defaultSamplingProbability: 0.25 }).strategies, 'x')).toStrictEqual(prob(0.25));
  });

  it('hands out frozen responses', () => {
    const response = strategyFor(parseStrategies(MERGING).strategies, 'cart');
    expect(Object.isFrozen(response)).toBe(true);
    expect(Object.isFrozen(response.operationSampling?.perOperationStrategies)).toBe(true);
  });

  it('accepts a UTF-8 byte order mark and Buffers', () => {
    const { strategies } = parseStrategies(Buffer.from(`\ufeff${PLAIN}`, 'utf8'));
    expect(strategyFor(strategies, 'cart')).toStrictEqual(prob(0.8));
  });
});

describe('parseStrategies rejects', () => {
  const svc = (fields: Record<string, unknown>) => JSON.stringify({ service_strategies: [{ service: 'a', type: 'probabilistic', param: 0.1 }, fields] });
  const op = (fields: Record<string, unknown>) => JSON.stringify({
    default_strategy: { type: 'probabilistic', param: 0.1, operation_strategies: [{ operation: 'a', type: 'probabilistic', param: 0.1 }, fields] },
  });
  const cases: { name: string; file: string; message: string }[] = [
    { name: 'not JSON', file: '{"default_strategy":', message: 'strategies: not valid JSON (' },
    { name: 'an array', file: '[]', message: 'strategies: expected an object, got []' },
    { name: 'a non-object default', file: '{"default_strategy":"probabilistic"}', message: 'default_strategy: expected an object, got "probabilistic"' },
    { name: 'a non-array service list', file: '{"service_strategies":{}}', message: 'service_strategies: expected an array, got {}' },
    { name: 'a non-object service', file: '{"service_strategies":[3]}', message: 'service_strategies[0]: expected an object, got 3' },
    { name: 'a missing service name', file: svc({ type: 'probabilistic', param: 1 }), message: 'service_strategies[1].service: expected a non-empty string, got nothing' },
    { name: 'an empty service name', file: svc({ service: '', type: 'probabilistic', param: 1 }), message: 'service_strategies[1].service: expected a non-empty string, got ""' },
    { name: 'a repeated service', file: svc({ service: 'a', type: 'probabilistic', param: 1 }), message: 'service_strategies[1].service: "a" is already defined by service_strategies[0]' },
    { name: 'an unknown type', file: svc({ service: 'b', type: 'adaptive', param: 1 }), message: 'service_strategies[1].type: expected "probabilistic" or "ratelimiting", got "adaptive"' },
    { name: 'a missing type', file: svc({ service: 'b', param: 1 }), message: 'service_strategies[1].type: expected "probabilistic" or "ratelimiting", got nothing' },
    { name: 'a missing param', file: svc({ service: 'b', type: 'probabilistic' }), message: 'service_strategies[1].param: expected a number, got nothing' },
    { name: 'a string param', file: svc({ service: 'b', type: 'probabilistic', param: '0.5' }), message: 'service_strategies[1].param: expected a number, got "0.5"' },
    { name: 'a probability above 1', file: svc({ service: 'b', type: 'probabilistic', param: 1.5 }), message: 'service_strategies[1].param: probability must be within [0, 1], got 1.5' },
    { name: 'a negative probability', file: svc({ service: 'b', type: 'probabilistic', param: -0.1 }), message: 'service_strategies[1].param: probability must be within [0, 1], got -0.1' },
    { name: 'a negative rate', file: svc({ service: 'b', type: 'ratelimiting', param: -1 }), message: 'service_strategies[1].param: max traces per second must be within [0, 2147483647], got -1' },
    { name: 'a rate beyond 32 bits', file: svc({ service: 'b', type: 'ratelimiting', param: 3e9 }), message: 'service_strategies[1].param: max traces per second must be within [0, 2147483647], got 3000000000' },
    { name: 'a bad default type', file: '{"default_strategy":{"type":"const","param":1}}', message: 'default_strategy.type: expected "probabilistic" or "ratelimiting", got "const"' },
    { name: 'a non-array operation list', file: op({}).replace(/"operation_strategies":\[.*\]/, '"operation_strategies":"a"'), message: 'default_strategy.operation_strategies: expected an array, got "a"' },
    { name: 'a non-object operation', file: op({}).replace('{}', 'null'), message: 'default_strategy.operation_strategies[1]: expected an object, got null' },
    { name: 'a missing operation name', file: op({ type: 'probabilistic', param: 1 }), message: 'default_strategy.operation_strategies[1].operation: expected a non-empty string, got nothing' },
    { name: 'a repeated operation', file: op({ operation: 'a', type: 'probabilistic', param: 1 }), message: 'default_strategy.operation_strategies[1].operation: "a" is already defined by default_strategy.operation_strategies[0]' },
    { name: 'an operation probability above 1', file: op({ operation: 'b', type: 'probabilistic', param: 2 }), message: 'default_strategy.operation_strategies[1].param: probability must be within [0, 1], got 2' },
    { name: 'a negative operation rate', file: op({ operation: 'b', type: 'ratelimiting', param: -3 }), message: 'default_strategy.operation_strategies[1].param: max traces per second must be within [0, 2147483647], got -3' },
    {
      name: 'a bad operation inside a service',
      file: JSON.stringify({ service_strategies: [{ service: 'a', type: 'probabilistic', param: 0.1, operation_strategies: [{ operation: 'x', type: 'probabilistic', param: 7 }] }] }),
      message: 'service_strategies[0].operation_strategies[0].param: probability must be within [0, 1], got 7',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let caught: unknown;
      try {
        parseStrategies(c.file);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).code).toBe('INVALID_ARGUMENT');
      if (c.message.endsWith('(')) expect((caught as AppError).message.startsWith(c.message)).toBe(true);
      else expect((caught as AppError).message).toBe(c.message);
    });
  }

  it('a default probability outside [0, 1]', () => {
    expect(() => parseStrategies('{}', { defaultSamplingProbability: 2 })).toThrow('defaultSamplingProbability: probability must be within [0, 1], got 2');
  });
});
