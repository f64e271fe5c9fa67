/**
 * Opens 5 000- and 50 000-span traces in the UI in real Chromium and prints: the server's compact
 * trace answer (time, bytes) next to the Jaeger JSON of the same trace, time from navigation to the
 * first painted timeline rows (cold: the server reads and prepares the trace; warm: it reuses its
 * prepared copy), and frame times while scrolling the timeline.
 * Needs the UI mounted on the query port and ui/dist built (npm run build:ui).
 * Usage: npm run bench:ui [-- --sizes 5000,50000 --scroll-ms 3000]
 */
import { chromium } from 'playwright-core';
import { removeDir, startServerProcess, tempDir } from '../../test/e2e/server.js';
import { fixed, heading, int, line, mib, parseFlags, percentile } from '../report.js';
import { bigTrace } from './big-trace.js';

const flags = parseFlags(process.argv.slice(2), [
  { name: 'sizes', default: '5000,50000', help: 'trace sizes in spans, comma-separated' },
  { name: 'scroll-ms', default: '3000', help: 'how long to scroll each trace, ms' },
], 'npm run bench:ui -- [--sizes 5000,50000] [--scroll-ms 3000]');
if (flags) await run(flags.get('sizes')!.split(',').map(Number), Number(flags.get('scroll-ms')));

async function run(sizes: number[], scrollMs: number): Promise<void> {

const dataDir = await tempDir('ariadne-bench-ui-');
const server = await startServerProcess({ dataDir });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  for (const [i, size] of sizes.entries()) {
    // A trace that ended a few minutes ago, as one found by a search is: the server takes it as
    // complete, so re-opening it may reuse its prepared copy.
    const trace = bigTrace({ spans: size, seed: 7 + i, endUs: Date.now() * 1000 - 300_000_000 });
    for (const body of trace.bodies) {
      const res = await fetch(`${server.zipkin}/api/v2/spans`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/json' } });
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    }
    // Wait until every span is readable (through the Jaeger API, so the UI's cache stays cold).
    for (let tries = 0; ; tries++) {
      const res = await fetch(`${server.query}/api/traces/${trace.traceId}`);
      if (res.ok && ((await res.json()) as { data: Array<{ spans: unknown[] }> }).data[0]?.spans.length === trace.spanCount) break;
      if (tries > 200) throw new Error('trace did not become readable');
      await new Promise((r) => setTimeout(r, 100));
    }
    heading(`${int(trace.spanCount)}-span trace`);
    const timed = async (url: string, headers: Record<string, string> = {}) => {
      const t0 = performance.now();
      const res = await fetch(url, { headers });
      const bytes = (await res.arrayBuffer()).byteLength;
      return { ms: performance.now() - t0, bytes, timing: res.headers.get('server-timing') ?? '' };
    };
    const paints: number[] = [];
    const frames: number[] = [];
    for (let run = 0; run < 3; run++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const t0 = Date.now();
      await page.goto(`${server.query}/trace/${trace.traceId}`, { waitUntil: 'commit' });
      await page.locator('.span-row').nth(20).waitFor({ timeout: 30_000 });
      // First paint after the rows exist: wait one animation frame, measured from navigation start.
      // (Strings, not functions: the TypeScript loader would wrap functions in helpers the page lacks.)
      const paintMs = await page.evaluate<number>('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now()))))');
      if (run === 0) {
        const marks = await page.evaluate<Array<{ name: string; ms: string }>>(`performance.getEntriesByType('resource').filter((e) => !e.name.endsWith('.svg')).map((e) => ({ name: e.name.replace(location.origin, '').replace(/[0-9a-f]{32}/, ':id'), ms: Math.round(e.startTime) + '→' + Math.round(e.responseStart) + '→' + Math.round(e.responseEnd) + (e.serverTiming && e.serverTiming.length ? ' (' + e.serverTiming.map((t) => t.name + ' ' + Math.round(t.duration)).join(', ') + ')' : '') }))`);
        line('requests: start → first byte → end (ms)', marks.map((m) => `${m.name} ${m.ms}`).join(', '));
      }
      paints.push(paintMs);
      if (run === 0) {
        line('wall time to rows in the DOM (first run)', `${Date.now() - t0} ms`);
        const samples = await page.evaluate<number[]>(`new Promise((resolve) => {
          const el = document.querySelector('[data-testid=timeline-scroll]');
          const out = [];
          let last = performance.now();
          const end = last + ${scrollMs};
          const step = () => {
            const now = performance.now();
            out.push(now - last);
            last = now;
            el.scrollTop += 120;
            if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) el.scrollTop = 0;
            if (now < end) requestAnimationFrame(step);
            else resolve(out.slice(1));
          };
          requestAnimationFrame(step);
        })`);
        frames.push(...samples);
      }
      await page.close();
    }
    line('navigation → first timeline paint, cold', `${fixed(paints[0]!, 0)} ms (storage read + prepare on the server)`);
    line('navigation → first timeline paint, warm', `${paints.slice(1).map((p) => fixed(p, 0)).join(', ')} ms (prepared copy reused; browser cache cold)`);
    const jaeger = await timed(`${server.query}/api/traces/${trace.traceId}`);
    const compact = await timed(`${server.query}/api/ariadne/traces/${trace.traceId}?fresh=1`);
    const cached = await timed(`${server.query}/api/ariadne/traces/${trace.traceId}`);
    const compactGz = await timed(`${server.query}/api/ariadne/traces/${trace.traceId}`, { 'accept-encoding': 'gzip' });
    line('Jaeger JSON /api/traces/:id', `${fixed(jaeger.ms, 0)} ms, ${mib(jaeger.bytes)}`);
    line('compact /api/ariadne/traces/:id?fresh=1', `${fixed(compact.ms, 0)} ms (${compact.timing}), ${mib(compact.bytes)} (gzip on the wire: ${mib(compactGz.bytes)})`);
    line('compact, prepared copy reused', `${fixed(cached.ms, 0)} ms (${cached.timing})`);


    line('scroll frame time (120 px per frame)', `avg ${fixed(frames.reduce((a, b) => a + b, 0) / frames.length)} ms, p95 ${fixed(percentile(frames, 95))} ms, max ${fixed(Math.max(...frames))} ms over ${frames.length} frames; ${frames.filter((f) => f > 33.4).length} over 33 ms`);
  }
} finally {
  await browser.close();
  await server.stop();
  await removeDir(dataDir);
}
}
