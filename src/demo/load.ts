/** A paced request loop that drives the demo's entry service, like a user refreshing productpage. */
import { Agent, request as httpRequest } from 'node:http';
import { AppError } from '../errors.js';

/** Options of {@link startLoad}. */
export interface LoadOptions {
  /** Full URL requested, e.g. http://127.0.0.1:PORT/productpage. */
  url: string;
  /** Host header sent (the service's logical address); default the URL's host. */
  hostHeader?: string;
  /** Requests started per second, > 0. */
  rate: number;
  /** Stop after starting this many; default unbounded (until stop()). */
  requests?: number;
  /** Requests in flight at most; a tick finding them all busy is skipped and counted; default 32. */
  maxInFlight?: number;
  /** Sent as user-agent; default `ariadne-demo-load`. */
  userAgent?: string;
}

/** Counters of a load loop. */
export interface LoadStats {
  sent: number;
  completed: number;
  /** Completed requests by HTTP status. */
  statuses: Record<number, number>;
  /** Requests that failed without a response. */
  errors: number;
  /** Ticks skipped because maxInFlight requests were still running. */
  skipped: number;
}

/** A running load loop. */
export interface Load {
  /** Resolves when the requested count has completed, or after stop() once in-flight requests end. */
  readonly done: Promise<LoadStats>;
  stats(): LoadStats;
  stop(): void;
}

/** Starts sending at once; throws INVALID_ARGUMENT on a non-positive rate or count. */
export function startLoad(options: LoadOptions): Load {
  if (!Number.isFinite(options.rate) || options.rate <= 0) throw new AppError('INVALID_ARGUMENT', `load.rate: expected requests per second > 0, got ${options.rate}`);
  if (options.requests !== undefined && (!Number.isInteger(options.requests) || options.requests < 0)) {
    throw new AppError('INVALID_ARGUMENT', `load.requests: expected a whole number >= 0, got ${options.requests}`);
  }
  const url = new URL(options.url);
  const maxInFlight = options.maxInFlight ?? 32;
  const intervalMs = 1000 / options.rate;
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const stats: LoadStats = { sent: 0, completed: 0, statuses: {}, errors: 0, skipped: 0 };
  let inFlight = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveDone!: (stats: LoadStats) => void;
  const done = new Promise<LoadStats>((resolve) => { resolveDone = resolve; });
  const startedAt = performance.now();
  let ticks = 0;

  const finishIfDone = (): void => {
    const exhausted = options.requests !== undefined && stats.sent >= options.requests;
    if ((stopped || exhausted) && inFlight === 0) {
      if (timer !== undefined) clearTimeout(timer);
      agent.destroy();
      resolveDone({ ...stats, statuses: { ...stats.statuses } });
    }
  };

  const send = (): void => {
    stats.sent++;
    inFlight++;
    const settle = (status: number | undefined): void => {
      inFlight--;
      if (status === undefined) stats.errors++;
      else {
        stats.completed++;
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
      }
      finishIfDone();
    };
    const req = httpRequest(url, {
      agent,
      headers: { host: options.hostHeader ?? url.host, 'user-agent': options.userAgent ?? 'ariadne-demo-load' },
    }, (res) => {
      res.resume();
      res.on('end', () => settle(res.statusCode ?? 0));
      res.on('error', () => settle(undefined));
    });
    req.on('error', () => settle(undefined));
    req.end();
  };

  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    if (options.requests !== undefined && stats.sent >= options.requests) {
      finishIfDone();
      return;
    }
    if (inFlight >= maxInFlight) stats.skipped++;
    else send();
    ticks++;
    // Pace against the start time so timer lateness does not lower the rate.
    const next = startedAt + ticks * intervalMs - performance.now();
    timer = setTimeout(tick, Math.max(0, next));
  };

  if (options.requests === 0) {
    stopped = true;
    finishIfDone();
  } else {
    tick();
  }
  return {
    done,
    stats: () => ({ ...stats, statuses: { ...stats.statuses } }),
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      finishIfDone();
    },
  };
}
