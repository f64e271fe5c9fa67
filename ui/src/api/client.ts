/**
 * The UI's only door to the server: fetches JSON and checks each answer's shape before any view
 * sees it, so a malformed answer is one clear error instead of a crash deep in a component.
 */
import type { ServiceTime } from '../model/overview.js';
import { decodeColumns } from './columns.js';
import type { CompactTrace, DependencyLink, IngestListener, IngestReceiver, IngestRefusal, IngestSnapshot, IngestSource, SpanDetail, TraceSummary } from './types.js';

/** An API failure with the server's message (or what was wrong with its answer). */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** localStorage keys of the tenant the UI reads as, and of the header that names it (set from `?tenant=` and `?tenantHeader=`). */
const TENANT_KEY = 'ariadne.tenant';
const TENANT_HEADER_KEY = 'ariadne.tenantHeader';

/**
 * Headers naming the tenant every API call reads as, for a server with multi-tenancy on: the
 * tenant comes from the page's `?tenant=` (remembered; `?tenant=` empty forgets it), sent in
 * `x-tenant` unless `?tenantHeader=` named another header. Empty when no tenant was chosen.
 */
export function tenantHeaders(): Record<string, string> {
  if (typeof window === 'undefined' || typeof localStorage === 'undefined') return {};
  const params = new URLSearchParams(window.location.search);
  for (const [param, key] of [['tenant', TENANT_KEY], ['tenantHeader', TENANT_HEADER_KEY]] as const) {
    const value = params.get(param);
    if (value === null) continue;
    if (value.trim() === '') localStorage.removeItem(key);
    else localStorage.setItem(key, value.trim());
  }
  const tenant = localStorage.getItem(TENANT_KEY);
  return tenant === null ? {} : { [localStorage.getItem(TENANT_HEADER_KEY) ?? 'x-tenant']: tenant };
}

/** Fetches a URL with the tenant headers; an unreachable server is an ApiError with status 0. */
export async function request(url: string, signal?: AbortSignal): Promise<Response> {
  try {
    const headers = tenantHeaders();
    return await fetch(url, signal ? { signal, headers } : { headers });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, `cannot reach the Ariadne server (${String(err)}); is it running?`);
  }
}

/** GETs a JSON answer; a non-2xx answer is an ApiError with the server's message. */
export async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const res = await request(url, signal);
  return readJson(url, res);
}

/** Parses an answer's JSON body whatever its status; a body that is not JSON is an ApiError. */
export async function readBody(url: string, res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(res.status, `${url.split('?')[0]}: expected JSON, got ${JSON.stringify(text.slice(0, 80))}`);
  }
}

async function readJson(url: string, res: Response): Promise<unknown> {
  const body = await readBody(url, res);
  if (!res.ok) throw new ApiError(res.status, errorMessage(body) ?? `${url.split('?')[0]} answered ${res.status}`);
  return body;
}

