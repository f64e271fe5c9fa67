/**
 * Serves Ariadne's web UI on the query port: the built single-page app (ui/dist) with SPA
 * fallback for its routes, security headers, and the compact read API the UI opens traces with
 * (/api/ariadne/traces/...), which answers a 50 000-span trace in a few MB instead of the Jaeger
 * JSON's tens of MB.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, HTTP_STATUS, toAppError } from '../../errors.js';
import { normalizeTraceId } from '../../model/index.js';
import type { Span } from '../../model/index.js';
import type { SpanReader, TenantScope } from '../../storage/api.js';
import { HOST_RESOURCE_KEYS } from '../jaeger/index.js';
import { scopeOf } from '../scope.js';
import { COLUMNS_CONTENT_TYPE, encodeColumns } from './columns.js';
import { firstScreen, firstScreenOptionsOf } from './first-screen.js';
import { findRows, prepareTrace, type PreparedTrace } from './compact-trace.js';
import { detailOf, withDetails } from './details.js';
import { serviceTimes } from './service-times.js';
import { loadStaticFiles, type StaticFile } from './static.js';
import { createTraceCache, type TraceCache } from './trace-cache.js';

/** What the UI plugin needs. */
export interface UiPluginOptions {
  reader: SpanReader;
  /** Shift clock-skewed spans into their parents (as the Jaeger API is configured), otherwise only flag them. */
  adjustClockSkew: boolean;
  /** Folder of the built UI; defaults to the repository's ui/dist. */
  distDir?: string;
  /** Most spans kept across recently opened traces for detail and find requests (default 200 000). */
  cacheMaxSpans?: number;
  /** How long an opened trace stays cached, ms (default 5 minutes). */
  cacheTtlMs?: number;
  /**
   * A trace whose newest span ended at least this long before it was read is taken as complete
   * (late pieces arrive within seconds): opening it again reuses the prepared copy instead of
   * reading storage, until the cache drops it or the request asks `?fresh=1`. Default 2 minutes.
   */
  settleMs?: number;
  /** A read younger than this counts as fresh for any open, e.g. a reload right after an open (default 3 s; 0 never). */
  reuseReadMs?: number;
  /**
   * A trace opened from its skeleton reads its spans' details (for span detail and find requests)
   * this long after its first compact answer was sent, or at the first such request if sooner
   * (default 600 ms: after the browser has painted the timeline, so the two do not compete for
   * the CPU; the whole read of a 50 000-span trace costs several times its skeleton's).
   */
  detailsDelayMs?: number;
  /**
   * Reads are scoped to the request's tenant (multi-tenancy on): a trace prepared ahead of its
   * first open is kept for its spans' tenant; otherwise for every reader. Default false.
   */
  tenancy?: boolean;
  /**
   * Where the engine can watch big traces arrive and count a trace's spans (watchLargeTraces,
   * countTraceSpans), traces of at least this many spans are read and prepared once they have
   * been quiet for prepareAheadQuietMs, so their first open is served like a re-open (0: never).
   * Default 5000.
   */
  prepareAheadMinSpans?: number;
  /** See prepareAheadMinSpans; default 2000 ms. */
  prepareAheadQuietMs?: number;
  /**
   * A /trace/ page whose trace is prepared already (ahead of its first open, or by an open within
   * cacheTtlMs) or is read within this long comes with its first screen drawn in the HTML
   * (first-screen.ts); a slower read is not waited for further (0: never draw it). Default 40 ms.
   * Never with tenancy on: a page request names no tenant.
   */
  firstScreenWaitMs?: number;
}

/** Most big traces waiting to be prepared ahead at once; beyond it new ones are not prepared ahead. */
const PREPARE_AHEAD_MAX_PENDING = 16;

/** The UI's client-side routes; each serves index.html (Jaeger UI's paths, so bookmarks keep working). */
export const UI_ROUTES: readonly string[] = [
  '/', '/search', '/trace/*', '/dependencies', '/compare', '/compare/*', '/ingest', '/services', '/services/*', '/query',
];

/** Default location of the built UI: <repo>/ui/dist. */
export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../../ui/dist', import.meta.url));

