/**
 * Every view's empty, loading and error states in real Chromium against a real server that has
 * received nothing: what each says and what it points to next. Loading states are held open by
 * delaying the real server's answers in the browser (the answers themselves are the server's);
 * error states come from the server being stopped while the app is open. Screenshots: states-*.
 */
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, type ServerProcess } from '../e2e/server.js';
import { ARTIFACTS, launchChromium, startUiServer } from './harness.js';

const MISSING_A = 'aaaaaaaaaaaaaaaa1111111111111111';
const MISSING_B = 'bbbbbbbbbbbbbbbb2222222222222222';

let server: ServerProcess;
let dataDir: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ server, dataDir } = await startUiServer('ariadne-ui-states-'));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
  page.setDefaultTimeout(10_000);
}, 60_000);

afterEach(async () => {
  await page.unrouteAll({ behavior: 'ignoreErrors' });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await removeDir(dataDir);
});

/** Holds the server's answers to `pattern` until `release` is called. */
async function holdAnswers(pattern: string): Promise<() => Promise<void>> {
  const held: Route[] = [];
  let released = false;
  await page.route(pattern, (route) => (released ? route.continue() : void held.push(route)));
  return async () => {
    released = true;
    await Promise.all(held.map((r) => r.continue()));
    await page.unroute(pattern);
  };
}

/** Navigates inside the open app, as its links do (no reload, so it keeps running with the server gone). */
async function goInApp(path: string): Promise<void> {
  await page.evaluate(`history.pushState(null, '', ${JSON.stringify(path)}); dispatchEvent(new PopStateEvent('popstate'))`);
}

const text = async (selector: string) => (await page.locator(selector).first().innerText()).trim();

/** Waits for a loading state saying `what` (a view's code may show its own loading line first). */
const loading = (what: string) => page.getByRole('status').filter({ hasText: `Loading ${what}…` }).waitFor();

describe('empty, loading and error states in Chromium', () => {
  it('search: loading services, then none received, then no traces for a search', async () => {
    const release = await holdAnswers('**/api/services');
    await page.goto(`${server.query}/search`);
    await loading('services');
    await release();
    expect(await text('.search-side .state-empty strong')).toBe('No services yet: nothing received.');
    await page.goto(`${server.query}/search?service=nothing&lookback=1h`);
    expect(await text('.search-results .state-empty strong')).toBe('No traces match this search.');
  });

  it('trace: loading, then not found with a way back to search', async () => {
    const release = await holdAnswers('**/api/ariadne/traces/*/columns');
    await page.goto(`${server.query}/trace/${MISSING_A}`);
    await loading(`trace ${MISSING_A}`);
    await release();
    expect(await text('.state-empty strong')).toBe(`Trace ${MISSING_A} was not found.`);
    expect(await page.locator('.state-empty a').getAttribute('href')).toBe('/search');
    await page.screenshot({ path: `${ARTIFACTS}states-trace-not-found.png` });
  });

  it('compare: nothing picked, loading, then the missing trace named', async () => {
    await page.goto(`${server.query}/compare`);
    expect(await text('.state-empty strong')).toBe('Pick two traces to compare.');
    const release = await holdAnswers('**/api/ariadne/traces/*/columns');
    await page.goto(`${server.query}/trace/${MISSING_A}...${MISSING_B}`);
    await loading('both traces');
    await release();
    expect(await text('[role=alert] .state-message')).toBe(`trace ${MISSING_A} not found`);
    expect(await text('[role=alert] .state-hint')).toBe(`Trace A (${MISSING_A}) could not be opened.`);
  });

  it('dependencies: loading, then no calls in the range', async () => {
    const release = await holdAnswers('**/api/dependencies?*');
    await page.goto(`${server.query}/dependencies`);
    await loading('dependencies');
    await release();
    expect(await text('.state-empty strong')).toBe('No service calls in this time range.');
  });

  it('ingest: loading, then nothing received yet', async () => {
    const release = await holdAnswers('**/api/ariadne/ingest');
    await page.goto(`${server.query}/ingest`);
    await loading('ingest statistics');
    await release();
    expect(await text('.state-empty strong')).toBe('Nothing received yet.');
  });

  it('every view says the server cannot be reached once it stops', async () => {
    // Every view's code is loaded first (they load on first use), then the server goes away.
    await page.goto(`${server.query}/search`);
    await page.locator('.search-side .state-empty').waitFor();
    for (const path of ['/dependencies', '/ingest', '/compare', '/search']) {
      await goInApp(path);
      await page.locator('.state').first().waitFor();
    }
    await server.stop();
    const views: Array<{ path: string; hint: string }> = [
      { path: `/trace/${MISSING_B}`, hint: 'Reload the page; if it persists, check the server log.' },
      { path: '/dependencies?lookback=7d', hint: 'Reload the page; if it persists, check the server log.' },
      { path: '/search?service=gone&lookback=2h', hint: 'Change the search and try again.' },
      { path: `/trace/${MISSING_B}...${MISSING_A}`, hint: `Trace A (${MISSING_B}) could not be opened.` },
      { path: '/ingest', hint: 'Check that the Ariadne query port is reachable, then refresh.' },
    ];
    for (const { path, hint } of views) {
      await goInApp(path);
      const alert = page.locator('[role=alert]').first();
      await alert.waitFor({ timeout: 15_000 });
      expect(await alert.locator('.state-message').innerText()).toMatch(/^cannot reach the Ariadne server \(.*\); is it running\?$/);
      expect(await alert.locator('.state-hint').innerText()).toBe(hint);
    }
    await page.screenshot({ path: `${ARTIFACTS}states-server-gone.png` });
  }, 60_000);
});
