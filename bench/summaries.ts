/**
 * Trace summaries benchmark: loads the standard workload into a fresh server, waits until it is in
 * the long-term layout, then times the same searches three ways, sequentially over keep-alive:
 * Jaeger v3 GET /api/v3/trace-summaries at searchDepth 20 and 1000, and the old GET /api/traces
 * (whole traces) at limit 20 and 1000. Answers are checked against each other: the summaries must
 * list the traces the old search returns, with the span counts of those traces.
 *
 *   npm run bench:summaries -- --spans 200k
 *   npm run bench:summaries -- --spans 10M --window 24h
 */
import { cpus } from 'node:os';
import { createGetter, sendBatches, type Getter } from './http-client.js';
import {
  fixed, heading, int, latencyText, line, loadText, mib, parseCount, parseFlags, parseWindowUs, percentile, runCleanups, statusSummary,
} from './report.js';
import { diskUsage, startTempAriadne, waitForDrain } from './server-process.js';
import { generateBatches, Prng, WORKLOAD_SERVICES } from './workload.js';

const FLAGS = [
  { name: 'spans', help: 'spans to load', default: '1000000' },
  { name: 'window', help: 'start times spread over this window, ending now', default: '24h' },
  { name: 'seed', help: 'workload PRNG seed', default: '1' },
  { name: 'concurrency', help: 'ingest requests in flight', default: '6' },
  { name: 'searches', help: 'searches per way of asking (spread over the search kinds)', default: '200' },
  { name: 'drain-timeout', help: 'longest wait for ariadne_store_buffered_spans to reach 0', default: '10m' },
] as const;

/** The goal for summaries at depth 20 on 10M stored spans. */
const GOAL_P99_MS = 50;

/** What one search asks for. */
interface Criteria {
  service: string;
  operation?: string;
  tag?: [string, string];
}

const KINDS: ReadonlyArray<{ name: string; pick(rng: Prng): Criteria }> = [
  { name: 'service', pick: (rng) => ({ service: rng.pick(WORKLOAD_SERVICES).name }) },
  {
    name: 'service+operation',
    pick: (rng) => {
      const s = rng.pick(WORKLOAD_SERVICES);
      return { service: s.name, operation: rng.pick(s.operations) };
    },
  },
  { name: 'service+tag http.status_code=500', pick: (rng) => ({ service: rng.pick(WORKLOAD_SERVICES).name, tag: ['http.status_code', '500'] }) },
];

/** A way of asking: the path of a search, and the trace ids with span counts of its answer. */
interface Way {
  name: string;
  depth: number;
  path(c: Criteria, depth: number, window: { startUs: number; endUs: number }): string;
  read(body: Buffer): Map<string, number>;
}

const WAYS: readonly Way[] = [20, 1000].flatMap((depth): Way[] => [
  {
    name: `v3 trace-summaries searchDepth=${depth}`,
    depth,
    path: (c, d, w) => {
      const p = new URLSearchParams({ 'query.serviceName': c.service });
      if (c.operation !== undefined) p.set('query.operationName', c.operation);
      p.set('query.startTimeMin', new Date(w.startUs / 1000).toISOString());
      p.set('query.startTimeMax', new Date(w.endUs / 1000).toISOString());
      p.set('query.searchDepth', String(d));
      if (c.tag) p.set('query.attributes', JSON.stringify({ [c.tag[0]]: c.tag[1] }));
      return `/api/v3/trace-summaries?${p.toString()}`;
    },
    read: (body) => {
      const parsed = JSON.parse(body.toString('utf8')) as { summaries?: Array<{ traceId: string; spanCount?: number }> };
      return new Map((parsed.summaries ?? []).map((s) => [s.traceId, s.spanCount ?? 0]));
    },
  },
  {
    name: `old /api/traces limit=${depth}`,
    depth,
    path: (c, d, w) => {
      const p = new URLSearchParams({ service: c.service });
      if (c.operation !== undefined) p.set('operation', c.operation);
      if (c.tag) p.set('tags', JSON.stringify({ [c.tag[0]]: c.tag[1] }));
      p.set('start', String(w.startUs));
      p.set('end', String(w.endUs));
      p.set('limit', String(d));
      return `/api/traces?${p.toString()}`;
    },
    read: (body) => {
      const parsed = JSON.parse(body.toString('utf8')) as { data?: Array<{ traceID: string; spans: unknown[] }> };
      return new Map((parsed.data ?? []).map((t) => [t.traceID.padStart(32, '0'), t.spans.length]));
    },
  },
]);

interface WayResult {
  latenciesMs: number[];
  statuses: Map<number, number>;
  answers: Array<Map<string, number> | undefined>;
  traces: number;
}

async function runWay(getter: Getter, way: Way, searches: readonly Criteria[], window: { startUs: number; endUs: number }): Promise<WayResult> {
  const result: WayResult = { latenciesMs: [], statuses: new Map(), answers: [], traces: 0 };
  for (const c of searches) {
    const res = await getter.get(way.path(c, way.depth, window));
    result.latenciesMs.push(res.ms);
    result.statuses.set(res.status, (result.statuses.get(res.status) ?? 0) + 1);
    const answer = res.status === 200 ? way.read(res.body) : undefined;
    result.answers.push(answer);
    result.traces += answer?.size ?? 0;
  }
  return result;
}

