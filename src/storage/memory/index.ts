/** The memory engine. */
export { createMemoryStore, DEFAULT_MEMORY_MAX_SPANS, MemoryStore } from './store.js';
export type { MemoryStoreOptions } from './store.js';
