/**
 * A child process for the embedded store's crash and lock tests: opens the store in the directory
 * given as argv[2] and, in mode "write", writes numbered batches forever, printing "ok <n>" after
 * each resolved write; in mode "one" it writes batch 0 (never flushing it), prints "ok 0" and
 * waits; in mode "hold" it prints "ready" and keeps the store open.
 */
import { pathToFileURL } from 'node:url';
import type { Span } from '../../model/index.js';
import type { Payload } from '../api.js';
import { createEmbeddedStore } from './index.js';

/** Spans per batch written by the child. */
export const BATCH_SPANS = 40;
/** Log format of the child's payloads: the spans as JSON. */
export const TEST_FORMAT = 'test-spans-json';

/** The deterministic spans of batch `n`. */
export function batchSpans(n: number): Span[] {
  return Array.from({ length: BATCH_SPANS }, (_, i) => ({
    traceId: (n + 1).toString(16).padStart(32, '0'),
    spanId: (i + 1).toString(16).padStart(16, '0'),
    kind: 'server' as const,
    name: `op-${i % 5}`,
    service: `svc-${n % 3}`,
    startUs: 1_700_000_000_000_000 + n * 1000 + i,
    durationUs: 100 + i,
    statusCode: 'unset' as const,
    attributes: { 'http.method': 'GET', batch: n },
    events: [],
    links: [],
    resource: {},
    tenant: '',
  }));
}

/** Decoder for the child's payloads. */
export function decodeTestPayload(payload: Payload): Span[] {
  return JSON.parse(payload.bytes.toString('utf8')) as Span[];
}

async function main(): Promise<void> {
  const [dir, mode] = process.argv.slice(2);
  if (dir === undefined) throw new Error('usage: test-writer-process.ts <dir> write|one|hold');
  const store = await createEmbeddedStore({
    dataDir: dir,
    decode: decodeTestPayload,
    retentionUs: 100 * 365 * 24 * 3_600_000_000,
    maxDiskBytes: 0,
    flushSpans: mode === 'one' ? 1e9 : 400,
    flushIntervalMs: mode === 'one' ? 1e9 : 50,
  });
  if (mode === 'hold') {
    process.stdout.write('ready\n');
    setInterval(() => {}, 1000);
    return;
  }
  if (mode === 'one') {
    const spans = batchSpans(0);
    await store.writer.writeSpans(spans, { payload: { format: TEST_FORMAT, tenant: 't1', bytes: Buffer.from(JSON.stringify(spans)) } });
    process.stdout.write('ok 0\n');
    setInterval(() => {}, 1000);
    return;
  }
  for (let n = 0; ; n++) {
    const spans = batchSpans(n);
    const bytes = Buffer.from(JSON.stringify(spans));
    await store.writer.writeSpans(spans, { payload: { format: TEST_FORMAT, tenant: '', bytes } });
    process.stdout.write(`ok ${n}\n`);
  }
}

// Run only as the child's entry point, not when the test imports the helpers above.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
