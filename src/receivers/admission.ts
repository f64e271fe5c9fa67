/**
 * Admission control: one memory budget for the process (`--memory.max`) and a bound on the requests
 * each receiver has in flight. A request that would take the process over either is refused at once
 * with RESOURCE_EXHAUSTED (HTTP 429 + Retry-After, gRPC RESOURCE_EXHAUSTED, UDP drops counted)
 * instead of being queued, so a flood costs refusals, never the process.
 *
 * The estimate of memory in use, refreshed every sampleIntervalMs and on each request:
 *   RSS at the last sample
 *   + spans the store buffered since that sample × bytesPerBufferedSpan (RSS has not seen them yet)
 *   + body bytes of requests in flight × DECODE_FACTOR (what decoding them will still allocate).
 * New requests are refused while that estimate, plus what the request itself will cost, is above
 * HIGH_WATER of the budget: the rest is headroom for garbage the collector has not reclaimed yet.
 * While RSS is above GC_WATER of the budget a full collection is asked for (at most one per
 * GC_INTERVAL_MS) so refusals end as soon as the garbage is gone.
 *
 * Under a budget the store's buffer gets BUFFER_SHARE of it (bufferedSpansLimit), and requests are
 * refused before their body is read once the buffered spans plus those being read would pass that
 * limit: under overload the flushes set the pace, and no CPU goes to decoding bodies the store would
 * refuse anyway.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AppError } from '../errors.js';
import type { GrpcService } from './grpc.js';

/**
 * Memory one span takes in the store's buffer: 1191 B of RSS (812 B of heap) per span, measured
 * with 100k workload spans (bench/workload.ts, ~490 B of Zipkin JSON each) decoded and appended
 * to the memory engine.
 */
export const BYTES_PER_BUFFERED_SPAN = 1200;
/** Memory a request body costs while it is decoded, per body byte (the body, the spans, parser garbage). */
export const DECODE_FACTOR = 4;
/** Share of the budget the estimate may reach before requests are refused. */
export const HIGH_WATER = 0.75;
/** Share of the budget RSS may reach before a full garbage collection is asked for. */
export const GC_WATER = 0.6;
/**
 * Shortest time between two collections asked for. A forced collection stops everything while
 * the heap holds a full buffer (0.1-1 s on two busy cores); once a second it cost a seventh of
 * the server's time under overload.
 */
export const GC_INTERVAL_MS = 5000;
/** Requests one receiver has in flight by default before more are refused. */
export const DEFAULT_MAX_INFLIGHT = 64;
/** Fewest body bytes one span takes on the wire (a small span in Jaeger's compact Thrift or OTLP protobuf). */
export const MIN_SPAN_BYTES = 100;
/**
 * Memory one span costs, on top of its place in the buffer, while a flush moves it to the store:
 * the staged rows, the engine's sort and insert, and what its allocator keeps for a while after.
 * Under overload (bench/overload.ts, 512 MiB) the native part of RSS rose by ~2.2 KB for each
 * span of the flush running then: ~150 MiB for 60k-span flushes, against ~50 MiB for 20k.
 */
export const FLUSH_BYTES_PER_SPAN = 2200;
/** What one buffered span costs in all: its place in the buffer and its part of the flush. */
const BUFFERED_SPAN_COST = BYTES_PER_BUFFERED_SPAN + FLUSH_BYTES_PER_SPAN;
/** Share of the budget the store's buffer of unflushed spans may take, their flush included. */
export const BUFFER_SHARE = 0.18;

/**
 * The most spans a store may buffer under a budget: BUFFER_SHARE of it at BYTES_PER_BUFFERED_SPAN
 * plus FLUSH_BYTES_PER_SPAN each (a flush takes the whole buffer, so its size bounds the flush's
 * memory too), and never more than `configured`; `configured` alone without a budget. A buffer
 * sized only by its flag (500k spans, ~600 MB) would let one slow flush take a small budget whole.
 */
export function bufferedSpansLimit(maxBytes: number, configured: number): number {
  if (maxBytes <= 0) return configured;
  return Math.max(1000, Math.min(configured, Math.floor((maxBytes * BUFFER_SHARE) / BUFFERED_SPAN_COST)));
}

/** What a budget has to hold before ingest can take anything in (see {@link budgetShortfall}). */
export interface BudgetPlan {
  maxBytes: number;
  /** RSS of the process once its store is open (code, libraries, caches). */
  rssBytes: number;
  /** Memory the store's engine may keep for itself (DuckDB's memory_limit), 0 if none. */
  engineBytes: number;
  /** Spans the store may buffer (see bufferedSpansLimit). */
  bufferedSpans: number;
}

/**
 * A warning when the budget is too small for the process to take spans in: what it holds at
 * rest plus the engine's and the buffer's shares already reach the high water, so ingest would
 * be refused most of the time. Undefined when the budget is large enough, or there is none.
 */
