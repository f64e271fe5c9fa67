/**
 * Jaeger's static sampling strategies: the strategies file format (`default_strategy`,
 * `service_strategies[]`, `operation_strategies[]`), its validation, and the response a client
 * gets for a service, merged exactly as Jaeger's file-based strategy provider merges it.
 * Format: https://www.jaegertracing.io/docs/latest/sampling/#file-based-sampling-configuration
 * Response: jaegertracing/jaeger-idl proto/api_v2/sampling.proto (SamplingStrategyResponse).
 */
import { AppError } from '../errors.js';

/** Probability every service gets when no strategies file says otherwise (Jaeger's built-in default). */
export const DEFAULT_SAMPLING_PROBABILITY = 0.001;

/** Largest rate-limiting `param`: the response field is a 32-bit signed integer. */
export const MAX_TRACES_PER_SECOND = 2_147_483_647;

/** Which of the two top-level strategies a response carries. */
export type SamplingStrategyType = 'PROBABILISTIC' | 'RATE_LIMITING';

/** Samples each trace with probability `samplingRate` in [0, 1]. */
export interface ProbabilisticSampling {
  samplingRate: number;
}

/** Samples at most `maxTracesPerSecond` traces per second (an integer). */
export interface RateLimitingSampling {
  maxTracesPerSecond: number;
}

/** One operation's own probability. */
export interface OperationStrategy {
  operation: string;
  probabilisticSampling: ProbabilisticSampling;
}

/**
 * Per-operation sampling: listed operations use their own probability, all others
 * `defaultSamplingProbability`. Static strategies always carry 0 for both bounds, as Jaeger's do.
 */
export interface OperationSampling {
  defaultSamplingProbability: number;
  defaultLowerBoundTracesPerSecond: number;
  perOperationStrategies: OperationStrategy[];
  defaultUpperBoundTracesPerSecond: number;
}

/**
 * The strategy a client receives for its service. Exactly one of `probabilisticSampling` and
 * `rateLimitingSampling` is set, matching `strategyType`; `operationSampling` is set when the file
 * gives per-operation strategies for the service or for the default.
 */
export interface SamplingStrategyResponse {
  strategyType: SamplingStrategyType;
  probabilisticSampling?: ProbabilisticSampling;
  rateLimitingSampling?: RateLimitingSampling;
  operationSampling?: OperationSampling;
}

/** Parsed strategies, ready to answer: immutable, shared by every request. */
export interface SamplingStrategies {
  /** What a service without its own entry gets. */
  readonly defaultStrategy: Readonly<SamplingStrategyResponse>;
  /** Each listed service's response, per-operation defaults already merged in. */
  readonly services: ReadonlyMap<string, Readonly<SamplingStrategyResponse>>;
}

/** Result of parsing a strategies file: the strategies and what was accepted but ignored. */
export interface ParsedStrategies {
  strategies: SamplingStrategies;
  /** Human-readable notes on ignored parts (unknown fields, rate-limiting per-operation entries). */
  warnings: string[];
}

/** Options of {@link parseStrategies}. */
export interface ParseStrategiesOptions {
  /** Probability used where the file sets none (Jaeger's `--sampling.default-sampling-probability`); default 0.001. */
  defaultSamplingProbability?: number;
}

/** Strategies with no file: every service samples with `probability` (0.001 unless given). */
export function defaultStrategies(probability = DEFAULT_SAMPLING_PROBABILITY): SamplingStrategies {
  return deepFreeze({ defaultStrategy: probabilistic(probability), services: new Map() });
}

/** The response for `service`: its own entry if the file lists it, else the default strategy. */
export function strategyFor(strategies: SamplingStrategies, service: string): Readonly<SamplingStrategyResponse> {
  return strategies.services.get(service) ?? strategies.defaultStrategy;
}

/**
 * Parses and validates a strategies file (JSON text). Throws AppError INVALID_ARGUMENT naming the
 * offending path, e.g. `service_strategies[2].param: probability must be within [0, 1], got 1.5`.
 * Where Jaeger accepts a file but ignores a part of it (unknown fields, a rate-limiting strategy
 * for an operation), the part is ignored here too and described in `warnings`. A file holding
 * only `null` means "no strategies", as in Jaeger.
 */
