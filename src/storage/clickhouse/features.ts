/**
 * What a ClickHouse server offers the store beyond what 18.16 has, from its `SELECT version()`.
 * One threshold for all of them: servers from 22.8 (a long-term release that has every feature
 * below) get them all, older ones get exactly the 18.16 path, so only two combinations exist and
 * both are tested (against 18.16 and 26.7).
 */

/** The first version given the newer features. */
export const MODERN_SINCE = [22, 8] as const;

/** The newer features the store uses when the server has them. */
export interface ServerFeatures {
  /** The version text the server reported. */
  version: string;
  /** `LowCardinality(String)` columns in a new database's tables. */
  lowCardinality: boolean;
  /** Data-skipping indexes (a bloom filter on attribute key=value pairs). */
  skipIndexes: boolean;
  /** Server-side query parameters (`{name:Type}` with `param_name=`) instead of quoted literals. */
  queryParameters: boolean;
  /** Asynchronous inserts, always waited for (`wait_for_async_insert=1`) before a write is acknowledged. */
  asyncInsert: boolean;
}

/** The [major, minor] of a version text such as "26.7.2.1"; [0, 0] when it does not start with two numbers. */
export function parseVersion(version: string): [number, number] {
  const match = /^(\d+)\.(\d+)/.exec(version.trim());
  return match === null ? [0, 0] : [Number(match[1]), Number(match[2])];
}

/** The features of a server reporting `version`; none for a version it cannot read. */
export function serverFeatures(version: string): ServerFeatures {
  const [major, minor] = parseVersion(version);
  const modern = major > MODERN_SINCE[0] || (major === MODERN_SINCE[0] && minor >= MODERN_SINCE[1]);
  return { version, lowCardinality: modern, skipIndexes: modern, queryParameters: modern, asyncInsert: modern };
}

/** The features of the 18.16 path: none. */
export const NO_FEATURES: ServerFeatures = serverFeatures('');
