/** Spans bucketed by start time, so time-bounded reads touch only the buckets in their window. */
import type { Span } from '../../model/index.js';
import { AppError } from '../../errors.js';
import { Fifo } from './fifo.js';

const BUCKET_US = 60_000_000;

/**
 * A set of spans grouped in one-minute start-time buckets, each bucket in append order. Removal is
 * oldest-appended first: because the store evicts in global append order, the span removed is
 * always the oldest of its bucket.
 */
export class TimeIndex {
  private readonly buckets = new Map<number, Fifo<Span>>();
  /** Bucket keys, ascending. */
  private readonly keys: number[] = [];
  private count = 0;

  /** Number of spans held. */
  get size(): number {
    return this.count;
  }

  /** Adds a span. */
  add(span: Span): void {
    const key = Math.floor(span.startUs / BUCKET_US);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new Fifo<Span>();
      this.buckets.set(key, bucket);
      this.keys.splice(upperBound(this.keys, key), 0, key);
    }
    bucket.push(span);
    this.count++;
  }

  /** Removes `span`, which MUST be the oldest-appended span of its bucket still held. */
  removeOldest(span: Span): void {
    const key = Math.floor(span.startUs / BUCKET_US);
    const bucket = this.buckets.get(key);
    if (bucket === undefined || bucket.peek() !== span) {
      throw new AppError('INTERNAL', `memory store: span ${span.spanId} is not the oldest of its time bucket`);
    }
    bucket.shift();
    this.count--;
    if (bucket.size === 0) {
      this.buckets.delete(key);
      this.keys.splice(upperBound(this.keys, key) - 1, 1);
    }
  }

  /**
   * The buckets that may hold spans starting in [minUs, maxUs], newest bucket first. Buckets are
   * coarse: callers still check each span's startUs.
   */
  *bucketsDescending(minUs: number, maxUs: number): Iterable<Fifo<Span>> {
    const low = Math.floor(minUs / BUCKET_US);
    const high = Math.floor(maxUs / BUCKET_US);
    for (let i = upperBound(this.keys, high) - 1; i >= 0; i--) {
      const key = this.keys[i]!;
      if (key < low) break;
      yield this.buckets.get(key)!;
    }
  }
}

/** Index of the first element greater than `value` in an ascending array. */
function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
