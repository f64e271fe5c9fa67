/** The embedded default engine: write-ahead log + in-memory buffer + DuckDB. */
export { createEmbeddedStore, DEFAULT_RETENTION_US, OWN_SPANS_FORMAT } from './store.js';
export type { EmbeddedDependencyOptions, EmbeddedStore, EmbeddedStoreOptions } from './store.js';
