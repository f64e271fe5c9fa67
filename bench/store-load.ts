/**
 * Loads a generated workload straight into a store through its writer (no HTTP), for the
 * benchmarks that time reads over many spans.
 */
import { isAppError } from '../src/errors.js';
import type { Span } from '../src/model/index.js';
import { decodeZipkinV2Json, ZIPKIN_V2_JSON } from '../src/receivers/zipkin/index.js';
import type { Payload, Store } from '../src/storage/api.js';
import { generateBatches, type WorkloadOptions } from './workload.js';

/** The store's log decoder for the workload's payloads (Zipkin v2 JSON). */
export const decodeWorkload = (p: Payload): Span[] => decodeZipkinV2Json(p.bytes, p.tenant);

/** What one workload write took. */
export interface WorkloadWrite {
  seconds: number;
  /** Writes the store refused with RESOURCE_EXHAUSTED (each retried after 50 ms). */
  rejected: number;
  /** Time spent generating and decoding request bodies (not the store's work). */
  decodeSeconds: number;
}

/**
 * Writes `spans` workload spans ending at `endUs` (over `windowUs`, the workload's default when
 * absent), `concurrency` batches at a time, waiting while the store answers RESOURCE_EXHAUSTED;
 * calls `progress` after every batch with the spans written so far.
 */
export async function writeWorkload(
  store: Store,
  options: {
    spans: number; endUs: number; windowUs?: number; concurrency: number; order?: WorkloadOptions['order'];
    progress?: (written: number, seconds: number) => void;
  },
): Promise<WorkloadWrite> {
  const batches = generateBatches({ spans: options.spans, endUs: options.endUs, windowUs: options.windowUs, order: options.order });
  const t0 = performance.now();
  let written = 0;
  let rejected = 0;
  let decodeSeconds = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const d0 = performance.now();
      const next = batches.next();
      if (next.done) return;
      const body = next.value.body;
      const spans = decodeZipkinV2Json(body, '');
      decodeSeconds += (performance.now() - d0) / 1000;
      for (;;) {
        try {
          await store.writer.writeSpans(spans, { payload: { format: ZIPKIN_V2_JSON, tenant: '', bytes: body } });
          break;
        } catch (err) {
          if (!isAppError(err, 'RESOURCE_EXHAUSTED')) throw err;
          rejected++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      written += spans.length;
      options.progress?.(written, (performance.now() - t0) / 1000);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { seconds: (performance.now() - t0) / 1000, rejected, decodeSeconds };
}
