/**
 * Overload on loopback: measures the spans/s the server sustains with a few senders (spans it took
 * in, less those still buffered at the end of that window), then offers
 * `factor` times that from many concurrent senders for `overloadMs` with a small --memory.max, sampling
 * the server's RSS from /proc/<pid>/status. Afterwards every span that got a 2xx is read back.
 *
 *   node --import tsx bench/overload.ts [--seconds 30] [--factor 5] [--memory 512MiB] [--senders 256] [--spans-per-request 1000]
 *
 * Prints sustained and offered spans/s, peak RSS against the budget, accepted and refused counts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { removeDir, startServerProcess, tempDir, type ServerProcess } from '../test/e2e/server.js';
import { fetchMetrics, metricValue } from './server-process.js';

/** Options of {@link runOverload}. */
export interface OverloadOptions {
  /** How long the sustained rate is measured. */
  measureMs: number;
  /** How long the overload lasts. */
  overloadMs: number;
  /** Offered rate as a multiple of the sustained one. */
  factor: number;
  /** --memory.max of the server, e.g. "300MiB". */
  memoryMax: string;
  /** Most requests in flight at once during the overload (many concurrent senders). */
  senders: number;
  /** Spans per request (10 per trace); default 1000, as the workload of bench/ sends them. */
  spansPerRequest?: number;
  /** Extra server flags. */
  serverArgs?: string[];
}

/** What one run measured. */
export interface OverloadReport {
  sustainedSpansPerSec: number;
  offeredSpansPerSec: number;
  acceptedSpansPerSec: number;
  budgetBytes: number;
  /** Highest VmRSS sampled every 50 ms during the overload and read-back. */
  peakRssBytes: number;
  /** VmHWM at the end: the kernel's own peak over the process's life. */
  kernelPeakRssBytes: number;
  /** Requests by answer: "202", "429", "503", "error" (connection reset), ... */
  answers: Record<string, number>;
  /** Longest wait for each kind of answer, in ms. */
  slowestMs: Record<string, number>;
  acceptedSpans: number;
  /** Spans that got a 2xx but do not read back (must be 0). */
  missingSpans: number;
  /** True when the process was still running at the end. */
  alive: boolean;
  /** Times a request could not start at its pace because `senders` requests were in flight. */
  lateStarts: number;
  /**
   * Slowest answer of the admin port's /health, asked every 250 ms during the overload: how long
   * the server's event loop was held up, apart from any queueing on the ingest ports.
   */
  slowestHealthMs: number;
  /**
   * The server's memory by part when its RSS was highest among samples of /metrics taken every
   * 500 ms during the overload: native is RSS less the V8 heap and external memory (the store's
   * engine, code, libraries).
   */
  atPeak: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number; nativeBytes: number; bufferedSpans: number; liveCachedSpans: number; inflightBytes: number };
  /** The server's own figures at the end (from /metrics). */
  memory: { heapUsedBytes: number; heapTotalBytes: number; externalBytes: number; bufferedSpans: number };
  /** The store's own figures at the end (embedded store; NaN for others): log fsyncs and flushes. */
  store: { fsyncs: number; fsyncSeconds: number; flushes: number; flushSeconds: number; flushedSpans: number };
  /** Answer times by answer, ms: median and 99th percentile. */
  answerPercentilesMs: Record<string, { p50: number; p99: number }>;
}

const SPANS_PER_TRACE = 10;

/** A Zipkin v2 JSON body whose trace ids begin with a 16-hex request number written in place. */
function bodyTemplate(spansPerRequest: number): { bytes: Buffer; offsets: number[] } {
  const startUs = Date.now() * 1000 - 60_000_000;
  const spans: string[] = [];
  for (let i = 0; i < spansPerRequest; i++) {
    const t = Math.floor(i / SPANS_PER_TRACE);
    const s = i % SPANS_PER_TRACE;
    spans.push(JSON.stringify({
      traceId: `${'R'.repeat(16)}${t.toString(16).padStart(16, '0')}`, id: (s + 1).toString(16).padStart(16, '0'),
      ...(s === 0 ? {} : { parentId: '0000000000000001' }), name: `op-${s}`, kind: s === 0 ? 'SERVER' : 'CLIENT',
      timestamp: startUs + s * 10, duration: 100 + s, localEndpoint: { serviceName: `svc-${s % 4}`, ipv4: '10.0.0.1' },
      tags: { 'http.method': 'GET', 'http.url': `http://svc/${i}/resource?id=${i * 7919}`, component: 'bench', 'user.id': `u-${i}` },
    }));
  }
  const bytes = Buffer.from(`[${spans.join(',')}]`);
  const offsets: number[] = [];
  for (let at = bytes.indexOf('RRRRRRRRRRRRRRRR'); at >= 0; at = bytes.indexOf('RRRRRRRRRRRRRRRR', at + 16)) offsets.push(at);
  return { bytes, offsets };
}

