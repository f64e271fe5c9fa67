/**
 * The batching writer: spans wait in a bounded queue, go to ClickHouse in large inserts, and each
 * writeSpans call resolves only after the insert holding its spans was acknowledged by ClickHouse.
 * During an outage the current batch is retried with backoff; a call still unacknowledged after
 * writeTimeoutMs is rejected (UNAVAILABLE) and its spans are left out of later attempts; a call that
 * would overflow the queue is refused at once (UNAVAILABLE while ClickHouse is failing,
 * RESOURCE_EXHAUSTED otherwise).
 */
import type { Logger } from 'pino';
import { AppError } from '../../errors.js';
import type { Span } from '../../model/index.js';
import { spansToRowBinary } from './row-binary.js';

/**
 * Sends one insert whose body is `parts` in order (RowBinary rows of SPAN_COLUMNS); rejects on any
 * failure. The parts are streamed as they are: joining a batch's megabytes into one buffer first
 * cost ~1.6 µs per span in fresh memory.
 */
export type InsertFn = (parts: readonly Buffer[], spanCount: number) => Promise<void>;

/** Settings of the writer. */
export interface BatchWriterOptions {
  insert: InsertFn;
  /** Whether a failed insert may succeed when tried again (network errors, overload). */
  retryable(err: unknown): boolean;
  /** An insert starts once this many spans wait... */
  batchSpans: number;
  /** ...or once the oldest waiting span has waited this long. */
  batchIntervalMs: number;
  /** Spans queued or being inserted beyond which writes are refused. */
  maxBufferedSpans: number;
  /** Longest a write waits for its acknowledgement (retries included) before UNAVAILABLE. */
  writeTimeoutMs: number;
  /** What the errors name, e.g. "ClickHouse at http://127.0.0.1:8123". */
  target: string;
  logger?: Logger;
}

interface Entry {
  rows: Buffer;
  count: number;
  deadline: number;
  resolve(): void;
  reject(err: AppError): void;
  settled: boolean;
}

/** Counters and gauges of the writer for /metrics. */
export interface BatchWriterStats {
  queuedSpans: number;
  inflightSpans: number;
  inserts: number;
  insertFailures: number;
  insertSecondsSum: number;
  lastInsertSeconds: number;
  rejectedSpans: number;
  up: number;
}

/** The queue in front of ClickHouse inserts. */
export class BatchWriter {
  private readonly options: BatchWriterOptions;
  private queue: Entry[] = [];
  private queuedSpans = 0;
  private inflightSpans = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  /** When the last insert started (ms since epoch); inserts start at most once per batch interval. */
  private lastStartMs = Number.NEGATIVE_INFINITY;
  private closed = false;
  private failing = false;
  private idle: Array<() => void> = [];
  private readonly counters = { inserts: 0, insertFailures: 0, insertSecondsSum: 0, lastInsertSeconds: 0, rejectedSpans: 0 };

  constructor(options: BatchWriterOptions) {
    this.options = options;
  }

