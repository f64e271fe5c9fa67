/**
 * The search form's state as it lives in the URL (Jaeger UI's parameter names, so its bookmarks
 * keep working) and its translation to a /api/v3/trace-summaries query.
 */

/** Lookback choices offered, with their length in µs; "custom" uses start/end. */
export const LOOKBACKS: ReadonlyArray<{ value: string; label: string; us: number }> = [
  { value: '5m', label: 'Last 5 minutes', us: 5 * 60e6 },
  { value: '15m', label: 'Last 15 minutes', us: 15 * 60e6 },
  { value: '1h', label: 'Last hour', us: 3600e6 },
  { value: '2h', label: 'Last 2 hours', us: 7200e6 },
  { value: '6h', label: 'Last 6 hours', us: 6 * 3600e6 },
  { value: '12h', label: 'Last 12 hours', us: 12 * 3600e6 },
  { value: '24h', label: 'Last 24 hours', us: 24 * 3600e6 },
  { value: '2d', label: 'Last 2 days', us: 2 * 86_400e6 },
  { value: '7d', label: 'Last 7 days', us: 7 * 86_400e6 },
  { value: 'custom', label: 'Custom range', us: 0 },
];

/** Search form state; strings exactly as typed, validated by {@link toSummaryQuery}. */
export interface SearchState {
  service: string;
  operation: string;
  /** Tags as logfmt: `http.status_code=500 error=true key="a value"`. */
  tags: string;
  minDuration: string;
  maxDuration: string;
  lookback: string;
  /** Custom range, µs since the epoch as decimal strings (Jaeger UI's start/end). */
  start: string;
  end: string;
  limit: string;
}

/** The form before anything is chosen. */
export const DEFAULT_SEARCH: SearchState = {
  service: '', operation: '', tags: '', minDuration: '', maxDuration: '', lookback: '1h', start: '', end: '', limit: '20',
};

/** Reads the state from a URL query; `tags` may be logfmt or Jaeger UI's JSON object. */
export function searchFromParams(params: URLSearchParams): SearchState {
  const get = (k: keyof SearchState) => params.get(k) ?? DEFAULT_SEARCH[k];
  let tags = get('tags');
  if (tags.trim().startsWith('{')) {
    try {
      const obj = JSON.parse(tags) as Record<string, unknown>;
      tags = Object.entries(obj).map(([k, v]) => `${quoteIfNeeded(k)}=${quoteIfNeeded(String(v))}`).join(' ');
    } catch {
      // left as typed: toSummaryQuery reports what is wrong with it
    }
  }
  return {
    service: get('service'), operation: get('operation'), tags, minDuration: get('minDuration'), maxDuration: get('maxDuration'),
    lookback: get('lookback'), start: get('start'), end: get('end'), limit: get('limit'),
  };
}

/** Writes the state to a URL query, leaving out empty and default-valued fields. */
export function searchToParams(state: SearchState): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of Object.keys(DEFAULT_SEARCH) as Array<keyof SearchState>) {
    const value = state[key];
    if (value === '') continue;
    if ((key === 'start' || key === 'end') && state.lookback !== 'custom') continue;
    out.set(key, value);
  }
  return out;
}

function quoteIfNeeded(s: string): string {
  return /^[^\s="]+$/.test(s) ? s : JSON.stringify(s);
}

/**
 * Parses logfmt tags: space-separated `key=value` pairs, values optionally double-quoted with
 * backslash escapes; a bare `key` means "present" and becomes value "". Throws on a dangling quote.
 */
export function parseTags(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([^\s="]+))(?:=(?:"((?:[^"\\]|\\.)*)"|([^\s"]*)))?/y;
  let pos = 0;
  const s = text.trim();
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m || m[0].length === 0) throw new Error(`tags: cannot read ${JSON.stringify(s.slice(pos, pos + 30))} (use key=value or key="a value")`);
    const key = m[1] !== undefined ? unescape(m[1]) : m[2]!;
    const value = m[3] !== undefined ? unescape(m[3]) : m[4] ?? '';
    out.push([key, value]);
    pos = re.lastIndex;
    while (pos < s.length && /\s/.test(s[pos]!)) pos++;
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** Parses "250ms", "1.5s", "2m", "300us"/"300µs", "1h" to µs; throws with the field name otherwise. */
export function parseDurationUs(field: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)\s*$/.exec(text);
  if (!m) throw new Error(`${field}: expected a number with a unit (e.g. 250ms, 1.5s), got ${JSON.stringify(text)}`);
  const scale: Record<string, number> = { us: 1, 'µs': 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };
  return Math.round(Number(m[1]) * scale[m[2]!]!);
}

/** The time window a state covers, µs since the epoch. */
export function searchWindow(state: SearchState, nowUs: number): { startUs: number; endUs: number } {
  if (state.lookback === 'custom') {
    const startUs = Number(state.start);
    const endUs = Number(state.end);
    if (!Number.isFinite(startUs) || !Number.isFinite(endUs) || state.start === '' || state.end === '' || startUs >= endUs) {
      throw new Error('custom range: choose a start before the end');
    }
    return { startUs, endUs };
  }
  const choice = LOOKBACKS.find((l) => l.value === state.lookback);
  if (!choice) throw new Error(`lookback: unknown value ${JSON.stringify(state.lookback)}`);
  return { startUs: nowUs - choice.us, endUs: nowUs };
}

function rfc3339(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = String(((us % 1000) + 1000) % 1000).padStart(3, '0');
  return new Date(ms).toISOString().replace('Z', `${micros}Z`);
}

/** The /api/v3/trace-summaries query for a state; throws an Error naming the bad field. */
export function toSummaryQuery(state: SearchState, nowUs: number): URLSearchParams {
  const { startUs, endUs } = searchWindow(state, nowUs);
  const q = new URLSearchParams();
  q.set('query.startTimeMin', rfc3339(startUs));
  q.set('query.startTimeMax', rfc3339(endUs));
  if (state.service !== '') q.set('query.serviceName', state.service);
  if (state.operation !== '') q.set('query.operationName', state.operation);
  if (state.minDuration.trim() !== '') q.set('query.durationMin', `${parseDurationUs('min duration', state.minDuration)}us`);
  if (state.maxDuration.trim() !== '') q.set('query.durationMax', `${parseDurationUs('max duration', state.maxDuration)}us`);
  const tags = parseTags(state.tags);
  if (tags.length > 0) q.set('query.attributes', JSON.stringify(Object.fromEntries(tags)));
  const limit = Number(state.limit || '20');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1500) throw new Error(`limit: expected a whole number from 1 to 1500, got ${JSON.stringify(state.limit)}`);
  q.set('query.searchDepth', String(limit));
  return q;
}
