import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, TEST_USER, type ClickHouseProcess } from '../../../test/clickhouse/server.js';
import { describeOnEachEngine } from '../../../test/clickhouse/engines.js';
import { AppError } from '../../errors.js';
import type { Span } from '../../model/index.js';
import { runStoreConformance } from '../conformance.js';
import { serverFeatures } from './features.js';
import { createClickHouseStore, SCHEMA_VERSION, type ClickHouseStoreOptions } from './index.js';
import { splitUrl } from './store.js';

const CENTURY_US = 100 * 365 * 24 * 3_600_000_000;
const DAY_US = 86_400_000_000;

function span(traceNo: number, startUs: number, service = 'svc'): Span {
  return {
    traceId: traceNo.toString(16).padStart(32, '0'), spanId: (traceNo + 1).toString(16).padStart(16, '0'), kind: 'server', name: 'op', service,
    startUs, durationUs: 10, statusCode: 'unset', attributes: {}, events: [], links: [], resource: {}, tenant: '',
  };
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return { code: (err as AppError).code, message: (err as Error).message };
  }
  throw new Error('expected a rejection');
}

describe('splitUrl', () => {
  const cases: Array<[string, string, { url: string; username?: string; password?: string; database: string }]> = [
    ['a plain URL keeps the separate settings', 'http://ch:8123', { url: 'http://ch:8123', username: 'u', password: 'p', database: 'ariadne' }],
    ['credentials and database in the URL win', 'http://ariadne:change-me@clickhouse:8123/traces', { url: 'http://clickhouse:8123', username: 'ariadne', password: 'change-me', database: 'traces' }],
    ['percent-encoded password', 'https://w:p%40ss%2F1@ch.example:8443/', { url: 'https://ch.example:8443', username: 'w', password: 'p@ss/1', database: 'ariadne' }],
  ];
  it.each(cases)('%s', (_name, url, expected) => {
    expect(splitUrl({ url, username: 'u', password: 'p', database: 'ariadne' })).toEqual({ username: 'u', password: 'p', ...expected });
  });
  it('refuses a database name in the URL that is not an identifier', () => {
    expect(() => splitUrl({ url: 'http://ch:8123/a-b', database: 'ariadne' })).toThrow('ClickHouse identifier: expected letters, digits and _');
  });
});

