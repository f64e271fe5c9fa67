/**
 * What arrived, from whom, and what was refused and why: per receiver format and per source service,
 * kept in memory for `GET /api/ariadne/ingest` and the UI's ingest page (the first stop when "no
 * traces show up"). Bounded: at most MAX_SOURCES (format, tenant, service) rows and the last few
 * refusals. A tenant's view holds only what arrived for that tenant: its accepted requests and its
 * sources; refusals cannot be told apart by tenant (most happen before a tenant is known), so a
 * tenant's view has none of them.
 */
import type { AppError } from '../errors.js';
import { compareStrings, type Span } from '../model/index.js';

/** Most (format, service) rows kept; later services are counted under OTHER_SERVICE. */
export const MAX_SOURCES = 1000;
/** Service name rows beyond MAX_SOURCES are counted under. */
export const OTHER_SERVICE = '(other services)';
/** Refusals remembered per format. */
export const MAX_REFUSALS = 5;
/** Bytes of a refused body kept as its sample. */
export const SAMPLE_BYTES = 256;

/** One refused request. */
export interface Refusal {
  at: string;
  code: string;
  message: string;
  /** Address of the sender, when the transport knows it. */
  source?: string;
  /** The start of the refused body: text when printable, else base64 prefixed with "base64:". */
  sample?: string;
}

/** Counters of one receiver format. */
export interface ReceiverStats {
  format: string;
  requests: number;
  spans: number;
  refusedRequests: number;
  /** Spans refused after decoding (store full) or skipped as invalid (OTLP partial success). */
  refusedSpans: number;
  lastSeen?: string;
  lastRefused?: string;
  /** Newest first. */
  refusals: Refusal[];
}

/** Counters of one service seen through one format. */
export interface SourceStats {
  format: string;
  /** The tenant the spans arrived for ("" is the default tenant). */
  tenant: string;
  service: string;
  spans: number;
  errorSpans: number;
  lastSeen: string;
  /** Sender addresses seen (at most 5). */
  addresses: string[];
  /**
   * Arrival time minus span end, in ms, over the spans seen: a large positive value means late
   * reports or a sender clock behind; a negative one a sender clock ahead of this server's.
   */
  clockOffsetMs: { min: number; max: number; last: number };
}

/** The whole picture, as the API returns it. */
export interface IngestSnapshot {
  since: string;
  receivers: ReceiverStats[];
  sources: SourceStats[];
}

/** Collects ingest statistics; every method is cheap enough for the hot path. */
export interface IngestStats {
  /** A request whose spans were stored; `skipped` invalid spans of it were left out. */
  accepted(format: string, spans: readonly Span[], skipped: number, source: string | undefined): void;
  /** Decoded spans the store refused (full, unavailable); the request's refusal is recorded by refused(). */
  spansRefused(format: string, count: number): void;
  /** A refused request, with the reason given to the sender. */
  refused(format: string, err: AppError, context: { source?: string; sample?: Buffer }): void;
  /** Everything (no tenant given), or only what arrived for one tenant. */
  snapshot(scope?: { tenant?: string }): IngestSnapshot;
}

interface SourceRow {
  spans: number;
  errorSpans: number;
  lastSeenMs: number;
  addresses: string[];
  min: number;
  max: number;
  last: number;
}

const PRINTABLE = /^[\t\n\r\x20-\x7e\u00a0-\uffff]*$/;

function sampleText(bytes: Buffer): string {
  const head = bytes.subarray(0, SAMPLE_BYTES);
  const text = head.toString('utf8');
  if (!text.includes('\ufffd') && PRINTABLE.test(text)) return text;
  return `base64:${head.toString('base64')}`;
}

