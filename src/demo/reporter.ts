/**
 * Zipkin span reporting as a proxy does it: spans queue in memory (bounded, the newest dropped when
 * full) and leave in batches, when a batch fills or on a flush interval, as one POST each.
 * Wire formats: https://github.com/openzipkin/zipkin-api (zipkin2-api.yaml for v2 JSON,
 * zipkin-api.yaml for v1 JSON).
 */
import { AppError } from '../errors.js';

/** A Zipkin v2 JSON endpoint. */
export interface ZipkinEndpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

/** One span in Zipkin v2 JSON form, as the sidecars build it. */
export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind: 'CLIENT' | 'SERVER';
  /** Epoch microseconds. */
  timestamp: number;
  /** Microseconds, at least 1. */
  duration: number;
  localEndpoint: ZipkinEndpoint;
  remoteEndpoint?: ZipkinEndpoint;
  tags: Record<string, string>;
  debug?: true;
  shared?: true;
}

/** Which JSON the reporter posts: Zipkin v2 (`/api/v2/spans`) or v1 (`/api/v1/spans`). */
export type ZipkinEncoding = 'json-v2' | 'json-v1';

interface V1Annotation {
  timestamp: number;
  value: string;
  endpoint: ZipkinEndpoint;
}

interface V1BinaryAnnotation {
  key: string;
  value: string | boolean;
  endpoint: ZipkinEndpoint;
}

/** One span in Zipkin v1 JSON form. */
export interface ZipkinV1Span {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  timestamp?: number;
  duration?: number;
  debug?: true;
  annotations: V1Annotation[];
  binaryAnnotations: V1BinaryAnnotation[];
}

/**
 * The v1 form of a v2 span: cs/cr or sr/ss annotations, tags as binary annotations, the remote
 * endpoint as `sa` (client) or `ca` (server). A shared server half carries no span timestamp or
 * duration, since in v1 those belong to the side that started the span (the client).
 */
export function toZipkinV1(span: ZipkinSpan): ZipkinV1Span {
  const local = span.localEndpoint;
  const [begin, end, address] = span.kind === 'CLIENT' ? ['cs', 'cr', 'sa'] : ['sr', 'ss', 'ca'];
  const out: ZipkinV1Span = { traceId: span.traceId, id: span.id, name: span.name, annotations: [], binaryAnnotations: [] };
  if (span.parentId !== undefined) out.parentId = span.parentId;
  if (span.shared !== true) {
    out.timestamp = span.timestamp;
    out.duration = span.duration;
  }
  if (span.debug === true) out.debug = true;
  out.annotations.push(
    { timestamp: span.timestamp, value: begin, endpoint: local },
    { timestamp: span.timestamp + span.duration, value: end, endpoint: local },
  );
  for (const [key, value] of Object.entries(span.tags)) out.binaryAnnotations.push({ key, value, endpoint: local });
  if (span.remoteEndpoint !== undefined) out.binaryAnnotations.push({ key: address, value: true, endpoint: span.remoteEndpoint });
  return out;
}

/** Encodes a batch as the JSON body of one POST. */
export function encodeZipkinBatch(spans: readonly ZipkinSpan[], encoding: ZipkinEncoding): string {
  return JSON.stringify(encoding === 'json-v1' ? spans.map(toZipkinV1) : spans);
}

/** Counters of one reporter since it was created. */
export interface ReporterStats {
  /** Spans handed to report(). */
  reported: number;
  /** Spans the collector accepted (2xx). */
  sent: number;
  /** Spans dropped because the queue was full. */
  dropped: number;
  /** Spans lost to failed POSTs (network error or non-2xx). */
  failed: number;
  /** POSTs made. */
  requests: number;
  /** The last failure, for a summary line. */
  lastError: string | undefined;
}

/** Options of {@link createZipkinReporter}. */
export interface ZipkinReporterOptions {
  /** Full URL of the collector's span endpoint, e.g. http://127.0.0.1:9411/api/v2/spans. */
  url: string;
  /** Default: json-v1 when the URL path ends in /api/v1/spans, json-v2 otherwise. */
  encoding?: ZipkinEncoding;
  /** Send what is queued at least this often; default 1000 ms. */
  flushIntervalMs?: number;
  /** Send as soon as this many spans are queued, and at most this many per POST; default 100. */
  batchSize?: number;
  /** Spans held at most; further spans are dropped and counted; default 10000. */
  maxQueueSpans?: number;
  /** Per-POST timeout; default 5000 ms. */
  timeoutMs?: number;
}

