/** The ClickHouse engine: the scale-out store shared by collectors and query nodes. */
export { CLICKHOUSE_DEFAULTS, createClickHouseStore, isRetryable } from './store.js';
export type { ClickHouseStoreOptions } from './store.js';
export { MODERN_SINCE, serverFeatures } from './features.js';
export type { ServerFeatures } from './features.js';
export { MIGRATIONS, renderSchema, SCHEMA_VERSION } from './schema.js';
export type { SchemaTarget } from './schema.js';
export { quoteIdentifier, quoteString, quoteUInt } from './sql.js';
