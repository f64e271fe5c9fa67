/**
 * The Bookinfo demo: productpage → details, productpage → reviews v1/v2/v3 (round-robin; v2 and v3
 * call ratings), each app behind its own tracing sidecar that reports Zipkin spans, and a load loop
 * on productpage. Everything listens on loopback ports chosen by the OS unless told otherwise.
 */
import { AppError } from '../errors.js';
import { startBookinfoApp, type BookinfoApp, type BookinfoService } from './apps.js';
import { createIdSource } from './b3.js';
import { startLoad, type Load, type LoadStats } from './load.js';
import { createZipkinReporter, encodingForUrl, type ReporterStats, type ZipkinEncoding, type ZipkinReporter } from './reporter.js';
import { SERVICE_PORT, startSidecar, type Cluster, type Sidecar, type SidecarStats } from './sidecar.js';

/** Options of {@link startDemo}; every field has a default. */
export interface DemoOptions {
  /**
   * Where the sidecars post spans: a span endpoint (…/api/v2/spans or …/api/v1/spans) or a bare
   * base URL (then /api/v2/spans, or /api/v1/spans with encoding json-v1). Default
   * http://127.0.0.1:9411/api/v2/spans.
   */
  zipkinUrl?: string;
  /** Default: implied by the URL (json-v1 for …/api/v1/spans), else json-v2. */
  encoding?: ZipkinEncoding;
  /** Requests per second on productpage; 0 runs no load loop. Default 1. */
  rate?: number;
  /** Stop the load loop after this many requests; default unbounded. */
  requests?: number;
  /** Percentage of new traces the entry sidecar samples, 0–100; default 100. */
  samplingPercent?: number;
  /** Percentage of ratings requests answered 503, 0–100; default 5. */
  ratingsFailPercent?: number;
  /** Extra latency of reviews v3 in ms; default 50. */
  reviewsV3DelayMs?: number;
  /** Kubernetes namespace in service names (`productpage.<namespace>`); default `default`. */
  namespace?: string;
  /** Listen address of every app and sidecar; default 127.0.0.1. */
  host?: string;
  /** Port of productpage's inbound listener (the entry point); default 0 (ephemeral). */
  port?: number;
  /** Reporter flush interval in ms; default 1000. */
  flushIntervalMs?: number;
  /** Spans per POST at most; default 100. */
  batchSize?: number;
  /** Spans each sidecar holds at most before dropping; default 10000. */
  maxQueueSpans?: number;
  /** 128-bit trace ids; default false (Envoy's default). */
  traceId128?: boolean;
  /** Seeds sampling and fault draws so a run can be repeated; default random. */
  seed?: number;
}

/** One app instance and its sidecar's listeners. */
export interface DemoInstance {
  service: BookinfoService;
  version: string;
  app: string;
  inbound: string;
  outbound: string;
  nodeId: string;
}

/** Addresses of a running demo. */
export interface DemoUrls {
  /** The entry page (productpage's inbound listener); send `Host: productpage:9080`. */
  productpage: string;
  /** The span endpoint the sidecars post to. */
  zipkin: string;
}

/** Counters of a running demo. */
export interface DemoStats {
  load: LoadStats | undefined;
  /** Reporter counters summed over every sidecar. */
  reporter: ReporterStats;
  /** By instance, e.g. `reviews-v2`. */
  sidecars: Record<string, SidecarStats>;
}

/** A running demo. */
export interface Demo {
  readonly urls: DemoUrls;
  readonly instances: readonly DemoInstance[];
  /** The options in force, defaults filled in. */
  readonly options: Readonly<Required<Omit<DemoOptions, 'requests' | 'seed'>>> & Pick<DemoOptions, 'requests' | 'seed'>;
  /** Resolves when the load loop has sent its requests and they completed; undefined without load. */
  readonly loadDone: Promise<LoadStats> | undefined;
  stats(): DemoStats;
  /** Resolves once every span reported so far has been posted. */
  flush(): Promise<void>;
  /** Human-readable lines: what runs where, knobs, and counters so far. */
  summary(): string;
  /** Stops the load, flushes the reporters, closes every listener. */
  close(): Promise<void>;
}

const DEFAULT_ZIPKIN = 'http://127.0.0.1:9411/api/v2/spans';