export function parseStrategies(text: string | Buffer, options: ParseStrategiesOptions = {}): ParsedStrategies {
  const fallback = options.defaultSamplingProbability ?? DEFAULT_SAMPLING_PROBABILITY;
  if (!(fallback >= 0 && fallback <= 1)) {
    throw new AppError('INVALID_ARGUMENT', `defaultSamplingProbability: probability must be within [0, 1], got ${fallback}`);
  }
  let source = typeof text === 'string' ? text : text.toString('utf8');
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  let root: unknown;
  try {
    root = JSON.parse(source);
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `strategies: not valid JSON (${(err as Error).message})`);
  }
  const warnings: string[] = [];
  if (root === null) return { strategies: defaultStrategies(fallback), warnings };
  const file = expectObject(root, 'strategies');
  warnUnknown(file, 'strategies', TOP_LEVEL_FIELDS, warnings);

  const ctx: Context = { fallback, warnings };
  const defaultEntry = file['default_strategy'];
  const defaultStrategy = defaultEntry === undefined || defaultEntry === null
    ? probabilistic(fallback)
    : buildEntry(expectObject(defaultEntry, 'default_strategy'), 'default_strategy', ctx);

  const services = new Map<string, SamplingStrategyResponse>();
  const firstIndex = new Map<string, number>();
  const list = file['service_strategies'];
  if (list !== undefined && list !== null) {
    expectArray(list, 'service_strategies').forEach((item, i) => {
      const path = `service_strategies[${i}]`;
      const entry = expectObject(item, path);
      const service = entry['service'];
      if (typeof service !== 'string' || service === '') {
        throw new AppError('INVALID_ARGUMENT', `${path}.service: expected a non-empty string, got ${quote(service)}`);
      }
      const earlier = firstIndex.get(service);
      if (earlier !== undefined) {
        throw new AppError('INVALID_ARGUMENT', `${path}.service: ${quote(service)} is already defined by service_strategies[${earlier}]`);
      }
      firstIndex.set(service, i);
      services.set(service, inheritOperations(buildEntry(entry, path, ctx), defaultStrategy));
    });
  }
  return { strategies: deepFreeze({ defaultStrategy, services }), warnings };
}

interface Context {
  fallback: number;
  warnings: string[];
}

const TOP_LEVEL_FIELDS = new Set(['default_strategy', 'service_strategies']);
const ENTRY_FIELDS = new Set(['service', 'type', 'param', 'operation_strategies']);
const OPERATION_FIELDS = new Set(['operation', 'type', 'param']);

/**
 * A service's (or the default's) response. With per-operation entries, the operations' default
 * probability is the entry's own when it is probabilistic, else the configured fallback (not the
 * default strategy's), as Jaeger computes it.
 */
function buildEntry(entry: Record<string, unknown>, path: string, ctx: Context): SamplingStrategyResponse {
  warnUnknown(entry, path, ENTRY_FIELDS, ctx.warnings);
  const response = readStrategy(entry, path);
  const list = entry['operation_strategies'];
  if (list === undefined || list === null) return response;
  const items = expectArray(list, `${path}.operation_strategies`);
  if (items.length === 0) return response;
  const perOperationStrategies: OperationStrategy[] = [];
  const firstIndex = new Map<string, number>();
  items.forEach((item, i) => {
    const opPath = `${path}.operation_strategies[${i}]`;
    const op = expectObject(item, opPath);
    warnUnknown(op, opPath, OPERATION_FIELDS, ctx.warnings);
    const operation = op['operation'];
    if (typeof operation !== 'string' || operation === '') {
      throw new AppError('INVALID_ARGUMENT', `${opPath}.operation: expected a non-empty string, got ${quote(operation)}`);
    }
    const earlier = firstIndex.get(operation);
    if (earlier !== undefined) {
      throw new AppError('INVALID_ARGUMENT',
        `${opPath}.operation: ${quote(operation)} is already defined by ${path}.operation_strategies[${earlier}]`);
    }
    firstIndex.set(operation, i);
    const strategy = readStrategy(op, opPath);
    if (strategy.probabilisticSampling === undefined) {
      // Per-operation responses can only carry a probability; Jaeger drops such entries with a warning.
      ctx.warnings.push(`${opPath}: per-operation strategies can only be probabilistic; ${quote(operation)} is ignored`);
      return;
    }
    perOperationStrategies.push({ operation, probabilisticSampling: strategy.probabilisticSampling });
  });
  response.operationSampling = {
    defaultSamplingProbability: response.probabilisticSampling?.samplingRate ?? ctx.fallback,
    defaultLowerBoundTracesPerSecond: 0,
    perOperationStrategies,
    defaultUpperBoundTracesPerSecond: 0,
  };
  return response;
}

