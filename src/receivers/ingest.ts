/**
 * The one path every receiver hands decoded spans to: durable write with the raw payload (so the
 * store's log can replay it), and the same counters whatever the transport (HTTP, gRPC, UDP).
 */
import { toAppError, type AppError } from '../errors.js';
import type { Span } from '../model/index.js';
import type { SpanWriter } from '../storage/api.js';
import type { Metrics } from '../server/metrics.js';
import { Counter } from 'prom-client';
import type { Admission } from './admission.js';
import type { IngestStats } from './ingest-stats.js';
import type { Limiter } from './limits.js';

/** What a receiver needs from the process to ingest spans. */
export interface IngestOptions {
  writer: SpanWriter;
  metrics: Metrics;
  /** Per receiver and per source service figures for the ingest page, when kept. */
  stats?: IngestStats;
  /** Span, trace and cardinality limits applied to every batch before it is written. */
  limiter?: Limiter;
  /** Memory budget checked before every write. */
  admission?: Admission;
}

/** One decoded request, ready to be written. */
export interface IngestBatch {
  /** Decoder key of the payload (the same key the log replays it with), also the metrics label. */
  format: string;
  tenant: string;
  /** The request body after content decoding, exactly what the decoder read. */
  bytes: Buffer;
  spans: Span[];
  /** Spans of the request skipped as invalid while the rest were accepted (OTLP partial success). */
  skipped?: number;
  /** The sender's address, when the transport knows it. */
  source?: string;
}

/** What a transport knows about a refused request. */
export interface RefusalContext {
  /** Largest body, for the message of a too-large error. */
  bodyLimit?: number;
  source?: string;
  /** The request body (its start is kept as a sample). */
  body?: Buffer;
}

/** Writes decoded batches and counts what was accepted and refused. */
export interface Ingest {
  /**
   * Resolves once the spans are durable; rejects with an AppError (RESOURCE_EXHAUSTED /
   * UNAVAILABLE when the store cannot take more now), counting the refused spans by reason.
   */
  accept(batch: IngestBatch): Promise<void>;
  /** Counts a refused request (undecodable, too large, wrong type ...) and returns its AppError. */
  refuse(format: string, err: unknown, context?: RefusalContext): AppError;
  /** Starts the acknowledgement-latency timer of one request; call the result when answered. */
  time(format: string): () => void;
}

/** Metric `reason` label for each refusal code. */
export const REFUSAL_REASON: Readonly<Record<string, string>> = {
  INVALID_ARGUMENT: 'invalid', TOO_LARGE: 'too_large', UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  RESOURCE_EXHAUSTED: 'overloaded', UNAVAILABLE: 'unavailable',
};

/** Creates the ingest path over one writer. */
export function createIngest(options: IngestOptions): Ingest {
  const { writer, metrics, stats, limiter, admission } = options;
  const truncatedSpans = (metrics.registry.getSingleMetric('ariadne_spans_truncated_total') as Counter<'protocol'> | undefined) ?? new Counter({
    name: 'ariadne_spans_truncated_total', help: 'Spans stored with something cut by a limit (they carry ariadne.truncated)',
    labelNames: ['protocol'] as const, registers: [metrics.registry],
  });
  return {
    async accept({ format, tenant, bytes, spans: decoded, skipped, source }) {
      let spans = decoded;
      if (spans.length > 0) {
        try {
          admission?.check(format);
        } catch (err) {
          metrics.spansRejected.inc({ protocol: format, reason: 'overloaded' }, spans.length);
          stats?.spansRefused(format, spans.length);
          throw err;
        }
      }
      const limited = limiter && spans.length > 0 ? limiter.apply(spans) : undefined;
      if (limited) {
        spans = limited.spans;
        for (const [reason, n] of Object.entries(limited.refused)) {
          metrics.spansRejected.inc({ protocol: format, reason: `limit_${reason}` }, n);
          stats?.spansRefused(format, n);
        }
        if (limited.truncated > 0) truncatedSpans.inc({ protocol: format }, limited.truncated);
      }
      if (spans.length > 0) {
        try {
          // Spans cut by a decision that depended on earlier batches no longer equal what the request
          // decodes to: they are logged as they are instead of as the request's bytes.
          await writer.writeSpans(spans, limited?.stateful ? {} : { payload: { format, tenant, bytes } });
          limited?.commit();
        } catch (err) {
          const appErr = toAppError(err);
          metrics.spansRejected.inc({ protocol: format, reason: REFUSAL_REASON[appErr.code] ?? 'internal' }, spans.length);
          stats?.spansRefused(format, spans.length);
          throw appErr;
        }
      }
      metrics.spansReceived.inc({ protocol: format }, spans.length);
      if (skipped) metrics.spansRejected.inc({ protocol: format, reason: 'invalid' }, skipped);
      stats?.accepted(format, spans, skipped ?? 0, source);
    },
    refuse(format, err, context = {}) {
      const appErr = toAppError(err, context.bodyLimit);
      metrics.requestsRejected.inc({ protocol: format, reason: REFUSAL_REASON[appErr.code] ?? 'internal' });
      stats?.refused(format, appErr, { source: context.source, sample: context.body });
      return appErr;
    },
    time(format) {
      const stop = metrics.ingestSeconds.startTimer();
      return () => { stop({ protocol: format }); };
    },
  };
}