/** A small seeded PRNG (mulberry32) so a demo run can be repeated draw for draw. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percent(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || value > 100) throw new AppError('INVALID_ARGUMENT', `demo.${name}: expected a percentage 0–100, got ${value}`);
  return value;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new AppError('INVALID_ARGUMENT', `demo.${name}: expected a number > 0, got ${value}`);
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new AppError('INVALID_ARGUMENT', `demo.${name}: expected a number >= 0, got ${value}`);
  return value;
}

/** The span endpoint for a collector URL: bare base URLs get the path of their encoding. */
export function spanEndpoint(zipkinUrl: string, encoding: ZipkinEncoding | undefined): string {
  let url: URL;
  try {
    url = new URL(zipkinUrl);
  } catch {
    throw new AppError('INVALID_ARGUMENT', `demo.zipkinUrl: expected an http(s) URL, got ${JSON.stringify(zipkinUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('INVALID_ARGUMENT', `demo.zipkinUrl: expected an http(s) URL, got ${JSON.stringify(zipkinUrl)}`);
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = encoding === 'json-v1' ? '/api/v1/spans' : '/api/v2/spans';
  return url.href;
}

/** Starts every app, sidecar and (with rate > 0) the load loop; closes what started if one fails. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const zipkin = spanEndpoint(options.zipkinUrl ?? DEFAULT_ZIPKIN, options.encoding);
  const resolved = {
    zipkinUrl: zipkin,
    encoding: options.encoding ?? encodingForUrl(zipkin),
    rate: nonNegative(options.rate, 1, 'rate'),
    requests: options.requests,
    samplingPercent: percent(options.samplingPercent, 100, 'samplingPercent'),
    ratingsFailPercent: percent(options.ratingsFailPercent, 5, 'ratingsFailPercent'),
    reviewsV3DelayMs: nonNegative(options.reviewsV3DelayMs, 50, 'reviewsV3DelayMs'),
    namespace: options.namespace ?? 'default',
    host: options.host ?? '127.0.0.1',
    port: nonNegative(options.port, 0, 'port'),
    flushIntervalMs: positive(options.flushIntervalMs, 1000, 'flushIntervalMs'),
    batchSize: positive(options.batchSize, 100, 'batchSize'),
    maxQueueSpans: positive(options.maxQueueSpans, 10_000, 'maxQueueSpans'),
    traceId128: options.traceId128 ?? false,
    seed: options.seed,
  };
  if (resolved.requests !== undefined && (!Number.isInteger(resolved.requests) || resolved.requests < 0)) {
    throw new AppError('INVALID_ARGUMENT', `demo.requests: expected a whole number >= 0, got ${resolved.requests}`);
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(resolved.namespace)) {
    throw new AppError('INVALID_ARGUMENT', `demo.namespace: expected a Kubernetes name (lower-case letters, digits, '-'), got ${JSON.stringify(resolved.namespace)}`);
  }
  // Each consumer gets its own stream, so one's draws never shift another's.
  const seed = resolved.seed ?? Math.floor(Math.random() * 2 ** 32);
  let stream = 0;
  const nextRandom = (): (() => number) => seededRandom(seed + 0x9e3779b9 * ++stream);

  const apps: BookinfoApp[] = [];
  const sidecars: Sidecar[] = [];
  const reporters: ZipkinReporter[] = [];
  const instances: DemoInstance[] = [];
  const sidecarByName = new Map<string, Sidecar>();
  const clusters = new Map<string, Cluster>();
  const addCluster = (service: BookinfoService, endpoints: string[]): void => {
    const cluster: Cluster = { service, endpoints };
    clusters.set(service, cluster);
    clusters.set(`${service}:${SERVICE_PORT}`, cluster);
  };

  const closeAll = async (): Promise<void> => {
    await Promise.all(sidecars.map((s) => s.close()));
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all(reporters.map((r) => r.close()));
  };

  const startInstance = async (service: BookinfoService, version: string, knobs: { failPercent?: number; delayMs?: number; entry?: boolean }): Promise<Sidecar> => {
    let outbound = '';
    const app = await startBookinfoApp({
      service, version, host: resolved.host, outboundUrl: () => outbound, random: nextRandom(),
      ...(knobs.failPercent === undefined ? {} : { failPercent: knobs.failPercent }),
      ...(knobs.delayMs === undefined ? {} : { delayMs: knobs.delayMs }),
    });
    apps.push(app);
    const reporter = createZipkinReporter({
      url: zipkin, encoding: resolved.encoding, flushIntervalMs: resolved.flushIntervalMs,
      batchSize: resolved.batchSize, maxQueueSpans: resolved.maxQueueSpans,
    });
    reporters.push(reporter);
    const sidecar = await startSidecar({
      service, version, namespace: resolved.namespace, appUrl: app.url, clusters, reporter,
      samplingPercent: resolved.samplingPercent, host: resolved.host,
      ids: createIdSource({ traceId128: resolved.traceId128, random: nextRandom() }),
      ...(knobs.entry ? { inboundPort: resolved.port } : {}),
    });
    sidecars.push(sidecar);
    outbound = sidecar.outboundUrl;
    sidecarByName.set(`${service}-${version}`, sidecar);
    instances.push({ service, version, app: app.url, inbound: sidecar.inboundUrl, outbound: sidecar.outboundUrl, nodeId: sidecar.nodeId });
    return sidecar;
  };

  let entry: Sidecar;
  try {
    // Callees first, so every cluster has its endpoints before a caller can use it.
    const ratings = await startInstance('ratings', 'v1', { failPercent: resolved.ratingsFailPercent });
    addCluster('ratings', [ratings.inboundUrl]);
    const reviews = [
      await startInstance('reviews', 'v1', {}),
      await startInstance('reviews', 'v2', {}),
      await startInstance('reviews', 'v3', { delayMs: resolved.reviewsV3DelayMs }),
    ];
    addCluster('reviews', reviews.map((s) => s.inboundUrl));
    const details = await startInstance('details', 'v1', {});
    addCluster('details', [details.inboundUrl]);
    entry = await startInstance('productpage', 'v1', { entry: true });
    addCluster('productpage', [entry.inboundUrl]);
  } catch (err) {
    await closeAll();
    throw err;
  }

  const productpage = `${entry.inboundUrl}/productpage`;
  let load: Load | undefined;
  if (resolved.rate > 0) {
    load = startLoad({
      url: productpage, hostHeader: `productpage:${SERVICE_PORT}`, rate: resolved.rate,
      ...(resolved.requests === undefined ? {} : { requests: resolved.requests }),
    });
  }

  const stats = (): DemoStats => {
    const reporter: ReporterStats = { reported: 0, sent: 0, dropped: 0, failed: 0, requests: 0, lastError: undefined };
    for (const r of reporters) {
      const s = r.stats();
      reporter.reported += s.reported;
      reporter.sent += s.sent;
      reporter.dropped += s.dropped;
      reporter.failed += s.failed;
      reporter.requests += s.requests;
      reporter.lastError = s.lastError ?? reporter.lastError;
    }
    const bySidecar: Record<string, SidecarStats> = {};
    for (const [name, sidecar] of sidecarByName) bySidecar[name] = sidecar.stats();
    return { load: load?.stats(), reporter, sidecars: bySidecar };
  };

  let closing: Promise<void> | undefined;
  return {
    urls: { productpage, zipkin },
    instances,
    options: resolved,
    loadDone: load?.done,
    stats,
    flush: async () => {
      await Promise.all(reporters.map((r) => r.flush()));
    },
    summary: () => formatDemoSummary({ urls: { productpage, zipkin }, instances, options: resolved, stats: stats() }),
    close: () => {
      closing ??= (async () => {
        load?.stop();
        await load?.done;
        await closeAll();
      })();
      return closing;
    },
  };
}

/** What {@link formatDemoSummary} prints. */
export interface DemoSummaryInput {
  urls: DemoUrls;
  instances: readonly DemoInstance[];
  options: Demo['options'];
  stats: DemoStats;
}

/** A few aligned lines for a terminal: entry point, collector, knobs, instances, counters. */
export function formatDemoSummary(input: DemoSummaryInput): string {
  const { options, stats } = input;
  const encoding = options.encoding === 'json-v1' ? 'Zipkin v1 JSON' : 'Zipkin v2 JSON';
  const load = options.rate > 0
    ? `${options.rate} req/s${options.requests === undefined ? '' : `, ${options.requests} requests`}`
    : 'off (send your own requests)';
  const lines = [
    `Bookinfo demo (namespace ${options.namespace})`,
    `  entry      ${input.urls.productpage}  (Host: productpage:${SERVICE_PORT})`,
    `  spans to   ${input.urls.zipkin}  as ${encoding}, sampling ${options.samplingPercent} %, flush every ${options.flushIntervalMs} ms`,
    `  load       ${load}`,
    `  faults     ratings 503 on ${options.ratingsFailPercent} % of requests, reviews-v3 +${options.reviewsV3DelayMs} ms`,
  ];
  const order: BookinfoService[] = ['productpage', 'details', 'reviews', 'ratings'];
  const sorted = [...input.instances].sort((a, b) => order.indexOf(a.service) - order.indexOf(b.service) || a.version.localeCompare(b.version));
  for (const i of sorted) {
    const name = `${i.service}-${i.version}`.padEnd(14);
    lines.push(`  ${name} app ${i.app}  inbound ${i.inbound}  outbound ${i.outbound}`);
  }
  const r = stats.reporter;
  const l = stats.load;
  if (l !== undefined) {
    const statuses = Object.entries(l.statuses).map(([code, n]) => `${code}×${n}`).join(' ') || 'none yet';
    lines.push(`  requests   ${l.sent} sent, ${l.completed} answered (${statuses}), ${l.errors} failed, ${l.skipped} skipped`);
  }
  lines.push(`  spans      ${r.reported} reported, ${r.sent} accepted, ${r.dropped} dropped, ${r.failed} failed in ${r.requests} POSTs`);
  if (r.lastError !== undefined) lines.push(`  last error ${r.lastError}`);
  return lines.join('\n');
}
