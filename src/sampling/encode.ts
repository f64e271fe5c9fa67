/**
 * The two JSON shapes Jaeger answers sampling requests with.
 * - `/sampling` (agent 5778) and `/api/sampling` (collector 14268): the proto3 JSON of
 *   SamplingStrategyResponse with defaults emitted (so `"strategyType":"PROBABILISTIC"` appears)
 *   and absent messages left out.
 * - `/` (agent 5778, for clients built with Thrift 0.9.2): the Thrift struct's JSON with
 *   `strategyType` as the enum's number, 0 for PROBABILISTIC and 1 for RATE_LIMITING.
 * Spec: jaegertracing/jaeger-idl proto/api_v2/sampling.proto and thrift/sampling.thrift.
 */
import { AppError } from '../errors.js';
import type { SamplingStrategyResponse } from './strategies.js';

/** Largest `maxTracesPerSecond` the legacy shape can carry: the Thrift field is a 16-bit integer. */
export const MAX_LEGACY_TRACES_PER_SECOND = 32_767;

const LEGACY_STRATEGY_TYPE = { PROBABILISTIC: 0, RATE_LIMITING: 1 } as const;

/** JSON for `/sampling` and `/api/sampling`: string enum, every field of present messages, fields in proto order. */
export function encodeStrategy(response: Readonly<SamplingStrategyResponse>): string {
  return JSON.stringify(ordered(response, response.strategyType));
}

/**
 * JSON for the legacy `/` endpoint: numeric enum, otherwise the same fields. Throws AppError
 * INTERNAL when the rate does not fit the 16-bit Thrift field (Jaeger fails such a request too).
 */
export function encodeLegacyStrategy(response: Readonly<SamplingStrategyResponse>): string {
  const rate = response.rateLimitingSampling?.maxTracesPerSecond;
  if (rate !== undefined && rate > MAX_LEGACY_TRACES_PER_SECOND) {
    throw new AppError('INTERNAL',
      `maxTracesPerSecond ${rate} does not fit the legacy sampling response (at most ${MAX_LEGACY_TRACES_PER_SECOND}); use /sampling`);
  }
  return JSON.stringify(ordered(response, LEGACY_STRATEGY_TYPE[response.strategyType]));
}

/** A fresh object with keys in wire order, so the text is byte-for-byte what Jaeger sends. */
function ordered(response: Readonly<SamplingStrategyResponse>, strategyType: string | number): Record<string, unknown> {
  const out: Record<string, unknown> = { strategyType };
  if (response.probabilisticSampling !== undefined) {
    out['probabilisticSampling'] = { samplingRate: response.probabilisticSampling.samplingRate };
  }
  if (response.rateLimitingSampling !== undefined) {
    out['rateLimitingSampling'] = { maxTracesPerSecond: response.rateLimitingSampling.maxTracesPerSecond };
  }
  const ops = response.operationSampling;
  if (ops !== undefined) {
    out['operationSampling'] = {
      defaultSamplingProbability: ops.defaultSamplingProbability,
      defaultLowerBoundTracesPerSecond: ops.defaultLowerBoundTracesPerSecond,
      perOperationStrategies: ops.perOperationStrategies.map((s) => ({
        operation: s.operation,
        probabilisticSampling: { samplingRate: s.probabilisticSampling.samplingRate },
      })),
      defaultUpperBoundTracesPerSecond: ops.defaultUpperBoundTracesPerSecond,
    };
  }
  return out;
}
