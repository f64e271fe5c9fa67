/**
 * Senders for the per-protocol benchmark: HTTP POST with any content type, gRPC unary calls with
 * raw Buffer messages, UDP datagrams (as fast as possible or paced), and readers of the counters
 * that say where UDP datagrams went (/metrics samples by label, the kernel's per-socket drops).
 */
import { createSocket } from 'node:dgram';
import { Agent, request } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import type { EncodedBody } from './encoders.js';

export { udpSocketCounters, type UdpSocketCounters } from '../src/receivers/udp-kernel.js';

/** What happened to a stream of requests. */
export interface SendOutcome {
  /** Spans of requests answered with success (2xx, gRPC OK). */
  ackedSpans: number;
  sentSpans: number;
  sentBytes: number;
  /** Final answer per request, counted: "202", "200", "OK", "RESOURCE_EXHAUSTED", "conn-error" ... */
  finalCounts: Map<string, number>;
  /** Answers that were retried (429/503, RESOURCE_EXHAUSTED/UNAVAILABLE), counted. */
  retriedCounts: Map<string, number>;
  /** Wall time from the first request to the last answer. */
  elapsedMs: number;
  /** The first few failed final answers. */
  failures: string[];
}

/** One answer of one attempt. */
interface Attempt {
  ok: boolean;
  status: string;
  /** Set when the server asked to come back later; the wait before the retry. */
  retryAfterMs?: number;
  detail?: string;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Sends every body with at most `concurrency` attempts in flight; retryable answers are sent
 * again after the wait they name, up to `maxRetries` times, as a well-behaved client would.
 */
async function runPool(options: {
  bodies: readonly EncodedBody[];
  concurrency: number;
  maxRetries: number;
  attempt: (body: Buffer) => Promise<Attempt>;
}): Promise<SendOutcome> {
  const out: SendOutcome = { ackedSpans: 0, sentSpans: 0, sentBytes: 0, finalCounts: new Map(), retriedCounts: new Map(), elapsedMs: 0, failures: [] };
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < options.bodies.length) {
      const item = options.bodies[next++]!;
      let answer = await options.attempt(item.body);
      for (let retry = 0; answer.retryAfterMs !== undefined && retry < options.maxRetries; retry++) {
        bump(out.retriedCounts, answer.status);
        await new Promise((r) => setTimeout(r, answer.retryAfterMs));
        answer = await options.attempt(item.body);
      }
      bump(out.finalCounts, answer.status);
      out.sentSpans += item.spans;
      out.sentBytes += item.body.length;
      if (answer.ok) out.ackedSpans += item.spans;
      else if (out.failures.length < 5) out.failures.push(`${answer.status}: ${(answer.detail ?? '').slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  out.elapsedMs = performance.now() - started;
  return out;
}

/** POSTs every body to `url` as `contentType` over keep-alive connections; any 2xx is success. */
export async function postBodies(options: {
  url: string;
  contentType: string;
  bodies: readonly EncodedBody[];
  concurrency: number;
  maxRetries?: number;
}): Promise<SendOutcome> {
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const attempt = (body: Buffer): Promise<Attempt> => new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': options.contentType, 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const retryAfterS = Number(res.headers['retry-after'] ?? 0.2);
        resolve({
          ok: status >= 200 && status < 300,
          status: String(status),
          detail: Buffer.concat(chunks).toString('utf8'),
          ...(status === 429 || status === 503 ? { retryAfterMs: Math.min(5, Number.isFinite(retryAfterS) ? retryAfterS : 0.2) * 1000 } : {}),
        });
      });
      res.on('error', (err) => resolve({ ok: false, status: 'conn-error', detail: String(err) }));
    });
    req.on('error', (err) => resolve({ ok: false, status: 'conn-error', detail: String(err) }));
    req.end(body);
  });
  try {
    return await runPool({ bodies: options.bodies, concurrency: options.concurrency, maxRetries: options.maxRetries ?? 100, attempt });
  } finally {
    agent.destroy();
  }
}

const passthrough = (b: Buffer): Buffer => b;
const RETRYABLE_GRPC = new Set<number>([grpc.status.RESOURCE_EXHAUSTED, grpc.status.UNAVAILABLE]);

/**
 * Calls the unary gRPC method `path` ("/package.Service/Method") once per body, messages passed
 * as raw bytes, over one HTTP/2 connection with at most `concurrency` calls in flight.
 */
export async function callGrpc(options: {
  address: string;
  path: string;
  bodies: readonly EncodedBody[];
  concurrency: number;
  maxRetries?: number;
}): Promise<SendOutcome> {
  const client = new grpc.Client(options.address, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
  const attempt = (body: Buffer): Promise<Attempt> => new Promise((resolve) => {
    client.makeUnaryRequest(options.path, passthrough, passthrough, body, (err) => {
      if (!err) return resolve({ ok: true, status: 'OK' });
      const code = err.code ?? grpc.status.UNKNOWN;
      resolve({
        ok: false,
        status: grpc.status[code] ?? String(code),
        detail: err.details,
        ...(RETRYABLE_GRPC.has(code) ? { retryAfterMs: 200 } : {}),
      });
    });
  });
  try {
    return await runPool({ bodies: options.bodies, concurrency: options.concurrency, maxRetries: options.maxRetries ?? 100, attempt });
  } finally {
    client.close();
  }
}

/** What a UDP send loop did. */
export interface DatagramOutcome {
  sentDatagrams: number;
  sentSpans: number;
  sentBytes: number;
  /** Datagrams the local socket refused to send (ENOBUFS ...). */
  sendErrors: number;
  elapsedMs: number;
}

/**
 * Sends each datagram to host:port from one socket. Without `spansPerSecond`, as fast as the
 * socket takes them; with it, each datagram waits after the previous one for as long as that
 * one's spans take at the rate. A late timer slows the run down rather than causing a burst, so
 * the receiver never sees more than the rate.
 */
export async function sendDatagrams(options: {
  host: string;
  port: number;
  datagrams: readonly EncodedBody[];
  spansPerSecond?: number;
}): Promise<DatagramOutcome> {
  const socket = createSocket('udp4');
  const out: DatagramOutcome = { sentDatagrams: 0, sentSpans: 0, sentBytes: 0, sendErrors: 0, elapsedMs: 0 };
  const started = performance.now();
  let nextAt = started;
  try {
    for (const d of options.datagrams) {
      if (options.spansPerSecond !== undefined) {
        const waitMs = nextAt - performance.now();
        if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
        nextAt = performance.now() + (d.spans / options.spansPerSecond) * 1000;
      }
      const err = await new Promise<Error | null>((resolve) => socket.send(d.body, options.port, options.host, (e) => resolve(e)));
      if (err) out.sendErrors++;
      out.sentDatagrams++;
      out.sentSpans += d.spans;
      out.sentBytes += d.body.length;
    }
  } finally {
    out.elapsedMs = performance.now() - started;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
  return out;
}

/**
 * Sums the samples of Prometheus metric `name` whose labels include every pair of `labels`, from
 * text exposition format; 0 when none match.
 */
export function metricSum(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    let sampleLabels: Record<string, string> = {};
    let valueText: string;
    if (rest.startsWith('{')) {
      const close = rest.lastIndexOf('}');
      if (close < 0) continue;
      sampleLabels = parseLabels(rest.slice(1, close));
      valueText = rest.slice(close + 1).trim();
    } else if (rest.startsWith(' ')) {
      valueText = rest.trim();
    } else {
      continue;
    }
    if (!Object.entries(labels).every(([k, v]) => sampleLabels[k] === v)) continue;
    const value = Number(valueText.split(' ')[0]);
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return out;
}