function errorMessage(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  if (typeof body.error === 'string') return body.error;
  if (isObject(body.error) && typeof body.error.message === 'string') return body.error.message;
  if (Array.isArray(body.errors) && isObject(body.errors[0]) && typeof body.errors[0].msg === 'string') return body.errors[0].msg;
  return undefined;
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function expect(cond: boolean, what: string): asserts cond {
  if (!cond) throw new ApiError(200, `unexpected answer from the server: ${what}`);
}

/**
 * Opens a trace in the compact form, as binary columns (no JSON parsing; the URL is the one the
 * server's /trace/ page preloads). Marks `ariadne:trace-parsed` on the performance timeline.
 */
export async function fetchCompactTrace(traceId: string, signal?: AbortSignal): Promise<CompactTrace> {
  const url = `/api/ariadne/traces/${encodeURIComponent(traceId)}/columns`;
  const res = await request(url, signal);
  if (!res.ok) await readJson(url, res);
  let trace: CompactTrace;
  try {
    const bodyStart = performance.now();
    const buffer = await res.arrayBuffer();
    const decodeStart = performance.now();
    trace = decodeColumns(buffer);
    performance.measure('ariadne:trace-body', { start: bodyStart, end: decodeStart });
    performance.measure('ariadne:trace-decode', { start: decodeStart });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(res.status, `unexpected answer from the server: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Lets devtools and bench/ui split network and decoding from rendering.
  performance.mark('ariadne:trace-parsed', { detail: { traceId } });
  return trace;
}

/** One span's detail. */
export async function fetchSpan(traceId: string, spanId: string, signal?: AbortSignal): Promise<SpanDetail> {
  const body = await getJson(`/api/ariadne/traces/${encodeURIComponent(traceId)}/spans/${encodeURIComponent(spanId)}`, signal);
  expect(isObject(body) && isObject(body.span) && typeof body.span.spanId === 'string', 'span: expected {row, span}');
  const span = body.span as SpanDetail;
  expect(isObject(span.attributes) && Array.isArray(span.events) && Array.isArray(span.links) && isObject(span.resource), 'span: missing attributes/events/links/resource');
  return span;
}

/** Rows of a trace matching a find text (server-side, over tags, resources and events too). */
export async function fetchFind(traceId: string, text: string, signal?: AbortSignal): Promise<number[]> {
  const body = await getJson(`/api/ariadne/traces/${encodeURIComponent(traceId)}/find?q=${encodeURIComponent(text)}`, signal);
  expect(isObject(body) && Array.isArray(body.rows), 'find: expected {rows}');
  return body.rows as number[];
}

/** Time per service across traces (at most 200 ids). */
export async function fetchServiceTimes(traceIds: readonly string[], signal?: AbortSignal): Promise<ServiceTime[]> {
  const body = await getJson(`/api/ariadne/service-times?traceIds=${traceIds.map(encodeURIComponent).join(',')}`, signal);
  expect(isObject(body) && Array.isArray(body.services), 'service-times: expected {services: []}');
  return (body.services as unknown[]).filter(isObject).map((s) => ({
    service: String(s.service ?? ''), spans: Number(s.spans) || 0, totalUs: Number(s.totalUs) || 0, selfUs: Number(s.selfUs) || 0,
  }));
}

/** Service names, sorted. */
export async function fetchServices(signal?: AbortSignal): Promise<string[]> {
  const body = await getJson('/api/services', signal);
  expect(isObject(body) && (Array.isArray(body.data) || body.data === null), 'services: expected {data: string[]}');
  return ((body.data ?? []) as unknown[]).filter((s): s is string => typeof s === 'string');
}

/** Operation names of a service, sorted. */
export async function fetchOperations(service: string, signal?: AbortSignal): Promise<string[]> {
  const body = await getJson(`/api/services/${encodeURIComponent(service)}/operations`, signal);
  expect(isObject(body) && (Array.isArray(body.data) || body.data === null), 'operations: expected {data: string[]}');
  return ((body.data ?? []) as unknown[]).filter((s): s is string => typeof s === 'string');
}

function nanosToUs(v: unknown): number {
  return typeof v === 'string' && /^\d+$/.test(v) ? Math.floor(Number(BigInt(v) / 1000n)) : 0;
}

/** Converts one /api/v3/trace-summaries entry (protobuf JSON, zero fields omitted). */
export function parseTraceSummary(raw: unknown): TraceSummary {
  expect(isObject(raw) && typeof raw.traceId === 'string', 'summary.traceId: expected a string');
  const startUs = nanosToUs(raw.minStartTimeUnixNano);
  const endUs = nanosToUs(raw.maxEndTimeUnixNano);
  const services = Array.isArray(raw.services) ? raw.services : [];
  return {
    traceId: raw.traceId,
    rootService: typeof raw.rootServiceName === 'string' ? raw.rootServiceName : '',
    rootOperation: typeof raw.rootOperationName === 'string' ? raw.rootOperationName : '',
    startUs,
    durationUs: Math.max(0, endUs - startUs),
    spanCount: typeof raw.spanCount === 'number' ? raw.spanCount : 0,
    errorCount: typeof raw.errorSpanCount === 'number' ? raw.errorSpanCount : 0,
    orphanCount: typeof raw.orphanSpanCount === 'number' ? raw.orphanSpanCount : 0,
    services: services.filter(isObject).map((s) => ({
      name: String(s.name ?? ''),
      spanCount: typeof s.spanCount === 'number' ? s.spanCount : 0,
      errorCount: typeof s.errorSpanCount === 'number' ? s.errorSpanCount : 0,
    })),
  };
}

/** Searches traces; a search that finds nothing is an empty list (the v3 API answers 404 then). */
export async function fetchTraceSummaries(query: URLSearchParams, signal?: AbortSignal): Promise<TraceSummary[]> {
  try {
    const body = await getJson(`/api/v3/trace-summaries?${query.toString()}`, signal);
    expect(isObject(body) && (body.summaries === undefined || Array.isArray(body.summaries)), 'trace-summaries: expected {summaries: []}');
    return ((body.summaries ?? []) as unknown[]).map(parseTraceSummary);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return [];
    throw err;
  }
}

/** Dependency links over a window ending at endMs. */
export async function fetchDependencies(endMs: number, lookbackMs: number, signal?: AbortSignal): Promise<DependencyLink[]> {
  const body = await getJson(`/api/dependencies?endTs=${endMs}&lookback=${lookbackMs}`, signal);
  expect(isObject(body) && (Array.isArray(body.data) || body.data === null), 'dependencies: expected {data: []}');
  return ((body.data ?? []) as unknown[]).filter(isObject).map((l) => ({
    parent: String(l.parent), child: String(l.child), callCount: Number(l.callCount) || 0, errorCount: Number(l.errorCount) || 0,
  }));
}

function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function parseRefusal(raw: Record<string, any>): IngestRefusal {
  const refusal: IngestRefusal = { at: String(raw.at ?? ''), code: String(raw.code ?? ''), message: String(raw.message ?? '') };
  const source = optionalString(raw.source);
  const sample = optionalString(raw.sample);
  if (source !== undefined) refusal.source = source;
  if (sample !== undefined) refusal.sample = sample;
  return refusal;
}

function parseReceiver(raw: Record<string, any>): IngestReceiver {
  const receiver: IngestReceiver = {
    format: String(raw.format ?? ''),
    requests: count(raw.requests),
    spans: count(raw.spans),
    refusedRequests: count(raw.refusedRequests),
    refusedSpans: count(raw.refusedSpans),
    refusals: (Array.isArray(raw.refusals) ? raw.refusals : []).filter(isObject).map(parseRefusal),
  };
  const lastSeen = optionalString(raw.lastSeen);
  const lastRefused = optionalString(raw.lastRefused);
  if (lastSeen !== undefined) receiver.lastSeen = lastSeen;
  if (lastRefused !== undefined) receiver.lastRefused = lastRefused;
  return receiver;
}

function parseSource(raw: Record<string, any>): IngestSource {
  const offset = isObject(raw.clockOffsetMs) ? raw.clockOffsetMs : {};
  return {
    format: String(raw.format ?? ''),
    service: String(raw.service ?? ''),
    spans: count(raw.spans),
    errorSpans: count(raw.errorSpans),
    lastSeen: String(raw.lastSeen ?? ''),
    addresses: (Array.isArray(raw.addresses) ? raw.addresses : []).filter((a: unknown): a is string => typeof a === 'string'),
    clockOffsetMs: { min: count(offset.min), max: count(offset.max), last: count(offset.last) },
  };
}

/** What every receiver took and refused, and every source service seen, since the server started. */
export async function fetchIngest(signal?: AbortSignal): Promise<IngestSnapshot> {
  const body = await getJson('/api/ariadne/ingest', signal);
  expect(isObject(body) && isObject(body.data), 'ingest: expected {data: {receivers, sources}}');
  const data = body.data;
  expect(Array.isArray(data.receivers) && Array.isArray(data.sources), 'ingest: expected data.receivers and data.sources arrays');
  return {
    since: String(data.since ?? ''),
    receivers: (data.receivers as unknown[]).filter(isObject).map(parseReceiver),
    sources: (data.sources as unknown[]).filter(isObject).map(parseSource),
    listeners: Array.isArray(data.listeners) ? (data.listeners as unknown[]).filter(isObject).map(parseListener) : [],
  };
}

function parseListener(raw: Record<string, any>): IngestListener {
  const transport = raw.transport === 'grpc' || raw.transport === 'udp' ? raw.transport : 'http';
  return {
    name: String(raw.name ?? ''), port: Number(raw.port), transport,
    formats: Array.isArray(raw.formats) ? (raw.formats as unknown[]).map(String) : [],
  };
}
