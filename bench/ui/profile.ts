/**
 * Opens one big trace in real Chromium with the CPU profiler on and prints where the main thread's
 * time goes between navigation and the first timeline rows the app painted: the trace request's resource
 * timings, the app's performance marks, and the functions with the most self time. With --trace,
 * records a Chromium trace instead and prints the main thread's CPU time by activity (script
 * evaluation, app callbacks, style and layout, response bodies...): CPU time, unlike wall time and
 * sampled self time, hardly moves with the machine's load, so it compares builds on a busy machine.
 * Needs the UI mounted on the query port and ui/dist built (npm run build:ui).
 * Usage: node --import tsx bench/ui/profile.ts [--spans 50000] [--top 25] [--opens 2] [--trace]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { removeDir, startServerProcess, tempDir } from '../../test/e2e/server.js';
import { fixed, parseFlags } from '../report.js';
import { bigTrace } from './big-trace.js';
import { mainThreadCpu, type TraceEvent } from './main-thread.js';

const flags = parseFlags(process.argv.slice(2), [
  { name: 'spans', default: '50000', help: 'trace size in spans' },
  { name: 'top', default: '25', help: 'how many functions to list' },
  { name: 'opens', default: '2', help: 'how many times to open the trace' },
  { name: 'trace', default: 'false', help: 'main-thread CPU by activity from a Chromium trace instead of a CPU profile (true or false)' },
], 'node --import tsx bench/ui/profile.ts [--spans 50000] [--top 25] [--opens 2] [--trace true]');
if (flags) await run(Number(flags.get('spans')), Number(flags.get('top')), Number(flags.get('opens')), flags.get('trace') === 'true');

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number }

async function run(spans: number, top: number, opens: number, tracing: boolean): Promise<void> {
  const dataDir = await tempDir('ariadne-bench-ui-');
  const server = await startServerProcess({ dataDir });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  try {
    const trace = bigTrace({ spans, seed: 7, endUs: Date.now() * 1000 - 300_000_000 });
    for (const body of trace.bodies) {
      const res = await fetch(`${server.zipkin}/api/v2/spans`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/json' } });
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
    }
    for (let tries = 0; ; tries++) {
      const res = await fetch(`${server.query}/api/ariadne/traces/${trace.traceId}?fresh=1`);
      if (res.ok && ((await res.json()) as { spanCount: number }).spanCount === trace.spanCount) break;
      if (tries > 200) throw new Error('trace did not become readable');
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = `${server.query}/trace/${trace.traceId}`;
    const cpuTotals: number[] = [];
    for (let round = 0; round < opens; round++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const cdp = await page.context().newCDPSession(page);
      const tracePath = join(dataDir, `trace-${round}.json`);
      if (tracing) {
        await browser.startTracing(page, { path: tracePath, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8', 'toplevel'] });
      } else {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      await page.goto(url, { waitUntil: 'commit' });
      const paintMs = await page.evaluate<number>(`new Promise((resolve) => {
        const rows = document.getElementsByClassName('span-row');
        // The app's own rows: a first screen in the page's HTML is painted earlier and replaced.
        const ready = () => rows.length > 20 && document.querySelector('[data-first-screen]') === null;
        const painted = () => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
        if (ready()) return painted();
        const observer = new MutationObserver(() => ready() && (observer.disconnect(), painted()));
        observer.observe(document, { childList: true, subtree: true });
      })`);
      const entries = await page.evaluate<string>(`JSON.stringify([
        ...performance.getEntriesByType('resource').map((e) => [e.name.replace(location.origin, '').slice(0, 60), Math.round(e.startTime), Math.round(e.responseStart), Math.round(e.responseEnd), e.initiatorType, e.decodedBodySize]),
        ...performance.getEntriesByType('mark').map((e) => [e.name, Math.round(e.startTime)]),
        ...performance.getEntriesByType('measure').map((e) => [e.name, Math.round(e.startTime), Math.round(e.duration)]),
      ])`);
      console.log(`\n== open ${round + 1}: painted at ${Math.round(paintMs)} ms`);
      for (const e of JSON.parse(entries) as unknown[][]) console.log('  ' + e.join('  '));
      if (tracing) {
        const parsedMs = await page.evaluate<number>(`performance.getEntriesByName('ariadne:trace-parsed')[0]?.startTime ?? NaN`);
        await browser.stopTracing();
        const events = (JSON.parse(await readFile(tracePath, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
        // The app's mark is on the page's main thread, and its trace time less its page time is navigation start.
        const mark = events.find((e) => e.name === 'ariadne:trace-parsed' && (e.cat ?? '').includes('user_timing'));
        if (!mark || !Number.isFinite(parsedMs)) throw new Error('the trace has no ariadne:trace-parsed mark');
        const navigationUs = mark.ts - parsedMs * 1000;
        const cpu = mainThreadCpu(events, mark, navigationUs, navigationUs + paintMs * 1000);
        cpuTotals.push(cpu.cpuMs);
        console.log(`  main thread, navigation → painted: ${fixed(cpu.cpuMs, 0)} ms CPU in ${cpu.tasks} tasks (${fixed(cpu.wallMs, 0)} ms wall)`);
        for (const a of cpu.byActivity) console.log(`  ${fixed(a.cpuMs).padStart(7)} ms CPU  ${a.activity} (${a.tasks} tasks)`);
      } else {
        const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
        const self = new Map<number, number>();
        for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
        const byName = new Map<string, number>();
        for (const n of profile.nodes) {
          const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
          byName.set(key, (byName.get(key) ?? 0) + (self.get(n.id) ?? 0));
        }
        for (const [k, ms] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${k}`);
      }
      await page.close();
    }
    if (tracing) console.log(`\nmain-thread CPU, navigation → painted, per open: ${cpuTotals.map((c) => fixed(c, 0)).join(', ')} ms (the first open also waits for the server's read)`);
  } finally {
    await browser.close();
    await server.stop();
    await removeDir(dataDir);
  }
}