/**
 * Content-Security-Policy of every page: scripts, styles and data only from this origin, no inline
 * script, no eval, no plugins, no framing. Span data can never run as code under it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Fastify plugin (encapsulated: `app.register(uiPlugin, opts)` on the query port, next to the
 * Jaeger plugins, with no other route at "/"). Routes:
 * - UI_ROUTES → index.html (no-cache; /trace/ pages also preload their compact trace, whose read
 *   starts as the page is served, and carry the trace's first screen when it is ready in time), and every built file at its path (hashed assets cached a year);
 *   when the UI was not built, the UI routes answer a page saying to run `npm run build:ui`;
 * - GET /api/ariadne/traces/:traceId[?fresh=1] → CompactTrace, read from storage (only its
 *   skeleton where the engine has getTraceSkeleton; details follow, see detailsDelayMs) unless a
 *   complete or just-read prepared copy is cached (see UiPluginOptions.settleMs; 404 when not found);
 *   gzip-compressed when accepted (once per prepared trace; `x-no-compression` opts out);
 * - GET /api/ariadne/traces/:traceId/columns[?fresh=1] → the same trace in binary columns
 *   (encodeColumns), which the UI opens traces with;
 * - GET /api/ariadne/traces/:traceId/spans/:spanId → the span (adjusted as in the trace) with its row;
 * - GET /api/ariadne/traces/:traceId/find?q= → `{rows}`: rows matching the text (see findRows);
 * - GET /api/ariadne/service-times?traceIds=a,b,… → `{traces, services}`: time per service across
 *   up to 200 traces (see serviceTimes), unknown ids skipped.
 * Errors are `{"error": message}` with the AppError's status.
 */
