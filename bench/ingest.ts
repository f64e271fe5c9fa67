/**
 * Ingest benchmark: how many spans per second the real server acknowledges (202) for the standard
 * workload, against a ceiling measured in the same run (a bare node:http server that only
 * JSON.parse()s the same bodies), and what it costs in CPU and memory. Finally reads a sample of the
 * traces back through the Jaeger API to prove the acknowledged spans are there.
 *
 *   npm run bench:ingest -- --spans 1M --concurrency 6
 */
import { cpus } from 'node:os';
import { startCeilingServer } from './ceiling.js';
import { createGetter, sendBatches, type SendResult } from './http-client.js';
import {
  fixed, heading, int, line, loadText, mib, onCleanup, parseCount, parseFlags, parseWindowUs, percentile, runCleanups, statusSummary,
} from './report.js';
import { diskUsage, fetchMetrics, serverCounters, startTempAriadne, waitForDrain } from './server-process.js';
import { acceptedTraces, jaegerSpanCount, readTraces, sampleTraces } from './trace-reads.js';
import { createWorkload } from './workload.js';

const FLAGS = [
  { name: 'spans', help: 'spans to send', default: '1000000' },
  { name: 'concurrency', help: 'requests in flight', default: '6' },
  { name: 'window', help: 'start times spread over this window, ending now', default: '1h' },
  { name: 'seed', help: 'workload PRNG seed', default: '1' },
  { name: 'verify', help: 'trace ids read back through GET /api/traces/<id>', default: '200' },
  { name: 'drain-timeout', help: 'longest wait for the buffered spans to reach the long-term layout', default: '5m' },
  { name: 'skip-ceiling', help: 'true to skip the ceiling measurement', default: 'false' },
] as const;