/** A span sink that batches to a Zipkin collector. */
export interface ZipkinReporter {
  readonly encoding: ZipkinEncoding;
  /** Queues one span; never throws, never waits. */
  report(span: ZipkinSpan): void;
  /** Resolves once every span queued before the call has been posted (or has failed). */
  flush(): Promise<void>;
  /** Counters so far (a copy). */
  stats(): ReporterStats;
  /** Stops the timer and flushes what is queued. */
  close(): Promise<void>;
}

/** The encoding a collector URL implies. */
export function encodingForUrl(url: string): ZipkinEncoding {
  return new URL(url).pathname.replace(/\/+$/, '').endsWith('/api/v1/spans') ? 'json-v1' : 'json-v2';
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new AppError('INVALID_ARGUMENT', `reporter.${name}: expected a positive number, got ${value}`);
  return value;
}

/** Creates a reporter posting to `options.url`; throws INVALID_ARGUMENT on a bad URL or bound. */
export function createZipkinReporter(options: ZipkinReporterOptions): ZipkinReporter {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new AppError('INVALID_ARGUMENT', `reporter.url: expected an http(s) URL, got ${JSON.stringify(options.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('INVALID_ARGUMENT', `reporter.url: expected an http(s) URL, got ${JSON.stringify(options.url)}`);
  }
  const encoding = options.encoding ?? encodingForUrl(options.url);
  const flushIntervalMs = positive(options.flushIntervalMs, 1000, 'flushIntervalMs');
  const batchSize = positive(options.batchSize, 100, 'batchSize');
  const maxQueue = positive(options.maxQueueSpans, 10_000, 'maxQueueSpans');
  const timeoutMs = positive(options.timeoutMs, 5000, 'timeoutMs');
  const stats: ReporterStats = { reported: 0, sent: 0, dropped: 0, failed: 0, requests: 0, lastError: undefined };
  let queue: ZipkinSpan[] = [];
  // Spans ever queued and spans whose POST has completed, so flush() knows when "everything
  // queued before the call" is done even while new spans keep arriving.
  let queuedTotal = 0;
  let doneTotal = 0;
  let waiters: Array<{ target: number; resolve: () => void }> = [];
  // One POST at a time: batches stay in order and at most one batch is in flight beside the queue.
  let pumping: Promise<void> | undefined;
  let closed = false;

  const post = async (batch: ZipkinSpan[]): Promise<void> => {
    stats.requests++;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: encodeZipkinBatch(batch, encoding),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      if (res.ok) {
        stats.sent += batch.length;
      } else {
        stats.failed += batch.length;
        stats.lastError = `POST ${url.href}: HTTP ${res.status}`;
      }
    } catch (err) {
      stats.failed += batch.length;
      stats.lastError = `POST ${url.href}: ${(err as Error).message}`;
    }
  };

  const settleWaiters = (): void => {
    const ready = waiters.filter((w) => w.target <= doneTotal);
    waiters = waiters.filter((w) => w.target > doneTotal);
    for (const w of ready) w.resolve();
  };

  const pump = (): void => {
    if (pumping !== undefined || queue.length === 0) return;
    pumping = (async () => {
      while (queue.length > 0) {
        const batch = queue.splice(0, batchSize);
        await post(batch);
        doneTotal += batch.length;
        settleWaiters();
      }
      pumping = undefined;
    })();
  };

  const flush = (): Promise<void> => {
    const target = queuedTotal;
    if (doneTotal >= target) return Promise.resolve();
    const done = new Promise<void>((resolve) => waiters.push({ target, resolve }));
    pump();
    return done;
  };

  const timer = setInterval(pump, flushIntervalMs);
  timer.unref();

  return {
    encoding,
    report(span) {
      stats.reported++;
      if (closed || queue.length >= maxQueue) {
        stats.dropped++;
        return;
      }
      queue.push(span);
      queuedTotal++;
      if (queue.length >= batchSize) pump();
    },
    flush,
    stats: () => ({ ...stats }),
    async close() {
      closed = true;
      clearInterval(timer);
      await flush();
    },
  };
}
