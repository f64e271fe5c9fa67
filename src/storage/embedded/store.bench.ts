/**
 * Micro benchmark of the embedded store on the shared synthetic workload (bench/workload.ts):
 * writes N spans through writeSpans in batches of 1000 with their Zipkin v2 JSON payloads, forces
 * the flush (close), reopens, and prints ingest spans/s, bytes/span on disk, and getTrace and
 * service-search latency percentiles.
 * With --compare-ingest it instead flushes the same 100k spans into DuckDB through the Appender
 * and through read_json, printing wall time and the longest event-loop stall of each.
 *
 *   node --import tsx src/storage/embedded/store.bench.ts --spans 1M
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeWorkload } from '../../../bench/store-load.js';
import { createWorkload, generateBatches, Prng, WORKLOAD_SERVICES } from '../../../bench/workload.js';
import { fixed, int, parseCount, parseFlags, percentile } from '../../../bench/report.js';
import type { Span } from '../../model/index.js';
import { decodeZipkinV2Json } from '../../receivers/zipkin/index.js';
import type { Payload, Store } from '../api.js';
import { createEmbeddedStore } from './index.js';
import { openSpanTable, type IngestMethod } from './span-table.js';

const flags = parseFlags(
  process.argv.slice(2),
  [
    { name: 'spans', help: 'spans to write', default: '1M' },
    { name: 'concurrency', help: 'writes in flight at once', default: '4' },
    { name: 'queries', help: 'samples per query kind', default: '200' },
    { name: 'compare-ingest', help: 'compare the flush paths on this many spans instead (0 = off)', default: '0' },
    { name: 'dir', help: 'data dir (default: a fresh temp dir, removed afterwards)', default: '' },
  ],
  'usage: node --import tsx src/storage/embedded/store.bench.ts [flags]',
);

const decode = (p: Payload): Span[] => decodeZipkinV2Json(p.bytes, p.tenant);
const DAY_US = 24 * 3_600_000_000;

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of ['spans.duckdb', 'spans.duckdb.wal']) total += await stat(join(dir, f)).then((s) => s.size, () => 0);
  return total;
}

async function compareIngest(count: number, dir: string): Promise<void> {
  const endUs = Date.now() * 1000;
  const spans: Span[] = [];
  for (const batch of createWorkload({ spans: count, endUs }).batches) spans.push(...decodeZipkinV2Json(batch.body, ''));
  for (const method of ['appender', 'read_json', 'read_csv'] as IngestMethod[]) {
    const sub = join(dir, method);
    await rm(sub, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(sub, { recursive: true }));
    const table = await openSpanTable({ file: join(sub, 'spans.duckdb'), stagingDir: sub, ingestMethod: method });
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await table.insert(spans, 1);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    h.disable();
    await table.checkpoint();
    await table.close();
    process.stdout.write(
      `${method.padEnd(10)} ${int(spans.length)} spans in ${fixed(seconds, 2)} s = ${int(spans.length / seconds)} spans/s; ` +
        `longest event-loop stall ${fixed(h.max / 1e6, 0)} ms; process CPU ${fixed((cpu.user + cpu.system) / 1e6, 2)} s; ` +
        `file ${fixed((await dirBytes(sub)) / spans.length, 1)} B/span\n`,
    );
  }
}

async function timeIt(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

function pct(samples: number[]): string {
  return `p50 ${fixed(percentile(samples, 50), 2)} ms, p99 ${fixed(percentile(samples, 99), 2)} ms`;
}

async function main(): Promise<void> {
  if (flags === undefined) return;
  const ownDir = flags.get('dir') === '';
  const dir = ownDir ? await mkdtemp(join(tmpdir(), 'ariadne-bench-')) : (flags.get('dir') as string);
  try {
    const compare = parseCount(flags.get('compare-ingest') === '0' ? '1' : (flags.get('compare-ingest') as string), 'compare-ingest');
    if (flags.get('compare-ingest') !== '0') {
      await compareIngest(compare, dir);
      return;
    }
    const count = parseCount(flags.get('spans') as string, 'spans');
    const concurrency = Number(flags.get('concurrency'));
    const queries = Number(flags.get('queries'));
    const endUs = Date.now() * 1000;
    const options = { dataDir: dir, decode, retentionUs: 7 * DAY_US, maxDiskBytes: 0 };

    let store = await createEmbeddedStore(options);
    const { seconds, rejected, decodeSeconds } = await writeWorkload(store, { spans: count, endUs, concurrency });
    const s = store.stats();
    process.stdout.write(
      `ingest: ${int(count)} spans in ${fixed(seconds, 2)} s = ${int(count / seconds)} spans/s; without the ` +
        `${fixed(decodeSeconds, 2)} s spent generating and decoding Zipkin bodies: ${int(count / (seconds - decodeSeconds))} spans/s ` +
        `(concurrency ${concurrency}, ${rejected} batches rejected for backpressure and retried, ` +
        `${s.extra.wal_fsync_count} fsyncs, ${s.extra.flush_count} flushes taking ${fixed(s.extra.flush_seconds_sum ?? 0, 2)} s)\n`,
    );
    const c0 = performance.now();
    await store.close();
    process.stdout.write(`final flush + close: ${fixed((performance.now() - c0) / 1000, 2)} s\n`);
    const bytes = await dirBytes(dir);
    process.stdout.write(`disk: ${int(bytes)} bytes = ${fixed(bytes / count, 1)} B/span\n`);

    store = await createEmbeddedStore(options);
    // Trace ids of the workload, regenerated (same seed) without holding the bodies.
    const ids: string[] = [];
    for (const b of generateBatches({ spans: Math.min(count, 200_000), endUs })) for (const t of b.completedTraces) ids.push(t.traceId);
    const rng = new Prng(7);
    const traceMs = await timeIt(queries, async () => {
      const spans = await store.reader.getTrace({ traceId: rng.pick(ids).padStart(32, '0') });
      if (spans.length === 0) throw new Error('trace not found');
    });
    process.stdout.write(`getTrace: ${pct(traceMs)}\n`);
    const searchMs = await timeIt(queries, async () => {
      await store.reader.findTraceIds({ service: rng.pick(WORKLOAD_SERVICES).name, startUsMin: endUs - 3_600_000_000, startUsMax: endUs, limit: 20 });
    });
    process.stdout.write(`findTraceIds by service (1 h, limit 20): ${pct(searchMs)}\n`);
    const tagMs = await timeIt(Math.min(queries, 50), async () => {
      await store.reader.findTraceIds({
        service: rng.pick(WORKLOAD_SERVICES).name,
        attributes: [{ key: 'http.status_code', value: '500' }],
        startUsMin: endUs - 3_600_000_000,
        startUsMax: endUs,
        limit: 20,
      });
    });
    process.stdout.write(`findTraceIds by service + http.status_code=500: ${pct(tagMs)}\n`);
    const svcMs = await timeIt(Math.min(queries, 20), () => store.reader.getServices({}));
    process.stdout.write(`getServices: ${pct(svcMs)}\n`);
    await store.close();
  } finally {
    if (ownDir) await rm(dir, { recursive: true, force: true });
  }
}

await main();
