/**
 * The UI in real Chromium against the real server fed by the real zipkin tracer:
 * search → scatter plot → trace → span detail, find, statistics, compare, dependencies;
 * span data shown as text (no markup, no script); deep links reload to the same state.
 * Screenshots of each view go to test/ui/artifacts/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getJson, removeDir, type ServerProcess } from '../e2e/server.js';
import { ARTIFACTS, launchChromium, openPage, sendShop, startUiServer, type ShopTrace } from './harness.js';

const XSS = '<img src=x onerror=alert(1)>';

let server: ServerProcess;
let dataDir: string;
let browser: Browser;
let page: Page;
let a: ShopTrace;
let b: ShopTrace;
const dialogs: string[] = [];
const cspViolations: string[] = [];

beforeAll(async () => {
  ({ server, dataDir } = await startUiServer('ariadne-ui-'));
  const now = Date.now() * 1000;
  a = await sendShop(server.zipkin, now - 120_000_000, XSS);
  b = await sendShop(server.zipkin, now - 60_000_000, 'plain note');
  await eventually(async () => ((await getJson(`${server.query}/api/ariadne/traces/${b.traceId}`)).status === 200 ? true : undefined));
  browser = await launchChromium();
  page = await openPage(browser, dialogs, { width: 1400, height: 860 });
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await removeDir(dataDir);
});

describe('web UI in Chromium', () => {
  it('searches a service and shows the scatter plot and the result list', async () => {
    await page.goto(`${server.query}/`);
    await page.waitForURL(/\/search$/);
    await page.locator('select[name=service]').selectOption('frontend');
    await page.getByRole('button', { name: 'Find Traces', exact: true }).click();
    await page.locator('.result').nth(1).waitFor();
    expect(await page.locator('.scatter circle').count()).toBe(2);
    expect(await page.locator('.result').count()).toBe(2);
    // Most recent first: b was sent a minute after a.
    expect(await page.locator('.result').first().getAttribute('data-trace-id')).toBe(b.traceId);
    expect(await page.locator('.result').first().locator('.service-chips').innerText()).toBe('backend (1) !\nfrontend (2)');
    expect(page.url()).toContain('service=frontend');
    // Overviews: both traces in the period's histogram, and time per service across them.
    const counts = await page.getByTestId('trace-histogram').locator('g[data-count]').evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
    const times = page.getByTestId('service-times');
    await times.locator('tr').nth(1).waitFor();
    // backend: 2 × 600 µs self; frontend: root 1000 − 800 covered + client 800 − 600 covered = 400 per trace.
    expect((await times.locator('tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      'backend 1.2ms self 1.2ms total · 2 spans', 'frontend 800µs self 3.6ms total · 4 spans',
    ]);
    await page.screenshot({ path: `${ARTIFACTS}search.png` });
  });

  it('opens a trace from the scatter plot and shows its timeline', async () => {
    await page.locator(`.scatter circle[data-trace-id="${a.traceId}"]`).click();
    await page.waitForURL(new RegExp(`/trace/${a.traceId}$`));
    await page.locator('.span-row').nth(2).waitFor();
    expect(await page.getByTestId('span-count').innerText()).toBe('3');
    const labels = await page.locator('.span-row .col-label').allInnerTexts();
    expect(labels.map((l) => l.replace(/\s+/g, ' ').trim())).toEqual([
      '▾ frontend get /checkout', '▾ frontend get /api/cart', '! backend get /api/cart',
    ]);
    // The minimap draws after the rows' first paint: 3 spans on a 56 px strip are 3 bars 17 px tall
    // (pixel rows 0-16, 18-34, 37-53), so 51 pixel rows hold paint.
    const paintedRows = `(() => {
      const c = document.querySelector('[data-testid=minimap] canvas');
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let rows = 0;
      for (let y = 0; y < c.height; y++) {
        for (let x = 0; x < c.width; x++) if (data[(y * c.width + x) * 4 + 3] > 0) { rows++; break; }
      }
      return rows;
    })()`;
    await page.waitForFunction(`${paintedRows} > 0`);
    expect(await page.evaluate<number>(paintedRows)).toBe(51);
    await page.screenshot({ path: `${ARTIFACTS}trace.png` });
  });

  it('shows span detail with tags as literal text, running nothing', async () => {
    await page.locator('.span-row').nth(1).click();
    const detail = page.getByTestId('span-detail');
    await detail.getByTestId('span-tags').waitFor();
    const row = detail.getByTestId('span-tags').locator('tr', { hasText: 'note' });
    expect(await row.locator('td').innerText()).toBe(XSS);
    expect(await detail.locator('img').count()).toBe(0);
    expect(page.url()).toContain(`span=${a.clientId}`);
    await page.screenshot({ path: `${ARTIFACTS}span-detail.png` });
    expect(dialogs).toEqual([]);
  });

  it('reloads a deep link to the same trace and span', async () => {
    const url = page.url();
    await page.reload();
    await page.getByTestId('span-detail').getByTestId('span-tags').waitFor();
    expect(page.url()).toBe(url);
    expect(await page.locator('.span-row.selected').getAttribute('data-row')).toBe('1');
  });

  it('keeps a minimap zoom in the URL across a reload', async () => {
    const before = page.url();
    const box = (await page.getByTestId('minimap').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.waitForURL(/from=\d+&to=\d+/);
    const zoomed = new URL(page.url());
    const from = Number(zoomed.searchParams.get('from'));
    const to = Number(zoomed.searchParams.get('to'));
    expect(to - from).toBeGreaterThan(0);
    // Dragging inside the window moves it, keeping its width.
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.waitForURL((u) => u.searchParams.get('from') !== String(from));
    const moved = new URL(page.url());
    const movedFrom = Number(moved.searchParams.get('from'));
    expect(movedFrom).toBeLessThan(from);
    expect(Math.abs(Number(moved.searchParams.get('to')) - movedFrom - (to - from))).toBeLessThanOrEqual(1);
    // The keyboard moves it too: right arrow by a tenth of its width, "0" back to the whole trace and back.
    await page.getByTestId('minimap').focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL((u) => u.searchParams.get('from') !== String(movedFrom));
    expect(Number(new URL(page.url()).searchParams.get('from'))).toBeGreaterThan(movedFrom);
    await page.goto(zoomed.toString());
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    await page.waitForURL((u) => !u.searchParams.has('from'));
    expect(page.url()).toBe(before);
    await page.getByTestId('minimap').focus();
    await page.keyboard.press('+');
    await page.waitForURL(/from=\d+&to=\d+/);
    await page.keyboard.press('0');
    await page.waitForURL((u) => !u.searchParams.has('from'));
    expect(page.url()).toBe(before);
  });

  it('finds in the trace with "/" and walks matches with the keyboard', async () => {
    await page.keyboard.press('Escape');
    await page.getByTestId('span-detail').waitFor({ state: 'detached' });
    await page.keyboard.press('/');
    await page.keyboard.type('database');
    await expect.poll(() => page.getByTestId('find-count').innerText()).toBe('1 of 1');
    expect(await page.locator('.span-row.match').getAttribute('data-row')).toBe('2');
    await page.keyboard.press('Enter');
    await page.getByTestId('span-detail').waitFor();
    expect(await page.locator('.span-row.selected').getAttribute('data-row')).toBe('2');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.locator('.timeline').focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('.span-row').count()).toBe(2);
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('.span-row').count()).toBe(3);
  });

  it('shows the statistics table', async () => {
    await page.getByRole('tab', { name: 'Statistics' }).click();
    const table = page.getByTestId('stats-table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(3);
    await page.screenshot({ path: `${ARTIFACTS}statistics.png` });
  });

  it('shows the flame graph; a click opens the span, the keyboard walks frames', async () => {
    await page.getByRole('tab', { name: 'Flame graph' }).click();
    const flame = page.getByTestId('flame-graph');
    const canvas = flame.locator('canvas');
    await canvas.waitFor();
    expect(page.url()).toContain('view=flame');
    const box = (await canvas.boundingBox())!;
    expect(Math.round(box.height)).toBe(3 * 18);
    // Lane 1 (y 18..36), a quarter in: the client span (100..900 µs of the 1000 µs trace).
    await canvas.click({ position: { x: box.width / 4, y: 27 } });
    await page.getByTestId('span-detail').getByTestId('span-tags').waitFor();
    expect(page.url()).toContain(`span=${a.clientId}`);
    await page.screenshot({ path: `${ARTIFACTS}flame.png` });
    await page.keyboard.press('Escape');
    await flame.locator('.flame-scroll').focus();
    await page.keyboard.press('ArrowUp');
    expect(await page.getByTestId('flame-focus').innerText()).toBe('frontend: get /checkout, 1ms, depth 0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.getByTestId('flame-focus').innerText()).toBe('backend: get /api/cart, 600µs, depth 2, error');
    await page.keyboard.press('Enter');
    await page.getByTestId('span-detail').getByTestId('span-tags').waitFor();
    expect(page.url()).not.toContain(`span=${a.clientId}`);
  });

  it('compares the two traces', async () => {
    await page.goto(`${server.query}/trace/${a.traceId}...${b.traceId}`);
    await page.getByTestId('compare-table').waitFor();
    expect(await page.getByTestId('compare-table').locator('tbody tr').count()).toBe(3);
    await page.screenshot({ path: `${ARTIFACTS}compare.png` });
  });

  it('draws the service dependency graph', async () => {
    await page.goto(`${server.query}/dependencies`);
    await page.locator('[data-testid=dependency-graph] .dep-node').nth(1).waitFor();
    expect(await page.locator('[data-testid=dependency-graph] .dep-node').allTextContents()).toEqual(expect.arrayContaining(['frontend', 'backend']));
    await page.screenshot({ path: `${ARTIFACTS}dependencies.png` });
  });

  it('focuses a service of the dependency graph from the keyboard', async () => {
    await page.locator('[data-testid=dependency-graph] .dep-node[data-service=backend]').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/service=backend/);
    await page.locator('[data-testid=dependency-graph] .dep-node[data-service=backend]').focus();
    await page.keyboard.press(' ');
    await page.waitForURL((u) => !u.searchParams.has('service'));
  });

  it('reaches and opens a scatter plot dot from the keyboard', async () => {
    await page.goto(`${server.query}/search?service=frontend&lookback=1h`);
    await page.locator('.result').nth(1).waitFor();
    const dot = page.locator(`.scatter circle[data-trace-id="${b.traceId}"]`);
    expect(await dot.getAttribute('tabindex')).toBe('0');
    await dot.focus();
    expect(await page.evaluate('document.activeElement.getAttribute("data-trace-id")')).toBe(b.traceId);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/trace/${b.traceId}$`));
    await page.locator('.span-row').first().waitFor();
  });

  it('picks and opens a search result from the keyboard', async () => {
    await page.goto(`${server.query}/search?service=frontend&lookback=1h`);
    await page.locator('.result').nth(1).waitFor();
    const result = page.locator(`.result[data-trace-id="${a.traceId}"]`);
    await result.getByRole('checkbox').focus();
    await page.keyboard.press(' ');
    expect(await result.getByRole('checkbox').isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.classList.contains("result-title")')).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/trace/${a.traceId}$`));
    await page.locator('.span-row').first().waitFor();
  });

  it('starts loading a trace while the pointer rests on its result, and the click uses that load', async () => {
    await page.goto(`${server.query}/search?service=frontend&lookback=1h`);
    await page.locator('.result').nth(1).waitFor();
    const columns = `/api/ariadne/traces/${b.traceId}/columns`;
    const requested: string[] = [];
    const onRequest = (r: { url(): string }) => {
      if (r.url().endsWith(columns)) requested.push(r.url());
    };
    page.on('request', onRequest);
    try {
      const link = page.locator(`.result[data-trace-id="${b.traceId}"] a.result-title`);
      const early = page.waitForRequest((r) => r.url().endsWith(columns));
      await link.hover();
      await early;
      expect(page.url()).toMatch(/\/search\?/);
      await link.click();
      await page.waitForURL(new RegExp(`/trace/${b.traceId}$`));
      await page.locator('.span-row').nth(2).waitFor();
      expect(requested).toHaveLength(1);
    } finally {
      page.off('request', onRequest);
    }
  });

  it('narrows the search to a range brushed on the scatter plot', async () => {
    await page.goto(`${server.query}/search?service=frontend&lookback=1h`);
    const svg = page.getByTestId('scatter');
    await page.locator('.result').nth(1).waitFor();
    const box = (await svg.boundingBox())!;
    // Plot x runs from 80 (trace a, the earlier) to 884 (trace b) in the 900-unit view box.
    const px = (x: number) => box.x + (x / 900) * box.width;
    await page.mouse.move(px(60), box.y + box.height * 0.75);
    await page.mouse.down();
    await page.mouse.move(px(300), box.y + box.height * 0.75, { steps: 4 });
    await page.mouse.up();
    await page.waitForURL(/lookback=custom/);
    const url = new URL(page.url());
    expect(Number(url.searchParams.get('start'))).toBeLessThanOrEqual(Number(url.searchParams.get('end')));
    await expect.poll(() => page.locator('.result').count()).toBe(1);
    expect(await page.locator('.result').first().getAttribute('data-trace-id')).toBe(a.traceId);
  });

  it('moves through the app with links and the back and forward buttons, without reloading', async () => {
    await page.goto(`${server.query}/search?service=frontend&lookback=1h`);
    await page.locator('.result').nth(1).waitFor();
    await page.evaluate('window.__sameDocument = true');
    await page.locator(`.result[data-trace-id="${b.traceId}"] a.result-title`).click();
    await page.waitForURL(new RegExp(`/trace/${b.traceId}$`));
    await page.locator('.span-row').first().waitFor();
    await page.getByRole('link', { name: 'System architecture' }).click();
    await page.locator('[data-testid=dependency-graph]').waitFor();
    expect(await page.getByRole('link', { name: 'System architecture' }).getAttribute('aria-current')).toBe('page');
    await page.goBack();
    await page.waitForURL(new RegExp(`/trace/${b.traceId}$`));
    await page.locator('.span-row').first().waitFor();
    await page.goBack();
    await page.waitForURL(/\/search\?service=frontend&lookback=1h$/);
    await expect.poll(() => page.locator('.result').count()).toBe(2);
    await page.goForward();
    await page.locator('.span-row').first().waitFor();
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
  });

  it('renders in the dark theme', async () => {
    await page.goto(`${server.query}/trace/${a.traceId}?span=${a.clientId}`);
    await page.getByRole('button', { name: 'Switch theme' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByTestId('span-detail').getByTestId('span-tags').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}trace-dark.png` });
  });

  it('paints a trace page from its HTML before the app has loaded, in the theme chosen, and the app then shows the same rows', async () => {
    // A trace named in markup, ended minutes ago (so the server keeps its prepared copy).
    const traceId = 'e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1';
    const t0 = Date.now() * 1000 - 300_000_000;
    const sent = await fetch(`${server.zipkin}/api/v2/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { traceId, id: '00000000000000e1', name: XSS, timestamp: t0, duration: 1000, localEndpoint: { serviceName: XSS } },
        { traceId, id: '00000000000000e2', parentId: '00000000000000e1', name: 'child', timestamp: t0 + 600, duration: 300, localEndpoint: { serviceName: 'backend' } },
      ]),
    });
    expect(sent.status).toBe(202);
    await eventually(async () => ((await getJson(`${server.query}/api/ariadne/traces/${traceId}`)).status === 200 ? true : undefined));
    const rowsNow = () => page.locator('.span-row').evaluateAll((rows) => rows.map((r) => {
      const box = r.getBoundingClientRect();
      const bar = r.querySelector('.bar')!.getBoundingClientRect();
      return { text: (r as HTMLElement).innerText.replace(/\s+/g, ' ').trim(), y: Math.round(box.y), barX: Math.round(bar.x), barWidth: Math.round(bar.width) };
    }));
    await page.route('**/assets/*.js', (route) => route.abort());
    let first: Awaited<ReturnType<typeof rowsNow>>;
    try {
      await page.goto(`${server.query}/trace/${traceId}`);
      await page.locator('[data-first-screen] .span-row').nth(1).waitFor();
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      first = await rowsNow();
      expect(await page.locator('img').count()).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}trace-first-screen.png` });
    } finally {
      await page.unroute('**/assets/*.js');
    }
    await page.goto(`${server.query}/trace/${traceId}`);
    await expect.poll(() => page.locator('[data-first-screen]').count()).toBe(0);
    await page.locator('.span-row').nth(1).waitFor();
    expect(await rowsNow()).toEqual(first);
    expect(first[0]!.text).toBe(`▾ ${XSS} ${XSS} 1ms`);
    expect(first[1]!.barX).toBeGreaterThan(first[0]!.barX);
  });

  it('fired no dialog and broke no Content-Security-Policy rule', () => {
    expect(dialogs).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
