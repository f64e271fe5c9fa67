/**
 * Regression: reads prepared before a flush must see the flushed strings whole. A cached DuckDB
 * plan from when the table was empty once returned service names cut to their first character.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import type { Store } from '../api.js';
import { createEmbeddedStore } from './index.js';

let dir: string | undefined;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function spanOf(service: string, n: number): Span {
  return {
    traceId: n.toString(16).padStart(32, '0'), spanId: '0000000000000001', kind: 'server', name: `op of ${service}`, service,
    startUs: Date.now() * 1000 - 1_000_000, durationUs: 10, statusCode: 'unset', attributes: { 'http.method': 'GET' },
    events: [], links: [], resource: {}, tenant: '',
  };
}

async function flushed(s: Store): Promise<void> {
  for (let i = 0; i < 200 && s.stats().bufferedSpans > 0; i++) await new Promise((r) => setTimeout(r, 25));
  expect(s.stats().bufferedSpans).toBe(0);
}

describe('embedded reads across flushes', () => {
  it('lists whole service names after the first and later flushes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ariadne-stmt-'));
    store = await createEmbeddedStore({ dataDir: dir, decode: () => [], retentionUs: 0, maxDiskBytes: 0, flushSpans: 1, flushIntervalMs: 20 });
    expect(await store.reader.getServices({})).toEqual([]);
    expect(await store.reader.getOperations({ service: 'frontend' })).toEqual([]);
    await store.writer.writeSpans([spanOf('notification-dispatcher', 1), spanOf('frontend', 2), spanOf('quote-service', 3)]);
    await flushed(store);
    expect(await store.reader.getServices({})).toEqual(['frontend', 'notification-dispatcher', 'quote-service']);
    expect(await store.reader.getOperations({ service: 'frontend' })).toEqual([{ name: 'op of frontend', spanKind: 'server' }]);
    await store.writer.writeSpans([spanOf('warehouse-inventory-reconciler', 4)]);
    await flushed(store);
    expect(await store.reader.getServices({})).toEqual(['frontend', 'notification-dispatcher', 'quote-service', 'warehouse-inventory-reconciler']);
    expect(await store.reader.getAttributeValues({ key: 'http.method', limit: 10 })).toEqual(['GET']);
  });
});