export function budgetShortfall(plan: BudgetPlan): string | undefined {
  if (plan.maxBytes <= 0) return undefined;
  const needed = plan.rssBytes + plan.engineBytes + plan.bufferedSpans * BUFFERED_SPAN_COST;
  if (needed <= plan.maxBytes * HIGH_WATER) return undefined;
  const least = Math.ceil(needed / HIGH_WATER / 1048576 / 64) * 64;
  return `--memory.max ${mib(plan.maxBytes)} MiB is too small to take spans in steadily: the process holds ${mib(plan.rssBytes)} MiB at rest, ` +
    `the store may keep ${mib(plan.engineBytes)} MiB and buffer and flush ${plan.bufferedSpans} spans (~${mib(plan.bufferedSpans * BUFFERED_SPAN_COST)} MiB), ` +
    `above the ${HIGH_WATER * 100} % at which ingest is refused; most requests will answer 429. Give it at least ${least} MiB`;
}

/** Options of {@link createAdmission}. */
export interface AdmissionOptions {
  /** The budget in bytes; 0 bounds only the requests in flight. */
  maxBytes: number;
  /** Requests in flight per receiver beyond which more are refused at once. */
  maxInflight: number;
  /** Spans the store holds in memory now (its stats().bufferedSpans); none when omitted. */
  bufferedSpans?: () => number;
  /**
   * Buffered spans at which requests are refused before their body is read (the store would refuse
   * them after decoding); no such bound when omitted.
   */
  maxBufferedSpans?: number;
  bytesPerBufferedSpan?: number;
  /** How often RSS is sampled; default 250 ms. */
  sampleIntervalMs?: number;
  /** Registry for the budget gauges and the refusal counter. */
  registry?: Registry;
}

/** The parts of the estimate, in bytes. */
export interface MemoryUsage {
  maxBytes: number;
  rssBytes: number;
  bufferedBytes: number;
  inflightBytes: number;
  /** rss + buffered + inflight × DECODE_FACTOR. */
  estimatedBytes: number;
}

/** Why a request was refused: the `reason` label of `ariadne_admission_refused_total`. */
export type AdmissionRefusal = 'memory' | 'concurrency' | 'buffer';

/** The admission controller of one process. */
export interface Admission {
  /**
   * Admits one request of `bytes` (its body size, as far as known) to `receiver`, or throws
   * RESOURCE_EXHAUSTED naming the limit; the returned function ends it (idempotent).
   */
  enter(receiver: string, bytes: number): () => void;
  /** Throws RESOURCE_EXHAUSTED when the memory estimate is over the budget's high water now. */
  check(receiver: string): void;
  usage(): MemoryUsage;
  /** Requests in flight now for a receiver. */
  inflight(receiver: string): number;
  /** Stops the sampling timer. */
  close(): void;
}

