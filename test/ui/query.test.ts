/**
 * The Query page and the Search page's advanced query in real Chromium against the real server fed
 * by the real zipkin tracer: a grouped statement as bars and a table, a time-bucketed one as lines,
 * a mistake shown with a caret at its position, a span list linking to its trace, span data shown
 * as text, and the advanced trace search with whole-trace duration bounds. Screenshots: query-bars,
 * query-lines, query-error, query-spans, search-advanced.
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
let traces: ShopTrace[];
const dialogs: string[] = [];

async function runStatement(statement: string): Promise<void> {
  const editor = page.getByLabel('Statement', { exact: true });
  await editor.fill(statement);
  await editor.press('Control+Enter');
}

async function tableRows(): Promise<string[][]> {
  return page.getByTestId('query-table').locator('tbody tr').evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

beforeAll(async () => {
  ({ server, dataDir } = await startUiServer('ariadne-ui-query-'));
  const now = Date.now() * 1000;
  traces = [
    await sendShop(server.zipkin, now - 180_000_000, XSS),
    await sendShop(server.zipkin, now - 120_000_000, 'plain note'),
    await sendShop(server.zipkin, now - 60_000_000, 'third'),
  ];
  // Every span is readable through the statement API before the page asks.
  await eventually(async () => {
    const res = await getJson(`${server.query}/api/ariadne/query?q=${encodeURIComponent('| stats count()')}&lookback=1h`);
    return res.status === 200 && res.body.rows?.[0]?.[0] === 9 ? true : undefined;
  }, 15_000);
  browser = await launchChromium();
  page = await openPage(browser, dialogs);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await removeDir(dataDir);
});

describe('Query page in Chromium', () => {
  it('runs a grouped statement from the nav and shows bars and a table', async () => {
    await page.goto(`${server.query}/search`);
    await page.getByRole('link', { name: 'Query', exact: true }).click();
    await page.waitForURL(/\/query$/);
    await runStatement('| stats count(), errors(), p95(duration) by service');
    await page.getByTestId('query-table').waitFor();
    // Per trace: frontend's root (1000 µs) and client (800 µs), backend's shared server half (600 µs, failed).
    expect(await tableRows()).toEqual([['backend', '3', '3', '600µs'], ['frontend', '6', '0', '1ms']]);
    expect(await page.getByTestId('query-count').innerText()).toBe('2 rows');
    expect(await page.getByTestId('query-chart').getAttribute('data-kind')).toBe('bar');
    expect(await page.locator('.query-bar').count()).toBe(2);
    const url = new URL(page.url());
    expect([url.searchParams.get('q'), url.searchParams.get('lookback')]).toEqual(['| stats count(), errors(), p95(duration) by service', '1h']);
    await page.screenshot({ path: `${ARTIFACTS}query-bars.png` });
  });

  it('draws lines for a statement grouped by a time bucket, one per service', async () => {
    await runStatement('| stats count() by service, bucket(1m)');
    await page.locator('[data-testid=query-chart][data-kind=line]').waitFor();
    expect(await page.locator('.query-line').count()).toBe(2);
    expect(await page.locator('.query-legend .legend-item').allInnerTexts()).toEqual(['frontend', 'backend']);
    expect((await tableRows()).length).toBe(6);
    await page.screenshot({ path: `${ARTIFACTS}query-lines.png` });
  });

  it('shows a mistake with a caret under its position', async () => {
    await runStatement('service = | stats count()');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.locator('.state-message').innerText()).toBe('at 1:11: expected a value after "=", found "|"');
    expect(await page.getByTestId('statement-caret').textContent()).toBe('service = | stats count()\n          ^');
    await page.getByRole('button', { name: 'Go to the mistake' }).click();
    expect(await page.getByLabel('Statement', { exact: true }).evaluate((el: HTMLTextAreaElement) => [el.selectionStart, document.activeElement === el])).toEqual([10, true]);
    await page.screenshot({ path: `${ARTIFACTS}query-error.png` });
  });

  it('shows span data as text', async () => {
    await runStatement('note exists | stats count() by note | sort note');
    await page.getByTestId('query-table').waitFor();
    expect(await tableRows()).toEqual([[XSS, '1'], ['plain note', '1'], ['third', '1']]);
    expect(await page.locator('.query-table img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('lists spans longest first, each opening its trace', async () => {
    await runStatement('service = "frontend" and kind = "server" | sort duration | limit 2');
    await page.locator('[data-testid=query-table] tbody tr').nth(1).waitFor();
    const rows = await tableRows();
    expect(rows.map((r) => r.slice(1).join(' '))).toEqual([
      // Equal durations: the newest first.
      `${traces[2]!.traceId} ${traces[2]!.rootId} frontend get /checkout server unset 1ms`,
      `${traces[1]!.traceId} ${traces[1]!.rootId} frontend get /checkout server unset 1ms`,
    ]);
    expect(await page.getByTestId('query-count').innerText()).toBe('2 spans');
    await page.screenshot({ path: `${ARTIFACTS}query-spans.png` });
    await page.getByRole('link', { name: traces[2]!.traceId }).click();
    await page.waitForURL(new RegExp(`/trace/${traces[2]!.traceId}$`));
    await page.locator('.span-row').nth(2).waitFor();
  });

  it('reopens the same statement from its link', async () => {
    const q = '| stats count() by service';
    await page.goto(`${server.query}/query?q=${encodeURIComponent(q)}&lookback=1h`);
    await page.getByTestId('query-table').waitFor();
    expect(await page.getByLabel('Statement', { exact: true }).inputValue()).toBe(q);
    expect(await tableRows()).toEqual([['backend', '3'], ['frontend', '6']]);
  });
});

describe('Search page advanced query in Chromium', () => {
  it('finds traces where one span matches, and bounds the whole trace apart', async () => {
    await page.goto(`${server.query}/search`);
    const filter = page.getByLabel('Advanced query filter');
    await filter.fill('note = "plain note" or (note exists and not note =~ "^(third|plain)")');
    await page.getByRole('button', { name: 'Find traces with the query' }).click();
    await page.locator('.result').nth(1).waitFor();
    expect(await page.locator('.result').evaluateAll((els) => els.map((e) => e.getAttribute('data-trace-id')))).toEqual([traces[1]!.traceId, traces[0]!.traceId]);
    expect(new URL(page.url()).searchParams.get('q')).toBe('note = "plain note" or (note exists and not note =~ "^(third|plain)")');
    await page.screenshot({ path: `${ARTIFACTS}search-advanced.png` });

    // Each trace lasts 1 ms: a whole-trace bound of at least 2 ms leaves none, though every span is shorter.
    await page.getByLabel('Whole trace at least').fill('2ms');
    await page.getByRole('button', { name: 'Find traces with the query' }).click();
    await page.getByText('No traces match this search.').waitFor();

    await page.getByLabel('Advanced query filter').fill('note = ');
    await page.getByRole('button', { name: 'Find traces with the query' }).click();
    await page.getByTestId('statement-caret').waitFor();
    expect(await page.getByTestId('statement-caret').textContent()).toBe('note = \n       ^');
  });
});