export const uiPlugin: FastifyPluginAsync<UiPluginOptions> = async (app: FastifyInstance, options) => {
  const { reader, adjustClockSkew } = options;
  const cache: TraceCache = createTraceCache({ maxSpans: options.cacheMaxSpans ?? 200_000, ttlMs: options.cacheTtlMs ?? 300_000 });
  const files = await loadStaticFiles(options.distDir ?? DEFAULT_DIST_DIR);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const appErr = toAppError(err);
    const status = HTTP_STATUS[appErr.code];
    if (status >= 500) request.log.error({ err }, appErr.message);
    void reply.status(status).type('application/json; charset=utf-8').send(JSON.stringify({ error: appErr.message }));
  });
  /** Pages sent with a first screen → the nonce of its style element. */
  const styleNonces = new WeakMap<FastifyReply, string>();
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) void reply.header(name, value);
    // A page with a first screen admits its style element by the nonce it was sent with.
    const nonce = styleNonces.get(reply);
    if (nonce !== undefined) void reply.header('content-security-policy', CONTENT_SECURITY_POLICY.replace("style-src 'self'", `style-src 'self' 'nonce-${nonce}'`));
    return payload;
  });

  const settleUs = (options.settleMs ?? 120_000) * 1000;
  const reuseReadMs = options.reuseReadMs ?? 3000;
  const detailsDelayMs = options.detailsDelayMs ?? 600;
  /**
   * The rows' spans with their details, per prepared trace: the prepared spans themselves after a
   * whole read; after a skeleton read, the whole spans read once more and joined onto the rows.
   */
  const detailsOf = new WeakMap<PreparedTrace, Promise<Span[]>>();
  /** The same, once read. */
  const detailed = new WeakMap<PreparedTrace, Span[]>();
  function details(scope: TenantScope, trace: PreparedTrace): Promise<Span[]> {
    let pending = detailsOf.get(trace);
    if (pending === undefined) {
      pending = reader.getTrace({ ...scope, traceId: trace.compact.traceId }).then((full) => {
        const rows = withDetails(trace, full);
        detailed.set(trace, rows);
        return rows;
      });
      detailsOf.set(trace, pending);
      // A failed read is retried by the next request rather than remembered.
      pending.catch(() => detailsOf.delete(trace));
    }
    return pending;
  }
  /**
   * One row's span with its details: from the trace's details when read, else, where the engine
   * can, from a read of that span alone (a span clicked before a big trace's details arrived
   * need not wait for them), else from the details.
   */
  async function spanDetail(scope: TenantScope, trace: PreparedTrace, row: number): Promise<Span> {
    const known = detailed.get(trace);
    if (known !== undefined) return known[row]!;
    if (reader.getSpans === undefined) return (await details(scope, trace))[row]!;
    const whole = await reader.getSpans({ ...scope, traceId: trace.compact.traceId, spanIds: [trace.sources[row]!.spanId] });
    return detailOf(trace, row, whole);
  }

  /** Reads in progress: concurrent opens of one trace share one. */
  const inflight = new Map<string, Promise<Opened>>();
  /** The compact answers of a prepared trace, serialised (and compressed) once per form. */
  const bodiesOf = new WeakMap<PreparedTrace, Partial<Record<TraceForm, Promise<EncodedBody>>>>();
  function encoded(trace: PreparedTrace, form: TraceForm): Promise<EncodedBody> {
    let bodies = bodiesOf.get(trace);
    if (bodies === undefined) bodiesOf.set(trace, (bodies = {}));
    return (bodies[form] ??= encodeBody(form === 'json' ? Buffer.from(JSON.stringify(trace.compact)) : encodeColumns(trace.compact)));
  }

  /** Traces read from their skeleton whose details are read once their first answer has gone out. */
  const detailsAfterSend = new WeakSet<PreparedTrace>();
  /** Starts the timer for a trace's details read, once per trace. */
  function readDetailsSoon(scope: TenantScope, trace: PreparedTrace): void {
    if (!detailsAfterSend.delete(trace)) return;
    setTimeout(() => void details(scope, trace).catch(() => undefined), detailsDelayMs).unref();
  }

  async function sendTrace(request: FastifyRequest<{ Params: { traceId: string }; Querystring: { fresh?: unknown } }>, reply: FastifyReply, form: TraceForm) {
    const scope = scopeOf(request);
    const { trace, timing } = await open(scope, request.params.traceId, request.query.fresh === '1');
    // Timed from when the answer has left (or the connection closed), not from the read: encoding
    // and sending a big answer take long on a busy machine, and the browser still has to paint.
    reply.raw.once('close', () => readDetailsSoon(scope, trace));
    const t0 = performance.now();
    const body = await encoded(trace, form);
    const encodeMs = performance.now() - t0;
    // Server-Timing lets the browser's devtools (and bench/ui) split read from preparation.
    void reply.header('server-timing', encodeMs >= 0.5 ? `${timing}, encode;dur=${encodeMs.toFixed(1)}` : timing);
    void reply.header('cache-control', 'no-store').header('vary', 'accept-encoding')
      .type(form === 'json' ? 'application/json; charset=utf-8' : COLUMNS_CONTENT_TYPE);
    // The compressed copy is made once per prepared trace and kept, so re-opens pay nothing for it
    // (compressing 2.5 MB per request would cost more than loopback transfer saves).
    if (body.gzip !== undefined && acceptsGzip(request) && request.headers['x-no-compression'] === undefined) {
      return reply.header('content-encoding', 'gzip').send(body.gzip);
    }
    return reply.send(body.plain);
  }

  function read(scope: TenantScope, traceId: string): Promise<Opened> {
    const key = cacheKey(scope, traceId);
    const pending = inflight.get(key);
    if (pending) return pending;
    const started = (async (): Promise<Opened> => {
      const t0 = performance.now();
      // The skeleton (no attributes, events, ...) is all the timeline needs; details follow later.
      const lean = reader.getTraceSkeleton !== undefined;
      const spans = lean
        ? await reader.getTraceSkeleton!({ ...scope, traceId, resourceKeys: HOST_RESOURCE_KEYS })
        : await reader.getTrace({ ...scope, traceId });
      if (spans.length === 0) throw new AppError('NOT_FOUND', `trace ${traceId} not found`);
      // Requests that arrived during the read (a trace page's scripts) go out before the preparation,
      // which holds the event loop for ~100 ms per 50 000 spans.
      await new Promise((resolve) => setImmediate(resolve));
      const t1 = performance.now();
      const trace = prepareTrace(spans, { adjustClockSkew });
      cache.set(key, trace);
      if (!lean) {
        detailed.set(trace, trace.spans);
        detailsOf.set(trace, Promise.resolve(trace.spans));
      }
      else detailsAfterSend.add(trace);
      return { trace, timing: `${lean ? 'skeleton' : 'read'};dur=${(t1 - t0).toFixed(1)}, prepare;dur=${(performance.now() - t1).toFixed(1)}` };
    })();
    inflight.set(key, started);
    const forget = () => inflight.delete(key);
    started.then(forget, forget);
    return started;
  }

  /**
   * Opening a trace reads storage (pieces of a trace keep arriving) unless the cached copy is
   * complete by the settle rule or was read moments ago; `fresh` always reads.
   */
  async function open(scope: TenantScope, traceIdText: string, fresh: boolean): Promise<Opened> {
    const traceId = parseTraceId(traceIdText);
    const key = cacheKey(scope, traceId);
    if (!fresh && !inflight.has(key)) {
      const storedAt = cache.storedAt(key);
      const cached = storedAt === undefined ? undefined : cache.get(key);
      if (cached && storedAt !== undefined) {
        const endUs = cached.compact.startUs + cached.compact.durationUs;
        if (Date.now() - storedAt < reuseReadMs || storedAt * 1000 - endUs >= settleUs) {
          return { trace: cached, timing: 'cache;desc="prepared copy"' };
        }
        if (await unchangedSinceAhead(scope, traceId, cached)) return { trace: cached, timing: 'cache;desc="prepared ahead"' };
      }
    }
    return read(scope, traceId);
  }

  /**
   * Prepared ahead of their first open: the span count (countTraceSpans) taken before the read,
   * so an open can tell with one count whether spans arrived since.
   */
  const countedAhead = new WeakMap<PreparedTrace, number>();
  const aheadMinSpans = options.prepareAheadMinSpans ?? 5000;
  const aheadQuietMs = options.prepareAheadQuietMs ?? 2000;
  if (aheadMinSpans > 0 && reader.watchLargeTraces !== undefined && reader.countTraceSpans !== undefined) {
    const count = reader.countTraceSpans.bind(reader);
    /** Traces waiting for their spans to stop arriving, by cache key. */
    const waiting = new Map<string, NodeJS.Timeout>();
    /** One preparation at a time, each followed by a pause as long as it took: it is spare work. */
    let queue = Promise.resolve();
    const prepareAhead = (scope: TenantScope, traceId: string, key: string) => {
      waiting.delete(key);
      queue = queue.then(async () => {
        const t0 = performance.now();
        try {
          // Counted before the read: a span arriving during it makes a later count differ.
          const counted = await count({ ...scope, traceId });
          const { trace } = await read(scope, traceId);
          countedAhead.set(trace, counted);
          // The form the UI opens traces with, compressed, as its first open will ask for it.
          await encoded(trace, 'columns');
        } catch (err) {
          app.log.warn({ err, traceId }, 'preparing a big trace ahead of its first open failed');
        }
        await new Promise((resolve) => setTimeout(resolve, performance.now() - t0).unref());
      });
    };
    const stop = reader.watchLargeTraces(aheadMinSpans, ({ tenant, traceId }) => {
      const scope: TenantScope = options.tenancy === true ? { tenant } : {};
      const key = cacheKey(scope, traceId);
      const pending = waiting.get(key);
      if (pending === undefined && waiting.size >= PREPARE_AHEAD_MAX_PENDING) return;
      clearTimeout(pending);
      waiting.set(key, setTimeout(() => prepareAhead(scope, traceId, key), aheadQuietMs).unref());
    });
    app.addHook('onClose', async () => {
      stop();
      for (const timer of waiting.values()) clearTimeout(timer);
      waiting.clear();
    });
  }

  /** A copy prepared ahead is whole while the trace's span count is what it was before its read. */
  async function unchangedSinceAhead(scope: TenantScope, traceId: string, trace: PreparedTrace): Promise<boolean> {
    const counted = countedAhead.get(trace);
    if (counted === undefined || reader.countTraceSpans === undefined) return false;
    return (await reader.countTraceSpans({ ...scope, traceId })) === counted;
  }

  /** Detail and find requests reuse what the last open prepared, so their rows match what the user sees. */
  async function load(scope: TenantScope, traceIdText: string): Promise<PreparedTrace> {
    const traceId = parseTraceId(traceIdText);
    return cache.get(cacheKey(scope, traceId)) ?? (await read(scope, traceId)).trace;
  }

  app.get<{ Params: { traceId: string }; Querystring: { fresh?: unknown } }>('/api/ariadne/traces/:traceId', (request, reply) => sendTrace(request, reply, 'json'));
  app.get<{ Params: { traceId: string }; Querystring: { fresh?: unknown } }>('/api/ariadne/traces/:traceId/columns', (request, reply) => sendTrace(request, reply, 'columns'));

  app.get<{ Params: { traceId: string; spanId: string } }>('/api/ariadne/traces/:traceId/spans/:spanId', async (request, reply) => {
    const scope = scopeOf(request);
    const trace = await load(scope, request.params.traceId);
    const spanId = request.params.spanId.toLowerCase();
    const row = trace.rowOf(spanId);
    if (row === undefined) throw new AppError('NOT_FOUND', `span ${spanId} not found in trace ${trace.compact.traceId}`);
    return sendJson(reply, { row, span: await spanDetail(scope, trace, row) });
  });

  app.get<{ Params: { traceId: string }; Querystring: { q?: unknown } }>('/api/ariadne/traces/:traceId/find', async (request, reply) => {
    const q = request.query.q;
    if (typeof q !== 'string') throw new AppError('INVALID_ARGUMENT', 'q: expected the text to find');
    const scope = scopeOf(request);
    const trace = await load(scope, request.params.traceId);
    return sendJson(reply, { rows: findRows(await details(scope, trace), q) });
  });

  app.get<{ Querystring: { traceIds?: unknown } }>('/api/ariadne/service-times', async (request, reply) => {
    const text = request.query.traceIds;
    if (typeof text !== 'string' || text.trim() === '') throw new AppError('INVALID_ARGUMENT', 'traceIds: expected comma-separated trace ids');
    const ids = [...new Set(text.split(',').map((id) => parseTraceId(id.trim())))];
    if (ids.length > MAX_SERVICE_TIME_TRACES) {
      throw new AppError('INVALID_ARGUMENT', `traceIds: at most ${MAX_SERVICE_TIME_TRACES} traces, got ${ids.length}`);
    }
    const scope = scopeOf(request);
    const traces: PreparedTrace[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const cached = cache.get(cacheKey(scope, id));
      if (cached) traces.push(cached);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const spans of await reader.getTraces({ ...scope, traceIds: missing })) {
        if (spans.length > 0) traces.push(prepareTrace(spans, { adjustClockSkew }));
      }
    }
    return sendJson(reply, { traces: traces.length, services: serviceTimes(traces) });
  });

  if (files === undefined) {
    for (const route of UI_ROUTES) {
      app.get(route, async (_request, reply) => reply.status(503).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(NOT_BUILT_PAGE));
    }
    return;
  }
  const index = files.get('/index.html')!;
  for (const route of UI_ROUTES) {
    if (route === '/trace/*') continue;
    app.get(route, async (request, reply) => sendFile(request, reply, index));
  }
  const indexHtml = index.body.toString('utf8');
  const firstScreenWaitMs = options.firstScreenWaitMs ?? 40;
  app.get<{ Params: { '*': string }; Querystring: Record<string, unknown> }>('/trace/*', async (request, reply) => {
    const links = preloadLinks(request.params['*']);
    const ids = request.params['*'].split('...');
    let opening: Promise<Opened> | undefined;
    let atHand: PreparedTrace | undefined;
    if (links !== '') {
      // Start reading the trace now: the page asks for it only once its HTML has arrived, and the
      // request then joins this read (in bench:ui's first opens that request came 190-700 ms after
      // navigation, the HTML's within a few ms).
      // Errors are left to that request, which reports them.
      const scope = scopeOf(request);
      const opens = ids.map((id) => open(scope, id, false));
      for (const o of opens) o.catch(() => undefined);
      // Only the plain timeline view of one trace has a first screen: a query string names a span,
      // a zoom, a find or another view, which the app alone draws.
      // With multi-tenancy a page request names no tenant (a browser sends no tenant header when it
      // navigates; the app adds it to its API requests): the page must carry no trace data then.
      if (opens.length === 1 && Object.keys(request.query).length === 0 && firstScreenWaitMs > 0 && options.tenancy !== true) {
        opening = opens[0];
        // A copy prepared earlier is drawn at once, even when the open above checks or reads the
        // trace again (spans may have arrived since): the app's first render shows that answer.
        atHand = cache.get(cacheKey(scope, parseTraceId(ids[0]!)));
      }
    }
    if (links === '' || !indexHtml.includes('</head>')) return sendFile(request, reply, index);
    let html = indexHtml.replace('</head>', `${links}</head>`);
    // A trace at hand (prepared ahead, or read lately) is drawn into the page, so its first rows
    // paint before the app has loaded; one still being read is not waited for beyond a moment.
    const prepared = atHand ?? (opening === undefined ? undefined : (await settledWithin(opening, firstScreenWaitMs))?.trace);
    if (prepared !== undefined && html.includes(ROOT_ELEMENT)) {
      const look = firstScreenOptionsOf(request.headers.cookie);
      const { html: screen, css } = firstScreen(prepared.compact, look);
      const nonce = randomBytes(16).toString('base64');
      styleNonces.set(reply, nonce);
      html = html.replace(/<html(?=[\s>])/, `<html data-theme="${look.theme}"`)
        .replace(ROOT_ELEMENT, `<div id="root"><style nonce="${nonce}">${css}</style>${screen}</div>`);
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  });
  for (const file of files.values()) {
    if (file.path === '/index.html') continue;
    app.get(file.path, async (request, reply) => sendFile(request, reply, file));
  }
};