function printSend(label: string, r: SendResult): void {
  line(`${label} statuses`, statusSummary(r.statusCounts));
  if ([...r.attemptCounts.keys()].some((s) => !r.statusCounts.has(s))) line(`${label} all attempts`, statusSummary(r.attemptCounts));
  for (const f of r.failures) line(`${label} non-202 example`, `batch ${f.batch}: ${f.status} ${f.body}`);
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), FLAGS, 'npm run bench:ingest -- [flags]');
  if (!flags) return;
  const spans = parseCount(flags.get('spans')!, 'spans');
  const concurrency = parseCount(flags.get('concurrency')!, 'concurrency');
  const windowUs = parseWindowUs(flags.get('window')!, 'window');
  const verify = parseCount(flags.get('verify')!, 'verify');
  const drainTimeoutMs = parseWindowUs(flags.get('drain-timeout')!, 'drain-timeout') / 1000;

  heading('workload');
  line('machine', `${cpus().length} cores, load average ${loadText()} at start`);
  const genStarted = performance.now();
  const workload = createWorkload({ spans, seed: Number(flags.get('seed')), windowUs });
  line('spans / traces / requests', `${int(workload.spanCount)} / ${int(workload.traces.length)} / ${int(workload.batches.length)}`);
  line('body size', `${mib(workload.bodyBytes)}, ${fixed(workload.bodyBytes / workload.spanCount)} B/span`);
  line('generated in', `${fixed((performance.now() - genStarted) / 1000, 2)} s (not timed below)`);
  line('client', `node:http keep-alive, ${concurrency} requests in flight, POST /api/v2/spans application/json`);

  let ceilingRate = Number.NaN;
  if (flags.get('skip-ceiling') !== 'true') {
    heading('ceiling: bare node:http + JSON.parse (worker thread of this process)');
    const ceiling = await startCeilingServer();
    onCleanup(() => ceiling.close());
    const before = await ceiling.stats();
    const r = await sendBatches({ url: ceiling.url, batches: workload.batches, concurrency });
    const after = await ceiling.stats();
    await ceiling.close();
    ceilingRate = r.acceptedSpans / (r.elapsedMs / 1000);
    const cpu = after.cpuSeconds - before.cpuSeconds;
    printSend('ceiling', r);
    line('ceiling spans parsed', int(after.parsedSpans - before.parsedSpans));
    line('ceiling throughput', `${int(ceilingRate)} spans/s, ${fixed(r.sentBytes / 1024 / 1024 / (r.elapsedMs / 1000))} MiB/s (${fixed(r.elapsedMs / 1000, 2)} s)`);
    line('ceiling server CPU', `${fixed(cpu, 2)} s, ${int(r.acceptedSpans / cpu)} spans per CPU-second`);
  }

  heading('ariadne all-in-one (embedded store)');
  const startedAt = performance.now();
  const { server, dataDir } = await startTempAriadne();
  line('ready after', `${fixed((performance.now() - startedAt) / 1000, 2)} s`);
  line('idle RSS', mib(server.rssBytes()));
  const cpu0 = server.cpuSeconds();
  const r = await sendBatches({ url: `${server.zipkinUrl}/api/v2/spans`, batches: workload.batches, concurrency });
  const cpu1 = server.cpuSeconds();
  const rate = r.acceptedSpans / (r.elapsedMs / 1000);
  printSend('server', r);
  line('spans acknowledged (202)', `${int(r.acceptedSpans)} of ${int(r.sentSpans)}`);
  line('persisted throughput', `${int(rate)} spans/s (${fixed(r.elapsedMs / 1000, 2)} s)`);
  if (Number.isFinite(ceilingRate)) line('ratio to ceiling', `${fixed((rate / ceilingRate) * 100)} %`);
  line('server CPU while sending', `${fixed(cpu1 - cpu0, 2)} s, ${int(r.acceptedSpans / (cpu1 - cpu0))} spans per CPU-second`);
  line('server RSS after sending / peak', `${mib(server.rssBytes())} / ${mib(server.peakRssBytes())}`);

  const drain = await waitForDrain({ adminUrl: server.adminUrl, timeoutMs: drainTimeoutMs });
  const cpu2 = server.cpuSeconds();
  line('buffered spans after wait', `${drain.buffered ?? 'metric missing'} (waited ${fixed(drain.waitedMs / 1000, 1)} s)`);
  line('server CPU incl. flush', `${fixed(cpu2 - cpu0, 2)} s, ${int(r.acceptedSpans / (cpu2 - cpu0))} spans per CPU-second`);
  line('server counters', serverCounters(await fetchMetrics(server.adminUrl)));
  const du = await diskUsage(dataDir);
  line('data dir', `${mib(du.allocatedBytes)} on disk, ${fixed(du.allocatedBytes / Math.max(1, r.acceptedSpans))} B/span (${du.files} files)`);
  line('largest files', du.largest.map((f) => `${f.path} ${mib(f.bytes)}`).join(', ') || '-');

  heading('read back: GET /api/traces/<id>');
  const candidates = acceptedTraces(workload.traces, r.acceptedBatches);
  const getter = createGetter(server.queryUrl);
  const sample = sampleTraces(candidates, Math.min(verify, candidates.length), 11);
  const check = await readTraces({
    getter, traces: sample, pathOf: (t) => `/api/traces/${t.traceId}`, countSpans: jaegerSpanCount,
  });
  getter.close();
  line('traces checked', `${check.checked} (of ${int(candidates.length)} fully acknowledged)`);
  line('right span count', `${check.ok} of ${check.checked}; statuses ${statusSummary(check.statusCounts)}`);
  line('latency p50 / p99', `${fixed(percentile(check.latenciesMs, 50), 2)} / ${fixed(percentile(check.latenciesMs, 99), 2)} ms`);
  for (const p of check.problems) line('problem', p);

  line('server RSS peak', mib(server.peakRssBytes()));
  line('load average at end', loadText());
  if (server.exited()) line('server', 'EXITED before the end of the run (see stderr below)');
  const stopStarted = performance.now();
  await server.stop();
  // A clean shutdown flushes and checkpoints, so this is the size of the data at rest.
  const rest = await diskUsage(dataDir);
  line('stopped in', `${fixed((performance.now() - stopStarted) / 1000, 1)} s`);
  line('data dir after clean stop', `${mib(rest.allocatedBytes)}, ${fixed(rest.allocatedBytes / Math.max(1, r.acceptedSpans))} B/span`);
  line('largest files after stop', rest.largest.map((f) => `${f.path} ${mib(f.bytes)}`).join(', ') || '-');
  const problems = server.problems();
  line('server warn/error lines (log + stderr)', String(problems.length));
  for (const p of problems.slice(0, 5)) line('server log', p);
  if (r.acceptedSpans < r.sentSpans || check.ok < check.checked) process.exitCode = 1;
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench:ingest failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await runCleanups();
}
