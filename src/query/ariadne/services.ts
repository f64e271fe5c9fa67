/**
 * Service performance under `/api/ariadne/services`: requests, errors and latency per service, per
 * endpoint (operation) and for one endpoint, with series bucketed to fit the range, the service's
 * callers and callees, a latency histogram and the slowest requests. Figures come from the store's
 * request aggregation (optional capability `aggregateRequests`, answered from rollups where the
 * engine keeps them), else its grouped span aggregation (`aggregateSpans`); docs/api.md is the reference.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import type { StatusCode } from '../../model/index.js';
import type { AggregateGroup, DependencyReader, RequestAggregation, SpanReader } from '../../storage/api.js';
import { readRequests, readSlowestRequests } from '../../storage/requests.js';
import { scopeOf } from '../scope.js';
import {
  BucketedTotals, RequestTotals, figuresOf, histogramBars, type Figures, type HistogramBar,
} from './services-figures.js';
import { CHART_BUCKETS, SPARKLINE_BUCKETS, chooseBucketMs, firstBucketMs, parseTimeRange, type TimeRange } from './services-range.js';

/** Options of {@link servicesApiPlugin}. */
export interface ServicesApiOptions {
  reader: SpanReader;
  dependencies: DependencyReader;
  /** The current time in ms (tests pin it); defaults to Date.now. */
  now?: () => number;
  /** Most groups one aggregation may produce (services × buckets); default 200 000. */
  maxGroups?: number;
}

/** Sparkline series of a row: per bucket of the answer's `bucketMs`. */
export interface SparkSeries {
  requests: number[];
  errors: number[];
  p95Us: Array<number | null>;
}

/** Chart series: per bucket of `bucketMs`, bucket i starting at firstBucketMs + i · bucketMs. */
export interface ChartSeries {
  bucketMs: number;
  firstBucketMs: number;
  requests: number[];
  errors: number[];
  p50Us: Array<number | null>;
  p95Us: Array<number | null>;
  p99Us: Array<number | null>;
}

/** A service or endpoint row. */
export type Row = { name: string } & Figures & { series: SparkSeries };

/** `GET /api/ariadne/services`. */
export interface ServicesAnswer {
  start: number;
  end: number;
  bucketMs: number;
  firstBucketMs: number;
  services: Row[];
}

/** Calls from or to a neighbour service, as the dependency graph counts them. */
export interface Neighbour {
  service: string;
  calls: number;
  errors: number;
}

/** `GET /api/ariadne/services/:service`. */
export type ServiceAnswer = { start: number; end: number; service: string } & Figures & {
  series: ChartSeries;
  /** Bucket width and first bucket of the endpoints' sparklines. */
  bucketMs: number;
  firstBucketMs: number;
  endpoints: Row[];
  upstream: Neighbour[];
  downstream: Neighbour[];
};

/** One of the slowest requests of an endpoint. */
export interface SlowRequest {
  traceId: string;
  spanId: string;
  startUs: number;
  durationUs: number;
  status: StatusCode;
}

/** `GET /api/ariadne/services/:service/endpoints/:operation`. */
export type EndpointAnswer = { start: number; end: number; service: string; operation: string } & Figures & {
  histogram: HistogramBar[];
  series: ChartSeries;
  slowest: SlowRequest[];
};

/** Bars of the endpoint latency histogram at most. */
export const HISTOGRAM_BARS = 40;
/** Slowest requests listed for an endpoint. */
export const SLOWEST_LIMIT = 100;

