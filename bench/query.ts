/**
 * Query benchmark: loads the standard workload (start times over the last 24 h) into a fresh
 * server, waits until it is in the long-term layout, then measures bytes per span on disk and
 * sequential keep-alive latencies of trace by id (Jaeger and Zipkin APIs) and of Jaeger searches.
 *
 *   npm run bench:query -- --spans 1M
 *   npm run bench:query -- --spans 10M
 */
import { cpus } from 'node:os';
import { createGetter, sendBatches } from './http-client.js';
import {
  fixed, heading, int, latencyText, line, loadText, mib, parseCount, parseFlags, parseWindowUs, runCleanups, statusSummary,
} from './report.js';
import { diskUsage, fetchMetrics, serverCounters, startTempAriadne, waitForDrain } from './server-process.js';
import { acceptedTraces, jaegerSpanCount, readTraces, sampleTraces, zipkinSpanCount } from './trace-reads.js';
import { generateBatches, Prng, WORKLOAD_SERVICES, type TraceSummary } from './workload.js';

const FLAGS = [
  { name: 'spans', help: 'spans to load', default: '1000000' },
  { name: 'window', help: 'start times spread over this window, ending now', default: '24h' },
  { name: 'order', help: "random: traces start anywhere in the window; arrival: in the order sent, as live traffic", default: 'random' },
  { name: 'seed', help: 'workload PRNG seed', default: '1' },
  { name: 'concurrency', help: 'ingest requests in flight', default: '6' },
  { name: 'lookups', help: 'trace-by-id requests per API', default: '1000' },
  { name: 'searches', help: 'search requests (spread over the four kinds)', default: '400' },
  { name: 'drain-timeout', help: 'longest wait for ariadne_store_buffered_spans to reach 0', default: '10m' },
] as const;

/** What a search asks for: every trace in its answer must hold one span matching all of it. */
interface SearchCriteria {
  service: string;
  operation?: string;
  tag?: [string, string];
  minDurationUs?: number;
}

/** One kind of Jaeger search. */
interface SearchKind {
  name: string;
  pick(rng: Prng): SearchCriteria;
}

const SEARCH_KINDS: readonly SearchKind[] = [
  { name: 'service', pick: (rng) => ({ service: rng.pick(WORKLOAD_SERVICES).name }) },
  {
    name: 'service+operation',
    pick: (rng) => {
      const s = rng.pick(WORKLOAD_SERVICES);
      return { service: s.name, operation: rng.pick(s.operations) };
    },
  },
  { name: 'service+tag http.status_code=500', pick: (rng) => ({ service: rng.pick(WORKLOAD_SERVICES).name, tag: ['http.status_code', '500'] }) },
  { name: 'service+minDuration=200ms', pick: (rng) => ({ service: rng.pick(WORKLOAD_SERVICES).name, minDurationUs: 200_000 }) },
];

function searchQuery(c: SearchCriteria): string {
  let q = `service=${encodeURIComponent(c.service)}`;
  if (c.operation !== undefined) q += `&operation=${encodeURIComponent(c.operation)}`;
  if (c.tag) q += `&tags=${encodeURIComponent(JSON.stringify({ [c.tag[0]]: c.tag[1] }))}`;
  if (c.minDurationUs !== undefined) q += `&minDuration=${c.minDurationUs / 1000}ms`;
  return q;
}

interface JaegerTrace {
  spans?: Array<{
    operationName?: string;
    duration?: number;
    processID?: string;
    tags?: Array<{ key: string; value: unknown }>;
  }>;
  processes?: Record<string, { serviceName?: string }>;
}

