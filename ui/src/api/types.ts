/** Shapes of the server answers the UI reads, after validation at the boundary (client.ts). */

/** A tag / attribute value as the server sends it. */
export type AttributeValue = string | number | boolean;

/**
 * Per-row columns of a compact trace (GET /api/ariadne/traces/:id/columns, viewed in place as typed
 * arrays; plain arrays in tests); row i is index i of each.
 */
export interface CompactRows {
  /** 16 hex chars per row, concatenated. */
  spanIds: string;
  parent: ArrayLike<number>;
  depth: ArrayLike<number>;
  startUs: ArrayLike<number>;
  durationUs: ArrayLike<number>;
  service: ArrayLike<number>;
  name: ArrayLike<number>;
  kind: ArrayLike<number>;
  flags: ArrayLike<number>;
  subtree: ArrayLike<number>;
}

/** A trace in pre-order columns. */
export interface CompactTrace {
  traceId: string;
  startUs: number;
  durationUs: number;
  spanCount: number;
  depth: number;
  services: string[];
  names: string[];
  kinds: string[];
  rows: CompactRows;
  warnings: string[];
}

/** Row flag bits (same values as the server's). */
export const FLAG_ERROR = 1;
export const FLAG_WARNING = 2;
export const FLAG_ORPHAN = 4;

/** One span with everything the detail panel shows. */
export interface SpanDetail {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: string;
  name: string;
  service: string;
  startUs: number;
  durationUs: number;
  statusCode: string;
  statusMessage?: string;
  attributes: Record<string, AttributeValue>;
  events: Array<{ timeUs: number; name: string; attributes?: Record<string, AttributeValue> }>;
  links: Array<{ traceId: string; spanId: string; type: string; attributes?: Record<string, AttributeValue> }>;
  resource: Record<string, AttributeValue>;
  localEndpoint?: { serviceName?: string; ipv4?: string; ipv6?: string; port?: number };
  remoteEndpoint?: { serviceName?: string; ipv4?: string; ipv6?: string; port?: number };
  warnings?: string[];
}

/** A search result row (from /api/v3/trace-summaries), times in µs. */
export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootOperation: string;
  startUs: number;
  durationUs: number;
  spanCount: number;
  errorCount: number;
  orphanCount: number;
  services: Array<{ name: string; spanCount: number; errorCount: number }>;
}

/** A service dependency edge (/api/dependencies). */
export interface DependencyLink {
  parent: string;
  child: string;
  callCount: number;
  errorCount: number;
}

/** One refused request (GET /api/ariadne/ingest). */
export interface IngestRefusal {
  at: string;
  code: string;
  message: string;
  /** Sender address, when the transport knows it. */
  source?: string;
  /** Start of the refused body: text, or "base64:..." for bytes that are not printable. */
  sample?: string;
}

/** What one receiver format took and refused. */
export interface IngestReceiver {
  format: string;
  requests: number;
  spans: number;
  refusedRequests: number;
  refusedSpans: number;
  lastSeen?: string;
  lastRefused?: string;
  /** Newest first. */
  refusals: IngestRefusal[];
}

/** One service seen through one format. */
export interface IngestSource {
  format: string;
  service: string;
  spans: number;
  errorSpans: number;
  lastSeen: string;
  addresses: string[];
  /** Arrival time minus span end, ms. */
  clockOffsetMs: { min: number; max: number; last: number };
}

/** A receiver port the server listens on and the formats it takes. */
export interface IngestListener {
  name: string;
  port: number;
  transport: 'http' | 'grpc' | 'udp';
  formats: string[];
}

/** The server's ingest diagnostics since it started. */
export interface IngestSnapshot {
  since: string;
  receivers: IngestReceiver[];
  sources: IngestSource[];
  /** The ports actually bound (empty from servers that do not report them). */
  listeners: IngestListener[];
}
