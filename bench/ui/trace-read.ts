/**
 * The server's side of a first trace open, without a browser: one big trace written to the
 * embedded store and flushed to DuckDB, then, alternating so both see the same machine load, the
 * whole read (getTrace) and the skeleton read (getTraceSkeleton), each followed by what the UI
 * plugin does before answering (prepareTrace, encodeColumns, gzip level 1). Prints the median and
 * range of each step, and the load.
 * Usage: node --import tsx bench/ui/trace-read.ts [--spans 50000] [--rounds 5]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Span } from '../../src/model/index.js';
import { encodeColumns } from '../../src/query/ui/columns.js';
import { prepareTrace } from '../../src/query/ui/compact-trace.js';
import { HOST_RESOURCE_KEYS } from '../../src/query/jaeger/index.js';
import { decodeZipkinV2Json } from '../../src/receivers/zipkin/index.js';
import type { Payload, SpanReader } from '../../src/storage/api.js';
import { createEmbeddedStore } from '../../src/storage/embedded/index.js';
import { fixed, heading, int, line, loadText, parseFlags, percentile } from '../report.js';
import { bigTrace } from './big-trace.js';

type Step = 'read' | 'prepare' | 'encode' | 'gzip' | 'total';
const STEPS: Step[] = ['read', 'prepare', 'encode', 'gzip', 'total'];

const flags = parseFlags(process.argv.slice(2), [
  { name: 'spans', default: '50000', help: 'trace size in spans' },
  { name: 'rounds', default: '5', help: 'reads of each kind' },
], 'node --import tsx bench/ui/trace-read.ts [--spans 50000] [--rounds 5]');
if (flags) await run(Number(flags.get('spans')), Math.max(1, Number(flags.get('rounds'))));

async function once(read: () => Promise<Span[]>): Promise<Record<Step, number>> {
  const t0 = performance.now();
  const spans = await read();
  const t1 = performance.now();
  const trace = prepareTrace(spans, { adjustClockSkew: true });
  const t2 = performance.now();
  const body = encodeColumns(trace.compact);
  const t3 = performance.now();
  gzipSync(body, { level: 1 });
  const t4 = performance.now();
  return { read: t1 - t0, prepare: t2 - t1, encode: t3 - t2, gzip: t4 - t3, total: t4 - t0 };
}

async function run(spanCount: number, rounds: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ariadne-bench-trace-read-'));
  const options = { dataDir: dir, decode: (p: Payload) => decodeZipkinV2Json(p.bytes, p.tenant), retentionUs: 0, maxDiskBytes: 0 };
  try {
    const trace = bigTrace({ spans: spanCount, seed: 7, endUs: Date.now() * 1000 - 300_000_000 });
    const writing = await createEmbeddedStore(options);
    for (const body of trace.bodies) await writing.writer.writeSpans(decodeZipkinV2Json(body, ''));
    await writing.close(); // flushes every span into DuckDB
    const store = await createEmbeddedStore(options);
    const reader: SpanReader = store.reader;
    const kinds = {
      'whole (getTrace)': () => reader.getTrace({ traceId: trace.traceId }),
      'skeleton (getTraceSkeleton)': () => reader.getTraceSkeleton!({ traceId: trace.traceId, resourceKeys: HOST_RESOURCE_KEYS }),
    };
    const samples = new Map<string, Record<Step, number>[]>(Object.keys(kinds).map((k) => [k, []]));
    line('machine load (1, 5, 15 min)', loadText());
    for (let round = 0; round < rounds; round++) {
      for (const [name, read] of Object.entries(kinds)) samples.get(name)!.push(await once(read));
    }
    heading(`${int(trace.spanCount)}-span trace read from DuckDB, ${rounds} rounds: median (min-max) ms`);
    for (const [name, list] of samples) {
      line(name, STEPS.map((step) => {
        const values = list.map((s) => s[step]);
        return `${step} ${fixed(percentile(values, 50), 0)} (${fixed(Math.min(...values), 0)}-${fixed(Math.max(...values), 0)})`;
      }).join(', '));
    }
    line('machine load after (1, 5, 15 min)', loadText());
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
