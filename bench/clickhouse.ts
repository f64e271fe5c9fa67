/**
 * ClickHouse mode benchmark: the standard workload sent to one or two real `ariadne collector`
 * processes on one ClickHouse (started here on loopback), then bytes per span from ClickHouse's own
 * part sizes, then trace-by-id and search latencies through the store API. With `--stores
 * clickhouse,embedded` the same workload then goes to an all-in-one process on the embedded store,
 * measured the same way (bytes per span from its data dir), so both stand in one report.
 *
 *   node --import tsx bench/clickhouse.ts --spans 1M --collectors 1 --stores clickhouse,embedded
 */
import { cpus } from 'node:os';
import { startClickHouse } from '../test/clickhouse/server.js';
import { removeDir, startServerProcess, tempDir, type ServerProcess } from '../test/e2e/server.js';
import { createClickHouseStore } from '../src/storage/clickhouse/index.js';
import { createEmbeddedStore } from '../src/storage/embedded/index.js';
import type { Store, TraceQuery } from '../src/storage/api.js';
import { sendBatches, type SendResult } from './http-client.js';
import { fixed, heading, int, line, loadText, mib, onCleanup, parseCount, parseFlags, parseWindowUs, percentile, runCleanups, statusSummary } from './report.js';
import { diskUsage, startAriadne, waitForDrain } from './server-process.js';
import { decodeWorkload } from './store-load.js';
import { sampleTraces } from './trace-reads.js';
import { createWorkload, WORKLOAD_SERVICES, type Workload, type WorkloadBatch } from './workload.js';

const FLAGS = [
  { name: 'spans', help: 'spans to send', default: '200k' },
  { name: 'collectors', help: 'collector processes the batches are spread over', default: '1' },
  { name: 'concurrency', help: 'requests in flight per collector', default: '4' },
  { name: 'window', help: 'start times spread over this window, ending now', default: '1h' },
  { name: 'seed', help: 'workload PRNG seed', default: '1' },
  { name: 'queries', help: 'queries per kind', default: '200' },
  { name: 'batch-spans', help: '--clickhouse.batch-spans of the collectors', default: '10000' },
  { name: 'stores', help: 'stores to measure with the same workload, in order: clickhouse, embedded (an all-in-one process)', default: 'clickhouse' },
] as const;

function latency(samples: number[]): string {
  return `p50 ${fixed(percentile(samples, 50), 1)} ms, p99 ${fixed(percentile(samples, 99), 1)} ms (${samples.length} queries)`;
}

async function timed<T>(samples: number[], fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const value = await fn();
  samples.push(performance.now() - started);
  return value;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), FLAGS, 'node --import tsx bench/clickhouse.ts [flags]');
  if (!flags) return;
  const spans = parseCount(flags.get('spans')!, 'spans');
  const collectorCount = parseCount(flags.get('collectors')!, 'collectors');
  const concurrency = parseCount(flags.get('concurrency')!, 'concurrency');
  const windowUs = parseWindowUs(flags.get('window')!, 'window');
  const queries = parseCount(flags.get('queries')!, 'queries');

  const stores = flags.get('stores')!.split(',');
  for (const store of stores) if (store !== 'clickhouse' && store !== 'embedded') throw new Error(`--stores: expected clickhouse and/or embedded, got ${JSON.stringify(store)}`);

  heading('workload');
  line('machine', `${cpus().length} cores, load average ${loadText()} at start`);
  const endUs = Date.now() * 1000;
  const workload = createWorkload({ spans, seed: Number(flags.get('seed')), windowUs, endUs });
  line('spans / traces / requests', `${int(workload.spanCount)} / ${int(workload.traces.length)} / ${int(workload.batches.length)}`);
  line('body size', `${mib(workload.bodyBytes)}, ${fixed(workload.bodyBytes / workload.spanCount)} B/span`);
  for (const store of stores) {
    if (store === 'embedded') await measureEmbedded(workload, concurrency, { endUs, windowUs, queries });
    else await measureClickHouse(workload, { collectorCount, concurrency, batchSpans: flags.get('batch-spans')!, endUs, windowUs, queries });
    line('machine load after', loadText());
  }
}

