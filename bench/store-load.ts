/**
 * Loads a generated workload straight into a store through its writer (no HTTP), for the
 * benchmarks that time reads over many spans.
 */
import { isAppError } from '../src/errors.js';
import type { Span } from '../src/model/index.js';
import { decodeZipkinV2Json, ZIPKIN_V2_JSON } from '../src/receivers/zipkin/index.js';
import type { Payload, Store } from '../src/storage/api.js';
import { generateBatches } from './workload.js';

/** The store's log decoder for the workload's payloads (Zipkin v2 JSON). */
export const decodeWorkload = (p: Payload): Span[] => decodeZipkinV2Json(p.bytes, p.tenant);

/**
 * Writes `spans` workload spans ending at `endUs` over `windowUs`, `concurrency` batches at a time,
 * waiting while the store answers RESOURCE_EXHAUSTED; calls `progress` after every batch with the
 * spans written so far. Resolves with the seconds taken.
 */
export async function writeWorkload(
  store: Store,
  options: { spans: number; endUs: number; windowUs: number; concurrency: number; progress?: (written: number, seconds: number) => void },
): Promise<number> {
  const batches = generateBatches({ spans: options.spans, endUs: options.endUs, windowUs: options.windowUs });
  const t0 = performance.now();
  let written = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const next = batches.next();
      if (next.done) return;
      const body = next.value.body;
      const spans = decodeZipkinV2Json(body, '');
      for (;;) {
        try {
          await store.writer.writeSpans(spans, { payload: { format: ZIPKIN_V2_JSON, tenant: '', bytes: body } });
          break;
        } catch (err) {
          if (!isAppError(err, 'RESOURCE_EXHAUSTED')) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      written += spans.length;
      options.progress?.(written, (performance.now() - t0) / 1000);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return (performance.now() - t0) / 1000;
}
