/**
 * Dependency graph benchmark on the embedded store: writes N workload spans (bench/workload.ts)
 * spread over a window (default 24 h, ending 10 minutes ago) straight through the store's writer,
 * reopens the store (everything flushed to DuckDB), then times getDependencies over the whole
 * window and over 1 h ranges inside it: first live (nothing settled), then after the settler has
 * settled every due minute. Prints p50/p95 against the 200 ms goal for a 24 h graph.
 *
 *   node --import tsx bench/dependencies.ts --spans 1M
 *   node --import tsx bench/dependencies.ts --spans 10M --live-queries 1
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DependencyLink } from '../src/model/index.js';
import type { Store } from '../src/storage/api.js';
import { createEmbeddedStore, type EmbeddedStoreOptions } from '../src/storage/embedded/index.js';
import { fixed, heading, int, line, parseCount, parseFlags, parseWindowUs, percentile } from './report.js';
import { decodeWorkload, writeWorkload } from './store-load.js';
import { Prng } from './workload.js';

const flags = parseFlags(
  process.argv.slice(2),
  [
    { name: 'spans', help: 'spans to write', default: '1M' },
    { name: 'window', help: 'start times spread over this window, ending 10 minutes ago', default: '24h' },
    { name: 'queries', help: 'samples per timed query after settling', default: '30' },
    { name: 'live-queries', help: 'samples of the whole-window read before settling (0 skips it: at 10M spans it reads them all)', default: '3' },
    { name: 'concurrency', help: 'writes in flight at once', default: '4' },
    { name: 'dir', help: 'data directory to use and keep (default: a temporary one, removed)', default: '' },
  ],
  'usage: node --import tsx bench/dependencies.ts [flags]',
);

/** The goal for a 24 h dependency graph over 10M spans. */
const GOAL_MS = 200;
const HOUR_US = 3_600_000_000;


async function timeIt(n: number, fn: (i: number) => Promise<DependencyLink[]>): Promise<{ ms: number[]; calls: number }> {
  const ms: number[] = [];
  let calls = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const links = await fn(i);
    ms.push(performance.now() - t0);
    calls = links.reduce((sum, l) => sum + l.callCount, 0);
  }
  return { ms, calls };
}

function latency(r: { ms: number[]; calls: number }): string {
  return `p50 ${fixed(percentile(r.ms, 50), 1)} ms, p95 ${fixed(percentile(r.ms, 95), 1)} ms (${r.ms.length} reads; last answer ${int(r.calls)} calls)`;
}

async function main(): Promise<void> {
  if (flags === undefined) return;
  const count = parseCount(flags.get('spans')!, 'spans');
  const windowUs = parseWindowUs(flags.get('window')!, 'window');
  const queries = parseCount(flags.get('queries')!, 'queries');
  const liveQueries = flags.get('live-queries') === '0' ? 0 : parseCount(flags.get('live-queries')!, 'live-queries');
  const ownDir = flags.get('dir') === '';
  const dir = ownDir ? await mkdtemp(join(tmpdir(), 'ariadne-deps-bench-')) : flags.get('dir')!;
  const dataEndUs = Date.now() * 1000 - 10 * 60_000_000;
  // The settler is driven by hand so the live reads come first.
  const options: EmbeddedStoreOptions = { dataDir: dir, decode: decodeWorkload, retentionUs: 7 * 24 * HOUR_US, maxDiskBytes: 0, dependencies: { background: false } };
  try {
    heading(`dependency graph, embedded store, ${int(count)} spans over ${fixed(windowUs / HOUR_US, 0)} h`);
    let store = await createEmbeddedStore(options);
    const { seconds: writeSeconds } = await writeWorkload(store, { spans: count, endUs: dataEndUs, windowUs, concurrency: Number(flags.get('concurrency')) });
    line('write', `${fixed(writeSeconds, 1)} s = ${int(count / writeSeconds)} spans/s`);
    const c0 = performance.now();
    await store.close();
    line('final flush', `${fixed((performance.now() - c0) / 1000, 1)} s`);
    // Reopened: the spans are all in DuckDB and their arrival is in the past, so every minute ended
    // more than the settle delay ago is due.
    store = await createEmbeddedStore(options);
    const rng = new Prng(3);
    const nowUs = (): number => Date.now() * 1000;
    const whole = (): Promise<DependencyLink[]> => store.dependencies.getDependencies({ endUs: nowUs(), lookbackUs: windowUs });
    // 1 h ranges inside the window, not aligned to minutes.
    const hour = (): Promise<DependencyLink[]> => {
      const endUs = dataEndUs - Math.floor(rng.next() * (windowUs - HOUR_US));
      return store.dependencies.getDependencies({ endUs, lookbackUs: HOUR_US });
    };

    heading('before settling (live: every span of the range read and linked)');
    const live24 = await timeIt(liveQueries, whole);
    if (liveQueries > 0) line(`${fixed(windowUs / HOUR_US, 0)} h graph`, latency(live24));
    line('1 h graph', latency(await timeIt(Math.min(queries, 10), hour)));

    heading('settling');
    const s0 = performance.now();
    const minutes = await store.settleDependencies();
    const settleSeconds = (performance.now() - s0) / 1000;
    line('settled', `${int(minutes)} minutes in ${fixed(settleSeconds, 1)} s = ${int(count / settleSeconds)} spans/s`);

    heading('after settling (settled minutes summed, the rest live)');
    const after24 = await timeIt(queries, whole);
    line(`${fixed(windowUs / HOUR_US, 0)} h graph`, latency(after24));
    line('1 h graph', latency(await timeIt(queries, hour)));
    line(`${fixed(windowUs / HOUR_US, 0)} h p95 vs the ${GOAL_MS} ms goal`, `${fixed(percentile(after24.ms, 95) / GOAL_MS, 2)}×`);
    if (liveQueries > 0) line('calls counted live vs settled', `${int(live24.calls)} vs ${int(after24.calls)} (differ only by traces crossing the range's edges)`);
    await store.close();
  } finally {
    if (ownDir) await rm(dir, { recursive: true, force: true });
  }
}

await main();
