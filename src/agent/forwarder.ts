/**
 * The agent's forwarding side: batches taken from UDP wait in a bounded queue and are sent to a
 * collector, over HTTP (`POST /api/traces`, binary Thrift, as Jaeger clients' HTTP sender does) or
 * over gRPC (`jaeger.api_v2.CollectorService/PostSpans`). A full queue refuses new batches (the UDP
 * listener counts them as dropped); a batch the collector keeps refusing is dropped and counted.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram } from 'prom-client';
import { AppError } from '../errors.js';
import { createIngest, type Ingest, type IngestBatch } from '../receivers/ingest.js';
import { JAEGER_AGENT_BINARY, JAEGER_AGENT_COMPACT, agentBatchToCollectorBody } from '../receivers/jaeger/decode-thrift.js';
import type { Metrics } from '../server/metrics.js';
import { AGENT_CREDENTIAL_FLAGS, createCredentials, redactUrl, splitUrlCredentials, type Credentials } from './credentials.js';
import { encodePostSpans } from './jaeger-proto.js';

/** Options of {@link createForwarder}. */
export interface ForwarderOptions {
  /** `http://host:14268` (Thrift over HTTP) or `grpc://host:14250`; a `user:password@` in it is sent as basic auth. */
  collector: string;
  /** Tenant named on every batch (`--agent.collector.tenant`); '' or undefined for none. */
  tenant?: string;
  /** Header (HTTP) and metadata key (gRPC) carrying the tenant; default x-tenant. */
  tenantHeader?: string;
  /** File holding a bearer token (`--agent.collector.token-file`); '' or undefined for none. */
  tokenFile?: string;
  /** Batches waiting to be sent; more are refused. */
  queueSize: number;
  metrics: Metrics;
  logger: Logger;
  /** Requests in flight to the collector; default 2. */
  concurrency?: number;
  /** Per-request timeout; default 5000 ms. */
  timeoutMs?: number;
  /** Attempts per batch for retryable failures (network, 5xx, 429, UNAVAILABLE); default 3. */
  attempts?: number;
  /** First retry delay, doubled per attempt; default 200 ms. */
  backoffMs?: number;
}

/** An Ingest whose accept() queues the batch for the collector instead of storing it. */
export interface Forwarder extends Ingest {
  /** Where batches go, for logs (never with credentials). */
  readonly target: string;
  /** What each batch shows the collector, for logs: tenant and kind of credentials, no secret. */
  readonly sends: string;
  /** Stops taking batches, sends what is queued (up to the timeout), drops and counts the rest. */
  close(timeoutMs?: number): Promise<void>;
}

/** Why a batch did not reach the collector: the `reason` label of the drop counter. */
export type ForwardDropReason = 'queue_full' | 'rejected' | 'send_failed' | 'shutdown';

interface Queued {
  body: Buffer;
  spans: number;
}

/** A failure worth trying again (collector down, overloaded, timing out). */
class RetryableError extends Error {}

type Send = (body: Buffer) => Promise<void>;

function parseCollector(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('INVALID_ARGUMENT', `--agent.collector: expected http://host:port or grpc://host:port, got ${JSON.stringify(redactUrl(text))}`);
  }
  if (!['http:', 'https:', 'grpc:'].includes(url.protocol)) {
    throw new AppError('INVALID_ARGUMENT', `--agent.collector: expected an http://, https:// or grpc:// URL, got ${JSON.stringify(redactUrl(text))}`);
  }
  return url;
}

/** The agent flags that fix a refusal for a missing tenant or credentials, appended to the refusal. */
const REFUSED_HINT = 'the collector wants a tenant or credentials: set --agent.collector.tenant, --agent.collector.token-file, or user:password@ in --agent.collector';

function httpSender(url: URL, timeoutMs: number, credentials: Credentials): Send {
  const endpoint = new URL(`${url.pathname.replace(/\/$/, '')}/api/traces`, url.origin).toString();
  return async (body) => {
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST', body: new Uint8Array(body), headers: { ...credentials.headers(), 'content-type': 'application/x-thrift' }, signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new RetryableError(`${endpoint}: ${(err as Error).message}`);
    }
    const text = res.ok ? '' : (await res.text()).slice(0, 300).trim();
    if (res.ok) return;
    if (res.status === 429 || res.status >= 500) throw new RetryableError(`${endpoint}: ${res.status} ${text}`);
    throw new Error(`${endpoint}: ${res.status} ${text}${res.status === 401 || res.status === 403 ? ` (${REFUSED_HINT})` : ''}`);
  };
}

const RETRYABLE_GRPC = new Set([grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED, grpc.status.DEADLINE_EXCEEDED, grpc.status.ABORTED, grpc.status.INTERNAL]);

const REFUSED_GRPC = new Set([grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED]);

function grpcSender(url: URL, timeoutMs: number, credentials: Credentials): { send: Send; close(): void } {
  const passthrough = (b: Buffer) => b;
  const client = new grpc.Client(url.host, grpc.credentials.createInsecure());
  return {
    send: (body) => new Promise((resolve, reject) => {
      client.makeUnaryRequest('/jaeger.api_v2.CollectorService/PostSpans', passthrough, passthrough, body, credentials.metadata(),
        { deadline: Date.now() + timeoutMs }, (err) => {
          if (!err) resolve();
          else if (RETRYABLE_GRPC.has(err.code)) reject(new RetryableError(`${url.host}: ${err.details || err.message}`));
          else reject(new Error(`${url.host}: ${grpc.status[err.code]} ${err.details || err.message}${REFUSED_GRPC.has(err.code) ? ` (${REFUSED_HINT})` : ''}`));
        });
    }),
    close: () => client.close(),
  };
}

