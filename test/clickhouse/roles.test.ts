/**
 * The scaled layout as real processes: one ClickHouse, two `ariadne collector` and one
 * `ariadne query`. The spans of one trace sent to different collectors read back as one trace
 * through the query node's Jaeger and Zipkin APIs; while ClickHouse is away, collectors answer 503
 * with Retry-After and nothing they acknowledged is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from '../e2e/server.js';
import { describeOnEachEngine } from './engines.js';
import type { ClickHouseProcess } from './server.js';

const TRACE = '5af7183fb1d4cf5f7a5b3c6d9e0f1a2b';
const NOW_US = Date.now() * 1000;

function zipkinSpan(id: string, parentId: string | undefined, service: string, name: string, offsetUs: number) {
  return {
    traceId: TRACE, id, ...(parentId ? { parentId } : {}), name, kind: 'SERVER', timestamp: NOW_US + offsetUs, duration: 1_000,
    localEndpoint: { serviceName: service }, tags: { 'http.method': 'GET' },
  };
}

async function post(base: string, spans: unknown[]): Promise<Response> {
  return fetch(`${base}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spans) });
}

describeOnEachEngine('collector and query roles on one ClickHouse', (engine) => {
  let clickhouse: ClickHouseProcess;
  const processes: ServerProcess[] = [];
  const dirs: string[] = [];
  let collectors: ServerProcess[] = [];
  let query: ServerProcess;

  beforeAll(async () => {
    clickhouse = await engine.start();
    const args = ['--storage', 'clickhouse', '--clickhouse.url', clickhouse.url, '--clickhouse.database', 'roles_test', '--clickhouse.batch-interval', '20ms',
      '--clickhouse.write-timeout', '4s', '--clickhouse.timeout', '2s'];
    const start = async (role: string) => {
      const dataDir = await tempDir('ariadne-roles-');
      dirs.push(dataDir);
      const p = await startServerProcess({ dataDir, role, args });
      processes.push(p);
      return p;
    };
    // Started one after the other: the first one creates the schema, the others find it.
    collectors = [await start('collector'), await start('collector')];
    query = await start('query');
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await clickhouse?.destroy();
    await Promise.all(dirs.map((d) => removeDir(d)));
  });

  it('each role listens only on its own ports', () => {
    expect(Object.keys(collectors[0]!.ports).sort()).toEqual(
      ['admin', 'jaegerBinary', 'jaegerCompact', 'jaegerGrpc', 'jaegerHttp', 'otlpGrpc', 'otlpHttp', 'sampling', 'zipkin'],
    );
    expect(Object.keys(query.ports).sort()).toEqual(['admin', 'query', 'zipkin']);
  });

  it('spans of one trace sent to two collectors read back as one trace through the query node', async () => {
    const first = await post(collectors[0]!.zipkin, [zipkinSpan('00000000000000a1', undefined, 'gateway', 'GET /orders', 0), zipkinSpan('00000000000000a2', '00000000000000a1', 'orders', 'list', 100)]);
    const second = await post(collectors[1]!.zipkin, [zipkinSpan('00000000000000a3', '00000000000000a2', 'stock', 'lookup', 200)]);
    expect([first.status, second.status]).toEqual([202, 202]);

    // Acknowledged means inserted: the query node sees every span at once.
    const jaeger = await getJson(`${query.query}/api/traces/${TRACE}`);
    expect(jaeger.status).toBe(200);
    const spans = jaeger.body.data[0].spans as Array<{ spanID: string; operationName: string; processID: string }>;
    const processes = jaeger.body.data[0].processes as Record<string, { serviceName: string }>;
    expect(spans.map((s) => [s.spanID, s.operationName, processes[s.processID]!.serviceName]).sort()).toEqual([
      ['00000000000000a1', 'GET /orders', 'gateway'],
      ['00000000000000a2', 'list', 'orders'],
      ['00000000000000a3', 'lookup', 'stock'],
    ]);
    const zipkin = await getJson(`${query.zipkin}/api/v2/trace/${TRACE}`);
    expect((zipkin.body as Array<{ id: string }>).map((s) => s.id).sort()).toEqual(['00000000000000a1', '00000000000000a2', '00000000000000a3']);
    expect((await getJson(`${query.query}/api/services`)).body.data).toEqual(['gateway', 'orders', 'stock']);
    const search = await getJson(`${query.query}/api/traces?service=stock&lookback=1h&limit=5`);
    expect(search.body.data.map((t: { traceID: string }) => t.traceID)).toEqual([TRACE]);
  });

  it('answers 503 with Retry-After while ClickHouse is down, and loses nothing it acknowledged', async () => {
    await clickhouse.stop();
    const started = Date.now();
    const refused = await post(collectors[0]!.zipkin, [zipkinSpan('00000000000000b1', '00000000000000a1', 'gateway', 'retry', 300)]);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await getJson(`${query.query}/api/traces/${TRACE}`)).status).toBe(503);

    // A write that arrives during the outage is held and acknowledged once ClickHouse is back.
    const held = post(collectors[1]!.zipkin, [zipkinSpan('00000000000000b2', '00000000000000a1', 'gateway', 'later', 400)]);
    await new Promise((r) => setTimeout(r, 300));
    await clickhouse.start();
    expect((await held).status).toBe(202);
    const ids = await eventually(async () => {
      const res = await getJson(`${query.query}/api/traces/${TRACE}`);
      return res.status === 200 ? (res.body.data[0].spans as Array<{ spanID: string }>).map((s) => s.spanID).sort() : undefined;
    }, 10_000);
    expect(ids).toEqual(['00000000000000a1', '00000000000000a2', '00000000000000a3', '00000000000000b2']);
    const metrics = await (await fetch(`${collectors[0]!.admin}/metrics`)).text();
    expect(metrics).toMatch(/^ariadne_store_clickhouse_insert_failures_total [1-9]/m);
    expect(metrics).toMatch(/^ariadne_store_clickhouse_queue_spans 0$/m);
  });
});
