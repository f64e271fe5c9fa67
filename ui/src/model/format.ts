/** Human formats of durations and times used across views. */

/** A duration in µs as people read it: "850µs", "12.3ms", "1.25s", "2m 5s", "1h 2m". */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return '–';
  const abs = Math.abs(us);
  const sign = us < 0 ? '-' : '';
  if (abs < 1000) return `${sign}${round(abs, 0)}µs`;
  if (abs < 1_000_000) return `${sign}${round(abs / 1000, abs < 10_000 ? 2 : abs < 100_000 ? 1 : 0)}ms`;
  if (abs < 60_000_000) return `${sign}${round(abs / 1_000_000, abs < 10_000_000 ? 2 : 1)}s`;
  const totalS = Math.floor(abs / 1_000_000);
  if (totalS < 3600) return `${sign}${Math.floor(totalS / 60)}m ${totalS % 60}s`;
  return `${sign}${Math.floor(totalS / 3600)}h ${Math.floor((totalS % 3600) / 60)}m`;
}

function round(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/** A µs timestamp as local "YYYY-MM-DD HH:MM:SS.mmm". */
export function formatTimestamp(us: number): string {
  return formatTimestampAt(us, new Date(Math.floor(us / 1000)).getTimezoneOffset());
}

/**
 * A µs timestamp as "YYYY-MM-DD HH:MM:SS.mmm" in the zone `offsetMinutes` behind UTC (the sign of
 * Date.getTimezoneOffset: 60 for UTC−1), for rendering a browser's local time elsewhere.
 */
export function formatTimestampAt(us: number, offsetMinutes: number): string {
  const d = new Date(Math.floor(us / 1000) - offsetMinutes * 60_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

/** How long ago a µs timestamp was, relative to nowUs: "just now", "5m ago", "3h ago", "2d ago". */
export function formatAgo(us: number, nowUs: number): string {
  const s = Math.floor((nowUs - us) / 1_000_000);
  if (s < 10) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/**
 * Tick positions for a time axis of `spanUs`: about `count` round steps (1, 2 or 5 × 10^k µs)
 * from 0, each with its offset and label.
 */
export function timeTicks(spanUs: number, count: number): Array<{ us: number; label: string }> {
  if (!(spanUs > 0) || count < 1) return [{ us: 0, label: '0µs' }];
  const raw = spanUs / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: Array<{ us: number; label: string }> = [];
  for (let us = 0; us <= spanUs + step * 1e-9; us += step) out.push({ us, label: us === 0 ? '0' : formatDuration(us) });
  return out;
}

/**
 * A count with its noun in the right number: "1 error", "2 errors", "0 spans"; `plural` defaults
 * to the noun plus "s". Counts are grouped in thousands ("12,345 spans").
 */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${groupThousands(count)} ${count === 1 ? noun : plural}`;
}

/**
 * An integer with its thousands grouped by commas ("12,345", "-1,000"), fractions dropped toward
 * zero. Written out rather than toLocaleString: the first Intl call costs ~100 ms in Chromium, on
 * the path to a trace's first paint.
 */
export function groupThousands(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const digits = String(Math.trunc(Math.abs(n)));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = (end > 3 ? ',' : '') + digits.slice(Math.max(0, end - 3), end) + out;
  return (n <= -1 ? '-' : '') + out;
}

/**
 * A trace id as people compare it with their logs: a 128-bit id whose high half is zero (a 64-bit
 * id stored padded) shows as its 16 low hex chars, as Jaeger and Zipkin print it; others unchanged.
 */
export function displayTraceId(traceId: string): string {
  return traceId.length === 32 && traceId.startsWith('0000000000000000') ? traceId.slice(16) : traceId;
}