/**
 * `<link rel="preload">` tags for the compact trace(s) a /trace/ page will fetch, so the browser
 * downloads the trace while it still loads the app's script. Only plain hex ids (one, or Jaeger's
 * `a...b` pair) are echoed into the page; anything else gets no link.
 */
export function preloadLinks(path: string): string {
  const ids = path.split('...');
  if (ids.length > 2 || !ids.every((id) => /^[0-9a-fA-F]{1,32}$/.test(id))) return '';
  return ids.map((id) => `<link rel="preload" as="fetch" crossorigin="anonymous" href="/api/ariadne/traces/${id}/columns">`).join('');
}

/** The app's mount point in the built index.html, which a first screen fills. */
const ROOT_ELEMENT = '<div id="root"></div>';

/** The promise's value if it settles successfully within `ms`, else undefined (never rejects). */
function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}

/** The cache and in-flight key of a trace as one scope sees it: tenants never share a prepared copy. */
function cacheKey(scope: TenantScope, traceId: string): string {
  return scope.tenant === undefined ? traceId : `${traceId}/${scope.tenant}`;
}

/** Most traces one service-times request may name (a search shows at most this many at once in practice). */
const MAX_SERVICE_TIME_TRACES = 200;

/** Answers at least this big are also kept gzip-compressed. */
const GZIP_MIN_BYTES = 8192;