/** The ClickHouse part: collectors on one ClickHouse, ingest, sizes and queries. */
async function measureClickHouse(
  workload: Workload, options: { collectorCount: number; concurrency: number; batchSpans: string } & Omit<QueryRun, 'accepted'>,
): Promise<void> {
  const { collectorCount, concurrency, endUs, windowUs, queries } = options;
  heading('clickhouse: processes');
  const clickhouse = await startClickHouse();
  onCleanup(() => clickhouse.destroy());
  line('clickhouse', `${clickhouse.url} (pid ${clickhouse.pid()})`);
  const database = 'bench';
  const collectors: ServerProcess[] = [];
  for (let i = 0; i < collectorCount; i++) {
    const dataDir = await tempDir('ariadne-bench-ch-');
    const p = await startServerProcess({
      dataDir, role: 'collector',
      args: ['--storage', 'clickhouse', '--clickhouse.url', clickhouse.url, '--clickhouse.database', database, '--clickhouse.batch-spans', options.batchSpans,
        '--log.level', 'info', '--max-body', '64MiB'],
    });
    onCleanup(async () => { await p.stop(); await removeDir(dataDir); });
    collectors.push(p);
    line(`collector ${i + 1}`, `${p.zipkin} (pid ${p.child.pid})`);
  }

  heading(`clickhouse: ingest, ${collectorCount} collector(s), ${concurrency} requests in flight each`);
  const shares: WorkloadBatch[][] = collectors.map(() => []);
  workload.batches.forEach((b, i) => shares[i % collectors.length]!.push(b));
  const started = performance.now();
  const results: SendResult[] = await Promise.all(collectors.map((c, i) => sendBatches({ url: `${c.zipkin}/api/v2/spans`, batches: shares[i]!, concurrency })));
  const seconds = (performance.now() - started) / 1000;
  const accepted = results.reduce((n, r) => n + r.acceptedSpans, 0);
  const statuses = new Map<number, number>();
  for (const r of results) for (const [s, n] of r.statusCounts) statuses.set(s, (statuses.get(s) ?? 0) + n);
  line('statuses', statusSummary(statuses));
  line('acknowledged spans/s', `${int(accepted / seconds)} (${int(accepted)} spans in ${fixed(seconds, 1)} s; every 202 is an acknowledged insert)`);

  const sql = async (query: string): Promise<string> => (await fetch(`${clickhouse.url}/`, { method: 'POST', body: query })).text();
  heading('clickhouse: size');
  await sql(`OPTIMIZE TABLE ${database}.spans FINAL`);
  const sizes = await sql(`SELECT table, sum(rows), sum(bytes_on_disk), sum(data_compressed_bytes), sum(data_uncompressed_bytes) FROM system.parts
WHERE database = '${database}' AND active GROUP BY table ORDER BY table FORMAT TSV`);
  let total = 0;
  for (const row of sizes.trim().split('\n')) {
    const [table, rows, disk, compressed, raw] = row.split('\t');
    total += Number(disk);
    line(table!, `${int(Number(rows))} rows, ${mib(Number(disk))} on disk (${fixed(Number(disk) / accepted)} B/span), compressed ${mib(Number(compressed))} of ${mib(Number(raw))}`);
  }
  line('all tables', `${fixed(total / accepted)} B/span (after OPTIMIZE FINAL of spans)`);
  const columns = await sql(`SELECT name, sum(data_compressed_bytes) AS c FROM system.columns WHERE database = '${database}' AND table = 'spans' GROUP BY name ORDER BY c DESC LIMIT 8 FORMAT TSV`);
  line('largest span columns', columns.trim().split('\n').map((r) => { const [n, c] = r.split('\t'); return `${n} ${fixed(Number(c) / accepted)}`; }).join(', ') + ' B/span');

  heading('clickhouse: queries through the store API (one client)');
  const store = await createClickHouseStore({ url: clickhouse.url, database, retentionUs: 365 * 86_400_000_000, connectTimeoutMs: 5_000 });
  onCleanup(() => store.close());
  await measureQueries(store, workload, { endUs, windowUs, queries, accepted });
}

/** What the query part of the report needs of the run. */
interface QueryRun {
  endUs: number;
  windowUs: number;
  queries: number;
  accepted: number;
}

