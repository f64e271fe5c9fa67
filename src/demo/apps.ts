/**
 * Bookinfo-like applications (productpage, details, reviews v1/v2/v3, ratings) as plain node:http
 * servers. They know nothing about tracing beyond copying the propagation headers from the request
 * they serve to the requests they make, which is all Bookinfo's services do; their calls go to
 * their sidecar's outbound listener with the callee's name in the Host header.
 */
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../errors.js';
import { PROPAGATED_HEADERS } from './b3.js';
import { SERVICE_PORT } from './sidecar.js';

/** The four Bookinfo services. */
export type BookinfoService = 'productpage' | 'details' | 'reviews' | 'ratings';

/** Options of {@link startBookinfoApp}. */
export interface BookinfoAppOptions {
  service: BookinfoService;
  /** `v1`, `v2` or `v3` (reviews); `v1` elsewhere. v1 reviews do not call ratings. */
  version: string;
  /**
   * The sidecar outbound listener this app sends its calls to (a function when the sidecar starts
   * after the app, since each needs the other's port); unused by details, ratings and reviews v1.
   */
  outboundUrl?: string | (() => string);
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Percentage of ratings requests answered 503; ratings only. */
  failPercent?: number;
  /** Added to every response, in ms. */
  delayMs?: number;
  /** Draws in [0, 1) for fault injection; default Math.random. */
  random?: () => number;
}

/** A running app. */
export interface BookinfoApp {
  readonly url: string;
  /** Requests served, by HTTP status. */
  statuses(): Record<number, number>;
  close(): Promise<void>;
}

/** Headers an app copies from its request to its calls: the tracing ones and the user agent. */
const FORWARDED = [...PROPAGATED_HEADERS, 'user-agent'];

function copyTracingHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name of FORWARDED) {
    const value = incoming[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

interface CallResult {
  status: number;
  body: unknown;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts one Bookinfo app; rejects on a bad option or an unbindable port. */
export async function startBookinfoApp(options: BookinfoAppOptions): Promise<BookinfoApp> {
  const random = options.random ?? Math.random;
  const failPercent = options.failPercent ?? 0;
  const delayMs = options.delayMs ?? 0;
  const calls = options.service === 'productpage' || (options.service === 'reviews' && options.version !== 'v1');
  if (calls && options.outboundUrl === undefined) {
    throw new AppError('INVALID_ARGUMENT', `${options.service}-${options.version}: outboundUrl is required (it calls other services)`);
  }
  const outboundUrl = options.outboundUrl;
  const outbound = (): URL => new URL(typeof outboundUrl === 'function' ? outboundUrl() : outboundUrl!);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const statuses: Record<number, number> = {};

  const call = (service: BookinfoService, path: string, incoming: IncomingHttpHeaders): Promise<CallResult> =>
    new Promise((resolve) => {
      const target = outbound();
      const req = httpRequest({
        hostname: target.hostname, port: target.port, path, method: 'GET', agent,
        headers: { ...copyTracingHeaders(incoming), host: `${service}:${SERVICE_PORT}` },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', () => resolve({ status: 0, body: undefined }));
      });
      req.on('error', () => resolve({ status: 0, body: undefined }));
      req.end();
    });

  const handle = async (path: string, headers: IncomingHttpHeaders): Promise<{ status: number; body: unknown }> => {
    if (delayMs > 0) await sleep(delayMs);
    const id = Number(/\/(\d+)$/.exec(path)?.[1] ?? 0);
    switch (options.service) {
      case 'productpage': {
        if (path !== '/productpage' && path !== '/') break;
        // Sequential, as Bookinfo's productpage fetches details and then reviews.
        const details = await call('details', `/details/${id}`, headers);
        const reviews = await call('reviews', `/reviews/${id}`, headers);
        return {
          status: 200,
          body: {
            details: details.status === 200 ? details.body : { error: 'Sorry, product details are currently unavailable for this book.' },
            reviews: reviews.status === 200 ? reviews.body : { error: 'Sorry, product reviews are currently unavailable for this book.' },
          },
        };
      }
      case 'details':
        if (!path.startsWith('/details/')) break;
        return {
          status: 200,
          body: { id, author: 'William Shakespeare', year: 1595, type: 'paperback', pages: 200, publisher: 'PublisherA', language: 'English', 'ISBN-10': '1234567890', 'ISBN-13': '123-1234567890' },
        };
      case 'reviews': {
        if (!path.startsWith('/reviews/')) break;
        const reviews: Array<Record<string, unknown>> = [
          { reviewer: 'Reviewer1', text: 'An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!' },
          { reviewer: 'Reviewer2', text: 'Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.' },
        ];
        if (options.version !== 'v1') {
          const color = options.version === 'v2' ? 'black' : 'red';
          const ratings = await call('ratings', `/ratings/${id}`, headers);
          const stars = (ratings.body as { ratings?: Record<string, number> } | undefined)?.ratings;
          for (const review of reviews) {
            const given = stars?.[review['reviewer'] as string];
            review['rating'] = ratings.status === 200 && given !== undefined ? { stars: given, color } : { error: 'Ratings service is currently unavailable' };
          }
        }
        return { status: 200, body: { id, podname: `reviews-${options.version}-0`, clustername: 'null', reviews } };
      }
      case 'ratings':
        if (!path.startsWith('/ratings/')) break;
        if (random() * 100 < failPercent) return { status: 503, body: { error: 'injected fault: ratings unavailable' } };
        return { status: 200, body: { id, ratings: { Reviewer1: 5, Reviewer2: 4 } } };
    }
    return { status: 404, body: { error: `no route for ${path}` } };
  };

  const server: Server = createServer((req, res) => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0]!;
    void handle(path, req.headers).then(({ status, body }) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    statuses: () => ({ ...statuses }),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}