/** Creates the admission controller and starts sampling RSS. */
export function createAdmission(options: AdmissionOptions): Admission {
  const { maxBytes, maxInflight } = options;
  const bufferedSpans = options.bufferedSpans ?? (() => 0);
  const bytesPerSpan = options.bytesPerBufferedSpan ?? BYTES_PER_BUFFERED_SPAN;
  const inflightByReceiver = new Map<string, number>();
  let inflightBytes = 0;
  let rss = process.memoryUsage.rss();
  let bufferedAtSample = bufferedSpans();
  let lastGcMs = 0;
  const gc = maxBytes > 0 ? exposeGc() : undefined;

  const sample = () => {
    rss = process.memoryUsage.rss();
    bufferedAtSample = bufferedSpans();
    if (gc && rss > maxBytes * GC_WATER && Date.now() - lastGcMs >= GC_INTERVAL_MS) {
      lastGcMs = Date.now();
      gc();
      rss = process.memoryUsage.rss();
    }
  };
  const timer = setInterval(sample, options.sampleIntervalMs ?? 250);
  timer.unref();

  const usage = (): MemoryUsage => {
    const bufferedBytes = Math.max(0, bufferedSpans() - bufferedAtSample) * bytesPerSpan;
    return { maxBytes, rssBytes: rss, bufferedBytes, inflightBytes, estimatedBytes: rss + bufferedBytes + inflightBytes * DECODE_FACTOR };
  };

  const refused = options.registry
    ? new Counter({
      name: 'ariadne_admission_refused_total', help: 'Ingest requests refused before being read, by receiver and reason (memory, concurrency, buffer)',
      labelNames: ['receiver', 'reason'] as const, registers: [options.registry],
    })
    : undefined;
  if (options.registry) {
    const registry = options.registry;
    new Gauge({ name: 'ariadne_memory_budget_bytes', help: 'The memory budget (--memory.max); 0 = none', registers: [registry], collect() { this.set(maxBytes); } });
    new Gauge({
      name: 'ariadne_memory_estimate_bytes', help: 'Memory in use as admission control estimates it, by part (rss, buffered, inflight)',
      labelNames: ['part'] as const, registers: [registry],
      collect() {
        const u = usage();
        this.set({ part: 'rss' }, u.rssBytes);
        this.set({ part: 'buffered' }, u.bufferedBytes);
        this.set({ part: 'inflight' }, u.inflightBytes * DECODE_FACTOR);
      },
    });
    new Gauge({
      name: 'ariadne_ingest_inflight_requests', help: 'Ingest requests being read, decoded or written, by receiver',
      labelNames: ['receiver'] as const, registers: [registry],
      collect() {
        for (const [receiver, n] of inflightByReceiver) this.set({ receiver }, n);
      },
    });
  }

  const overBudget = (receiver: string, extra: number) => {
    if (maxBytes <= 0) return;
    const u = usage();
    if (u.estimatedBytes + extra * DECODE_FACTOR <= maxBytes * HIGH_WATER) return;
    // Refreshed once before refusing: the last sample may predate a collection.
    sample();
    const fresh = usage();
    if (fresh.estimatedBytes + extra * DECODE_FACTOR <= maxBytes * HIGH_WATER) return;
    refused?.inc({ receiver, reason: 'memory' });
    throw new AppError('RESOURCE_EXHAUSTED',
      `memory budget: about ${mib(fresh.estimatedBytes)} MiB in use${extra > 0 ? ` and a ${mib(extra)} MiB request` : ''} exceed ${HIGH_WATER * 100} % of --memory.max ${mib(maxBytes)} MiB; retry later`);
  };

  return {
    enter(receiver, bytes) {
      const n = inflightByReceiver.get(receiver) ?? 0;
      if (n >= maxInflight) {
        refused?.inc({ receiver, reason: 'concurrency' });
        throw new AppError('RESOURCE_EXHAUSTED', `${receiver}: ${n} requests already in flight (--ingest.max-inflight ${maxInflight}); retry later`);
      }
      const maxBuffered = options.maxBufferedSpans;
      // The spans of requests still being read count too, at the densest span encoding's size:
      // a request the store would refuse after decoding is cheaper refused before it is read.
      if (maxBuffered !== undefined && bufferedSpans() + (inflightBytes + bytes) / MIN_SPAN_BYTES > maxBuffered) {
        refused?.inc({ receiver, reason: 'buffer' });
        throw new AppError('RESOURCE_EXHAUSTED', `${bufferedSpans()} spans are waiting to be stored and more are being read (limit ${maxBuffered} under --memory.max); retry later`);
      }
      overBudget(receiver, bytes);
      inflightByReceiver.set(receiver, n + 1);
      inflightBytes += bytes;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        inflightByReceiver.set(receiver, (inflightByReceiver.get(receiver) ?? 1) - 1);
        inflightBytes -= bytes;
      };
    },
    check(receiver) {
      overBudget(receiver, 0);
    },
    usage,
    inflight(receiver) {
      return inflightByReceiver.get(receiver) ?? 0;
    },
    close() {
      clearInterval(timer);
    },
  };
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

/**
 * The garbage collector as a function: V8 exposes it to contexts created after the flag is set.
 * Without it RSS holds garbage until V8 decides to collect (its heap limit is far above a small
 * budget), and refusals would last until then.
 */
function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Bounds the POST requests of one HTTP receiver: each is admitted by its Content-Length before its
 * body is read (so a large body over the budget is refused without being read) and leaves when its
 * answer is sent or its connection closes. Refusals go to the receiver's own error handler, so they
 * answer in its format (429 with Retry-After).
 */
export function admitHttp(app: FastifyInstance, admission: Admission, receiver: string): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST') return;
    const length = Number(request.headers['content-length'] ?? 0);
    const leave = admission.enter(receiver, Number.isFinite(length) && length > 0 ? length : 0);
    reply.raw.once('close', leave);
  });
}

/**
 * Wraps every method of a gRPC service so its calls are admitted like HTTP requests (by message
 * size). A refusal goes through `refused` when given (the receiver's ingest.refuse, so it shows in
 * the ingest diagnostics as HTTP refusals do) before it is answered RESOURCE_EXHAUSTED.
 */
export function admitGrpc(
  service: GrpcService, admission: Admission, receiver: string, refused?: (err: unknown, peer: string) => unknown,
): GrpcService {
  const methods: GrpcService['methods'] = {};
  for (const [name, handler] of Object.entries(service.methods)) {
    methods[name] = async (request, call) => {
      let leave: () => void;
      try {
        leave = admission.enter(receiver, request.length);
      } catch (err) {
        throw refused ? refused(err, call.peer) : err;
      }
      try {
        return await handler(request, call);
      } finally {
        leave();
      }
    };
  }
  return { ...service, methods };
}
