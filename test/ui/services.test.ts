/**
 * The Services, service and endpoint pages in real Chromium against the real server: traces sent
 * as Zipkin v2 JSON (web → cart with shared client/server span ids, cart → db uninstrumented),
 * then the services table (figures, sparklines, sorting from the keyboard, range in the URL), a
 * service's figures, charts, endpoints and neighbours, an endpoint's histogram and slowest requests
 * opening the trace, a deep link with its range, and the empty state.
 * Screenshots: services, service, service-dark, endpoint, services-empty.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, type ServerProcess } from '../e2e/server.js';
import { ARTIFACTS, launchChromium, openPage, startUiServer } from './harness.js';

const XSS = '<img src=x onerror=alert(1)>';

let server: ServerProcess;
let dataDir: string;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: 'SERVER' | 'CLIENT';
  timestamp: number;
  duration: number;
  localEndpoint: { serviceName: string };
  remoteEndpoint?: { serviceName: string };
  tags?: Record<string, string>;
  shared?: boolean;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * 40 traces between 50 and 20 minutes ago: web `GET /` alone, or web `GET /checkout` calling cart
 * `get /api/cart` (shared span id; every third fails) which queries db. Durations are distinct.
 */
function shop(nowUs: number): { spans: ZipkinSpan[]; expected: { web: number; cart: number; cartErrors: number; checkout: number; slowestCart: { traceId: string; duration: number } } } {
  const spans: ZipkinSpan[] = [];
  let cart = 0;
  let cartErrors = 0;
  let checkout = 0;
  let slowestCart = { traceId: '', duration: 0 };
  for (let i = 0; i < 40; i++) {
    const traceId = hex(0xa000 + i, 16);
    const t0 = nowUs - 50 * 60_000_000 + i * 45_000_000;
    const root = hex(i * 16 + 1, 16);
    const isCheckout = i % 2 === 0;
    const rootDuration = 20_000 + i * 1000;
    spans.push({ traceId, id: root, name: isCheckout ? 'get /checkout' : 'get /', kind: 'SERVER', timestamp: t0, duration: rootDuration, localEndpoint: { serviceName: 'web' } });
    if (!isCheckout) continue;
    checkout++;
    const call = hex(i * 16 + 2, 16);
    const cartDuration = 10_000 + i * 700;
    const failed = i % 3 === 0;
    spans.push({ traceId, id: call, parentId: root, name: 'get /api/cart', kind: 'CLIENT', timestamp: t0 + 100, duration: cartDuration + 200, localEndpoint: { serviceName: 'web' }, remoteEndpoint: { serviceName: 'cart' } });
    spans.push({
      traceId, id: call, parentId: root, name: 'get /api/cart', kind: 'SERVER', timestamp: t0 + 200, duration: cartDuration, localEndpoint: { serviceName: 'cart' }, shared: true,
      ...(failed ? { tags: { error: 'out of stock' } } : {}),
    });
    spans.push({ traceId, id: hex(i * 16 + 3, 16), parentId: call, name: 'select', kind: 'CLIENT', timestamp: t0 + 300, duration: 900, localEndpoint: { serviceName: 'cart' }, remoteEndpoint: { serviceName: 'db' }, tags: { note: XSS } });
    cart++;
    if (failed) cartErrors++;
    if (cartDuration > slowestCart.duration) slowestCart = { traceId: hex(0, 16) + traceId, duration: cartDuration };
  }
  // A job whose operation name is markup: it must show as text.
  spans.push({ traceId: hex(0xb000, 16), id: hex(0xb001, 16), name: XSS, timestamp: nowUs - 30 * 60_000_000, duration: 5000, localEndpoint: { serviceName: 'jobs' } });
  return { spans, expected: { web: 40, cart, cartErrors, checkout, slowestCart } };
}

let expected: ReturnType<typeof shop>['expected'];

