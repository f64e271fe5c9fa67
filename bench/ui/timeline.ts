/**
 * Opens 5 000- and 50 000-span traces in the UI in real Chromium and prints: time from navigation to
 * the first painted timeline rows on the first open (the server reads and prepares the trace; by
 * default from DuckDB, after the buffer was flushed, see --where) and on re-opens (it reuses its
 * prepared copy), with the answer gzip-compressed and plain; a click on the trace in the search
 * page's results, with and without the pointer resting on it first; the first span detail after the first
 * open; where that time
 * goes (script, trace request, parse, render); the compact answer's size next to the Jaeger JSON of
 * the same trace; and frame times while scrolling the timeline.
 * Needs the UI mounted on the query port and ui/dist built (npm run build:ui).
 * Usage: npm run bench:ui [-- --sizes 5000,50000 --scroll-ms 3000]
 */
import { request } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { removeDir, startServerProcess, tempDir } from '../../test/e2e/server.js';
import { fixed, heading, int, line, loadText, mib, parseFlags, percentile } from '../report.js';
import { bigTrace } from './big-trace.js';

/**
 * A page script resolving to performance.now() at the first paint after `ready` (an expression
 * over `rows`, the live list of timeline rows) holds: a mutation observer in the page notices it
 * (polling from outside, as locators do, would take main-thread time from the page being
 * measured), then two animation frames pass the paint that shows it. (A string, not a function:
 * the TypeScript loader would wrap functions in helpers the page lacks.)
 */
function paintedWhen(ready: string): string {
  return `new Promise((resolve, reject) => {
  const rows = document.getElementsByClassName('span-row');
  const ready = () => ${ready};
  const painted = () => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
  if (ready()) return painted();
  const timer = setTimeout(() => reject(new Error('no timeline rows after 30 s')), 30000);
  const observer = new MutationObserver(() => {
    if (!ready()) return;
    observer.disconnect();
    clearTimeout(timer);
    painted();
  });
  observer.observe(document, { childList: true, subtree: true });
})`;
}

/** More than 20 timeline rows painted, the server's first screen (in the page's HTML) or the app's. */
const PAINTED_ROWS = paintedWhen('rows.length > 20');

/** More than 20 rows the app rendered itself: no first screen left. */
const LIVE_ROWS = paintedWhen("rows.length > 20 && document.querySelector('[data-first-screen]') === null");

const flags = parseFlags(process.argv.slice(2), [
  { name: 'sizes', default: '5000,50000', help: 'trace sizes in spans, comma-separated' },
  { name: 'scroll-ms', default: '3000', help: 'how long to scroll each trace, ms' },
  { name: 'reopens', default: '2', help: 'how many times to re-open each trace in each form' },
  { name: 'where', default: 'duckdb', help: 'where the trace is read from on its first open: duckdb (flushed, as a trace found by a search usually is) or buffer' },
], 'npm run bench:ui -- [--sizes 5000,50000] [--scroll-ms 3000] [--reopens 2] [--where duckdb|buffer]');
if (flags) {
  const where = flags.get('where');
  if (where !== 'duckdb' && where !== 'buffer') throw new Error(`--where: expected duckdb or buffer, got ${JSON.stringify(where)}`);
  await run(flags.get('sizes')!.split(',').map(Number), Number(flags.get('scroll-ms')), Math.max(1, Number(flags.get('reopens'))), where);
}


/**
 * Opens the trace from the search page's result list, as a user drilling down does (the app's
 * scripts already running): ms from the click to the first painted timeline rows. With hoverMs > 0
 * the pointer rests on the result that long before the click, as a hand does on its way to it.
 */
async function openFromSearch(browser: Browser, searchUrl: string, traceId: string, hoverMs: number): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(searchUrl);
    const link = page.locator(`li.result[data-trace-id="${traceId}"] a.result-title`);
    await link.waitFor();
    if (hoverMs > 0) {
      await link.hover();
      await page.waitForTimeout(hoverMs);
    }
    return await page.evaluate<number>(`(() => {
      const link = document.querySelector('li.result[data-trace-id="${traceId}"] a.result-title');
      const t0 = performance.now();
      link.click();
      return (${PAINTED_ROWS}).then((t) => t - t0);
    })()`);
  } finally {
    await page.close();
  }
}

/** One page load, times in ms from navigation start. */
interface Open {
  paintMs: number;
  /** Whether that paint was the server's first screen (in the page's HTML) rather than the app's. */
  firstScreen: boolean;
  /** First paint of rows the app rendered (equal to paintMs without a first screen). */
  liveMs: number;
  /** When the app had parsed the trace (its `ariadne:trace-parsed` mark). */
  parsedMs: number;
  scriptEndMs: number;
  trace: { startMs: number; firstByteMs: number; endMs: number; wireBytes: number; bytes: number; serverTiming: string };
  scriptWireBytes: number;
}

