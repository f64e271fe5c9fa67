import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../errors.js';
import type { Span } from '../../model/index.js';
import { createEmbeddedStore, OWN_SPANS_FORMAT } from './index.js';
import { BATCH_SPANS, batchSpans, decodeTestPayload } from './test-writer-process.js';

const CHILD = fileURLToPath(new URL('./test-writer-process.ts', import.meta.url));
const CENTURY_US = 100 * 365 * 24 * 3_600_000_000;
const DAY_US = 24 * 3_600_000_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ariadne-embedded-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function startChild(dir: string, mode: 'write' | 'one' | 'hold'): { child: ChildProcess; lines: string[]; waitFor(pred: (lines: string[]) => boolean): Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const waitFor = (pred: (l: string[]) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (pred(lines)) {
          clearInterval(timer);
          resolve();
        } else if (child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`child exited with ${child.exitCode}: ${stderr}`));
        }
      }, 5);
    });
  return { child, lines, waitFor };
}

function span(over: Partial<Span> & Pick<Span, 'traceId' | 'startUs'>): Span {
  return {
    spanId: '0000000000000001',
    kind: 'server',
    name: 'op',
    service: 'svc',
    durationUs: 10,
    statusCode: 'unset',
    attributes: {},
    events: [],
    links: [],
    resource: {},
    tenant: '',
    ...over,
  };
}

