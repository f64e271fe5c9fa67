/**
 * Trace summaries: the per-trace figures a result list shows (root service and operation, time
 * span, span / error / orphan counts, per-service counts), after Jaeger's
 * cmd/jaeger/internal/extension/jaegerquery/querysvc/summary.go.
 */
import type { Span } from '../model/index.js';
import { compareStrings } from '../model/index.js';
import type { SpanReader, TenantScope, TraceSummary } from './api.js';

/** The span fields a summary reads; engines can feed projected rows instead of whole spans. */
export type SummarySpan = Pick<Span, 'traceId' | 'spanId' | 'service' | 'name' | 'startUs' | 'durationUs' | 'statusCode'> & {
  parentSpanId?: string | undefined;
};

/**
 * Summarises the spans of one trace (exact duplicates already collapsed, at least one span).
 * Root: the parentless span with the earliest start; ties go to the longer span, then the lower
 * span id, so the answer does not depend on the order of the input. Start / end: the earliest start
 * and the latest start + duration. Errors: spans with statusCode 'error'. Orphans: spans whose
 * parent id is not the id of a span of the trace. Services sorted by name. Pure.
 */
export function summarizeTrace(spans: readonly SummarySpan[]): TraceSummary {
  const ids = new Set<string>();
  for (const span of spans) ids.add(span.spanId);
  const services = new Map<string, { name: string; spanCount: number; errorCount: number }>();
  let root: SummarySpan | undefined;
  let startUs = Number.POSITIVE_INFINITY;
  let endUs = Number.NEGATIVE_INFINITY;
  let errorCount = 0;
  let orphanCount = 0;
  for (const span of spans) {
    let service = services.get(span.service);
    if (service === undefined) {
      service = { name: span.service, spanCount: 0, errorCount: 0 };
      services.set(span.service, service);
    }
    service.spanCount++;
    if (span.statusCode === 'error') {
      service.errorCount++;
      errorCount++;
    }
    if (span.startUs < startUs) startUs = span.startUs;
    if (span.startUs + span.durationUs > endUs) endUs = span.startUs + span.durationUs;
    if (span.parentSpanId === undefined) {
      if (root === undefined || isEarlierRoot(span, root)) root = span;
    } else if (!ids.has(span.parentSpanId)) {
      orphanCount++;
    }
  }
  const summary: TraceSummary = {
    traceId: spans[0]?.traceId ?? '',
    startUs: Number.isFinite(startUs) ? startUs : 0,
    endUs: Number.isFinite(endUs) ? endUs : 0,
    spanCount: spans.length,
    errorCount,
    orphanCount,
    services: [...services.values()].sort((a, b) => compareStrings(a.name, b.name)),
  };
  if (root !== undefined) {
    summary.rootService = root.service;
    summary.rootOperation = root.name;
  }
  return summary;
}

/**
 * Summaries of the traces with the given ids, in their order, missing ones omitted: from the
 * reader's own getTraceSummaries when it has one, otherwise by reading the traces whole.
 */
export async function traceSummaries(
  reader: SpanReader,
  query: TenantScope & { traceIds: readonly string[] },
): Promise<TraceSummary[]> {
  if (query.traceIds.length === 0) return [];
  if (reader.getTraceSummaries !== undefined) return reader.getTraceSummaries(query);
  const traces = await reader.getTraces(query);
  return traces.filter((spans) => spans.length > 0).map(summarizeTrace);
}

function isEarlierRoot(span: SummarySpan, current: SummarySpan): boolean {
  if (span.startUs !== current.startUs) return span.startUs < current.startUs;
  if (span.durationUs !== current.durationUs) return span.durationUs > current.durationUs;
  return span.spanId < current.spanId;
}