beforeAll(async () => {
  ({ server, dataDir } = await startUiServer('ariadne-ui-services-'));
  const data = shop(Date.now() * 1000);
  expected = data.expected;
  const res = await fetch(`${server.zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data.spans) });
  expect(res.status).toBe(202);
  browser = await launchChromium();
  page = await openPage(browser, dialogs);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await removeDir(dataDir);
});

async function tableRows(testId: string): Promise<string[][]> {
  return page.getByTestId(testId).locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.children].slice(0, 5).map((c) => (c as HTMLElement).innerText.trim())));
}

describe('Services pages in Chromium', () => {
  it('lists services with their figures and sparklines, sorted from the keyboard, the sort kept in the URL', async () => {
    await page.goto(`${server.query}/search`);
    await page.getByRole('link', { name: 'Services', exact: true }).click();
    await page.waitForURL(/\/services$/);
    await page.getByTestId('services-table').waitFor();
    expect(await page.locator('.topbar nav a[aria-current=page]').innerText()).toBe('Services');
    // Most requests first: web (40 roots), cart (its shared server halves; web's client halves are not requests).
    expect(await tableRows('services-table')).toEqual([
      ['web', '40', '0.7', '0', '0%'],
      ['cart', '20', '0.3', '7', '35%'],
      ['jobs', '1', '0.017', '0', '0%'],
    ]);
    // db is called but reports nothing: no row of its own.
    expect(await page.getByTestId('services-table').locator('svg.sparkline').count()).toBe(9);
    expect(await page.getByTestId('services-table').locator('svg.sparkline path').first().getAttribute('d')).toMatch(/^M/);

    const errorsHeader = page.getByRole('button', { name: /^Errors/ });
    await errorsHeader.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=errors&dir=desc/);
    expect((await tableRows('services-table')).map((r) => r[0])).toEqual(['cart', 'jobs', 'web']);
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=errors&dir=asc/);
    expect((await tableRows('services-table')).map((r) => r[0])).toEqual(['jobs', 'web', 'cart']);
    expect(await page.locator('th[aria-sort=ascending]').innerText()).toMatch(/^Errors/);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}services.png`, fullPage: true });
  });

  it('opens a service: figures, three charts, endpoints, callers and callees', async () => {
    const link = page.getByTestId('services-table').getByRole('link', { name: 'cart', exact: true });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/services\/cart$/);
    await page.getByTestId('endpoints-table').waitFor();
    const figures = (await page.getByTestId('figures').innerText()).replace(/\s+/g, ' ');
    expect(figures).toContain(`Requests ${expected.cart} `);
    expect(figures).toContain(`Errors ${expected.cartErrors} `);
    for (const chart of ['chart-requests', 'chart-errors', 'chart-latency']) {
      expect(await page.getByTestId(chart).locator('svg[role=img]').getAttribute('aria-label')).toMatch(/per 1m over 61 buckets/);
    }
    expect(await page.getByTestId('chart-requests').locator('rect.chart-bar').count()).toBeGreaterThan(10);
    expect(await page.getByTestId('chart-latency').locator('path.line').count()).toBe(3);
    expect(await tableRows('endpoints-table')).toEqual([['get /api/cart', '20', '0.3', '7', '35%']]);
    expect((await page.getByTestId('upstream').locator('li').innerText()).replace(/\s+/g, ' ')).toBe(`web ${expected.cart} calls ${expected.cartErrors} errors`);
    expect((await page.getByTestId('downstream').locator('li').innerText()).replace(/\s+/g, ' ')).toBe(`db ${expected.cart} calls 0 errors`);
    await page.screenshot({ path: `${ARTIFACTS}service.png`, fullPage: true });
    await page.getByRole('button', { name: 'Switch theme' }).click();
    await page.screenshot({ path: `${ARTIFACTS}service-dark.png`, fullPage: true });
    await page.getByRole('button', { name: 'Switch theme' }).click();

    // A neighbour is a link to its own page.
    await page.getByTestId('upstream').getByRole('link', { name: 'web' }).click();
    await page.waitForURL(/\/services\/web$/);
    await page.getByTestId('endpoints-table').waitFor();
    expect((await tableRows('endpoints-table')).map((r) => [r[0], r[1]])).toEqual([['get /', '20'], ['get /checkout', '20']]);
    expect((await page.getByTestId('downstream').locator('li').innerText()).replace(/\s+/g, ' ')).toBe(`cart ${expected.cart} calls ${expected.cartErrors} errors`);
    await page.goBack();
    await page.waitForURL(/\/services\/cart$/);
  });

  it('opens an endpoint: histogram, slowest requests, each opening its trace', async () => {
    await page.getByTestId('endpoints-table').getByRole('link', { name: 'get /api/cart' }).click();
    await page.waitForURL(/\/services\/cart\/endpoints\/get%20%2Fapi%2Fcart/);
    await page.getByTestId('slowest').waitFor();
    const bars = page.getByTestId('latency-histogram').locator('rect.chart-bar');
    expect(await bars.count()).toBeGreaterThan(5);
    expect(await bars.count()).toBeLessThanOrEqual(40);
    const rows = page.getByTestId('slowest').locator('tbody tr');
    expect(await rows.count()).toBe(expected.cart);
    const first = await rows.first().locator('td').allInnerTexts();
    expect(first[0]).toBe(expected.slowestCart.traceId.slice(16));
    expect(first[2]).toBe(`${Number((expected.slowestCart.duration / 1000).toFixed(1))}ms`);
    expect(await page.getByTestId('slowest').locator('td.error-mark').count()).toBe(expected.cartErrors);
    await page.screenshot({ path: `${ARTIFACTS}endpoint.png`, fullPage: true });
    await rows.first().getByRole('link').click();
    await page.waitForURL(new RegExp(`/trace/${expected.slowestCart.traceId}$`));
    await page.locator('.trace-header').waitFor();
    expect(dialogs).toEqual([]);
  });

  it('shows markup in names as text', async () => {
    await page.goBack();
    await page.getByRole('link', { name: 'Services', exact: true }).first().click();
    await page.getByTestId('services-table').getByRole('link', { name: 'jobs' }).click();
    await page.waitForURL(/\/services\/jobs$/);
    const name = page.getByTestId('endpoints-table').getByRole('link', { name: XSS });
    expect(await name.innerText()).toBe(XSS);
    await name.click();
    await page.waitForURL(/\/services\/jobs\/endpoints\/%3Cimg/);
    expect(await page.locator('.services-page h1').innerText()).toBe(XSS);
    expect(await page.locator('.services-page img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('opens from a deep link with its range', async () => {
    await page.goto(`${server.query}/services/web/endpoints/get%20%2Fcheckout?lookback=6h`);
    await page.getByTestId('slowest').waitFor();
    expect(await page.locator('.services-page h1').innerText()).toBe('get /checkout');
    expect(await page.getByLabel('Time range').inputValue()).toBe('6h');
    expect(await page.getByTestId('slowest').locator('tbody tr').count()).toBe(expected.checkout);
    // The range travels with the breadcrumb links.
    expect(await page.locator('.crumbs a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['/services?lookback=6h', '/services/web?lookback=6h']);
  });

  it('says what counts as a request when a range has none', async () => {
    await page.getByRole('link', { name: 'Services', exact: true }).first().click();
    await page.waitForURL(/\/services(\?|$)/);
    await page.getByTestId('services-table').waitFor();
    await page.getByLabel('Time range').selectOption('15m');
    await page.waitForURL(/lookback=15m/);
    await page.getByText('No requests in this time range.').waitFor();
    expect(await page.locator('.state-empty .state-hint').innerText()).toContain('docs/api.md');
    await page.screenshot({ path: `${ARTIFACTS}services-empty.png` });
  });
});