async function until(pred: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('embedded store durability', () => {
  it('every write acknowledged before kill -9 is readable after reopening', async () => {
    const dir = await tempDir();
    const { child, lines, waitFor } = startChild(dir, 'write');
    // Enough batches that several flushes to DuckDB happened and more were buffered.
    await waitFor((l) => l.length >= 60);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const acked = lines.filter((l) => l.startsWith('ok ')).map((l) => Number(l.slice(3)));
    expect(acked.length).toBeGreaterThanOrEqual(60);
    expect(acked).toEqual(acked.map((_, i) => i));

    const store = await createEmbeddedStore({ dataDir: dir, decode: decodeTestPayload, retentionUs: CENTURY_US, maxDiskBytes: 0 });
    cleanups.push(() => store.close());
    for (const n of acked) {
      const expected = batchSpans(n);
      const spans = await store.reader.getTrace({ traceId: expected[0]!.traceId });
      expect(spans.length, `batch ${n}`).toBe(BATCH_SPANS);
      expect(spans.sort((a, b) => a.startUs - b.startUs)).toEqual(expected);
    }
  });

  it('replays logged payloads through the decoder after a crash, and flushes them on close', async () => {
    const dir = await tempDir();
    const { child, waitFor } = startChild(dir, 'one');
    await waitFor((l) => l.includes('ok 0'));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const decoded: string[] = [];
    const decode = (p: Parameters<typeof decodeTestPayload>[0]) => {
      decoded.push(`${p.format}|${p.tenant}|${p.bytes.length}`);
      return decodeTestPayload(p);
    };
    const spans = batchSpans(0);
    const first = await createEmbeddedStore({ dataDir: dir, decode, retentionUs: CENTURY_US, maxDiskBytes: 0 });
    expect(decoded).toEqual([`test-spans-json|t1|${Buffer.byteLength(JSON.stringify(spans))}`]);
    expect(first.stats().bufferedSpans).toBe(BATCH_SPANS);
    expect(first.stats().extra.flush_count).toBe(0);
    expect((await first.reader.getTrace({ traceId: spans[0]!.traceId })).length).toBe(BATCH_SPANS);
    await first.close();

    // close() flushed to DuckDB and dropped the log, so nothing is replayed again.
    const second = await createEmbeddedStore({ dataDir: dir, decode, retentionUs: CENTURY_US, maxDiskBytes: 0 });
    cleanups.push(() => second.close());
    expect(decoded.length).toBe(1);
    expect(second.stats().bufferedSpans).toBe(0);
    expect(second.stats().extra.wal_bytes).toBe(0);
    expect((await second.reader.getTrace({ traceId: spans[0]!.traceId })).sort((a, b) => a.startUs - b.startUs)).toEqual(spans);
  });

  it('a second process cannot open a data dir in use', async () => {
    const dir = await tempDir();
    const { waitFor } = startChild(dir, 'hold');
    await waitFor((l) => l.includes('ready'));
    const err = await createEmbeddedStore({ dataDir: dir, decode: decodeTestPayload, retentionUs: CENTURY_US, maxDiskBytes: 0 }).catch((e: unknown) => e);
    expect(isAppError(err, 'UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`^cannot open data dir ${dir}: .*lock`, 'i'));
  });

  it('a data dir that cannot be created is UNAVAILABLE with the path in the message', async () => {
    const dir = await tempDir();
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const err = await createEmbeddedStore({ dataDir: file, decode: decodeTestPayload, retentionUs: CENTURY_US, maxDiskBytes: 0 }).catch((e: unknown) => e);
    expect(isAppError(err, 'UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`^cannot open data dir ${file}: ENOTDIR`));
  });

  const invalid: { name: string; change: Partial<Span>; message: string }[] = [
    { name: 'short trace id', change: { traceId: 'abc' }, message: 'span[1].traceId: expected 32 lowercase hex chars, got "abc"' },
    { name: 'upper-case span id', change: { spanId: '00000000000000AB' }, message: 'span[1].spanId: expected 16 lowercase hex chars, got "00000000000000AB"' },
    { name: 'fractional start', change: { startUs: 1.5 }, message: 'span[1].startUs: expected an integer, got 1.5' },
  ];
  for (const c of invalid) {
    it(`rejects a batch with an invalid span before logging it: ${c.name}`, async () => {
      const dir = await tempDir();
      const store = await createEmbeddedStore({ dataDir: dir, decode: decodeTestPayload, retentionUs: CENTURY_US, maxDiskBytes: 0 });
      cleanups.push(() => store.close());
      const spans = batchSpans(0).slice(0, 2);
      spans[1] = { ...spans[1]!, ...c.change };
      const err = await store.writer.writeSpans(spans).catch((e: unknown) => e);
      expect(isAppError(err, 'INVALID_ARGUMENT')).toBe(true);
      expect((err as Error).message).toBe(c.message);
      expect(store.stats().extra.wal_bytes).toBe(0);
      expect(store.stats().bufferedSpans).toBe(0);
    });
  }

  it('rejects writes beyond maxBufferedSpans with RESOURCE_EXHAUSTED and stores nothing of them', async () => {
    const dir = await tempDir();
    const store = await createEmbeddedStore({ dataDir: dir, decode: decodeTestPayload, retentionUs: CENTURY_US, maxDiskBytes: 0, maxBufferedSpans: 50 });
    cleanups.push(() => store.close());
    await store.writer.writeSpans(batchSpans(0));
    const err = await store.writer.writeSpans(batchSpans(1)).catch((e: unknown) => e);
    expect(isAppError(err, 'RESOURCE_EXHAUSTED')).toBe(true);
    expect((err as Error).message).toBe('embedded store: 40 spans are waiting for DuckDB (limit 50); retry later');
    expect(await store.reader.getTrace({ traceId: batchSpans(1)[0]!.traceId })).toEqual([]);
  });
});

describe('embedded store reads during flushes', () => {
  it('an acknowledged trace is always read whole, never missing or doubled, while flushes move it', async () => {
    const dir = await tempDir();
    const store = await createEmbeddedStore({ dataDir: dir, decode: decodeTestPayload, retentionUs: CENTURY_US, maxDiskBytes: 0, flushSpans: 80, flushIntervalMs: 100 });
    cleanups.push(() => store.close());
    const acked: number[] = [];
    let writing = true;
    const flushes = () => store.stats().extra.flush_count ?? 0;
    const writer = (async () => {
      for (let n = 0; n < 60; n++) {
        await store.writer.writeSpans(batchSpans(n));
        acked.push(n);
        // A flush takes everything buffered, so writes faster than flushes would make fewer flushes:
        // every 20 batches wait for one, so at least three move spans while the reads run.
        if (n % 20 === 19) {
          const before = flushes();
          while (flushes() === before) await new Promise((r) => setTimeout(r, 10));
        }
      }
      writing = false;
    })();
    let reads = 0;
    // Keep reading until several flushes have moved acknowledged spans from the buffer to DuckDB.
    while (writing || reads < 50 || flushes() < 3 || store.stats().bufferedSpans > 0) {
      const n = acked[(reads * 7) % Math.max(1, acked.length)];
      if (n !== undefined) {
        const spans = await store.reader.getTrace({ traceId: batchSpans(n)[0]!.traceId });
        expect(spans.length, `batch ${n}`).toBe(BATCH_SPANS);
        reads++;
      }
      await new Promise((r) => setImmediate(r));
    }
    await writer;
    expect(store.stats().extra.flush_count).toBeGreaterThanOrEqual(3);
    expect(reads).toBeGreaterThanOrEqual(50);
  });
});

describe('embedded store disk use', () => {
  async function filesBytes(dir: string): Promise<number> {
    let total = 0;
    for (const name of await readdir(dir)) {
      const st = await stat(join(dir, name));
      if (st.isFile()) total += st.size;
    }
    return total;
  }

  it('after a flush the log holds only unflushed records, and diskBytes is the bytes of the files in the data dir', async () => {
    const dir = await tempDir();
    const store = await createEmbeddedStore({ dataDir: dir, decode: decodeTestPayload, retentionUs: CENTURY_US, maxDiskBytes: 0, flushSpans: 2 * BATCH_SPANS });
    cleanups.push(() => store.close());
    await store.writer.writeSpans(batchSpans(0));
    await store.writer.writeSpans(batchSpans(1));
    await until(async () => store.stats().extra.flush_count === 1);
    expect(await filesBytes(join(dir, 'wal'))).toBe(0);
    expect(store.stats().extra.wal_bytes).toBe(0);

    const pending = batchSpans(2);
    await store.writer.writeSpans(pending);
    expect(store.stats().bufferedSpans).toBe(BATCH_SPANS);
    const recordBytes = 8 + 1 + Buffer.byteLength(OWN_SPANS_FORMAT) + 2 + Buffer.byteLength(JSON.stringify(pending));
    expect(await filesBytes(join(dir, 'wal'))).toBe(recordBytes);
    expect(store.stats().extra.wal_bytes).toBe(recordBytes);
    // Cached for a second at most; the files are measured again each time, since DuckDB may still
    // write to its own files in the background (checkpoints, rollup merges).
    await until(async () => store.stats().diskBytes === (await filesBytes(dir)) + (await filesBytes(join(dir, 'wal'))), 15_000);
  });
});

describe('embedded store flush failures', () => {
  it('keeps spans buffered and readable while flushes fail, and flushes them once the cause is gone', async () => {
    const dir = await tempDir();
    const errors: string[] = [];
    const store = await createEmbeddedStore({
      dataDir: dir,
      decode: decodeTestPayload,
      retentionUs: CENTURY_US,
      maxDiskBytes: 0,
      flushSpans: 1,
      logger: { info() {}, warn() {}, error: (_o, msg) => errors.push(msg ?? '') },
    });
    cleanups.push(() => store.close());
    // A directory where the staging file goes makes the flush fail.
    const blocker = join(dir, 'flush-spans.csv');
    await mkdir(blocker);
    const spans = batchSpans(3);
    await store.writer.writeSpans(spans);
    await until(async () => store.stats().extra.flush_failures_total === 1);
    expect(errors).toEqual(['failed to flush buffered spans to DuckDB; they stay buffered and logged']);
    expect(store.stats().bufferedSpans).toBe(BATCH_SPANS);
    expect((await store.reader.getTrace({ traceId: spans[0]!.traceId })).length).toBe(BATCH_SPANS);

    await rm(blocker, { recursive: true });
    await until(async () => store.stats().extra.flush_count === 1);
    expect(store.stats().bufferedSpans).toBe(0);
    expect((await store.reader.getTrace({ traceId: spans[0]!.traceId })).length).toBe(BATCH_SPANS);
  });
});

describe('embedded store retention', () => {
  it('deletes spans older than the retention period and keeps newer ones', async () => {
    const dir = await tempDir();
    const nowUs = Date.now() * 1000;
    const old = span({ traceId: '000000000000000000000000000000aa', startUs: nowUs - 30 * DAY_US });
    const fresh = span({ traceId: '000000000000000000000000000000bb', startUs: nowUs - DAY_US });
    const store = await createEmbeddedStore({
      dataDir: dir,
      decode: decodeTestPayload,
      retentionUs: 7 * DAY_US,
      maxDiskBytes: 0,
      flushSpans: 1,
      retentionIntervalMs: 20,
    });
    cleanups.push(() => store.close());
    await store.writer.writeSpans([old, fresh]);
    await until(async () => store.stats().extra.retention_deleted_spans_total === 1);
    expect(await store.reader.getTrace({ traceId: old.traceId })).toEqual([]);
    expect(await store.reader.getTrace({ traceId: fresh.traceId })).toEqual([fresh]);
    expect(await store.reader.getServices({})).toEqual(['svc']);
  });

  it('deletes the oldest days while the data dir is over maxDiskBytes', async () => {
    const dir = await tempDir();
    const nowUs = Date.now() * 1000;
    const spans = [3, 2, 1].map((days, i) => span({ traceId: `0000000000000000000000000000000${i + 1}`, startUs: nowUs - days * DAY_US }));
    const warnings: string[] = [];
    const store = await createEmbeddedStore({
      dataDir: dir,
      decode: decodeTestPayload,
      retentionUs: 7 * DAY_US,
      maxDiskBytes: 1,
      flushSpans: 1,
      retentionIntervalMs: 20,
      logger: { info() {}, error() {}, warn: (_o, msg) => warnings.push(msg ?? '') },
    });
    cleanups.push(() => store.close());
    await store.writer.writeSpans(spans);
    await until(async () => store.stats().extra.retention_deleted_spans_total === 3);
    expect(await store.reader.findTraceIds({ startUsMin: 0, startUsMax: nowUs, limit: 10 })).toEqual([]);
    expect(warnings).toContain('data dir over its size limit; deleted the oldest day');
  });
});