/** Creates an empty collector; `now` is injectable for tests. */
export function createIngestStats(now: () => number = Date.now): IngestStats {
  const since = new Date(now()).toISOString();
  const receivers = new Map<string, ReceiverStats>();
  /** format → tenant → service → row */
  const sources = new Map<string, Map<string, Map<string, SourceRow>>>();
  /** tenant → format → that tenant's accepted requests */
  const byTenant = new Map<string, Map<string, ReceiverStats>>();
  let sourceCount = 0;

  const receiver = (format: string): ReceiverStats => {
    let r = receivers.get(format);
    if (!r) {
      r = { format, requests: 0, spans: 0, refusedRequests: 0, refusedSpans: 0, refusals: [] };
      receivers.set(format, r);
    }
    return r;
  };

  return {
    accepted(format, spans, skipped, source) {
      const at = now();
      const r = receiver(format);
      r.requests++;
      r.spans += spans.length;
      r.refusedSpans += skipped;
      r.lastSeen = new Date(at).toISOString();
      // One request carries one tenant's spans.
      const tenant = spans[0]?.tenant ?? '';
      let tenantReceivers = byTenant.get(tenant);
      if (!tenantReceivers) {
        tenantReceivers = new Map();
        byTenant.set(tenant, tenantReceivers);
      }
      let tr = tenantReceivers.get(format);
      if (!tr) {
        tr = { format, requests: 0, spans: 0, refusedRequests: 0, refusedSpans: 0, refusals: [] };
        tenantReceivers.set(format, tr);
      }
      tr.requests++;
      tr.spans += spans.length;
      tr.refusedSpans += skipped;
      tr.lastSeen = r.lastSeen;
      let byTenantService = sources.get(format);
      if (!byTenantService) {
        byTenantService = new Map();
        sources.set(format, byTenantService);
      }
      let byService = byTenantService.get(tenant);
      if (!byService) {
        byService = new Map();
        byTenantService.set(tenant, byService);
      }
      const nowUs = at * 1000;
      for (const span of spans) {
        let row = byService.get(span.service);
        if (!row) {
          const key = sourceCount >= MAX_SOURCES ? OTHER_SERVICE : span.service;
          row = byService.get(key);
          if (!row) {
            row = { spans: 0, errorSpans: 0, lastSeenMs: at, addresses: [], min: Infinity, max: -Infinity, last: 0 };
            byService.set(key, row);
            sourceCount++;
          }
        }
        row.spans++;
        if (span.statusCode === 'error') row.errorSpans++;
        row.lastSeenMs = at;
        const offsetMs = Math.round((nowUs - (span.startUs + span.durationUs)) / 1000);
        row.last = offsetMs;
        if (offsetMs < row.min) row.min = offsetMs;
        if (offsetMs > row.max) row.max = offsetMs;
        if (source !== undefined && row.addresses.length < 5 && !row.addresses.includes(source)) row.addresses.push(source);
      }
    },
    spansRefused(format, count) {
      receiver(format).refusedSpans += count;
    },
    refused(format, err, context) {
      const at = new Date(now()).toISOString();
      const r = receiver(format);
      r.requests++;
      r.refusedRequests++;
      r.lastRefused = at;
      const refusal: Refusal = { at, code: err.code, message: err.message };
      if (context.source !== undefined) refusal.source = context.source;
      if (context.sample !== undefined && context.sample.length > 0) refusal.sample = sampleText(context.sample);
      r.refusals.unshift(refusal);
      if (r.refusals.length > MAX_REFUSALS) r.refusals.length = MAX_REFUSALS;
    },
    snapshot(scope = {}) {
      const out: SourceStats[] = [];
      for (const [format, byTenantService] of sources) {
        for (const [tenant, byService] of byTenantService) {
          if (scope.tenant !== undefined && tenant !== scope.tenant) continue;
          for (const [service, row] of byService) {
            out.push({
              format, tenant, service, spans: row.spans, errorSpans: row.errorSpans, lastSeen: new Date(row.lastSeenMs).toISOString(),
              addresses: [...row.addresses], clockOffsetMs: { min: row.min, max: row.max, last: row.last },
            });
          }
        }
      }
      out.sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : compareStrings(a.service, b.service)));
      const shown = scope.tenant === undefined ? receivers : byTenant.get(scope.tenant) ?? new Map<string, ReceiverStats>();
      return {
        since,
        receivers: [...shown.values()].map((r) => ({ ...r, refusals: r.refusals.map((x) => ({ ...x })) })).sort((a, b) => compareStrings(a.format, b.format)),
        sources: out,
      };
    },
  };
}
