/** Duration parsing shared by the query APIs. */

const UNIT_US: Record<string, number> = {
  ns: 0.001,
  us: 1,
  µs: 1,
  μs: 1,
  ms: 1000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};

const PART = /(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Parses a Go-style duration ("1.2ms", "1h30m", "500us") to whole microseconds.
 * Returns undefined for anything else (including empty, negative or unit-less input).
 */
export function parseDuration(text: string): number | undefined {
  if (text.length === 0 || text.length > 64) return undefined;
  let total = 0;
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_US[m[2]!]!;
    pos = PART.lastIndex;
  }
  if (!Number.isFinite(total)) return undefined;
  return Math.round(total);
}