/** Searches whose summaries differ from the old answer: other trace ids, or other span counts. */
function mismatches(summaries: WayResult, old: WayResult): { count: number; example: string } {
  let count = 0;
  let example = '';
  summaries.answers.forEach((s, i) => {
    const o = old.answers[i];
    if (s === undefined || o === undefined) return;
    const same = s.size === o.size && [...s].every(([id, n]) => o.get(id) === n);
    if (same) return;
    count++;
    if (!example) {
      const diff = [...s].find(([id, n]) => o.get(id) !== n);
      example = `search ${i}: ${s.size} summaries vs ${o.size} traces${diff ? `; ${diff[0]}: ${diff[1]} spans summarised, ${o.get(diff[0]) ?? 'absent'} in the trace` : ''}`;
    }
  });
  return { count, example };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), FLAGS, 'npm run bench:summaries -- [flags]');
  if (!flags) return;
  const spans = parseCount(flags.get('spans')!, 'spans');
  const windowUs = parseWindowUs(flags.get('window')!, 'window');
  const concurrency = parseCount(flags.get('concurrency')!, 'concurrency');
  const searches = parseCount(flags.get('searches')!, 'searches');
  const drainTimeoutMs = parseWindowUs(flags.get('drain-timeout')!, 'drain-timeout') / 1000;
  const endUs = Date.now() * 1000;

  heading('server');
  line('machine', `${cpus().length} cores, load average ${loadText()} at start`);
  const { server, dataDir } = await startTempAriadne();

  heading(`load ${int(spans)} spans over ${flags.get('window')}`);
  const sent = await sendBatches({
    url: `${server.zipkinUrl}/api/v2/spans`,
    batches: generateBatches({ spans, seed: Number(flags.get('seed')), windowUs, endUs }),
    concurrency,
  });
  line('statuses', statusSummary(sent.statusCounts));
  line('spans acknowledged (202)', `${int(sent.acceptedSpans)} of ${int(sent.sentSpans)} in ${fixed(sent.elapsedMs / 1000, 1)} s`);
  const drain = await waitForDrain({ adminUrl: server.adminUrl, timeoutMs: drainTimeoutMs });
  line('ariadne_store_buffered_spans', `${drain.buffered ?? 'metric missing'} after ${fixed(drain.waitedMs / 1000, 1)} s`);
  line('data dir on disk', mib((await diskUsage(dataDir)).allocatedBytes));

  // Every way answers the same searches, in the same order, over the whole loaded window.
  const rng = new Prng(31);
  const perKind = Math.max(1, Math.round(searches / KINDS.length));
  // Whole milliseconds, so the RFC 3339 bounds of v3 and the µs bounds of the old API are the same window.
  const window = { startUs: Math.floor((endUs - windowUs) / 1000) * 1000, endUs: Date.now() * 1000 };
  const getter = createGetter(server.queryUrl);
  const results = new Map<string, Map<string, WayResult>>();
  for (const kind of KINDS) {
    const criteria = Array.from({ length: perKind }, () => kind.pick(rng));
    heading(`searches by ${kind.name} (${perKind} each way)`);
    const byWay = new Map<string, WayResult>();
    for (const way of WAYS) {
      const r = await runWay(getter, way, criteria, window);
      byWay.set(way.name, r);
      line(way.name, `${latencyText(r.latenciesMs)}; ${fixed(r.traces / perKind)} traces per answer; statuses ${statusSummary(r.statuses)}`);
    }
    for (const depth of [20, 1000]) {
      const m = mismatches(byWay.get(`v3 trace-summaries searchDepth=${depth}`)!, byWay.get(`old /api/traces limit=${depth}`)!);
      line(`  summaries = old search at ${depth}`, m.count === 0 ? 'yes, same traces and span counts' : `NO for ${m.count} searches; ${m.example}`);
      if (m.count > 0) process.exitCode = 1;
    }
    results.set(kind.name, byWay);
  }
  getter.close();

  heading('all searches');
  for (const way of WAYS) {
    const samples = [...results.values()].flatMap((byWay) => byWay.get(way.name)!.latenciesMs);
    line(way.name, latencyText(samples));
  }
  const depth20 = [...results.values()].flatMap((byWay) => byWay.get('v3 trace-summaries searchDepth=20')!.latenciesMs);
  const old20 = [...results.values()].flatMap((byWay) => byWay.get('old /api/traces limit=20')!.latenciesMs);
  line('summaries depth 20 p99 / goal', `${fixed(percentile(depth20, 99), 2)} ms / ${GOAL_P99_MS} ms (${fixed(percentile(depth20, 99) / GOAL_P99_MS, 2)}×)`);
  line('summaries / old search at 20, p50', `${fixed(percentile(depth20, 50) / Math.max(0.001, percentile(old20, 50)), 2)}×`);

  heading('server');
  line('RSS now / peak', `${mib(server.rssBytes())} / ${mib(server.peakRssBytes())}`);
  line('load average at end', loadText());
  const problems = server.problems();
  line('warn/error lines (log + stderr)', String(problems.length));
  for (const p of problems.slice(0, 5)) line('log', p);
  if (sent.acceptedSpans < sent.sentSpans) process.exitCode = 1;
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench:summaries failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await runCleanups();
}