/** True when some span of the trace satisfies every criterion (what Jaeger's search promises). */
function traceMatches(trace: JaegerTrace, c: SearchCriteria): boolean {
  return (trace.spans ?? []).some((span) =>
    trace.processes?.[span.processID ?? '']?.serviceName === c.service
    && (c.operation === undefined || span.operationName === c.operation)
    && (c.minDurationUs === undefined || (span.duration ?? 0) >= c.minDurationUs)
    && (c.tag === undefined || (span.tags ?? []).some((t) => t.key === c.tag![0] && String(t.value) === c.tag![1])));
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), FLAGS, 'npm run bench:query -- [flags]');
  if (!flags) return;
  const spans = parseCount(flags.get('spans')!, 'spans');
  const windowUs = parseWindowUs(flags.get('window')!, 'window');
  const concurrency = parseCount(flags.get('concurrency')!, 'concurrency');
  const lookups = parseCount(flags.get('lookups')!, 'lookups');
  const searches = parseCount(flags.get('searches')!, 'searches');
  const drainTimeoutMs = parseWindowUs(flags.get('drain-timeout')!, 'drain-timeout') / 1000;
  const endUs = Date.now() * 1000;

  heading('server');
  line('machine', `${cpus().length} cores, load average ${loadText()} at start`);
  const { server, dataDir } = await startTempAriadne();
  line('idle RSS after /ready', mib(server.rssBytes()));

  if (!['random', 'arrival'].includes(flags.get('order')!)) throw new Error(`--order: expected random or arrival, got ${flags.get('order')}`);
  heading(`load ${int(spans)} spans over ${flags.get('window')}, ${flags.get('order')} order (generated while sending)`);
  const traces: TraceSummary[] = [];
  let bodyBytes = 0;
  let nextReport = 1_000_000;
  let done = 0;
  const batches = (function* () {
    for (const b of generateBatches({ spans, seed: Number(flags.get('seed')), windowUs, endUs, order: flags.get('order') === 'arrival' ? 'arrival' : 'random' })) {
      traces.push(...b.completedTraces);
      bodyBytes += b.body.length;
      yield b;
    }
  })();
  const cpu0 = server.cpuSeconds();
  const sent = await sendBatches({
    url: `${server.zipkinUrl}/api/v2/spans`, batches, concurrency,
    onDone: (b) => {
      done += b.spanCount;
      if (done >= nextReport) {
        process.stderr.write(`  ${int(nextReport)} spans sent\n`);
        nextReport += 1_000_000;
      }
    },
  });
  line('statuses', statusSummary(sent.statusCounts));
  if ([...sent.attemptCounts.keys()].some((s) => !sent.statusCounts.has(s))) line('all attempts', statusSummary(sent.attemptCounts));
  for (const f of sent.failures) line('non-202 example', `batch ${f.batch}: ${f.status} ${f.body}`);
  line('spans acknowledged (202)', `${int(sent.acceptedSpans)} of ${int(sent.sentSpans)} (${fixed(bodyBytes / Math.max(1, sent.sentSpans))} B/span sent)`);
  line('load time', `${fixed(sent.elapsedMs / 1000, 1)} s, ${int(sent.acceptedSpans / (sent.elapsedMs / 1000))} spans/s incl. client-side generation`);
  const drain = await waitForDrain({ adminUrl: server.adminUrl, timeoutMs: drainTimeoutMs });
  line('ariadne_store_buffered_spans', `${drain.buffered ?? 'metric missing'} after ${fixed(drain.waitedMs / 1000, 1)} s`);
  line('server CPU for load + flush', `${fixed(server.cpuSeconds() - cpu0, 1)} s`);
  line('server counters', serverCounters(await fetchMetrics(server.adminUrl)));
  const du = await diskUsage(dataDir);
  line('data dir on disk', `${mib(du.allocatedBytes)} (apparent ${mib(du.apparentBytes)}, ${du.files} files)`);
  line('bytes per span on disk', `${fixed(du.allocatedBytes / Math.max(1, sent.acceptedSpans))} B/span (apparent ${fixed(du.apparentBytes / Math.max(1, sent.acceptedSpans))})`);
  line('largest files', du.largest.map((f) => `${f.path} ${mib(f.bytes)}`).join(', ') || '-');
  line('server RSS now / peak', `${mib(server.rssBytes())} / ${mib(server.peakRssBytes())}`);

  const known = acceptedTraces(traces, sent.acceptedBatches);
  const sample = sampleTraces(known, lookups, 23);

  heading('Jaeger GET /api/traces/<id>');
  const query = createGetter(server.queryUrl);
  const jaeger = await readTraces({ getter: query, traces: sample, pathOf: (t) => `/api/traces/${t.traceId}`, countSpans: jaegerSpanCount });
  line('trace by id', latencyText(jaeger.latenciesMs));
  line('right span count', `${jaeger.ok} of ${jaeger.checked}; statuses ${statusSummary(jaeger.statusCounts)}`);
  for (const p of jaeger.problems) line('problem', p);

  heading('Jaeger GET /api/traces?service=...&limit=20&lookback=24h');
  const rng = new Prng(29);
  const all: number[] = [];
  const nowUs = Date.now() * 1000;
  const range = `&limit=20&lookback=24h&start=${nowUs - 86_400_000_000}&end=${nowUs}`;
  for (const kind of SEARCH_KINDS) {
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let traceCount = 0;
    let empty = 0;
    let example = '';
    let wrong = 0;
    const n = Math.max(1, Math.round(searches / SEARCH_KINDS.length));
    for (let i = 0; i < n; i++) {
      const criteria = kind.pick(rng);
      const path = `/api/traces?${searchQuery(criteria)}${range}`;
      const res = await query.get(path);
      latencies.push(res.ms);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 200) {
        const found = (JSON.parse(res.body.toString('utf8')) as { data?: JaegerTrace[] }).data ?? [];
        traceCount += found.length;
        if (found.length === 0) empty++;
        const bad = found.filter((t) => !traceMatches(t, criteria)).length + (found.length > 20 ? 1 : 0);
        wrong += bad;
        if (bad > 0 && !example) example = `GET ${path}: ${bad} of ${found.length} traces do not match the query`;
      } else if (!example) {
        example = `GET ${path}: ${res.status} ${res.body.toString('utf8').slice(0, 200)}`;
      }
    }
    all.push(...latencies);
    line(kind.name, latencyText(latencies));
    line('  traces per answer / empty / not matching', `${fixed(traceCount / n)} / ${empty} / ${wrong}; statuses ${statusSummary(statuses)}`);
    if (example) line('  problem', example);
  }
  line('all searches', latencyText(all));
  query.close();

  heading('Zipkin GET /api/v2/trace/<id>');
  const zipkinGetter = createGetter(server.zipkinUrl);
  const zipkin = await readTraces({ getter: zipkinGetter, traces: sample, pathOf: (t) => `/api/v2/trace/${t.traceId}`, countSpans: zipkinSpanCount });
  zipkinGetter.close();
  line('trace by id', latencyText(zipkin.latenciesMs));
  line('right span count', `${zipkin.ok} of ${zipkin.checked}; statuses ${statusSummary(zipkin.statusCounts)}`);
  for (const p of zipkin.problems) line('problem', p);

  heading('server');
  line('RSS now / peak', `${mib(server.rssBytes())} / ${mib(server.peakRssBytes())}`);
  line('load average at end', loadText());
  if (server.exited()) line('server', 'EXITED before the end of the run (see stderr below)');
  const stopStarted = performance.now();
  await server.stop();
  // A clean shutdown flushes and checkpoints, so this is the size of the data at rest.
  const rest = await diskUsage(dataDir);
  line('stopped in', `${fixed((performance.now() - stopStarted) / 1000, 1)} s`);
  line('data dir after clean stop', `${mib(rest.allocatedBytes)}, ${fixed(rest.allocatedBytes / Math.max(1, sent.acceptedSpans))} B/span`);
  line('largest files after stop', rest.largest.map((f) => `${f.path} ${mib(f.bytes)}`).join(', ') || '-');
  const problems = server.problems();
  line('warn/error lines (log + stderr)', String(problems.length));
  for (const p of problems.slice(0, 5)) line('log', p);
  if (sent.acceptedSpans < sent.sentSpans || jaeger.ok < jaeger.checked || zipkin.ok < zipkin.checked) process.exitCode = 1;
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench:query failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await runCleanups();
}