function progress(what: string): void {
  if (process.env.ARIADNE_BENCH_VERBOSE) process.stderr.write(`${new Date().toISOString()} ${what}\n`);
}

function statusBytes(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function post(agent: Agent, url: URL, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
      res.on('error', () => resolve('error'));
    });
    req.on('error', () => resolve('error'));
    // A request unanswered this long counts as failed rather than holding the run.
    req.setTimeout(30_000, () => req.destroy());
    req.end(body);
  });
}

/** Runs the measurement, the overload and the read-back against a fresh server; stops it at the end. */
export async function runOverload(options: OverloadOptions): Promise<OverloadReport> {
  const spansPerRequest = options.spansPerRequest ?? 1000;
  const template = bodyTemplate(spansPerRequest);
  const dataDir = await tempDir('ariadne-overload-');
  let server: ServerProcess | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: options.senders + 8 });
  try {
    server = await startServerProcess({
      dataDir,
      args: ['--memory.max', options.memoryMax, '--embedded.flush-spans', '20000', '--embedded.flush-interval', '2s', ...(options.serverArgs ?? [])],
    });
    const pid = server.child.pid!;
    const url = new URL(`${server.zipkin}/api/v2/spans`);
    let requestNo = 0;
    const acked: number[] = [];
    const answers: Record<string, number> = {};
    const slowest: Record<string, number> = {};
    const times: Record<string, number[]> = {};
    const sendOne = async (): Promise<void> => {
      const n = ++requestNo;
      const body = Buffer.from(template.bytes);
      const hex = n.toString(16).padStart(16, '0');
      for (const at of template.offsets) body.write(hex, at, 'latin1');
      const started = performance.now();
      const answer = await post(agent, url, body);
      answers[answer] = (answers[answer] ?? 0) + 1;
      slowest[answer] = Math.max(slowest[answer] ?? 0, performance.now() - started);
      (times[answer] ??= []).push(performance.now() - started);
      if (answer.startsWith('2')) acked.push(n);
    };

    // 1. The sustained rate: a few senders back to back, each waiting for its answer (and for the
    // Retry-After second when refused), as well-behaved clients would.
    // Spans still buffered at the end of the window were taken in, not stored: counting them would
    // report the buffer's fill rate, not what the store keeps up with.
    const bufferedNow = async () => metricValue(await (await fetch(`${server!.admin}/metrics`)).text(), 'ariadne_store_buffered_spans') ?? 0;
    const bufferedBefore = await bufferedNow();
    const measureEnd = Date.now() + options.measureMs;
    const before = acked.length;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (Date.now() < measureEnd) {
        const n = acked.length;
        await sendOne();
        if (acked.length === n) await new Promise((r) => setTimeout(r, 100));
      }
    }));
    progress('measured the sustained rate');
    const measuredSeconds = (performance.now() - t0) / 1000;
    const stored = (acked.length - before) * spansPerRequest - Math.max(0, (await bufferedNow()) - bufferedBefore);
    const sustainedSpansPerSec = Math.max(1, stored) / measuredSeconds;
    for (const k of Object.keys(answers)) delete answers[k];
    for (const k of Object.keys(times)) delete times[k];
    for (const k of Object.keys(slowest)) delete slowest[k];
    const ackedBeforeOverload = acked.length;

    // 2. The overload: requests start at the offered pace whatever came of earlier ones, up to
    // `senders` in flight at once (a request that cannot start then is counted as a late start and
    // started as soon as one ends, so the client never queues without bound).
    const offeredTarget = sustainedSpansPerSec * options.factor;
    let peakRssBytes = 0;
    const sampler = setInterval(() => { peakRssBytes = Math.max(peakRssBytes, statusBytes(pid, 'VmRSS')); }, 50);
    let slowestHealthMs = 0;
    let healthPending = false;
    const healthProbe = setInterval(() => {
      if (healthPending) return;
      healthPending = true;
      const h0 = performance.now();
      void fetch(`${server!.admin}/health`).then((r) => r.text()).catch(() => '').finally(() => {
        slowestHealthMs = Math.max(slowestHealthMs, performance.now() - h0);
        healthPending = false;
      });
    }, 250);
    let atPeak: OverloadReport['atPeak'] = { rssBytes: 0, heapUsedBytes: 0, heapTotalBytes: 0, externalBytes: 0, nativeBytes: 0, bufferedSpans: 0, liveCachedSpans: 0, inflightBytes: 0 };
    let partsPending = false;
    // ARIADNE_BENCH_TIMELINE=<file> writes every sample of the server's memory parts (MiB) and store figures there.
    const timeline = process.env.ARIADNE_BENCH_TIMELINE ? ['ms\trss\theapUsed\theapTotal\texternal\tbuffered\tflushes\tflushedSpans'] : undefined;
    const partsProbe = setInterval(() => {
      if (partsPending) return;
      partsPending = true;
      void fetchMetrics(server!.admin).then((text) => {
        if (text === '') return;
        const v = (name: string) => metricValue(text, name) ?? 0;
        const rssBytes = v('ariadne_process_resident_memory_bytes');
        if (timeline) {
          timeline.push([performance.now() - t1, rssBytes, v('ariadne_nodejs_heap_size_used_bytes'), v('ariadne_nodejs_heap_size_total_bytes'), v('ariadne_nodejs_external_memory_bytes'),
            v('ariadne_store_buffered_spans'), v('ariadne_store_flush_count'), v('ariadne_store_flushed_spans_total')].map((x, i) => (i === 0 || i >= 5 ? Math.round(x) : Math.round(x / 1048576))).join('\t'));
        }
        if (rssBytes <= atPeak.rssBytes) return;
        const heapTotalBytes = v('ariadne_nodejs_heap_size_total_bytes');
        const externalBytes = v('ariadne_nodejs_external_memory_bytes');
        atPeak = {
          rssBytes, heapUsedBytes: v('ariadne_nodejs_heap_size_used_bytes'), heapTotalBytes, externalBytes,
          nativeBytes: rssBytes - heapTotalBytes - externalBytes, bufferedSpans: v('ariadne_store_buffered_spans'),
          liveCachedSpans: v('ariadne_store_dependency_live_cached_spans'),
          inflightBytes: v('ariadne_memory_estimate_bytes{part="inflight"}'),
        };
      }).catch(() => undefined).finally(() => { partsPending = false; });
    }, 250);
    let lateStarts = 0;
    let sent = 0;
    let inFlight = 0;
    const running = new Set<Promise<void>>();
    const overloadEnd = Date.now() + options.overloadMs;
    const t1 = performance.now();
    while (Date.now() < overloadEnd) {
      const due = Math.floor((((performance.now() - t1) / 1000) * offeredTarget) / spansPerRequest);
      while (sent < due && Date.now() < overloadEnd) {
        if (inFlight >= options.senders) {
          lateStarts++;
          await Promise.race(running);
          continue;
        }
        sent++;
        inFlight++;
        const p: Promise<void> = sendOne().finally(() => { inFlight--; running.delete(p); });
        running.add(p);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const overloadSeconds = (performance.now() - t1) / 1000;
    await Promise.all(running);
    clearInterval(healthProbe);
    clearInterval(partsProbe);
    if (timeline) writeFileSync(process.env.ARIADNE_BENCH_TIMELINE!, `${timeline.join('\n')}\n`);
    const offeredSpansPerSec = (sent * spansPerRequest) / overloadSeconds;
    const acceptedSpansPerSec = ((acked.length - ackedBeforeOverload) * spansPerRequest) / overloadSeconds;

    progress(`overload over; ${running.size} requests still in flight`);
    // 3. Every acknowledged span reads back.
    const alive = server.child.exitCode === null && server.child.signalCode === null;
    let missingSpans = 0;
    const perRead = Math.max(1, Math.floor(200 / (spansPerRequest / SPANS_PER_TRACE)));
    for (let i = 0; i < acked.length && alive; i += perRead) {
      const ids: string[] = [];
      for (const n of acked.slice(i, i + perRead)) {
        const hex = n.toString(16).padStart(16, '0');
        for (let t = 0; t < spansPerRequest / SPANS_PER_TRACE; t++) ids.push(hex + t.toString(16).padStart(16, '0'));
      }
      const res = await fetch(`${server.zipkin}/api/v2/traceMany?traceIds=${ids.join(',')}`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`read-back answered ${res.status}: ${text.slice(0, 200)}`);
      const traces = JSON.parse(text) as Array<Array<{ traceId: string }>>;
      const found = traces.reduce((n, t) => n + t.length, 0);
      missingSpans += ids.length * SPANS_PER_TRACE - found;
    }
    progress(`read back ${acked.length * spansPerRequest} spans`);
    clearInterval(sampler);
    const metrics = await (await fetch(`${server.admin}/metrics`)).text();
    const metric = (name: string) => metricValue(metrics, name) ?? Number.NaN;
    const memory = {
      heapUsedBytes: metric('ariadne_nodejs_heap_size_used_bytes'), heapTotalBytes: metric('ariadne_nodejs_heap_size_total_bytes'),
      externalBytes: metric('ariadne_nodejs_external_memory_bytes'), bufferedSpans: metric('ariadne_store_buffered_spans'),
    };
    const store = {
      fsyncs: metric('ariadne_store_wal_fsync_count'), fsyncSeconds: metric('ariadne_store_wal_fsync_seconds_sum'),
      flushes: metric('ariadne_store_flush_count'), flushSeconds: metric('ariadne_store_flush_seconds_sum'), flushedSpans: metric('ariadne_store_flushed_spans_total'),
    };
    const answerPercentilesMs: OverloadReport['answerPercentilesMs'] = {};
    for (const [k, list] of Object.entries(times)) {
      list.sort((a, b) => a - b);
      answerPercentilesMs[k] = { p50: list[Math.floor(list.length * 0.5)] ?? 0, p99: list[Math.min(list.length - 1, Math.floor(list.length * 0.99))] ?? 0 };
    }
    peakRssBytes = Math.max(peakRssBytes, statusBytes(pid, 'VmRSS'));
    return {
      sustainedSpansPerSec, offeredSpansPerSec, acceptedSpansPerSec,
      budgetBytes: parseBudget(options.memoryMax),
      peakRssBytes, kernelPeakRssBytes: statusBytes(pid, 'VmHWM'),
      answers, slowestMs: slowest, acceptedSpans: acked.length * spansPerRequest, missingSpans, alive, lateStarts, slowestHealthMs, atPeak, memory, store, answerPercentilesMs,
    };
  } finally {
    agent.destroy();
    await server?.stop();
    await removeDir(dataDir);
  }
}

