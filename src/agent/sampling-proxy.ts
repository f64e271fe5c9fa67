/**
 * The agent's sampling source: asks the collector's `GET /api/sampling?service=` (as Jaeger's agent
 * asks its collector) and keeps each answer for a short while, so a fleet of clients polling the
 * agent costs the collector one request per service per interval.
 */
import { AppError } from '../errors.js';
import type { SamplingStrategyResponse } from '../sampling/index.js';
import { AGENT_CREDENTIAL_FLAGS, createCredentials, redactUrl, splitUrlCredentials } from './credentials.js';

/** Options of {@link createSamplingProxy}. */
export interface SamplingProxyOptions {
  /** Base URL of the collector's HTTP port, e.g. http://collector:14268; a `user:password@` in it is sent as basic auth. */
  collectorHttp: string;
  /** Tenant named on every request; '' or undefined for none. */
  tenant?: string;
  /** Header carrying the tenant; default x-tenant. */
  tenantHeader?: string;
  /** File holding a bearer token; '' or undefined for none. */
  tokenFile?: string;
  /** How long an answer is reused; default 10 s. */
  cacheMs?: number;
  /** Per-request timeout; default 2 s. */
  timeoutMs?: number;
}

/** A sampling provider backed by a collector. */
export interface SamplingProxy {
  /** The collector's sampling base URL, for logs (never with credentials). */
  readonly target: string;
  strategyFor(service: string): Promise<Readonly<SamplingStrategyResponse>>;
}

/** Creates the proxy; every failure answers UNAVAILABLE naming the collector. */
export function createSamplingProxy(options: SamplingProxyOptions): SamplingProxy {
  const cacheMs = options.cacheMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 2000;
  let parsed: URL;
  try {
    parsed = new URL(options.collectorHttp);
  } catch {
    throw new AppError('INVALID_ARGUMENT', `--agent.sampling-url: expected an http:// URL of the collector's HTTP port, got ${JSON.stringify(redactUrl(options.collectorHttp))}`);
  }
  const { url, basic } = splitUrlCredentials(parsed);
  const credentials = createCredentials({
    ...(options.tenant ? { tenant: options.tenant } : {}), ...(options.tenantHeader ? { tenantHeader: options.tenantHeader } : {}),
    ...(options.tokenFile ? { tokenFile: options.tokenFile } : {}), ...(basic ? { basic } : {}), flags: AGENT_CREDENTIAL_FLAGS,
  });
  const base = url.toString().replace(/\/$/, '');
  const cache = new Map<string, { at: number; answer: Promise<Readonly<SamplingStrategyResponse>> }>();

  const ask = async (service: string): Promise<Readonly<SamplingStrategyResponse>> => {
    const url = `${base}/api/sampling?service=${encodeURIComponent(service)}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: credentials.headers(), signal: AbortSignal.timeout(timeoutMs) });
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
    target: base,
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

/**
 * Where the agent asks for sampling strategies: `--agent.sampling-url` when given, else the HTTP
 * collector itself, or port 14268 of the gRPC collector's host. Credentials in the collector URL
 * are kept, since they are the same server's.
 */
export function agentSamplingUrl(collector: string, samplingUrl: string): string {
  if (samplingUrl !== '') return samplingUrl;
  const url = new URL(collector.replace(/^grpc:/i, 'http:'));
  if (/^grpc:/i.test(collector)) {
    url.port = '14268';
    url.pathname = '/';
  }
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/$/, '');
}
