/**
 * The agent's sampling source: asks the collector's `GET /api/sampling?service=` (as Jaeger's agent
 * asks its collector) and keeps each answer for a short while, so a fleet of clients polling the
 * agent costs the collector one request per service per interval.
 */
import { AppError } from '../errors.js';
import type { SamplingStrategyResponse } from '../sampling/index.js';

/** Options of {@link createSamplingProxy}. */
export interface SamplingProxyOptions {
  /** Base URL of the collector's HTTP port, e.g. http://collector:14268. */
  collectorHttp: string;
  /** How long an answer is reused; default 10 s. */
  cacheMs?: number;
  /** Per-request timeout; default 2 s. */
  timeoutMs?: number;
}

/** A sampling provider backed by a collector. */
export interface SamplingProxy {
  strategyFor(service: string): Promise<Readonly<SamplingStrategyResponse>>;
}

/** Creates the proxy; every failure answers UNAVAILABLE naming the collector. */
export function createSamplingProxy(options: SamplingProxyOptions): SamplingProxy {
  const cacheMs = options.cacheMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 2000;
  const base = options.collectorHttp.replace(/\/$/, '');
  const cache = new Map<string, { at: number; answer: Promise<Readonly<SamplingStrategyResponse>> }>();

  const ask = async (service: string): Promise<Readonly<SamplingStrategyResponse>> => {
    const url = `${base}/api/sampling?service=${encodeURIComponent(service)}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new AppError('UNAVAILABLE', `collector sampling endpoint ${url} is unreachable: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new AppError('UNAVAILABLE', `collector sampling endpoint ${url} answered ${res.status}: ${text.slice(0, 200).trim()}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new AppError('UNAVAILABLE', `collector sampling endpoint ${url} answered something that is not JSON`);
    }
    const type = (body as { strategyType?: unknown }).strategyType;
    if (type !== 'PROBABILISTIC' && type !== 'RATE_LIMITING') {
      throw new AppError('UNAVAILABLE', `collector sampling endpoint ${url} answered without a strategyType`);
    }
    return body as SamplingStrategyResponse;
  };

  return {
    strategyFor(service) {
      const now = Date.now();
      const hit = cache.get(service);
      if (hit && now - hit.at < cacheMs) return hit.answer;
      const answer = ask(service);
      cache.set(service, { at: now, answer });
      // A failure is not kept: the next client retries.
      answer.catch(() => { if (cache.get(service)?.answer === answer) cache.delete(service); });
      if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
      return answer;
    },
  };
}
