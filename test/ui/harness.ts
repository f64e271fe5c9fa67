/**
 * What the real-browser tests share: a built UI, the real server (test/e2e's harness), traces sent
 * by the real npm `zipkin` tracer, and Debian's Chromium driven by playwright-core.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import zipkin from 'zipkin';
import { removeDir, startServerProcess, tempDir, type ServerProcess } from '../e2e/server.js';
import transport from 'zipkin-transport-http';

const { Tracer, BatchRecorder, ExplicitContext, Annotation, InetAddress, TraceId, option, jsonEncoder } = zipkin;
const { HttpLogger } = transport;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Folder the tests save screenshots in (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

/** Builds ui/dist when it is missing, so a fresh checkout's test run has something to serve. */
export function ensureUiBuilt(): void {
  if (existsSync(`${ROOT}ui/dist/index.html`)) return;
  const res = spawnSync(process.execPath, [`${ROOT}node_modules/vite/bin/vite.js`, 'build', 'ui', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`vite build failed: ${res.stderr}`);
}

/** Launches headless Chromium (CHROMIUM_PATH, else Debian's /usr/bin/chromium). */
export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}

/**
 * A page with a 10 s default timeout whose dialogs are dismissed and recorded in `dialogs`, so a
 * test can assert that no span data ran as script (an injected `alert` would show there).
 */
export async function openPage(browser: Browser, dialogs: string[], viewport = { width: 1400, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(10_000);
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return page;
}

/** Ids of what {@link sendShop} reported. */
export interface ShopTrace {
  traceId: string;
  rootId: string;
  clientId: string;
}

/**
 * Reports one request through the real zipkin tracer: frontend `get /checkout` calls backend
 * `get /api/cart` (shared client/server span id, as B3 propagation gives), which fails; the
 * client span carries `note`. t0 is µs since the epoch.
 */
export async function sendShop(zipkinUrl: string, t0: number, note: string): Promise<ShopTrace> {
  const logger = new HttpLogger({ endpoint: `${zipkinUrl}/api/v2/spans`, jsonEncoder: jsonEncoder.JSON_V2, httpInterval: 60_000 });
  const recorder = new BatchRecorder({ logger });
  const ctxImpl = new ExplicitContext();
  const frontend = new Tracer({ ctxImpl, recorder, localServiceName: 'frontend', traceId128Bit: true });
  const backend = new Tracer({ ctxImpl, recorder, localServiceName: 'backend' });
  const root = frontend.createRootId(new option.Some(true));
  frontend.letId(root, () => {
    frontend.recordServiceName('frontend');
    frontend.recordRpc('get /checkout');
    frontend.recordAnnotation(new Annotation.ServerRecv(), t0);
    frontend.recordAnnotation(new Annotation.LocalAddr({ host: new InetAddress('10.0.0.1'), port: 8080 }));
    frontend.recordBinary('http.path', '/checkout');
  });
  const client = frontend.createChildId(root);
  frontend.letId(client, () => {
    frontend.recordServiceName('frontend');
    frontend.recordRpc('get /api/cart');
    frontend.recordAnnotation(new Annotation.ClientSend(), t0 + 100);
    frontend.recordAnnotation(new Annotation.ServerAddr({ serviceName: 'backend' }));
    frontend.recordBinary('http.status_code', '500');
    frontend.recordBinary('note', note);
    frontend.recordAnnotation(new Annotation.ClientRecv(), t0 + 900);
  });
  const serverSide = new TraceId({
    traceId: client.traceId, parentId: new option.Some(root.spanId), spanId: client.spanId, sampled: new option.Some(true), shared: true,
  });
  backend.letId(serverSide, () => {
    backend.recordServiceName('backend');
    backend.recordRpc('get /api/cart');
    backend.recordAnnotation(new Annotation.ServerRecv(), t0 + 200);
    backend.recordBinary('error', 'database down');
    backend.recordAnnotation(new Annotation.ServerSend(), t0 + 800);
  });
  frontend.letId(root, () => frontend.recordAnnotation(new Annotation.ServerSend(), t0 + 1000));
  await (logger as unknown as { processQueue(f: typeof fetch): Promise<void> }).processQueue(fetch);
  return { traceId: root.traceId as string, rootId: root.spanId as string, clientId: client.spanId as string };
}

/**
 * Builds the UI if needed, starts the real server on a new data dir named after `prefix`, and
 * checks that its query port serves the UI (GET /search answers the app's page).
 */
export async function startUiServer(prefix: string): Promise<{ server: ServerProcess; dataDir: string }> {
  ensureUiBuilt();
  const dataDir = await tempDir(prefix);
  const server = await startServerProcess({ dataDir });
  const res = await fetch(`${server.query}/search`);
  const text = await res.text();
  if (!res.ok || !text.includes('<div id="root">')) {
    await server.stop();
    await removeDir(dataDir);
    throw new Error(`the query port does not serve the UI: GET /search answered ${res.status}: ${text.slice(0, 120)}`);
  }
  return { server, dataDir };
}
