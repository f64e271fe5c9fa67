/** The time range of a statement request: start/end (ms since the epoch or RFC 3339) or a lookback. */
import { AppError } from '../../errors.js';
import { parseDuration } from '../../model/index.js';

/** Request fields that set a range; all optional (default: the last hour). */
export interface RangeParams {
  start?: unknown;
  end?: unknown;
  lookback?: unknown;
}

/** A resolved range: inclusive bounds on span start, µs since the epoch. */
export interface TimeRange {
  startUs: number;
  endUs: number;
}

/** Default lookback when neither start nor lookback is given: 1 hour. */
export const DEFAULT_LOOKBACK_US = 3_600_000_000;

/** Default longest range: 31 days. */
export const MAX_RANGE_US = 31 * 24 * 3_600_000_000;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$/;

function timeUs(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === '' || raw === null) return undefined;
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return Math.round(raw * 1000);
  if (typeof raw === 'string') {
    if (/^\d{1,15}$/.test(raw)) return Number(raw) * 1000;
    if (RFC3339.test(raw)) {
      const ms = Date.parse(raw);
      if (!Number.isNaN(ms)) return ms * 1000;
    }
  }
  throw new AppError('INVALID_ARGUMENT', `${name}: expected ms since the epoch or an RFC 3339 time, got ${JSON.stringify(raw)}`);
}

/**
 * Resolves start / end / lookback against `nowUs`: end defaults to now; start to end − lookback
 * (lookback defaults to 1 h). Throws INVALID_ARGUMENT for unreadable values, start after end, or a
 * range longer than maxRangeUs.
 */
export function parseRange(params: RangeParams, nowUs: number, maxRangeUs = MAX_RANGE_US): TimeRange {
  const endUs = timeUs('end', params.end) ?? nowUs;
  let startUs = timeUs('start', params.start);
  if (startUs === undefined) {
    let lookbackUs = DEFAULT_LOOKBACK_US;
    if (params.lookback !== undefined && params.lookback !== '') {
      const parsed = typeof params.lookback === 'string' ? parseLookback(params.lookback) : undefined;
      if (parsed === undefined || parsed <= 0) {
        throw new AppError('INVALID_ARGUMENT', `lookback: expected a duration such as 15m, 1h or 2d, got ${JSON.stringify(params.lookback)}`);
      }
      lookbackUs = parsed;
    }
    startUs = endUs - lookbackUs;
  }
  if (startUs > endUs) throw new AppError('INVALID_ARGUMENT', 'start: must not be after end');
  if (endUs - startUs > maxRangeUs) {
    throw new AppError('INVALID_ARGUMENT', `the time range spans ${formatDays(endUs - startUs)}, more than the limit of ${formatDays(maxRangeUs)}`);
  }
  return { startUs, endUs };
}

/** A Go-style duration, or whole/decimal days ("2d"), in µs. */
function parseLookback(text: string): number | undefined {
  const days = /^(\d+(?:\.\d+)?)d$/.exec(text);
  return days ? Math.round(Number(days[1]) * 86_400_000_000) : parseDuration(text);
}

function formatDays(us: number): string {
  const days = us / 86_400_000_000;
  return `${Number.isInteger(days) ? days : days.toFixed(1)} days`;
}
