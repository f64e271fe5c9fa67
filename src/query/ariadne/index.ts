/** Ariadne's own read API (under /api/ariadne/), beyond the Jaeger and Zipkin ones. */
export { ingestApiPlugin } from './ingest.js';
export type { IngestApiOptions, IngestListener } from './ingest.js';
export { servicesApiPlugin } from './services.js';
export type {
  ChartSeries, EndpointAnswer, Neighbour, Row, ServiceAnswer, ServicesAnswer, ServicesApiOptions, SlowRequest, SparkSeries,
} from './services.js';
export { RequestTotals, requestPredicate } from './services-figures.js';
export type { Figures, HistogramBar } from './services-figures.js';
