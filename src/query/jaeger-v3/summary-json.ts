/**
 * Trace summaries in the JSON of jaeger-idl proto/api_v3/query_service.proto TraceSummary, as
 * the Jaeger UI's v3 client validates it: 32-hex trace ids, nanosecond times as decimal strings,
 * zero counts and empty strings omitted (protobuf JSON), services sorted by name.
 */
import type { TraceSummary } from '../../storage/api.js';
import { toUnixNano } from './otlp.js';

/** One service's figures in a summary; `name` is always present (the UI requires it). */
export interface ServiceSummaryJson {
  name: string;
  spanCount?: number;
  errorSpanCount?: number;
}

/** A summary as /api/v3/trace-summaries answers it. */
export interface TraceSummaryJson {
  traceId: string;
  rootServiceName?: string;
  rootOperationName?: string;
  minStartTimeUnixNano?: string;
  maxEndTimeUnixNano?: string;
  spanCount?: number;
  errorSpanCount?: number;
  orphanSpanCount?: number;
  services?: ServiceSummaryJson[];
}

/** Encodes a storage summary for the v3 API, omitting zero and empty fields. Pure. */
export function toTraceSummaryJson(summary: TraceSummary): TraceSummaryJson {
  const out: TraceSummaryJson = { traceId: summary.traceId.padStart(32, '0') };
  if (summary.rootService !== undefined && summary.rootService !== '') out.rootServiceName = summary.rootService;
  if (summary.rootOperation !== undefined && summary.rootOperation !== '') out.rootOperationName = summary.rootOperation;
  const start = toUnixNano(summary.startUs);
  if (start !== undefined) out.minStartTimeUnixNano = start;
  const end = toUnixNano(summary.endUs);
  if (end !== undefined) out.maxEndTimeUnixNano = end;
  if (summary.spanCount !== 0) out.spanCount = summary.spanCount;
  if (summary.errorCount !== 0) out.errorSpanCount = summary.errorCount;
  if (summary.orphanCount !== 0) out.orphanSpanCount = summary.orphanCount;
  if (summary.services.length > 0) {
    out.services = [...summary.services]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((service) => {
        const s: ServiceSummaryJson = { name: service.name };
        if (service.spanCount !== 0) s.spanCount = service.spanCount;
        if (service.errorCount !== 0) s.errorSpanCount = service.errorCount;
        return s;
      });
  }
  return out;
}
