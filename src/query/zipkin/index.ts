/** Zipkin v2 read API: GET /api/v2/... routes and the span encoder they use. */
export { zipkinQueryPlugin } from './plugin.js';
export type { ZipkinQueryOptions } from './plugin.js';
export { encodeDependencies, encodeTrace, toZipkinV2 } from './encode.js';
export type { ZipkinDependencyLink, ZipkinV2Annotation, ZipkinV2Endpoint, ZipkinV2Kind, ZipkinV2Span } from './encode.js';