  /** Queues the spans; resolves once ClickHouse acknowledged the insert holding them. */
  write(spans: readonly Span[]): Promise<void> {
    if (this.closed) return Promise.reject(new AppError('UNAVAILABLE', 'ClickHouse store is closed'));
    if (spans.length === 0) return Promise.resolve();
    const buffered = this.queuedSpans + this.inflightSpans;
    if (buffered + spans.length > this.options.maxBufferedSpans) {
      this.counters.rejectedSpans += spans.length;
      return Promise.reject(
        this.failing
          ? new AppError('UNAVAILABLE', `${this.options.target} is not accepting inserts; ${buffered} spans are waiting, try again later`)
          : new AppError('RESOURCE_EXHAUSTED', `ClickHouse write queue is full (${buffered} of ${this.options.maxBufferedSpans} spans waiting), try again later`),
      );
    }
    let rows: Buffer;
    try {
      rows = spansToRowBinary(spans);
    } catch (err) {
      return Promise.reject(new AppError('INVALID_ARGUMENT', `spans cannot be stored: ${(err as Error).message}`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, count: spans.length, deadline: Date.now() + this.options.writeTimeoutMs, resolve, reject, settled: false });
      this.queuedSpans += spans.length;
      this.schedule();
    });
  }

  /** Figures for /metrics. */
  stats(): BatchWriterStats {
    return { queuedSpans: this.queuedSpans, inflightSpans: this.inflightSpans, ...this.counters, up: this.failing ? 0 : 1 };
  }

  /** Spans queued or being inserted. */
  get bufferedSpans(): number {
    return this.queuedSpans + this.inflightSpans;
  }

  /** Refuses new writes and resolves once everything queued was inserted or timed out. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.running && this.queue.length > 0) void this.run();
    if (this.running || this.queue.length > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /**
   * Starts an insert now when a full batch waits, when closing, or when the last insert started at
   * least one batch interval ago (a quiet collector answers at once); otherwise when that interval
   * is up, so a busy collector still makes at most one insert per interval and few parts to merge.
   */
  private schedule(): void {
    if (this.running) return;
    const wait = this.lastStartMs + this.options.batchIntervalMs - Date.now();
    if (this.queuedSpans >= this.options.batchSpans || this.closed || (wait <= 0 && this.queue.length > 0)) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      void this.run();
      return;
    }
    if (this.timer === undefined && this.queue.length > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.run();
      }, wait);
      this.timer.unref?.();
    }
  }

  // One insert at a time: ClickHouse prefers few large inserts (each one makes a part to merge).
  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        this.lastStartMs = Date.now();
        const batch = this.take();
        await this.insertWithRetries(batch);
        if (!this.closed && this.queuedSpans < this.options.batchSpans) break;
      }
    } finally {
      this.running = false;
      if (this.queue.length > 0) this.schedule();
      else for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  private take(): Entry[] {
    const batch: Entry[] = [];
    let count = 0;
    while (this.queue.length > 0 && (batch.length === 0 || count + this.queue[0]!.count <= this.options.batchSpans)) {
      const entry = this.queue.shift()!;
      batch.push(entry);
      count += entry.count;
    }
    this.queuedSpans -= count;
    this.inflightSpans += count;
    return batch;
  }

  private async insertWithRetries(batch: Entry[]): Promise<void> {
    let live = batch;
    let attempt = 0;
    try {
      for (;;) {
        const parts = live.map((e) => e.rows);
        const count = live.reduce((n, e) => n + e.count, 0);
        const started = performance.now();
        try {
          await this.options.insert(parts, count);
          const seconds = (performance.now() - started) / 1000;
          this.counters.inserts++;
          this.counters.insertSecondsSum += seconds;
          this.counters.lastInsertSeconds = seconds;
          if (this.failing) this.options.logger?.info({ target: this.options.target }, 'ClickHouse accepts inserts again');
          this.failing = false;
          for (const e of live) settle(e, undefined);
          return;
        } catch (err) {
          this.counters.insertFailures++;
          if (!this.options.retryable(err)) {
            this.options.logger?.error({ err, spans: count }, 'ClickHouse refused an insert');
            for (const e of live) settle(e, new AppError('INTERNAL', `${this.options.target} refused the insert: ${(err as Error).message}`, { cause: err }));
            return;
          }
          if (!this.failing) this.options.logger?.warn({ err: (err as Error).message, target: this.options.target }, 'ClickHouse insert failed; retrying');
          this.failing = true;
        }
        attempt++;
        const delay = Math.min(100 * 2 ** Math.min(attempt - 1, 10), 5_000);
        await new Promise((r) => setTimeout(r, delay));
        const now = Date.now();
        for (const e of live) {
          if (e.deadline <= now || (this.closed && attempt >= 3)) {
            this.counters.rejectedSpans += e.count;
            settle(e, new AppError('UNAVAILABLE', `${this.options.target} did not acknowledge the spans within ${this.options.writeTimeoutMs} ms, try again later`));
          }
        }
        live = live.filter((e) => !e.settled);
        if (live.length === 0) return;
      }
    } finally {
      this.inflightSpans -= batch.reduce((n, e) => n + e.count, 0);
    }
  }
}

function settle(entry: Entry, err: AppError | undefined): void {
  if (entry.settled) return;
  entry.settled = true;
  if (err === undefined) entry.resolve();
  else entry.reject(err);
}
