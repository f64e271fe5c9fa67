/** The Bookinfo demo with Envoy-like B3 sidecars: apps, sidecars, Zipkin reporting, load. */
export { startBookinfoApp } from './apps.js';
export type { BookinfoApp, BookinfoAppOptions, BookinfoService } from './apps.js';
export { B3, OT_SPAN_CONTEXT, PROPAGATED_HEADERS, REQUEST_ID, createIdSource, decideInbound, decideOutbound, extractB3, injectB3 } from './b3.js';
export type { B3Context, B3Extraction, DecideOptions, IdSource, IdSourceOptions, SidecarDecision } from './b3.js';
export { formatDemoSummary, spanEndpoint, startDemo } from './demo.js';
export type { Demo, DemoInstance, DemoOptions, DemoStats, DemoSummaryInput, DemoUrls } from './demo.js';
export { startLoad } from './load.js';
export type { Load, LoadOptions, LoadStats } from './load.js';
export { createZipkinReporter, encodeZipkinBatch, encodingForUrl, toZipkinV1 } from './reporter.js';
export type { ReporterStats, ZipkinEncoding, ZipkinEndpoint, ZipkinReporter, ZipkinReporterOptions, ZipkinSpan, ZipkinV1Span } from './reporter.js';
export { SERVICE_PORT, startSidecar } from './sidecar.js';
export type { Cluster, Sidecar, SidecarOptions, SidecarStats } from './sidecar.js';
export { DEMO_FLAGS, demoOptionsFromFlags } from './flags.js';
export type { DemoFlag } from './flags.js';
