/**
 * Span analytics on the embedded store (issue 6's figures): loads the shared synthetic workload
 * (bench/workload.ts) spread over a window (default 24 h) straight through the store's writer,
 * flushes it, then times the service pages as the API serves them (servicesApiPlugin over the
 * store's reader, in-process requests, JSON included: request rollups where the engine has them),
 * the dependency graph of the last 24 h through Jaeger's /api/dependencies, a grouped statement
 * as the statement API runs it, then grouped aggregations and span searches through SpanReader: the services page's scan shape
 * (group by service, 5 min buckets, duration histogram), an endpoint page (one operation's
 * histogram and its 100 slowest spans), and grouped statements on attributes.
 * The ceiling is the cheapest aggregation over the same range: one count of every span.
 *
 *   node --import tsx bench/analytics.ts --spans 1M
 *   node --import tsx bench/analytics.ts --spans 10M --dir /tmp/a10m --keep yes   (then --load no to re-time)
 *   --order arrival loads spans in the order a live collector gets them (time pruning works), random (default) anywhere in the window
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { servicesApiPlugin } from '../src/query/ariadne/index.js';
import { jaegerQueryPlugin } from '../src/query/jaeger/index.js';
import { runStatement } from '../src/query/statement/index.js';
import { createHttpApp } from '../src/server/http.js';
import type { SpanAggregation, SpanReader, SpanSearch, Store } from '../src/storage/api.js';
import { createEmbeddedStore } from '../src/storage/embedded/index.js';
import { fixed, heading, int, latencyText, line, loadText, parseCount, parseFlags, parseWindowUs, percentile } from './report.js';
import { decodeWorkload, writeWorkload } from './store-load.js';
import { WORKLOAD_SERVICES } from './workload.js';

const flags = parseFlags(
  process.argv.slice(2),
  [
    { name: 'spans', help: 'spans to load', default: '1M' },
    { name: 'window', help: 'time window the traces start in', default: '24h' },
    { name: 'samples', help: 'timed runs per query', default: '10' },
    { name: 'concurrency', help: 'writes in flight while loading', default: '4' },
    { name: 'dir', help: 'data dir (default: a fresh temp dir)', default: '' },
    { name: 'load', help: 'load the workload first (no: time what --dir holds)', default: 'yes' },
    { name: 'keep', help: 'keep the data dir afterwards', default: 'no' },
    { name: 'order', help: 'random: traces start anywhere in the window (every flush spans it all, no time pruning); arrival: in the order a live collector gets them', default: 'random' },
  ],
  'usage: node --import tsx bench/analytics.ts [flags]',
);

const MINUTE_US = 60_000_000;
const DAY_US = 24 * 60 * MINUTE_US;

async function load(store: Store, count: number, windowUs: number, endUs: number, concurrency: number, order: 'random' | 'arrival'): Promise<void> {
  let nextReport = 1_000_000;
  const { seconds } = await writeWorkload(store, {
    spans: count, endUs, windowUs, concurrency, order,
    progress: (written, s) => {
      if (written < nextReport) return;
      process.stderr.write(`  loaded ${int(written)} spans in ${fixed(s, 0)} s\n`);
      nextReport += 1_000_000;
    },
  });
  const c0 = performance.now();
  await store.close();
  line('load', `${int(count)} spans in ${fixed(seconds + (performance.now() - c0) / 1000, 1)} s (final flush ${fixed((performance.now() - c0) / 1000, 1)} s)`);
}

async function time(samples: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  await fn(-1); // warm-up, not counted
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

async function main(): Promise<void> {
  if (flags === undefined) return;
  const count = parseCount(flags.get('spans')!, 'spans');
  const windowUs = parseWindowUs(flags.get('window')!, 'window');
  const samples = parseCount(flags.get('samples')!, 'samples');
  const given = flags.get('dir')!;
  const dir = given === '' ? await mkdtemp(join(tmpdir(), 'ariadne-analytics-')) : given;
  const keep = flags.get('keep') === 'yes' || (given !== '' && flags.get('load') === 'no');
  // The window ends at a whole day so repeated runs over a kept dir ask the same ranges.
  const endUs = flags.get('load') === 'no' ? 0 : Math.floor(Date.now() * 1000 / DAY_US) * DAY_US;
  const options = { dataDir: dir, decode: decodeWorkload, retentionUs: 3650 * DAY_US, maxDiskBytes: 0 };
  try {
    const what = flags.get('load') === 'no' ? `the spans in ${dir}` : `${int(count)} spans over ${flags.get('window')}`;
    heading(`span analytics, embedded store, ${what} (load ${loadText()})`);
    if (flags.get('load') !== 'no') {
      const order = flags.get('order');
      if (order !== 'random' && order !== 'arrival') throw new Error(`--order: expected random or arrival, got ${order}`);
      await load(await createEmbeddedStore(options), count, windowUs, endUs, parseCount(flags.get('concurrency')!, 'concurrency'), order);
    }
    const store = await createEmbeddedStore(options);
    try {
      const reader = store.reader as Required<SpanReader>;
      const range = await dataRange(reader);
      const span = { startUsMin: range.min, startUsMax: range.max };
      line('data', `${int(range.count)} spans from ${new Date(range.min / 1000).toISOString()} to ${new Date(range.max / 1000).toISOString()}`);
      const duration = { ref: { field: 'duration' as const }, histogram: true };
      const run = async (label: string, fn: (i: number) => Promise<unknown>): Promise<number[]> => {
        const ms = await time(samples, fn);
        line(label, latencyText(ms));
        return ms;
      };
      // The service page shows the dependency graph's callers and callees: settle it first, as the
      // background settler has in a running server.
      const s0 = performance.now();
      const settled = await store.settleDependencies();
      line('dependencies settled', `${int(settled)} minutes in ${fixed((performance.now() - s0) / 1000, 1)} s`);
      // The pages as the API serves them, over the whole range the data covers (unaligned ends).
      const app = createHttpApp({ logger: pino({ level: 'silent' }), bodyLimit: 1024 });
      await app.register(servicesApiPlugin, { reader: store.reader, dependencies: store.dependencies, now: () => Math.floor(range.max / 1000) });
      await app.register(jaegerQueryPlugin, { reader: store.reader, dependencies: store.dependencies, adjustClockSkew: false, now: () => range.max });
      const rangeQuery = `start=${Math.floor(range.min / 1000)}&end=${Math.ceil(range.max / 1000)}`;
      const page = (url: string) => async (): Promise<void> => {
        const res = await app.inject(url);
        if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      };
      const pickName = (i: number) => WORKLOAD_SERVICES[Math.abs(i) % WORKLOAD_SERVICES.length]!;
      await run('API: services page', page(`/api/ariadne/services?${rangeQuery}`));
      await run('API: service detail', (i) => page(`/api/ariadne/services/${encodeURIComponent(pickName(i).name)}?${rangeQuery}`)());
      await run('API: endpoint page', (i) =>
        page(`/api/ariadne/services/${encodeURIComponent(pickName(i).name)}/endpoints/${encodeURIComponent(pickName(i).operations[0]!)}?${rangeQuery}`)(),
      );
      let calls = 0;
      await run('API: dependency graph, 24 h', async () => {
        const url = `/api/dependencies?endTs=${Math.ceil(range.max / 1000)}&lookback=${DAY_US / 1000}`;
        const res = await app.inject(url);
        if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        calls = (JSON.parse(res.body) as { data: Array<{ callCount: number }> }).data.reduce((n, l) => n + l.callCount, 0);
      });
      line('  ', `${int(calls)} calls in the graph`);
      await app.close();
      let rows = 0;
      // 15-minute buckets: over a day, 5-minute ones make more groups than a statement may (10 000)
      // for services with 40-50 operations.
      await run('statement: service, duration > 50ms by operation, 15 min', async (i) => {
        const result = await runStatement({
          reader: store.reader,
          statement: `service = "${pickName(i).name}" and duration > 50ms | stats count(), avg(duration), p95(duration) by operation, bucket(15m)`,
          startUs: range.min, endUs: range.max, scope: {},
        });
        rows = result.rows.length;
      });
      line('  ', `${int(rows)} rows`);
      const ceiling = await run('ceiling: count of every span', () => reader.aggregateSpans({ ...span, groupBy: [], measures: [], maxGroups: 1 }));
      const ratio = (ms: number[]): string => `${fixed(percentile(ms, 50) / percentile(ceiling, 50), 1)}× the ceiling`;
      const services = await run('services: by service, 5 min, histogram', () =>
        reader.aggregateSpans({ ...span, groupBy: [{ ref: { field: 'service' } }, { bucketUs: 5 * MINUTE_US }], measures: [duration], maxGroups: 100_000 }),
      );
      line('  ', ratio(services));
      // The services page's own shape: requests (entry spans) per service in 60 sparkline buckets.
      const entry: SpanAggregation['where'] = {
        op: 'or',
        args: [{ op: 'in', ref: { field: 'kind' }, values: ['server', 'consumer'] }, { op: 'not', arg: { op: 'exists', ref: { field: 'parent_id' } } }],
      };
      const sparkUs = Math.max(MINUTE_US, Math.ceil((range.max - range.min) / 60 / MINUTE_US) * MINUTE_US);
      await run(`services page: entry spans, ${sparkUs / MINUTE_US} min`, () =>
        reader.aggregateSpans({ ...span, where: entry, groupBy: [{ ref: { field: 'service' } }, { bucketUs: sparkUs }], measures: [duration], maxGroups: 100_000 }),
      );
      await run('services table: by service, histogram', () =>
        reader.aggregateSpans({ ...span, groupBy: [{ ref: { field: 'service' } }], measures: [duration], maxGroups: 1000 }),
      );
      const pick = (i: number) => WORKLOAD_SERVICES[Math.abs(i) % WORKLOAD_SERVICES.length]!;
      await run('service detail: endpoints by operation, 5 min', (i) =>
        reader.aggregateSpans({
          ...span,
          where: { op: 'and', args: [{ op: '=', ref: { field: 'service' }, value: pick(i).name }, { op: '=', ref: { field: 'kind' }, value: 'server' }] },
          groupBy: [{ ref: { field: 'operation' } }, { bucketUs: 5 * MINUTE_US }],
          measures: [duration],
          maxGroups: 100_000,
        }),
      );
      const endpoint = (i: number): SpanAggregation['where'] => ({
        op: 'and',
        args: [
          { op: '=', ref: { field: 'service' }, value: pick(i).name },
          { op: '=', ref: { field: 'operation' }, value: pick(i).operations[0]! },
          { op: '=', ref: { field: 'kind' }, value: 'server' },
        ],
      });
      await run('endpoint: histogram', (i) => reader.aggregateSpans({ ...span, where: endpoint(i), groupBy: [], measures: [duration], maxGroups: 1 }));
      await run('endpoint: 100 slowest spans', (i) => reader.findSpans({ ...span, where: endpoint(i), orderBy: 'duration', limit: 100 } satisfies SpanSearch));
      await run('statement: GET by status code, region', () =>
        reader.aggregateSpans({
          ...span,
          where: { op: '=', ref: { attribute: 'http.method' }, value: 'GET' },
          groupBy: [{ ref: { attribute: 'http.status_code' } }, { ref: { attribute: 'region' } }],
          measures: [duration],
          maxGroups: 10_000,
        }),
      );
      await run('statement: status >= 500 by service, 1 h', () =>
        reader.aggregateSpans({
          ...span,
          where: { op: '>=', ref: { attribute: 'http.status_code' }, value: 500 },
          groupBy: [{ ref: { field: 'service' } }, { bucketUs: 60 * MINUTE_US }],
          measures: [duration],
          maxGroups: 10_000,
        }),
      );
      await run('statement: url regex by host.name', () =>
        reader.aggregateSpans({
          ...span,
          where: { op: 'regex', ref: { attribute: 'http.url' }, pattern: '/items$' },
          groupBy: [{ ref: { attribute: 'host.name' } }],
          measures: [duration],
          maxGroups: 10_000,
        }),
      );
      await run('trace search with where (20 newest)', (i) =>
        reader.findTraceIds({ ...span, service: pick(i).name, where: { op: 'in', ref: { attribute: 'http.status_code' }, values: [404, 500] }, limit: 20 }),
      );
    } finally {
      await store.close();
    }
    line('request rollup rows', int(await rollupRows(join(dir, 'spans.duckdb'))));
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
    else process.stdout.write(`data kept in ${dir}\n`);
  }
}

/** Rows of the request rollup table (after close: the store merges them then). */
async function rollupRows(file: string): Promise<number> {
  const db = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  try {
    const c = await db.connect();
    const rows = (await c.runAndReadAll('SELECT count(*) FROM request_rollups')).getRowsJS();
    c.closeSync();
    return Number(rows[0]?.[0] ?? 0);
  } finally {
    db.closeSync();
  }
}

/** The start range and span count the store holds, through the reader itself. */
async function dataRange(reader: Required<SpanReader>): Promise<{ min: number; max: number; count: number }> {
  const all = { startUsMin: 0, startUsMax: Number.MAX_SAFE_INTEGER, groupBy: [], maxGroups: 1 };
  const [group] = await reader.aggregateSpans({ ...all, measures: [{ ref: { field: 'start' }, histogram: false }] });
  if (group === undefined) throw new Error('the store holds no spans (load first)');
  return { min: group.measures[0]!.min!, max: group.measures[0]!.max!, count: group.count };
}

await main();