/**
 * Merges the default strategy's per-operation entries into a service's response: a service with
 * none of its own takes the default's list (with its own probability as the operations' default
 * when it is probabilistic); a service with its own list keeps it and gains the default's entries
 * for operations it does not name.
 */
function inheritOperations(response: SamplingStrategyResponse, defaults: SamplingStrategyResponse): SamplingStrategyResponse {
  const inherited = defaults.operationSampling;
  if (inherited === undefined) return response;
  const own = response.operationSampling;
  if (own === undefined) {
    response.operationSampling = {
      ...inherited,
      defaultSamplingProbability: response.probabilisticSampling?.samplingRate ?? inherited.defaultSamplingProbability,
      perOperationStrategies: [...inherited.perOperationStrategies],
    };
    return response;
  }
  const named = new Set(own.perOperationStrategies.map((s) => s.operation));
  for (const strategy of inherited.perOperationStrategies) {
    if (!named.has(strategy.operation)) own.perOperationStrategies.push(strategy);
  }
  return response;
}

/** Reads `type` and `param` of an entry into a top-level response. */
function readStrategy(entry: Record<string, unknown>, path: string): SamplingStrategyResponse {
  const type = entry['type'];
  const param = entry['param'];
  if (type !== 'probabilistic' && type !== 'ratelimiting') {
    throw new AppError('INVALID_ARGUMENT', `${path}.type: expected "probabilistic" or "ratelimiting", got ${quote(type)}`);
  }
  if (typeof param !== 'number' || !Number.isFinite(param)) {
    throw new AppError('INVALID_ARGUMENT', `${path}.param: expected a number, got ${quote(param)}`);
  }
  if (type === 'probabilistic') {
    if (param < 0 || param > 1) {
      throw new AppError('INVALID_ARGUMENT', `${path}.param: probability must be within [0, 1], got ${param}`);
    }
    return probabilistic(param);
  }
  if (param < 0 || param > MAX_TRACES_PER_SECOND) {
    throw new AppError('INVALID_ARGUMENT', `${path}.param: max traces per second must be within [0, ${MAX_TRACES_PER_SECOND}], got ${param}`);
  }
  // The wire field is an integer; Jaeger truncates a fractional rate the same way.
  return { strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: Math.trunc(param) } };
}

function probabilistic(samplingRate: number): SamplingStrategyResponse {
  return { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate } };
}

function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('INVALID_ARGUMENT', `${path}: expected an object, got ${quote(value)}`);
  }
  return value as Record<string, unknown>;
}

function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new AppError('INVALID_ARGUMENT', `${path}: expected an array, got ${quote(value)}`);
  return value;
}

/** Unknown fields are ignored (Jaeger ignores them), but said so: they are usually misspellings. */
function warnUnknown(entry: Record<string, unknown>, path: string, known: ReadonlySet<string>, warnings: string[]): void {
  for (const key of Object.keys(entry)) {
    if (!known.has(key)) warnings.push(`${path}: unknown field ${quote(key)} ignored`);
  }
}

const MAX_QUOTED = 64;

/** Renders a rejected value for a message: JSON, cut to about 64 characters. */
function quote(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}...` : text;
}

/** Freezes the parsed tree so a handler cannot change what later requests receive. */
function deepFreeze<T>(value: T): T {
  if (value instanceof Map) {
    for (const item of value.values()) deepFreeze(item);
    // A frozen Map can still be changed through set(); the type (ReadonlyMap) guards that.
    return Object.freeze(value);
  }
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
