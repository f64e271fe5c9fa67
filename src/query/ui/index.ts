/** Ariadne's web UI on the query port: static app serving and the compact trace API. */
export { CONTENT_SECURITY_POLICY, DEFAULT_DIST_DIR, UI_ROUTES, preloadLinks, uiPlugin } from './plugin.js';
export type { UiPluginOptions } from './plugin.js';
export { FLAG_ERROR, FLAG_ORPHAN, FLAG_WARNING, findRows, prepareTrace } from './compact-trace.js';
export type { CompactRows, CompactTrace, PrepareOptions, PreparedTrace } from './compact-trace.js';
export { COLUMNS_CONTENT_TYPE, COLUMNS_MAGIC, encodeColumns } from './columns.js';
export { detailOf, withDetails } from './details.js';
export { serviceTimes } from './service-times.js';
export type { ServiceTime } from './service-times.js';
export { createTraceCache } from './trace-cache.js';
export type { TraceCache, TraceCacheOptions } from './trace-cache.js';
