/**
 * The ClickHouse engines the ClickHouse tests run on: Debian's clickhouse-server 18.16 as a child
 * process, and ClickHouse 26.x (chdb) behind the HTTP harness. A suite is written once and run on
 * each with `describe.each(CLICKHOUSE_ENGINES)`; an engine that is not installed skips loudly
 * locally and fails in CI.
 */
import { describe } from 'vitest';
import { chdbAvailable, startChdbClickHouse } from './chdb-http.js';
import { clickHouseAvailable, startClickHouse, type ClickHouseProcess } from './server.js';

/** One engine a ClickHouse suite runs on. */
export interface ClickHouseEngine {
  /** How test names call it, e.g. "ClickHouse 18.16 server". */
  readonly name: string;
  /** What `SELECT version()` starts with on it. */
  readonly version: string;
  /** Whether it is installed (see clickHouseAvailable / chdbAvailable); evaluated once per test file. */
  readonly available: boolean;
  /** Starts a fresh instance with an empty data directory. */
  start(): Promise<ClickHouseProcess>;
}

/** Both engines, the old one first. */
export const CLICKHOUSE_ENGINES: readonly ClickHouseEngine[] = [
  { name: 'ClickHouse 18.16 server', version: '18.16.', available: clickHouseAvailable(), start: () => startClickHouse() },
  { name: 'ClickHouse 26.7 (chdb)', version: '26.7.', available: chdbAvailable(), start: () => startChdbClickHouse() },
];

/**
 * Declares the suite `fn` once per engine, titled "<title> on <engine>"; an engine that is not
 * installed gets its suite skipped (clickHouseAvailable / chdbAvailable said so loudly).
 */
export function describeOnEachEngine(title: string, fn: (engine: ClickHouseEngine) => void): void {
  for (const engine of CLICKHOUSE_ENGINES) describe.skipIf(!engine.available)(`${title} on ${engine.name}`, () => fn(engine));
}