async function openTrace(browser: Browser, url: string, headers: Record<string, string>, scrollMs = 0): Promise<{ open: Open; frames: number[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, extraHTTPHeaders: headers });
  try {
    await page.goto(url, { waitUntil: 'commit' });
    // The first paint with 20 rows, measured from navigation start: a mutation observer in the page
    // notices the rows (polling from outside, as locators do, would take main-thread time from the
    // page being measured), then two animation frames pass the paint that shows them.
    // (Strings, not functions: the TypeScript loader would wrap functions in helpers the page lacks.)
    const paintMs = await page.evaluate<number>(PAINTED_ROWS);
    const firstScreen = await page.evaluate<boolean>(`document.querySelector('[data-first-screen]') !== null`);
    const liveMs = await page.evaluate<number>(LIVE_ROWS);
    const open = await page.evaluate<Omit<Open, 'paintMs' | 'firstScreen' | 'liveMs'>>(`(() => {
      const res = performance.getEntriesByType('resource');
      const t = res.find((e) => e.name.includes('/api/ariadne/traces/'));
      const scripts = res.filter((e) => e.name.endsWith('.js'));
      const mark = performance.getEntriesByName('ariadne:trace-parsed')[0];
      return {
        parsedMs: mark ? mark.startTime : NaN,
        scriptEndMs: Math.max(...scripts.map((e) => e.responseEnd)),
        scriptWireBytes: scripts.reduce((a, e) => a + e.encodedBodySize, 0),
        trace: { startMs: t.startTime, firstByteMs: t.responseStart, endMs: t.responseEnd, wireBytes: t.encodedBodySize, bytes: t.decodedBodySize,
          serverTiming: (t.serverTiming || []).map((s) => s.name + ' ' + Math.round(s.duration)).join(', ') },
      };
    })()`);
    let frames: number[] = [];
    if (scrollMs > 0) {
      frames = await page.evaluate<number[]>(`new Promise((resolve) => {
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
    }
    return { open: { paintMs, firstScreen: firstScreen && liveMs > paintMs, liveMs, ...open }, frames };
  } finally {
    await page.close();
  }
}

/** GET without decompressing: time, bytes on the wire, and headers. */
function get(url: string, headers: Record<string, string>): Promise<{ ms: number; bytes: number; encoding: string; timing: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({
        ms: performance.now() - t0, bytes, encoding: String(res.headers['content-encoding'] ?? 'identity'), timing: String(res.headers['server-timing'] ?? ''),
      }));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

function describeOpen(o: Open): string {
  const t = o.trace;
  return `paint ${fixed(o.paintMs, 0)} ms${o.firstScreen ? ` (first screen from the HTML; the app's rows at ${fixed(o.liveMs, 0)})` : ''} = scripts loaded ${fixed(o.scriptEndMs, 0)}, trace request ${fixed(t.startMs, 0)}→${fixed(t.firstByteMs, 0)}→${fixed(t.endMs, 0)}`
    + ` (${t.serverTiming || 'no server timing'}; ${mib(t.wireBytes)} on the wire), parsed ${fixed(o.parsedMs, 0)}, app painted ${fixed(o.liveMs, 0)}`;
}

/** A store figure from the server's admin port's metrics. */
async function storeFigure(admin: string, name: 'buffered_spans' | 'flush_count'): Promise<number> {
  const text = await (await fetch(`${admin}/metrics`)).text();
  const m = new RegExp(`^ariadne_store_${name} (\\d+)`, 'm').exec(text);
  if (!m) throw new Error(`admin /metrics has no ariadne_store_${name}`);
  return Number(m[1]);
}

async function run(sizes: number[], scrollMs: number, reopens: number, where: 'duckdb' | 'buffer'): Promise<void> {
  const dataDir = await tempDir('ariadne-bench-ui-');
  // duckdb: flush a second after ingest, so first opens read DuckDB; buffer: never flush while measuring.
  const server = await startServerProcess({ dataDir, args: ['--embedded.flush-interval', where === 'duckdb' ? '1s' : '1h'] });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  try {
    line('machine load (1, 5, 15 min)', loadText());
    for (const [i, size] of sizes.entries()) {
      // A trace that ended a few minutes ago, as one found by a search is: the server takes it as
      // complete, so re-opening it may reuse its prepared copy.
      const trace = bigTrace({ spans: size, seed: 7 + i, endUs: Date.now() * 1000 - 300_000_000 });
      const flushesBefore = where === 'duckdb' ? await storeFigure(server.admin, 'flush_count') : 0;
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
      if (where === 'duckdb') {
        // The buffer empties once the spans are in DuckDB, but a flush counts only after the
        // checkpoint that follows it, which would otherwise run during the first open: wait for
        // an empty buffer, a flush since the ingest began, and no further flush for 1.5 s.
        for (let tries = 0; ; tries++) {
          if (tries > 300) throw new Error('the buffer was not flushed to DuckDB within 30 s');
          const count = await storeFigure(server.admin, 'flush_count');
          if ((await storeFigure(server.admin, 'buffered_spans')) === 0 && count > flushesBefore) {
            await new Promise((r) => setTimeout(r, 1500));
            if ((await storeFigure(server.admin, 'flush_count')) === count) break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      heading(`${int(trace.spanCount)}-span trace`);
      line('first open reads from', where === 'duckdb' ? 'DuckDB (buffer flushed)' : 'the memory buffer (not flushed)');
      const url = `${server.query}/trace/${trace.traceId}`;
      const first = await openTrace(browser, url, {});
      // What clicking a span right after the first open costs (its details may still be loading).
      const detail = await get(`${server.query}/api/ariadne/traces/${trace.traceId}/spans/${trace.rootSpanId}`, {});
      // Find searches every span's tags, so it waits for the trace's details: after it, the
      // re-opens below run with no read left in the background.
      const find = await get(`${server.query}/api/ariadne/traces/${trace.traceId}/find?q=user-1`, {});
      const gz: Open[] = [];
      const plain: Open[] = [];
      let frames: number[] = [];
      for (let k = 0; k < reopens; k++) {
        const warm = await openTrace(browser, url, {}, k === 0 ? scrollMs : 0);
        gz.push(warm.open);
        if (k === 0) frames = warm.frames;
        plain.push((await openTrace(browser, url, { 'x-no-compression': '1' })).open);
      }
      const searchUrl = `${server.query}/search?lookback=1h&limit=20`;
      const fromSearch: number[] = [];
      const fromSearchHover: number[] = [];
      for (let k = 0; k < reopens; k++) {
        fromSearch.push(await openFromSearch(browser, searchUrl, trace.traceId, 0));
        fromSearchHover.push(await openFromSearch(browser, searchUrl, trace.traceId, 250));
      }
      line('scripts the trace page loads', `${mib(first.open.scriptWireBytes)} on the wire`);
      line('first open (read + prepare on the server)', describeOpen(first.open));
      line('re-open, gzip', describeOpen(gz[0]!));
      line('re-open, plain (x-no-compression)', describeOpen(plain[0]!));
      line('navigation → first timeline paint, first open', `${fixed(first.open.paintMs, 0)} ms${first.open.firstScreen ? ' (first screen)' : ''}; the app's rows ${fixed(first.open.liveMs, 0)} ms`);
      line('first span detail, right after the first open', `${fixed(detail.ms, 0)} ms`);
      line('first find in the trace, right after that', `${fixed(find.ms, 0)} ms`);
      line('navigation → first timeline paint, re-open', `gzip ${gz.map((o) => fixed(o.paintMs, 0)).join(', ')} ms; plain ${plain.map((o) => fixed(o.paintMs, 0)).join(', ')} ms`);
      line('click on a search result → first timeline paint', `${fromSearch.map((ms) => fixed(ms, 0)).join(', ')} ms; after resting on it 250 ms: ${fromSearchHover.map((ms) => fixed(ms, 0)).join(', ')} ms`)
      line('navigation → the app\'s rows painted, re-open', `gzip ${gz.map((o) => fixed(o.liveMs, 0)).join(', ')} ms; plain ${plain.map((o) => fixed(o.liveMs, 0)).join(', ')} ms`);
      line('re-open paint, median (gzip, plain)', `${fixed(percentile(gz.map((o) => o.paintMs), 50), 0)} ms, ${fixed(percentile(plain.map((o) => o.paintMs), 50), 0)} ms`);
      const jaeger = await get(`${server.query}/api/traces/${trace.traceId}`, { 'accept-encoding': 'gzip' });
      const fresh = await get(`${server.query}/api/ariadne/traces/${trace.traceId}?fresh=1`, { 'accept-encoding': 'gzip' });
      const reused = await get(`${server.query}/api/ariadne/traces/${trace.traceId}`, { 'accept-encoding': 'gzip' });
      const reusedPlain = await get(`${server.query}/api/ariadne/traces/${trace.traceId}`, {});
      line('Jaeger JSON /api/traces/:id (gzip)', `${fixed(jaeger.ms, 0)} ms, ${mib(jaeger.bytes)} ${jaeger.encoding}`);
      line('compact /api/ariadne/traces/:id?fresh=1', `${fixed(fresh.ms, 0)} ms (${fresh.timing}), ${mib(fresh.bytes)} ${fresh.encoding}`);
      line('compact, prepared copy reused', `${fixed(reused.ms, 0)} ms ${reused.encoding} ${mib(reused.bytes)}; ${fixed(reusedPlain.ms, 0)} ms ${reusedPlain.encoding} ${mib(reusedPlain.bytes)}`);
      line('scroll frame time (120 px per frame)', `avg ${fixed(frames.reduce((a, b) => a + b, 0) / frames.length)} ms, p95 ${fixed(percentile(frames, 95))} ms, max ${fixed(Math.max(...frames))} ms over ${frames.length} frames; ${frames.filter((f) => f > 33.4).length} over 33 ms`);
    }
    line('machine load after (1, 5, 15 min)', loadText());
  } finally {
    await browser.close();
    await server.stop();
    await removeDir(dataDir);
  }
}
