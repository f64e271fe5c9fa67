/**
 * Service performance pages' pure parts: the answers' shapes, their paths, the range picker's
 * choices, row sorting, and the geometry of sparklines, charts and the latency histogram.
 */

/** Figures of a service or endpoint over the range (docs/api.md); latencies µs, null without requests. */
export interface Figures {
  requests: number;
  errors: number;
  errorRate: number;
  avgUs: number | null;
  minUs: number | null;
  maxUs: number | null;
  p50Us: number | null;
  p95Us: number | null;
  p99Us: number | null;
  perMinute: number;
}

/** Sparkline values per bucket. */
export interface SparkSeries {
  requests: number[];
  errors: number[];
  p95Us: Array<number | null>;
}

/** Chart values per bucket: bucket i starts at firstBucketMs + i · bucketMs. */
export interface ChartSeries {
  bucketMs: number;
  firstBucketMs: number;
  requests: number[];
  errors: number[];
  p50Us: Array<number | null>;
  p95Us: Array<number | null>;
  p99Us: Array<number | null>;
}

/** A row of the services or endpoints table. */
export type PerfRow = { name: string } & Figures & { series: SparkSeries };

/** GET /api/ariadne/services. */
export interface ServicesList {
  start: number;
  end: number;
  bucketMs: number;
  firstBucketMs: number;
  services: PerfRow[];
}

/** Calls between a service and a neighbour. */
export interface Neighbour {
  service: string;
  calls: number;
  errors: number;
}

/** GET /api/ariadne/services/:service. */
export type ServiceDetail = { start: number; end: number; service: string } & Figures & {
  series: ChartSeries;
  bucketMs: number;
  firstBucketMs: number;
  endpoints: PerfRow[];
  upstream: Neighbour[];
  downstream: Neighbour[];
};

/** One bar of the latency histogram. */
export interface LatencyBar {
  fromUs: number;
  toUs: number;
  count: number;
}

/** One of an endpoint's slowest requests. */
export interface SlowRequest {
  traceId: string;
  spanId: string;
  startUs: number;
  durationUs: number;
  status: string;
}

/** GET /api/ariadne/services/:service/endpoints/:operation. */
export type EndpointDetail = { start: number; end: number; service: string; operation: string } & Figures & {
  histogram: LatencyBar[];
  series: ChartSeries;
  slowest: SlowRequest[];
};

// --- paths ------------------------------------------------------------------------------------

/** Which services page a path names. */
export type ServicesRoute = { page: 'list' } | { page: 'service'; service: string } | { page: 'endpoint'; service: string; operation: string };

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** The services page of a path (/services, /services/:service, /services/:service/endpoints/:operation), else undefined. */
export function servicesRouteOf(path: string): ServicesRoute | undefined {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '/services') return { page: 'list' };
  const detail = /^\/services\/([^/]+)$/.exec(trimmed);
  if (detail) {
    const service = decode(detail[1]!);
    return service === undefined ? undefined : { page: 'service', service };
  }
  const endpoint = /^\/services\/([^/]+)\/endpoints\/([^/]+)$/.exec(trimmed);
  if (endpoint) {
    const service = decode(endpoint[1]!);
    const operation = decode(endpoint[2]!);
    return service === undefined || operation === undefined ? undefined : { page: 'endpoint', service, operation };
  }
  return undefined;
}

/** The time-range part of a page's query string, to carry from page to page ("" or "?lookback=…"). */
export function rangeQuery(params: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const key of ['lookback', 'start', 'end']) {
    const v = params.get(key);
    if (v) out.set(key, v);
  }
  const text = out.toString();
  return text === '' ? '' : `?${text}`;
}

/** Path of a service's page, keeping the range query. */
export function servicePath(service: string, query = ''): string {
  return `/services/${encodeURIComponent(service)}${query}`;
}

/** Path of an endpoint's page, keeping the range query. */
export function endpointPath(service: string, operation: string, query = ''): string {
  return `/services/${encodeURIComponent(service)}/endpoints/${encodeURIComponent(operation)}${query}`;
}

// --- range picker ---------------------------------------------------------------------------

/** Ranges the picker offers, as `lookback` values. */
export const RANGES: ReadonlyArray<{ value: string; label: string }> = [
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
];

/** The range a page's query names: a pinned start/end, else a lookback (default 1h). */
export type PageRange = { kind: 'fixed'; start: number; end: number } | { kind: 'lookback'; lookback: string };

/** Reads the range from a query string; unknown lookbacks fall back to 1h, a malformed pinned range too. */
export function pageRange(params: URLSearchParams): PageRange {
  const start = Number(params.get('start'));
  const end = Number(params.get('end'));
  if (params.get('start') && params.get('end') && Number.isInteger(start) && Number.isInteger(end) && start < end) {
    return { kind: 'fixed', start, end };
  }
  const lookback = params.get('lookback') ?? '';
  return { kind: 'lookback', lookback: RANGES.some((r) => r.value === lookback) ? lookback : '1h' };
}

/** The API query string of a range, or "" for the API's default. */
export function apiRangeQuery(range: PageRange): string {
  return range.kind === 'fixed' ? `?start=${range.start}&end=${range.end}` : `?lookback=${encodeURIComponent(range.lookback)}`;
}

// --- sorting ----------------------------------------------------------------------------------

/** Columns a performance table sorts by. */
export type SortKey = 'name' | 'requests' | 'errors' | 'errorRate' | 'avgUs' | 'p50Us' | 'p95Us' | 'p99Us' | 'perMinute';

