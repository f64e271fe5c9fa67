/** Jaeger remote sampling: the strategies file, its reloading provider, and the HTTP endpoints. */
export {
  DEFAULT_SAMPLING_PROBABILITY, MAX_TRACES_PER_SECOND, defaultStrategies, parseStrategies, strategyFor,
} from './strategies.js';
export type {
  OperationSampling, OperationStrategy, ParseStrategiesOptions, ParsedStrategies, ProbabilisticSampling,
  RateLimitingSampling, SamplingStrategies, SamplingStrategyResponse, SamplingStrategyType,
} from './strategies.js';
export { MAX_LEGACY_TRACES_PER_SECOND, encodeLegacyStrategy, encodeStrategy } from './encode.js';
export { DEFAULT_RELOAD_INTERVAL_MS, createSamplingProvider } from './provider.js';
export type { SamplingLogger, SamplingProvider, SamplingProviderOptions } from './provider.js';
export { AGENT_SAMPLING_ROUTES, COLLECTOR_SAMPLING_ROUTES, samplingPlugin } from './plugin.js';
export type { SamplingPluginOptions, SamplingRoute } from './plugin.js';