function parseBudget(text: string): number {
  const m = /^(\d+)(MiB|GiB)$/.exec(text);
  if (!m) throw new Error(`--memory: expected e.g. 300MiB or 1GiB, got ${text}`);
  return Number(m[1]) * (m[2] === 'GiB' ? 1024 ** 3 : 1024 ** 2);
}

/** The report as printed lines. */
export function formatOverload(r: OverloadReport): string {
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
  return [
    `sustained        ${r.sustainedSpansPerSec.toFixed(0)} spans/s`,
    `offered          ${r.offeredSpansPerSec.toFixed(0)} spans/s (${(r.offeredSpansPerSec / r.sustainedSpansPerSec).toFixed(1)}× sustained; ${r.lateStarts} late starts)`,
    `accepted         ${r.acceptedSpansPerSec.toFixed(0)} spans/s during the overload`,
    `peak RSS         ${mib(r.peakRssBytes)} sampled, ${mib(r.kernelPeakRssBytes)} VmHWM, budget ${mib(r.budgetBytes)}`,
    `health           slowest /health answer ${r.slowestHealthMs.toFixed(0)} ms during the overload`,
    `answers          ${Object.entries(r.answers).sort().map(([k, v]) => {
      const p = r.answerPercentilesMs[k];
      return `${k}: ${v} (p50 ${(p?.p50 ?? 0).toFixed(0)} ms, p99 ${(p?.p99 ?? 0).toFixed(0)} ms, slowest ${(r.slowestMs[k] ?? 0).toFixed(0)} ms)`;
    }).join(', ')}`,
    `store            ${r.store.fsyncs} log fsyncs (avg ${((r.store.fsyncSeconds / r.store.fsyncs) * 1000).toFixed(1)} ms), ${r.store.flushes} flushes of ${r.store.flushedSpans} spans (avg ${(r.store.flushSeconds / r.store.flushes).toFixed(2)} s)`,
    `acknowledged     ${r.acceptedSpans} spans, ${r.missingSpans} missing on read-back`,
    `process          ${r.alive ? 'alive' : 'DEAD'}`,
    `at peak /metrics RSS ${mib(r.atPeak.rssBytes)}: heap ${mib(r.atPeak.heapUsedBytes)} used of ${mib(r.atPeak.heapTotalBytes)}, external ${mib(r.atPeak.externalBytes)}, ` +
      `native ${mib(r.atPeak.nativeBytes)}; ${r.atPeak.bufferedSpans} spans buffered, ${r.atPeak.liveCachedSpans} cached for live dependencies, ${mib(r.atPeak.inflightBytes)} estimated for requests in flight`,
    `at the end       heap ${mib(r.memory.heapUsedBytes)} used of ${mib(r.memory.heapTotalBytes)}, external ${mib(r.memory.externalBytes)}, ${r.memory.bufferedSpans} spans buffered`,
  ].join('\n');
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = await runOverload({
    measureMs: Number(arg('measure-seconds', '10')) * 1000,
    overloadMs: Number(arg('seconds', '30')) * 1000,
    factor: Number(arg('factor', '5')),
    memoryMax: arg('memory', '512MiB'),
    senders: Number(arg('senders', '256')),
    spansPerRequest: Number(arg('spans-per-request', '1000')),
  });
  process.stdout.write(`${formatOverload(report)}\n`);
}
