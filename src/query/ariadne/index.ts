/** Ariadne's own read API (under /api/ariadne/), beyond the Jaeger and Zipkin ones. */
export { ingestApiPlugin } from './ingest.js';
export type { IngestApiOptions, IngestListener } from './ingest.js';