/** Fastify plugin with the service-performance routes; answers 501 when the store cannot aggregate spans. */
export const servicesApiPlugin: FastifyPluginAsync<ServicesApiOptions> = async (app: FastifyInstance, options) => {
  const now = options.now ?? Date.now;
  const maxGroups = options.maxGroups ?? 200_000;

  const aggregate = (request: FastifyRequest, range: TimeRange, rest: Pick<RequestAggregation, 'service' | 'operation' | 'groupBy'>): Promise<AggregateGroup[]> => {
    const reader = options.reader;
    return readRequests(reader, { ...scopeOf(request), startUsMin: range.startMs * 1000, startUsMax: range.endMs * 1000, maxGroups, ...rest });
  };

  app.get('/api/ariadne/services', async (request): Promise<ServicesAnswer> => {
    const range = parseTimeRange(request.query as Record<string, unknown>, now());
    const bucketMs = chooseBucketMs(range, SPARKLINE_BUCKETS);
    const groups = await aggregate(request, range, {
      groupBy: [{ ref: { field: 'service' } }, { bucketUs: bucketMs * 1000 }],
    });
    const rows = rowsByName(groups, range, bucketMs);
    return { start: range.startMs, end: range.endMs, bucketMs, firstBucketMs: firstBucketMs(range, bucketMs), services: rows };
  });

  app.get('/api/ariadne/services/:service', async (request): Promise<ServiceAnswer> => {
    const { service } = request.params as { service: string };
    const range = parseTimeRange(request.query as Record<string, unknown>, now());
    const sparkMs = chooseBucketMs(range, SPARKLINE_BUCKETS);
    const chartMs = chooseBucketMs(range, CHART_BUCKETS);
    const [byOperation, byBucket, links] = await Promise.all([
      aggregate(request, range, { service, groupBy: [{ ref: { field: 'operation' } }, { bucketUs: sparkMs * 1000 }] }),
      aggregate(request, range, { service, groupBy: [{ bucketUs: chartMs * 1000 }] }),
      options.dependencies.getDependencies({ ...scopeOf(request), endUs: range.endMs * 1000, lookbackUs: (range.endMs - range.startMs) * 1000 }),
    ]);
    const { totals, chart } = chartOf(byBucket, range, chartMs);
    if (totals.requests === 0) await assertKnown(request, options.reader, service);
    const neighbours = (pick: (l: (typeof links)[number]) => string | undefined): Neighbour[] =>
      links.flatMap((l) => {
        const other = pick(l);
        return other === undefined ? [] : [{ service: other, calls: l.callCount, errors: l.errorCount }];
      }).sort((a, b) => b.calls - a.calls || compare(a.service, b.service));
    return {
      start: range.startMs, end: range.endMs, service, ...figuresOf(totals, range), series: chart,
      bucketMs: sparkMs, firstBucketMs: firstBucketMs(range, sparkMs),
      endpoints: rowsByName(byOperation, range, sparkMs),
      upstream: neighbours((l) => (l.child === service ? l.parent : undefined)),
      downstream: neighbours((l) => (l.parent === service ? l.child : undefined)),
    };
  });

  app.get('/api/ariadne/services/:service/endpoints/:operation', async (request): Promise<EndpointAnswer> => {
    const { service, operation } = request.params as { service: string; operation: string };
    const range = parseTimeRange(request.query as Record<string, unknown>, now());
    const chartMs = chooseBucketMs(range, CHART_BUCKETS);
    const reader = options.reader;
    const [byBucket, slow] = await Promise.all([
      aggregate(request, range, { service, operation, groupBy: [{ bucketUs: chartMs * 1000 }] }),
      readSlowestRequests(reader, {
        ...scopeOf(request), startUsMin: range.startMs * 1000, startUsMax: range.endMs * 1000, service, operation, limit: SLOWEST_LIMIT,
      }),
    ]);
    const { totals, chart } = chartOf(byBucket, range, chartMs);
    if (totals.requests === 0) await assertKnown(request, reader, service);
    return {
      start: range.startMs, end: range.endMs, service, operation, ...figuresOf(totals, range),
      histogram: histogramBars(totals, HISTOGRAM_BARS), series: chart,
      slowest: slow.map((s) => ({ traceId: s.traceId, spanId: s.spanId, startUs: s.startUs, durationUs: s.durationUs, status: s.statusCode })),
    };
  });
};

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rows from groups keyed [name, bucket], sorted by name (clients sort as they like). */
function rowsByName(groups: readonly AggregateGroup[], range: TimeRange, bucketMs: number): Row[] {
  const byName = new Map<string, { totals: RequestTotals; buckets: BucketedTotals }>();
  for (const group of groups) {
    const name = String(group.keys[0] ?? '');
    let entry = byName.get(name);
    if (!entry) byName.set(name, (entry = { totals: new RequestTotals(), buckets: new BucketedTotals(range, bucketMs) }));
    entry.totals.add(group, group.measures[0]);
    entry.buckets.add(Number(group.keys[1]), group, group.measures[0]);
  }
  return [...byName].sort((a, b) => compare(a[0], b[0])).map(([name, { totals, buckets }]) => ({
    name, ...figuresOf(totals, range), series: buckets.series({ p95Us: 0.95 }),
  }));
}

/** Totals and chart series from groups keyed [bucket]. */
function chartOf(groups: readonly AggregateGroup[], range: TimeRange, bucketMs: number): { totals: RequestTotals; chart: ChartSeries } {
  const totals = new RequestTotals();
  const buckets = new BucketedTotals(range, bucketMs);
  for (const group of groups) {
    totals.add(group, group.measures[0]);
    buckets.add(Number(group.keys[0]), group, group.measures[0]);
  }
  return { totals, chart: { bucketMs, firstBucketMs: buckets.firstBucketMs, ...buckets.series({ p50Us: 0.5, p95Us: 0.95, p99Us: 0.99 }) } };
}

/** A service with no requests in the range is still a page when the store knows it; otherwise 404. */
async function assertKnown(request: FastifyRequest, reader: SpanReader, service: string): Promise<void> {
  const services = await reader.getServices(scopeOf(request));
  if (!services.includes(service)) throw new AppError('NOT_FOUND', `service ${JSON.stringify(service)} has no spans in the store`);
}