/** Trace by id, searches, dependencies and services through one store's API, one client. */
async function measureQueries(store: Pick<Store, 'reader' | 'dependencies'>, workload: Workload, run: QueryRun): Promise<void> {
  const { endUs, windowUs, queries, accepted } = run;
  const sample = sampleTraces(workload.traces, queries, 7);
  const byId: number[] = [];
  let mismatched = 0;
  for (const t of sample) {
    const got = await timed(byId, () => store.reader.getTrace({ traceId: t.traceId }));
    if (got.length !== t.spanCount) mismatched++;
  }
  line('trace by id', `${latency(byId)}; ${mismatched} of ${sample.length} traces not read back whole`);
  const window = { startUsMin: endUs - windowUs, startUsMax: endUs, limit: 20 };
  const kinds: Array<[string, (i: number) => TraceQuery]> = [
    ['search by service', (i) => ({ ...window, service: WORKLOAD_SERVICES[i % 20]!.name })],
    ['search by service + operation', (i) => ({ ...window, service: WORKLOAD_SERVICES[i % 20]!.name, operation: WORKLOAD_SERVICES[i % 20]!.operations[i % 10]! })],
    ['search by service + min duration', (i) => ({ ...window, service: WORKLOAD_SERVICES[i % 20]!.name, minDurationUs: 100_000 })],
    ['attribute search (http.status_code=500)', () => ({ ...window, attributes: [{ key: 'http.status_code', value: '500' }] })],
    ['attribute search (service + error=true)', (i) => ({ ...window, service: WORKLOAD_SERVICES[i % 20]!.name, attributes: [{ key: 'error', value: 'true' }] })],
  ];
  for (const [name, make] of kinds) {
    const samples: number[] = [];
    let hits = 0;
    for (let i = 0; i < Math.min(queries, 100); i++) hits += (await timed(samples, () => store.reader.findTraceIds(make(i)))).length;
    line(name, `${latency(samples)}, ${fixed(hits / samples.length)} hits each`);
  }
  // Every minute of the window has just arrived, so none is settled: each read links the window's spans.
  const deps: number[] = [];
  let edges = 0;
  for (let i = 0; i < 3; i++) edges = (await timed(deps, () => store.dependencies.getDependencies({ endUs, lookbackUs: windowUs }))).length;
  line('dependencies over the window', `first ${fixed(deps[0] ?? 0, 1)} ms, ${latency(deps)}, ${edges} edges from ${int(accepted)} spans`);
  const services: number[] = [];
  for (let i = 0; i < 20; i++) await timed(services, () => store.reader.getServices({}));
  line('services', latency(services));
}

/**
 * The same workload sent to an all-in-one process on the embedded store with the same requests in
 * flight; once it has moved everything to DuckDB it is stopped, its data dir measured, and the
 * store opened in this process for the same queries.
 */
async function measureEmbedded(workload: Workload, concurrency: number, run: Omit<QueryRun, 'accepted'>): Promise<void> {
  heading(`embedded: ingest, one all-in-one process, ${concurrency} requests in flight`);
  const dataDir = await tempDir('ariadne-bench-embedded-');
  onCleanup(() => removeDir(dataDir));
  const server = await startAriadne({ dataDir, extraArgs: ['--max-body', '64MiB'] });
  const started = performance.now();
  const result = await sendBatches({ url: `${server.zipkinUrl}/api/v2/spans`, batches: workload.batches, concurrency });
  const seconds = (performance.now() - started) / 1000;
  line('statuses', statusSummary(result.statusCounts));
  line('acknowledged spans/s', `${int(result.acceptedSpans / seconds)} (${int(result.acceptedSpans)} spans in ${fixed(seconds, 1)} s; every 202 is logged and fsynced)`);
  const drain = await waitForDrain({ adminUrl: server.adminUrl, timeoutMs: 30 * 60_000 });
  line('moved to DuckDB', `${fixed(drain.waitedMs / 1000, 1)} s after the last answer`);
  await server.stop();
  const du = await diskUsage(dataDir);
  line('size', `${fixed(du.allocatedBytes / result.acceptedSpans)} B/span (${mib(du.allocatedBytes)} in the data dir after a clean stop)`);
  heading('embedded: queries through the store API (one client)');
  const store = await createEmbeddedStore({ dataDir, decode: decodeWorkload, retentionUs: 365 * 86_400_000_000, maxDiskBytes: 0 });
  try {
    await measureQueries(store, workload, { ...run, accepted: result.acceptedSpans });
  } finally {
    await store.close();
  }
}

main()
  .catch((err) => {
    process.exitCode = 1;
    console.error(err);
  })
  .finally(() => runCleanups());
