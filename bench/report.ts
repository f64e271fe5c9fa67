/** Shared bits of the benchmark scripts: flags, percentiles, number formatting, cleanup on exit. */
import { loadavg } from 'node:os';
import { parseDuration } from '../src/model/index.js';

/** A flag a benchmark script accepts. */
export interface FlagSpec {
  name: string;
  help: string;
  default: string;
}

/**
 * Parses `--name value` / `--name=value` against the specs; `--help` prints usage and returns
 * undefined. Unknown flags throw.
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], usage: string): Map<string, string> | undefined {
  const values = new Map(specs.map((s) => [s.name, s.default]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      const width = Math.max(...specs.map((s) => s.name.length)) + 2;
      process.stdout.write(`${usage}\n\n${specs.map((s) => `  --${s.name.padEnd(width)}${s.help} (default ${s.default})`).join('\n')}\n`);
      return undefined;
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)} (see --help)`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!values.has(name)) throw new Error(`unknown flag --${name} (see --help)`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`--${name}: missing value`);
    values.set(name, value);
  }
  return values;
}

/** Parses a count such as 20000, 200k, 1M or 10M. */
export function parseCount(text: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text);
  const n = m ? Number(m[1]) * (m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1e6) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name}: expected a positive count such as 20000, 200k or 1M, got ${JSON.stringify(text)}`);
  return n;
}

/** Parses a duration such as 1h, 24h, 30m or 2d to microseconds. */
export function parseWindowUs(text: string, name: string): number {
  const days = /^(\d+)d$/.exec(text);
  const us = days ? Number(days[1]) * 86_400_000_000 : parseDuration(text);
  if (us === undefined || us <= 0) throw new Error(`--${name}: expected a duration such as 1h or 24h, got ${JSON.stringify(text)}`);
  return us;
}

/** Nearest-rank percentile (p in 0–100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** "12,345" style integer formatting. */
export function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n);
}

/** Fixed decimals. */
export function fixed(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${fixed(bytes / 1024 / 1024)} MiB`;
}

let interrupted = false;

/** Prints one "label: value" line with aligned labels (nothing once interrupted: figures would be wrong). */
export function line(label: string, value: string): void {
  if (interrupted) return;
  process.stdout.write(`${`${label}:`.padEnd(44)}${value}\n`);
}

/** Prints a section heading. */
export function heading(text: string): void {
  if (interrupted) return;
  process.stdout.write(`\n== ${text}\n`);
}

/** Status counts as "202×990 429×10". */
export function statusSummary(counts: ReadonlyMap<number, number>): string {
  return [...counts].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s === 0 ? 'conn-error' : s}×${n}`).join(' ') || '-';
}

const cleanups: Array<() => Promise<void>> = [];
let signalsHooked = false;

/**
 * Registers work to run before the script ends, whether it finishes, throws or gets SIGINT/SIGTERM
 * (then the signal is re-raised after cleanup, so the exit status still says what happened).
 */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      process.stderr.write(`\n${signal}: cleaning up\n`);
      void runCleanups().finally(() => process.kill(process.pid, signal));
    });
  }
}

/** Runs the registered cleanups once, newest first; errors are reported, not thrown. */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`cleanup failed: ${String(err)}\n`);
    }
  }
}

/** "p50 … ms, p99 … ms, max … ms (n=…)" for latency samples in milliseconds. */
export function latencyText(samples: readonly number[]): string {
  return `p50 ${fixed(percentile(samples, 50), 2)} ms, p95 ${fixed(percentile(samples, 95), 2)} ms, p99 ${fixed(percentile(samples, 99), 2)} ms, max ${fixed(percentile(samples, 100), 2)} ms (n=${samples.length})`;
}

/** The 1, 5 and 15 minute load averages: how busy the (possibly shared) machine was. */
export function loadText(): string {
  return loadavg().map((l) => fixed(l, 2)).join(' ');
}