describeOnEachEngine('ClickHouse store', (engine) => {
  let server: ClickHouseProcess;
  beforeAll(async () => {
    server = await engine.start();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  const options = (database: string, extra: Partial<ClickHouseStoreOptions> = {}): ClickHouseStoreOptions => ({
    url: server.url, database, retentionUs: CENTURY_US, batchIntervalMs: 5, ...extra,
  });
  const sql = async (query: string): Promise<string> => (await fetch(`${server.url}/`, { method: 'POST', body: query })).text();

  runStoreConformance('clickhouse', {
    open: () => createClickHouseStore(options('conformance')),
    reopen: () => createClickHouseStore(options('conformance')),
  });

  describe('schema', () => {
    it('records each migration once, also when two processes start together', async () => {
      const [a, b] = await Promise.all([createClickHouseStore(options('twice')), createClickHouseStore(options('twice'))]);
      await Promise.all([a.close(), b.close()]);
      const c = await createClickHouseStore(options('twice'));
      await c.close();
      expect(await sql('SELECT max(version) FROM twice.schema_migrations')).toBe(`${SCHEMA_VERSION}\n`);
      expect(await sql('SELECT name FROM system.tables WHERE database = \'twice\' ORDER BY name FORMAT TSV')).toBe(
        [
          'dependency_arrivals', 'dependency_arrivals_mv', 'dependency_minutes', 'dependency_settled',
          'operations', 'operations_mv', 'request_rollup_coverage', 'request_rollups', 'request_rollups_mv', 'schema_migrations', 'spans', 'trace_index',
          'trace_index_mv', '',
        ].join('\n'),
      );
    });

    it('refuses a database whose schema is newer than this build', async () => {
      const store = await createClickHouseStore(options('newer'));
      await store.close();
      await sql(`INSERT INTO newer.schema_migrations (version, description) VALUES (${SCHEMA_VERSION + 1}, 'from the future')`);
      expect(await rejection(createClickHouseStore(options('newer')))).toEqual({
        code: 'UNAVAILABLE',
        message: `ClickHouse at ${server.url}: database newer has schema version ${SCHEMA_VERSION + 1}, newer than the ${SCHEMA_VERSION} this Ariadne knows; upgrade Ariadne or use another --clickhouse.database`,
      });
    });

    it('logs in with a user and password given in the URL', async () => {
      const url = new URL(server.url);
      url.username = TEST_USER.username;
      url.password = encodeURIComponent(TEST_USER.password);
      url.pathname = '/withauth';
      const store = await createClickHouseStore({ ...options('ignored'), url: url.toString() });
      await store.writer.writeSpans([span(1, 1_700_000_000_000_000)]);
      expect(await store.reader.getServices({})).toEqual(['svc']);
      await store.close();
    });

    it('fails at once with a wrong password, naming the server', async () => {
      const result = await rejection(createClickHouseStore({ ...options('x'), username: TEST_USER.username, password: 'wrong', connectTimeoutMs: 30_000 }));
      expect(result.code).toBe('UNAVAILABLE');
      expect(result.message).toMatch(new RegExp(`^cannot reach ClickHouse at ${server.url} \\(--clickhouse.url\\): .*(password|Authentication)`));
    });
  });

  describe('server features', () => {
    const T = 1_700_000_000_000_000;
    it('reads the version at open and lays a new database out by it; tag search stays exact with the bloom filter', async () => {
      const store = await createClickHouseStore(options('features'));
      try {
        expect(store.serverVersion.startsWith(engine.version)).toBe(true);
        expect(store.features).toEqual(serverFeatures(store.serverVersion));
        const modern = engine.version !== '18.16.';
        expect([store.features.lowCardinality, store.features.skipIndexes, store.features.queryParameters, store.features.asyncInsert, store.tagPairs])
          .toEqual([modern, modern, modern, modern, modern]);
        expect(await sql("SELECT name, type FROM system.columns WHERE database = 'features' AND table = 'spans' AND name IN ('service', 'tag_pairs') ORDER BY name FORMAT TSV"))
          .toBe(modern ? 'service\tLowCardinality(String)\ntag_pairs\tArray(String)\n' : 'service\tString\n');
        await store.writer.writeSpans([
          { ...span(1, T), attributes: { 'http.method': 'GET', 'a=b': 'c' } },
          { ...span(2, T + 1), attributes: { 'http.method': 'POST', a: 'b=c' } },
          { ...span(3, T + 2), resource: { 'http.method': 'GET' } },
        ]);
        const found = async (key: string, value: string): Promise<string[]> =>
          (await store.reader.findTraceIds({ startUsMin: T, startUsMax: T + 10, limit: 10, attributes: [{ key, value }] })).map((r) => r.traceId);
        // 'a=b' = 'c' and 'a' = 'b=c' share the pair text 'a=b=c': the index lets both through, the exact test tells them apart.
        expect([await found('http.method', 'GET'), await found('a=b', 'c'), await found('a', 'b=c'), await found('http.method', 'PUT')]).toEqual([
          [span(3, 0).traceId, span(1, 0).traceId], [span(1, 0).traceId], [span(2, 0).traceId], [],
        ]);
        if (modern) {
          // The server refuses this query unless the index can serve has(tag_pairs, ...).
          expect(await sql("SELECT count() FROM features.spans WHERE has(tag_pairs, 'http.method=GET') SETTINGS force_data_skipping_indices = 'tag_pairs_bloom'"))
            .toBe('2\n');
        }
      } finally {
        await store.close();
      }
    });

    it('names with quotes, backslashes and control characters are found by every lookup (parameters on new servers, literals on old)', async () => {
      const store = await createClickHouseStore(options('awkward'));
      try {
        const odd = { tenant: "t'\\\n", service: "svc '\\\t\"x\"", name: "op\\'\r", key: "k'\\", value: "v\t'\n\\" };
        const s: Span = { ...span(7, T), tenant: odd.tenant, service: odd.service, name: odd.name, attributes: { [odd.key]: odd.value } };
        await store.writer.writeSpans([s]);
        const scope = { tenant: odd.tenant };
        expect(await store.reader.getServices(scope)).toEqual([odd.service]);
        expect(await store.reader.getOperations({ ...scope, service: odd.service })).toEqual([{ name: odd.name, spanKind: 'server' }]);
        expect(await store.reader.getAttributeValues({ ...scope, key: odd.key, limit: 5 })).toEqual([odd.value]);
        const refs = await store.reader.findTraceIds({
          ...scope, service: odd.service, operation: odd.name, attributes: [{ key: odd.key, value: odd.value }], startUsMin: T, startUsMax: T, limit: 5,
        });
        expect(refs).toEqual([{ traceId: s.traceId, startUs: T }]);
        expect(await store.reader.getTrace({ ...scope, traceId: s.traceId })).toEqual([s]);
        expect(await store.reader.getServices({ tenant: 't' })).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });

  describe('retention', () => {
    it('drops whole days older than the retention, from every table', async () => {
      const now = Date.UTC(2024, 5, 20, 12) * 1000;
      const store = await createClickHouseStore(options('retention', { retentionUs: 7 * DAY_US }));
      await store.writer.writeSpans([span(1, now - 10 * DAY_US, 'old'), span(2, now - 8 * DAY_US, 'old'), span(3, now - 6 * DAY_US, 'kept'), span(4, now, 'kept')]);
      expect(await store.dropExpired(now)).toEqual(['2024-06-10', '2024-06-12']);
      expect(await store.reader.getServices({})).toEqual(['kept']);
      expect(await store.reader.getTrace({ traceId: span(1, 0).traceId })).toEqual([]);
      expect((await store.reader.getTrace({ traceId: span(3, 0).traceId })).length).toBe(1);
      expect(await sql("SELECT count() FROM retention.trace_index")).toBe('2\n');
      expect(await store.dropExpired(now)).toEqual([]);
      await store.close();
    });
  });

  describe('search windows', () => {
    it('searches newest first in growing windows with the answer of one scan: latest matching span first, whatever the limit', async () => {
      const now = Date.UTC(2024, 5, 20, 12) * 1000;
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const spans: Span[] = [];
      for (let t = 1; t <= 60; t++) {
        // Some traces have spans minutes, hours and days apart, so they meet several windows.
        for (let s = 0; s < 1 + Math.floor(random() * 4); s++) {
          const ageUs = Math.floor(random() * (random() < 0.5 ? 20 * 60_000_000 : 3 * DAY_US));
          spans.push({ ...span(t, now - ageUs, ['a', 'b', 'c'][Math.floor(random() * 3)]!), spanId: (t * 16 + s + 1).toString(16).padStart(16, '0') });
        }
      }
      const store = await createClickHouseStore(options('search_windows'));
      await store.writer.writeSpans(spans);
      const expected = (service: string | undefined, limit: number) => {
        const latest = new Map<string, number>();
        for (const x of spans) if (service === undefined || x.service === service) latest.set(x.traceId, Math.max(latest.get(x.traceId) ?? 0, x.startUs));
        return [...latest].map(([traceId, startUs]) => ({ traceId, startUs }))
          .sort((a, b) => b.startUs - a.startUs || (a.traceId < b.traceId ? 1 : -1)).slice(0, limit);
      };
      for (const service of [undefined, 'b']) {
        for (const limit of [1, 3, 10, 25, 1000]) {
          const got = await store.reader.findTraceIds({ startUsMin: now - 4 * DAY_US, startUsMax: now, limit, ...(service === undefined ? {} : { service }) });
          expect({ service, limit, got }).toEqual({ service, limit, got: expected(service, limit) });
        }
      }
      await store.close();
    });
  });

  describe('batching', () => {
    it('inserts a write at once on a quiet store and gathers what arrives during one interval into the next insert', async () => {
      // With a minute-long interval, a write that waited for the interval would time out this test.
      const store = await createClickHouseStore(options('batching', { batchIntervalMs: 60_000, writeTimeoutMs: 120_000 }));
      await store.writer.writeSpans([span(11, 1_700_000_000_000_000)]);
      expect(store.stats().extra['clickhouse_inserts_total']).toBe(1);
      // Within the interval: both wait for one insert, which the close starts.
      const later = [store.writer.writeSpans([span(12, 1_700_000_000_000_000)]), store.writer.writeSpans([span(13, 1_700_000_000_000_000)])];
      await new Promise((r) => setTimeout(r, 200));
      expect(store.stats().extra['clickhouse_inserts_total']).toBe(1);
      await store.close();
      await Promise.all(later);
      expect(await sql('SELECT count() FROM batching.spans')).toBe('3\n');
    });
  });

  describe('RowBinary inserts', () => {
    it('store every byte of strings of each length-prefix size, multi-byte text, full 64-bit ids and large times', async () => {
      const store = await createClickHouseStore(options('rowbinary'));
      // Lengths around the 1-, 2- and 3-byte LEB128 prefixes, in ASCII, CJK (3 bytes a char) and emoji (4 bytes).
      const values: Record<string, string> = {};
      for (const n of [0, 1, 42, 127, 128, 129, 16_383, 16_384, 70_000]) {
        values[`ascii.${n}`] = 'a'.repeat(n);
        values[`cjk.${n}`] = '链'.repeat(Math.ceil(n / 3));
        values[`emoji.${n}`] = '🛰️'.repeat(Math.ceil(n / 7));
      }
      const spans: Span[] = [
        {
          ...span(0, 1_700_000_000_123_456), traceId: 'ffffffffffffffff8000000000000001', spanId: 'fedcba9876543210', parentSpanId: '0123456789abcdef',
          name: 'GET /商品/🛒', service: 'frontend-服务', durationUs: 2 ** 40, kind: 'client', shared: true, debug: true, statusCode: 'error',
          statusMessage: 'boom "quoted" \\ back', attributes: { ...values, 'http.status_code': 500, error: true, ratio: 0.25 }, resource: { 'host.name': 'nœud-1' },
          events: [{ timeUs: 1_700_000_000_123_500, name: 'exception', attributes: { 'exception.message': 'ünïcode' } }],
          remoteEndpoint: { serviceName: 'db', ipv4: '10.0.0.2', port: 5432 }, tenant: 'team-ä',
        },
        { ...span(1, 8_000_000_000_000_000), traceId: '00000000000000000000000000000001', spanId: '0000000000000001', service: '', name: '' },
      ];
      await store.writer.writeSpans(spans);
      const read = await Promise.all(spans.map((s) => store.reader.getTrace({ traceId: s.traceId, tenant: s.tenant })));
      await store.close();
      expect(read).toEqual(spans.map((s) => [s]));
    });
  });

  describe('faults', () => {
    it('gives up after the connect timeout with a clear error when nothing listens', async () => {
      const port = await freePort();
      const started = Date.now();
      const result = await rejection(createClickHouseStore({ ...options('x'), url: `http://127.0.0.1:${port}`, connectTimeoutMs: 1_000 }));
      expect(result.code).toBe('UNAVAILABLE');
      expect(result.message).toMatch(new RegExp(`^cannot reach ClickHouse at http://127.0.0.1:${port} \\(--clickhouse.url\\): .*ECONNREFUSED`));
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('waits for a server that comes up while it starts', async () => {
      await server.stop();
      const opening = createClickHouseStore(options('late', { connectTimeoutMs: 20_000 }));
      await new Promise((r) => setTimeout(r, 500));
      await server.start();
      const store = await opening;
      await store.writer.writeSpans([span(1, 1_700_000_000_000_000)]);
      expect((await store.reader.getTrace({ traceId: span(1, 0).traceId })).length).toBe(1);
      await store.close();
    });

    it('holds writes during an outage, refuses beyond the buffer, and loses nothing it acknowledged', async () => {
      const store = await createClickHouseStore(options('outage', { maxBufferedSpans: 3, writeTimeoutMs: 20_000 }));
      await store.writer.writeSpans([span(1, 1_700_000_000_000_000)]);
      await server.stop();
      const held = store.writer.writeSpans([span(2, 1_700_000_000_000_001), span(3, 1_700_000_000_000_002)]);
      await new Promise((r) => setTimeout(r, 300));
      expect(store.stats().bufferedSpans).toBe(2);
      expect(store.stats().extra.clickhouse_up).toBe(0);
      expect(await rejection(store.writer.writeSpans([span(4, 1_700_000_000_000_003), span(5, 1_700_000_000_000_004)]))).toEqual({
        code: 'UNAVAILABLE',
        message: `ClickHouse at ${server.url} is not accepting inserts; 2 spans are waiting, try again later`,
      });
      expect((await rejection(store.reader.getServices({}))).code).toBe('UNAVAILABLE');
      await server.start();
      await held;
      const found = await store.reader.findTraceIds({ startUsMin: 0, startUsMax: 2e15, limit: 10 });
      expect(found.map((r) => r.traceId)).toEqual([3, 2, 1].map((n) => span(n, 0).traceId));
      expect(store.stats().extra).toMatchObject({ clickhouse_up: 1, clickhouse_queue_spans: 0, clickhouse_inflight_spans: 0, clickhouse_rejected_spans_total: 2 });
      await store.close();
    });

    it('times out against a server that stopped answering, then recovers', async () => {
      const store = await createClickHouseStore(options('slow', { requestTimeoutMs: 500, writeTimeoutMs: 1_500 }));
      server.pause();
      try {
        const started = Date.now();
        expect(await rejection(store.writer.writeSpans([span(1, 1_700_000_000_000_000)]))).toEqual({
          code: 'UNAVAILABLE',
          message: `ClickHouse at ${server.url} did not acknowledge the spans within 1500 ms, try again later`,
        });
        expect(Date.now() - started).toBeLessThan(4_000);
        expect((await rejection(store.reader.getServices({}))).code).toBe('UNAVAILABLE');
      } finally {
        server.resume();
      }
      await store.writer.writeSpans([span(2, 1_700_000_000_000_000)]);
      expect((await store.reader.getTrace({ traceId: span(2, 0).traceId })).length).toBe(1);
      await store.close();
    });
  });
});