/** Sort keys in table order, with their header and their first direction. */
export const SORT_COLUMNS: ReadonlyArray<{ key: SortKey; label: string; first: 'asc' | 'desc' }> = [
  { key: 'name', label: 'Name', first: 'asc' },
  { key: 'requests', label: 'Requests', first: 'desc' },
  { key: 'perMinute', label: 'Per minute', first: 'desc' },
  { key: 'errors', label: 'Errors', first: 'desc' },
  { key: 'errorRate', label: 'Error rate', first: 'desc' },
  { key: 'avgUs', label: 'Avg', first: 'desc' },
  { key: 'p50Us', label: 'p50', first: 'desc' },
  { key: 'p95Us', label: 'p95', first: 'desc' },
  { key: 'p99Us', label: 'p99', first: 'desc' },
];

/** A sort order: key and direction. */
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

/** The sort a query string names (`sort`, `dir`), default most requests first. */
export function sortOf(params: URLSearchParams): Sort {
  const key = SORT_COLUMNS.find((c) => c.key === params.get('sort'))?.key ?? 'requests';
  const dir = params.get('dir');
  return { key, dir: dir === 'asc' || dir === 'desc' ? dir : SORT_COLUMNS.find((c) => c.key === key)!.first };
}

/** The sort after choosing a column: the same column flips, another starts in its first direction. */
export function nextSort(current: Sort, key: SortKey): Sort {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: SORT_COLUMNS.find((c) => c.key === key)!.first };
}

/** A sorted copy; null figures go last either way, ties by name, so the order is total. */
export function sortRows<T extends { name: string } & Figures>(rows: readonly T[], sort: Sort): T[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const byName = (a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [...rows].sort((a, b) => {
    if (sort.key === 'name') return sign * byName(a, b);
    const x = a[sort.key];
    const y = b[sort.key];
    if (x === null || y === null) return x === y ? byName(a, b) : x === null ? 1 : -1;
    return sign * (x - y) || byName(a, b);
  });
}

// --- geometry ---------------------------------------------------------------------------------

/**
 * An SVG path through values spread evenly over width × height (0 at the bottom, `max` at the top).
 * Null values (empty buckets) break the line, or with `connect` are stepped over so the line joins
 * the values either side (latency lines of sparse traffic); a value alone between breaks is a short
 * flat stroke. "" when nothing is drawn.
 */
export function linePath(values: ReadonlyArray<number | null>, width: number, height: number, max: number, connect = false): string {
  const n = values.length;
  if (n === 0) return '';
  const step = n === 1 ? 0 : width / (n - 1);
  const y = (v: number) => round(max > 0 ? height - (v / max) * height : height);
  const points: Array<{ i: number; v: number }> = [];
  values.forEach((v, i) => {
    if (v !== null) points.push({ i, v });
  });
  const parts: string[] = [];
  points.forEach((p, k) => {
    const x = round(n === 1 ? width / 2 : p.i * step);
    const joinsPrev = k > 0 && (connect || points[k - 1]!.i === p.i - 1);
    const joinsNext = k < points.length - 1 && (connect || points[k + 1]!.i === p.i + 1);
    if (!joinsPrev && !joinsNext) {
      // A value with no neighbour to join: a small dash, so it is visible.
      parts.push(`M${round(Math.max(0, x - 1))},${y(p.v)}H${round(Math.min(width, x + 1))}`);
      return;
    }
    parts.push(`${joinsPrev ? 'L' : 'M'}${x},${y(p.v)}`);
  });
  return parts.join('');
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** The largest non-null value (0 when none). */
export function maxOf(...series: ReadonlyArray<ReadonlyArray<number | null>>): number {
  let max = 0;
  for (const s of series) for (const v of s) if (v !== null && v > max) max = v;
  return max;
}

/** A round axis maximum ≥ value: 1, 2 or 5 × 10^k (at least 1). */
export function niceMax(value: number): number {
  if (!(value > 1)) return 1;
  const pow = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((m) => m * pow).find((s) => s >= value) ?? 10 * pow);
}

/** A bucket start as a short axis label: "14:05" within a day's range, "11-24 14:00" beyond. */
export function bucketLabel(ms: number, rangeMs: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return rangeMs <= 86_400_000 ? hm : `${p(d.getMonth() + 1)}-${p(d.getDate())} ${hm}`;
}

/** A bucket width as people say it: "30s", "1m", "15m", "2h", "7d" (the largest unit that divides it). */
export function formatWidth(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A rate as a percentage with sensible precision: "0%", "0.12%", "4.4%", "100%". */
export function formatPercent(rate: number): string {
  if (!(rate > 0)) return '0%';
  const pct = rate * 100;
  const digits = pct < 1 ? 2 : pct < 10 ? 1 : 0;
  return `${Number(pct.toFixed(digits))}%`;
}

/** A per-minute throughput: "0", "0.05", "1.7", "42", "1,234". */
export function formatPerMinute(perMinute: number): string {
  if (!(perMinute > 0)) return '0';
  if (perMinute < 0.1) return String(Number(perMinute.toFixed(3)));
  if (perMinute < 10) return String(Number(perMinute.toFixed(1)));
  const whole = String(Math.round(perMinute));
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Heights of histogram bars as fractions of the tallest (0 for an empty histogram). */
export function barHeights(bars: readonly LatencyBar[]): number[] {
  const max = bars.reduce((m, b) => Math.max(m, b.count), 0);
  return bars.map((b) => (max === 0 ? 0 : b.count / max));
}
