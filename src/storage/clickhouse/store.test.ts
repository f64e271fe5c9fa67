import { afterAll, beforeAll, describe } from 'vitest';
import { clickHouseAvailable, startClickHouse, type ClickHouseProcess } from '../../../test/clickhouse/server.js';
import { runStoreConformance } from '../conformance.js';
import { createClickHouseStore } from './index.js';

const CENTURY_US = 100 * 365 * 24 * 3_600_000_000;

describe.skipIf(!clickHouseAvailable())('ClickHouse store against a real server', () => {
  let server: ClickHouseProcess;
  let n = 0;
  beforeAll(async () => {
    server = await startClickHouse();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const target = (database: string) => ({
    open: () => createClickHouseStore({ url: server.url, database, retentionUs: CENTURY_US, batchIntervalMs: 5 }),
    reopen: () => createClickHouseStore({ url: server.url, database, retentionUs: CENTURY_US, batchIntervalMs: 5 }),
  });
  runStoreConformance('clickhouse', target(`conformance_${process.pid}_${n++}`));
});