const gzipAsync = promisify(gzip);

/** The two forms of the compact trace answer: JSON, or the binary columns the UI reads. */
type TraceForm = 'json' | 'columns';

/** A compact trace answer ready to send: plain bytes and, when big enough to gain, gzip bytes. */
interface EncodedBody {
  plain: Buffer;
  gzip?: Buffer;
}

/**
 * Compresses once: level 1 packs 2.5 MB of compact JSON in ~30 ms to 40 % of its size (level 6
 * gains another 3 % for ~3× the time), off the event loop on libuv's pool.
 */
async function encodeBody(plain: Buffer): Promise<EncodedBody> {
  if (plain.length < GZIP_MIN_BYTES) return { plain };
  return { plain, gzip: await gzipAsync(plain, { level: 1 }) };
}

function acceptsGzip(request: FastifyRequest): boolean {
  return /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
}

/** An opened trace and how it was obtained, for the Server-Timing header. */
interface Opened {
  trace: PreparedTrace;
  timing: string;
}

function parseTraceId(text: string): string {
  const id = normalizeTraceId(text);
  if (id === undefined) throw new AppError('INVALID_ARGUMENT', `traceId: expected 1 to 32 hex chars, got ${JSON.stringify(text.slice(0, 64))}`);
  return id;
}

function sendJson(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(body));
}

function sendFile(request: FastifyRequest, reply: FastifyReply, file: StaticFile): FastifyReply {
  void reply.header('cache-control', file.cacheControl).header('vary', 'accept-encoding').type(file.contentType);
  if (file.gzip !== undefined && acceptsGzip(request)) {
    return reply.header('content-encoding', 'gzip').send(file.gzip);
  }
  return reply.send(file.body);
}

/** Shown instead of the UI when ui/dist is missing; static text, nothing to escape. */
const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ariadne: UI not built</title></head>
<body>
<h1>The Ariadne web UI has not been built</h1>
<p>Run <code>npm run build:ui</code> in the Ariadne folder (or <code>npm install</code>, which builds it), then restart the server.</p>
<p>The APIs work without it: <a href="/api/services">/api/services</a>, <code>/api/traces</code>, <code>/api/v3/...</code>.</p>
</body></html>
`;
