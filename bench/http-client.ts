/** A plain node:http client for the benchmarks: keep-alive, bounded concurrency, exact status counts. */
import { Agent, request } from 'node:http';
import type { WorkloadBatch } from './workload.js';

/** What happened to a stream of POSTed batches. */
export interface SendResult {
  /** Final status per batch, counted (0 = connection error). */
  statusCounts: Map<number, number>;
  /** Every response seen, including the ones that were retried. */
  attemptCounts: Map<number, number>;
  /** Spans of batches that got 202. */
  acceptedSpans: number;
  acceptedBatches: Set<number>;
  sentSpans: number;
  sentBytes: number;
  /** Wall time from the first request to the last response. */
  elapsedMs: number;
  /** The first few non-202 final answers, for the report. */
  failures: Array<{ batch: number; status: number; body: string }>;
}

/** One response with its latency. */
export interface TimedResponse {
  status: number;
  body: Buffer;
  ms: number;
}

const RETRYABLE = new Set([429, 503]);

function postOnce(agent: Agent, url: URL, body: Buffer, contentType: string): Promise<{ status: number; body: string; retryAfterS?: number }> {
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': body.length },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const retryAfter = Number(res.headers['retry-after']);
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8').slice(0, 300),
          ...(Number.isFinite(retryAfter) ? { retryAfterS: retryAfter } : {}),
        });
      });
      res.on('error', (err) => resolve({ status: 0, body: String(err) }));
    });
    req.on('error', (err) => resolve({ status: 0, body: String(err) }));
    req.end(body);
  });
}

function bump(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * POSTs every batch to `url` with at most `concurrency` requests in flight over keep-alive
 * connections. 429 and 503 are retried after Retry-After (default 0.2 s), up to `maxRetries` times,
 * as a well-behaved sender would; every other answer is final.
 */
export async function sendBatches(options: {
  url: string;
  batches: Iterable<WorkloadBatch>;
  concurrency: number;
  contentType?: string;
  maxRetries?: number;
  /** Called after each final answer (progress display). */
  onDone?: (batch: WorkloadBatch, status: number) => void;
}): Promise<SendResult> {
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const contentType = options.contentType ?? 'application/json';
  const maxRetries = options.maxRetries ?? 100;
  const result: SendResult = {
    statusCounts: new Map(), attemptCounts: new Map(), acceptedSpans: 0, acceptedBatches: new Set(),
    sentSpans: 0, sentBytes: 0, elapsedMs: 0, failures: [],
  };
  const iterator = options.batches[Symbol.iterator]();
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const next = iterator.next();
      if (next.done) return;
      const batch = next.value;
      let answer = await postOnce(agent, url, batch.body, contentType);
      bump(result.attemptCounts, answer.status);
      for (let retry = 0; RETRYABLE.has(answer.status) && retry < maxRetries; retry++) {
        await new Promise((r) => setTimeout(r, Math.min(5, answer.retryAfterS ?? 0.2) * 1000));
        answer = await postOnce(agent, url, batch.body, contentType);
        bump(result.attemptCounts, answer.status);
      }
      bump(result.statusCounts, answer.status);
      result.sentSpans += batch.spanCount;
      result.sentBytes += batch.body.length;
      if (answer.status === 202) {
        result.acceptedSpans += batch.spanCount;
        result.acceptedBatches.add(batch.index);
      } else if (result.failures.length < 5) {
        result.failures.push({ batch: batch.index, status: answer.status, body: answer.body });
      }
      options.onDone?.(batch, answer.status);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    result.elapsedMs = performance.now() - started;
    agent.destroy();
  }
  return result;
}

/** A sequential GET client over one keep-alive connection. */
export interface Getter {
  /** GETs base + path and times it from request to the last body byte. */
  get(path: string): Promise<TimedResponse>;
  close(): void;
}

/** Creates a Getter for one base URL ("http://127.0.0.1:16686"). */
export function createGetter(base: string): Getter {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    get(path) {
      const url = new URL(path, base);
      return new Promise((resolve) => {
        const started = performance.now();
        const req = request(url, { agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - started }));
          res.on('error', (err) => resolve({ status: 0, body: Buffer.from(String(err)), ms: performance.now() - started }));
        });
        req.on('error', (err) => resolve({ status: 0, body: Buffer.from(String(err)), ms: performance.now() - started }));
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}
