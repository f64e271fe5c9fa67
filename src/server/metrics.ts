/** Prometheus metrics of one process; every module records into this one registry. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../storage/api.js';

/** The metrics receivers and the server record. */
export interface Metrics {
  readonly registry: Registry;
  /** Spans accepted, by protocol (e.g. zipkin-v2-json). */
  readonly spansReceived: Counter<'protocol'>;
  /** Spans or requests refused, by protocol and reason (invalid, too_large, unsupported_media_type, overloaded, unavailable). */
  readonly spansRejected: Counter<'protocol' | 'reason'>;
  /** Rejected requests, by protocol and reason (a malformed body may hold an unknown number of spans). */
  readonly requestsRejected: Counter<'protocol' | 'reason'>;
  /** Time from a request's arrival to its durable acknowledgement. */
  readonly ingestSeconds: Histogram<'protocol'>;
  /** Reports the store's own figures on every scrape. */
  watchStore(store: Store): void;
}

/** Creates a registry with process metrics and Ariadne's counters. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ariadne_' });
  const spansReceived = new Counter({
    name: 'ariadne_spans_received_total', help: 'Spans accepted and acknowledged', labelNames: ['protocol'] as const, registers: [registry],
  });
  const spansRejected = new Counter({
    name: 'ariadne_spans_rejected_total', help: 'Spans refused, by reason', labelNames: ['protocol', 'reason'] as const, registers: [registry],
  });
  const requestsRejected = new Counter({
    name: 'ariadne_requests_rejected_total', help: 'Ingest requests refused, by reason', labelNames: ['protocol', 'reason'] as const, registers: [registry],
  });
  const ingestSeconds = new Histogram({
    name: 'ariadne_ingest_request_seconds', help: 'Time from request arrival to durable acknowledgement',
    labelNames: ['protocol'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
  });
  const stores: Store[] = [];
  const storeExtra = new Map<string, Gauge>();
  const disk = new Gauge({
    name: 'ariadne_store_disk_bytes', help: 'Bytes the span store uses on disk', registers: [registry],
    collect() { this.set(stores.reduce((n, s) => n + s.stats().diskBytes, 0)); },
  });
  const buffered = new Gauge({
    name: 'ariadne_store_buffered_spans', help: 'Spans acknowledged but not yet in the long-term layout', registers: [registry],
    collect() { this.set(stores.reduce((n, s) => n + s.stats().bufferedSpans, 0)); },
  });
  void disk;
  void buffered;
  return {
    registry, spansReceived, spansRejected, requestsRejected, ingestSeconds,
    watchStore(store) {
      stores.push(store);
      for (const key of Object.keys(store.stats().extra)) {
        const name = `ariadne_store_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
        if (storeExtra.has(name)) continue;
        storeExtra.set(name, new Gauge({
          name, help: `Store figure ${key} (${store.name})`, registers: [registry],
          collect() { this.set(store.stats().extra[key] ?? 0); },
        }));
      }
    },
  };
}
