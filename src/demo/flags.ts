/**
 * The demo's command-line flags as data: a CLI lists them in its help and hands their string
 * values to {@link demoOptionsFromFlags}, which validates them and names the flag on error.
 */
import { AppError } from '../errors.js';
import type { DemoOptions } from './demo.js';

/** One demo flag: its name without dashes, environment variable, default as shown, and help. */
export interface DemoFlag {
  flag: string;
  env: string;
  defaultText: string;
  help: string;
}

type Setter = (options: DemoOptions, text: string, flag: string) => void;

function number(text: string, flag: string, min: number, max = Infinity): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `${min}–${max}`;
    throw new AppError('INVALID_ARGUMENT', `--${flag}: expected a number ${range}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function integer(text: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = number(text, flag, min, max);
  if (!Number.isInteger(value)) throw new AppError('INVALID_ARGUMENT', `--${flag}: expected a whole number, got ${JSON.stringify(text)}`);
  return value;
}

const ROWS: Array<DemoFlag & { set: Setter }> = [
  {
    flag: 'demo.zipkin-url', env: 'ARIADNE_DEMO_ZIPKIN_URL', defaultText: 'http://127.0.0.1:9411/api/v2/spans',
    help: 'where the sidecars post spans: a span endpoint (/api/v2/spans or /api/v1/spans) or a base URL',
    set: (o, t) => { o.zipkinUrl = t; },
  },
  {
    flag: 'demo.encoding', env: 'ARIADNE_DEMO_ENCODING', defaultText: 'from the URL',
    help: 'json-v2 or json-v1 (default: json-v1 for a /api/v1/spans URL, else json-v2)',
    set: (o, t, f) => {
      if (t !== 'json-v2' && t !== 'json-v1') throw new AppError('INVALID_ARGUMENT', `--${f}: expected json-v2 or json-v1, got ${JSON.stringify(t)}`);
      o.encoding = t;
    },
  },
  { flag: 'demo.rate', env: 'ARIADNE_DEMO_RATE', defaultText: '1', help: 'requests per second on productpage; 0 = no load loop', set: (o, t, f) => { o.rate = number(t, f, 0); } },
  { flag: 'demo.requests', env: 'ARIADNE_DEMO_REQUESTS', defaultText: 'unbounded', help: 'stop the load loop after this many requests', set: (o, t, f) => { o.requests = integer(t, f, 0); } },
  { flag: 'demo.sampling', env: 'ARIADNE_DEMO_SAMPLING', defaultText: '100', help: 'percentage of new traces the sidecars report, 0–100', set: (o, t, f) => { o.samplingPercent = number(t, f, 0, 100); } },
  { flag: 'demo.ratings-fail-percent', env: 'ARIADNE_DEMO_RATINGS_FAIL_PERCENT', defaultText: '5', help: 'percentage of ratings requests answered 503', set: (o, t, f) => { o.ratingsFailPercent = number(t, f, 0, 100); } },
  { flag: 'demo.reviews-v3-delay-ms', env: 'ARIADNE_DEMO_REVIEWS_V3_DELAY_MS', defaultText: '50', help: 'extra latency of reviews v3, in ms', set: (o, t, f) => { o.reviewsV3DelayMs = number(t, f, 0); } },
  { flag: 'demo.namespace', env: 'ARIADNE_DEMO_NAMESPACE', defaultText: 'default', help: 'namespace in the service names (productpage.<namespace>)', set: (o, t) => { o.namespace = t; } },
  { flag: 'demo.port', env: 'ARIADNE_DEMO_PORT', defaultText: '0', help: 'port of the productpage entry point; 0 = any free port', set: (o, t, f) => { o.port = integer(t, f, 0, 65535); } },
  { flag: 'demo.flush-interval-ms', env: 'ARIADNE_DEMO_FLUSH_INTERVAL_MS', defaultText: '1000', help: 'how often each sidecar posts its queued spans, in ms', set: (o, t, f) => { o.flushIntervalMs = number(t, f, 1); } },
  { flag: 'demo.trace-id-128', env: 'ARIADNE_DEMO_TRACE_ID_128', defaultText: 'false', help: 'generate 128-bit trace ids', set: (o, t, f) => {
    if (!/^(true|false|1|0)$/.test(t)) throw new AppError('INVALID_ARGUMENT', `--${f}: expected true or false, got ${JSON.stringify(t)}`);
    o.traceId128 = t === 'true' || t === '1';
  } },
  { flag: 'demo.seed', env: 'ARIADNE_DEMO_SEED', defaultText: 'random', help: 'seed of the sampling and fault draws, to repeat a run', set: (o, t, f) => { o.seed = integer(t, f, 0, 2 ** 32 - 1); } },
];

/** Every demo flag, in help order. */
export const DEMO_FLAGS: readonly DemoFlag[] = ROWS.map(({ flag, env, defaultText, help }) => ({ flag, env, defaultText, help }));

/**
 * Demo options from flag values keyed by flag name (`demo.rate` → `'5'`); absent and undefined
 * values keep their defaults. Throws INVALID_ARGUMENT naming the flag for an unknown flag or a bad value.
 */
export function demoOptionsFromFlags(values: Readonly<Record<string, string | undefined>>): DemoOptions {
  const options: DemoOptions = {};
  const rows = new Map(ROWS.map((r) => [r.flag, r]));
  for (const [flag, text] of Object.entries(values)) {
    if (text === undefined) continue;
    const row = rows.get(flag);
    if (row === undefined) throw new AppError('INVALID_ARGUMENT', `unknown flag --${flag}; demo flags: ${ROWS.map((r) => `--${r.flag}`).join(', ')}`);
    row.set(options, text, flag);
  }
  return options;
}
