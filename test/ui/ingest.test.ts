/**
 * The Ingest page in real Chromium against the real server: the empty state's doctor hint (also on
 * the search page), then a good Zipkin batch and a refused one arriving through the 5 s refresh;
 * receivers, sources, clock-offset warning and the refusal's reason, sender and sample, the sample
 * shown as literal text (it is attacker-controlled) with its toggle; and a 64-bit trace id in the
 * trace header as 16 hex chars. Screenshots: search-empty, ingest-empty, ingest, ingest-dark.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, type ServerProcess } from '../e2e/server.js';
import { ARTIFACTS, launchChromium, openPage, startUiServer } from './harness.js';

const XSS = '<img src=x onerror=alert(1)>';
const TRACE_ID = '463ac35c9f6413ad';

let server: ServerProcess;
let dataDir: string;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];

async function postZipkin(body: string): Promise<number> {
  const res = await fetch(`${server.zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  ({ server, dataDir } = await startUiServer('ariadne-ui-ingest-'));
  browser = await launchChromium();
  page = await openPage(browser, dialogs);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await removeDir(dataDir);
});

describe('Ingest page in Chromium', () => {
  it('says what to do when nothing arrived, on the search page and the ingest page', async () => {
    // The page's timers run on a controlled clock, so the test moves to the next refresh at once.
    await page.clock.install();
    await page.goto(`${server.query}/search`);
    const searchHint = page.locator('.search-side .doctor-hint .command');
    expect(await searchHint.innerText()).toBe('ariadne doctor --target http://127.0.0.1:9411');
    await page.screenshot({ path: `${ARTIFACTS}search-empty.png` });
    await page.getByRole('link', { name: 'Ingest', exact: true }).first().click();
    await page.waitForURL(/\/ingest$/);
    await page.getByText('Nothing received yet.').waitFor();
    expect(await page.locator('.ingest-page .doctor-hint .command').innerText()).toBe('ariadne doctor --target http://127.0.0.1:9411');
    expect(await page.locator('.topbar nav a[aria-current=page]').innerText()).toBe('Ingest');
    await page.screenshot({ path: `${ARTIFACTS}ingest-empty.png` });
  });

  it('shows a good and a refused batch after the next refresh, the sample as literal text', async () => {
    const nowUs = Date.now() * 1000;
    const good = JSON.stringify([
      { traceId: TRACE_ID, id: '0000000000000001', name: 'get /', kind: 'SERVER', timestamp: nowUs - 2000, duration: 1000, localEndpoint: { serviceName: 'frontend' } },
      { traceId: TRACE_ID, id: '0000000000000002', parentId: '0000000000000001', name: 'get /cart', kind: 'SERVER', timestamp: nowUs - 1800, duration: 500, localEndpoint: { serviceName: 'backend' }, tags: { error: 'boom' } },
      // Ended two minutes before it arrives: the sender's clock is behind, or its reports queue.
      { traceId: 'a1b2c3d4e5f60718', id: '0000000000000003', name: 'tick', timestamp: nowUs - 120_000_000, duration: 1000, localEndpoint: { serviceName: 'batch-job' } },
    ]);
    const bad = JSON.stringify([{ traceId: XSS, id: '0000000000000001', name: `${XSS} ${'x'.repeat(200)}`, localEndpoint: { serviceName: 'evil' } }]);
    expect(await postZipkin(good)).toBe(202);
    expect(await postZipkin(bad)).toBe(400);

    // Arrives through the page's own 5 s refresh, no reload.
    const card = page.locator('.receiver[data-format="zipkin-v2-json"]');
    await page.clock.fastForward(4000);
    expect(await card.count()).toBe(0);
    await page.clock.fastForward(1100);
    await card.waitFor();
    // The port the server really bound, as the ingest API reports it.
    expect(await card.locator('h3').innerText()).toBe(`Zipkin v2 JSON · :${server.ports.zipkin}`);
    const facts = (await card.locator('.receiver-facts').innerText()).replace(/\s+/g, ' ');
    expect(facts).toContain('Taken 3 spans Requests 2');
    expect(facts).toContain('Refused 1 request, 0 spans');
    expect(facts).toContain('Last seen just now');
    // A receiver that listens but has heard nothing still shows, with its bound port and zeros.
    const silent = page.locator('.receiver[data-format="jaeger-agent-compact"]');
    expect(await silent.locator('h3').innerText()).toBe(`Jaeger agent, compact Thrift · :${server.ports.jaegerCompact}/udp`);
    expect((await silent.locator('.receiver-facts').innerText()).replace(/\s+/g, ' ')).toContain('Taken 0 spans Requests 0');

    const refusal = card.locator('.refusal');
    expect(await refusal.count()).toBe(1);
    expect(await refusal.locator('.refusal-code').innerText()).toBe('INVALID_ARGUMENT');
    expect(await refusal.locator('.refusal-message').innerText()).toContain('traceId');
    expect(await refusal.locator('.refusal-head').innerText()).toMatch(/from 127\.0\.0\.1/);
    const sample = refusal.locator('.sample-text');
    const preview = await sample.innerText();
    expect(preview.startsWith(`[{"traceId":"${XSS}"`)).toBe(true);
    expect(preview.endsWith('…')).toBe(true);
    await refusal.getByRole('button', { name: /Show all \d+ characters/ }).click();
    const full = await sample.innerText();
    expect(full.length).toBeGreaterThan(preview.length);
    expect(full).toContain('x'.repeat(100));
    expect(await refusal.getByRole('button', { name: 'Show less' }).getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('.ingest-page img').count()).toBe(0);

    const rows = await page.getByTestId('ingest-sources').locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.children].slice(0, 5).map((c) => (c as HTMLElement).innerText.trim())));
    expect(rows).toEqual([
      ['backend', 'Zipkin v2 JSON', '1', '1', '127.0.0.1'],
      ['batch-job', 'Zipkin v2 JSON', '1', '0', '127.0.0.1'],
      ['frontend', 'Zipkin v2 JSON', '1', '0', '127.0.0.1'],
    ]);
    const warnings = await page.getByTestId('offset-warnings').locator('li').allInnerTexts();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^⚠ batch-job \(Zipkin v2 JSON\): Spans arrive 2m \ds after they end/);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}ingest.png`, fullPage: true });
  });

  it('pauses and resumes auto-refresh from the keyboard', async () => {
    const taken = page.locator('.receiver[data-format="zipkin-v2-json"] .receiver-facts dd').first();
    await page.getByRole('button', { name: 'Pause auto-refresh' }).focus();
    await page.keyboard.press('Enter');
    const resume = page.getByRole('button', { name: 'Resume auto-refresh' });
    expect(await resume.getAttribute('aria-pressed')).toBe('true');
    const nowUs = Date.now() * 1000;
    expect(await postZipkin(JSON.stringify([{ traceId: 'b1b2c3d4e5f60718', id: '0000000000000004', name: 'get /', timestamp: nowUs - 1000, duration: 500, localEndpoint: { serviceName: 'frontend' } }]))).toBe(202);
    await page.clock.fastForward(6000);
    // A refresh would be a fetch and a render: give one the time it would take, then see none came.
    await new Promise((r) => setTimeout(r, 300));
    expect(await taken.innerText()).toBe('3 spans');
    await resume.focus();
    await page.keyboard.press('Enter');
    expect(await page.getByRole('button', { name: 'Pause auto-refresh' }).getAttribute('aria-pressed')).toBe('false');
    await page.clock.fastForward(5100);
    await expect.poll(() => taken.innerText()).toBe('4 spans');
  });

  it('is readable in the dark theme', async () => {
    await page.getByRole('button', { name: 'Switch theme' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.screenshot({ path: `${ARTIFACTS}ingest-dark.png`, fullPage: true });
    await page.getByRole('button', { name: 'Switch theme' }).click();
  });

  it('shows a 64-bit trace id as 16 hex chars in the trace header', async () => {
    await page.goto(`${server.query}/trace/${TRACE_ID}`);
    const id = page.locator('.trace-header .trace-id');
    expect(await id.innerText()).toBe(TRACE_ID);
    expect(dialogs).toEqual([]);
  });
});