/** Creates the forwarder; nothing is sent until a batch arrives. */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const { url, basic } = splitUrlCredentials(parseCollector(options.collector));
  const credentials = createCredentials({
    ...(options.tenant ? { tenant: options.tenant } : {}), ...(options.tenantHeader ? { tenantHeader: options.tenantHeader } : {}),
    ...(options.tokenFile ? { tokenFile: options.tokenFile } : {}), ...(basic ? { basic } : {}), flags: AGENT_CREDENTIAL_FLAGS,
  });
  const timeoutMs = options.timeoutMs ?? 5000;
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 200;
  const concurrency = options.concurrency ?? 2;
  const useGrpc = url.protocol === 'grpc:';
  const grpcClient = useGrpc ? grpcSender(url, timeoutMs, credentials) : undefined;
  const send: Send = grpcClient?.send ?? httpSender(url, timeoutMs, credentials);
  const target = useGrpc ? `grpc://${url.host} (PostSpans)` : `${url.origin}${url.pathname.replace(/\/$/, '')}/api/traces`;
  const log = options.logger.child({ module: 'forwarder' });
  const { registry } = options.metrics;
  const forwarded = new Counter({ name: 'ariadne_agent_forwarded_spans_total', help: 'Spans the collector acknowledged', registers: [registry] });
  const dropped = new Counter({
    name: 'ariadne_agent_dropped_batches_total', help: 'Batches that did not reach the collector, by reason', labelNames: ['reason'] as const, registers: [registry],
  });
  const droppedSpans = new Counter({
    name: 'ariadne_agent_dropped_spans_total', help: 'Spans that did not reach the collector, by reason', labelNames: ['reason'] as const, registers: [registry],
  });
  const sendSeconds = new Histogram({
    name: 'ariadne_agent_forward_seconds', help: 'Time to forward one batch, retries included', registers: [registry],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15],
  });
  const queue: Queued[] = [];
  new Gauge({ name: 'ariadne_agent_queue_batches', help: 'Batches waiting to be forwarded', registers: [registry], collect() { this.set(queue.length); } });

  const drop = (reason: ForwardDropReason, batch: Queued) => {
    dropped.inc({ reason });
    droppedSpans.inc({ reason }, batch.spans);
  };
  // closed: no new batches; abandoned: the close timeout passed, stop retrying.
  let closed = false;
  let abandoned = false;
  let active = 0;
  const idle: Array<() => void> = [];
  // One warning per failure streak, not one per batch.
  let failing = false;

  const sendWithRetries = async (batch: Queued) => {
    const stop = sendSeconds.startTimer();
    try {
      await attemptSend(batch);
    } finally {
      stop();
    }
  };

  const attemptSend = async (batch: Queued) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await send(batch.body);
        forwarded.inc(batch.spans);
        if (failing) log.info({ target }, 'collector reachable again');
        failing = false;
        return;
      } catch (err) {
        const retryable = err instanceof RetryableError;
        if (!retryable || attempt >= attempts || abandoned) {
          drop(retryable ? 'send_failed' : 'rejected', batch);
          if (!retryable || !failing) log.warn({ target, err: (err as Error).message, spans: batch.spans }, retryable ? 'collector unreachable: batch dropped' : 'collector refused a batch');
          failing = failing || retryable;
          return;
        }
        await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
      }
    }
  };

  const pump = () => {
    while (active < concurrency && queue.length > 0) {
      const batch = queue.shift()!;
      active++;
      void sendWithRetries(batch).finally(() => {
        active--;
        pump();
      });
    }
    if (active === 0 && queue.length === 0) for (const wake of idle.splice(0)) wake();
  };

  // Refusals and timings are counted as every receiver counts them; accept() is the forwarder's own.
  const counting = createIngest({ writer: { writeSpans: async () => {} }, metrics: options.metrics });
  return {
    target,
    sends: credentials.description,
    refuse: counting.refuse,
    time: counting.time,
    async accept(batch: IngestBatch) {
      const queued: Queued = { body: Buffer.alloc(0), spans: batch.spans.length };
      if (closed) {
        drop('shutdown', queued);
        throw new AppError('UNAVAILABLE', 'the agent is shutting down');
      }
      if (queue.length >= options.queueSize) {
        drop('queue_full', queued);
        throw new AppError('RESOURCE_EXHAUSTED', `forwarding queue is full (${options.queueSize} batches): the collector at ${target} is not keeping up`);
      }
      if (useGrpc) queued.body = encodePostSpans(batch.spans);
      else if (batch.format === JAEGER_AGENT_COMPACT) queued.body = agentBatchToCollectorBody(batch.bytes, 'compact');
      else if (batch.format === JAEGER_AGENT_BINARY) queued.body = agentBatchToCollectorBody(batch.bytes, 'binary');
      else throw new AppError('INTERNAL', `the agent cannot forward ${batch.format} batches`);
      queue.push(queued);
      options.metrics.spansReceived.inc({ protocol: batch.format }, batch.spans.length);
      pump();
    },
    async close(closeTimeoutMs = timeoutMs) {
      closed = true;
      const drained = () => (active === 0 && queue.length === 0 ? Promise.resolve() : new Promise<void>((r) => idle.push(r)));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drained(), new Promise((r) => { timer = setTimeout(r, closeTimeoutMs); })]);
      clearTimeout(timer);
      abandoned = true;
      for (const batch of queue.splice(0)) drop('shutdown', batch);
      // Batches in flight end after their current attempt (bounded by the request timeout).
      await drained();
      grpcClient?.close();
    },
  };
}
