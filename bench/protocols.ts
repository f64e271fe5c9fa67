/**
 * Per-protocol ingest benchmark: for every wire format Ariadne takes, the same workload spans
 * (bench/workload.ts, re-encoded by bench/encoders.ts) are (a) decoded in this process by the
 * receiver's own decoder (decode-only spans per CPU-second), and (b) sent to one fresh
 * `ariadne all-in-one` on the embedded store: spans acknowledged per wall second with N requests
 * in flight, and spans per server CPU-second (the "per core" figure). The Jaeger agent UDP ports
 * are sent as fast as possible, then paced, with every lost datagram accounted for: the server's
 * drop counters by reason and the kernel's per-socket drops. A sample of traces per protocol is
 * read back through GET /api/traces/<id>.
 *
 *   npm run bench:protocols -- --spans 100k --protocols zipkin-v2-json,otlp-grpc
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  JAEGER_AGENT_BINARY, JAEGER_AGENT_COMPACT, JAEGER_COLLECTOR_SERVICE, JAEGER_PROTO, JAEGER_THRIFT_BATCH,
  decodeJaegerAgentBinary, decodeJaegerAgentCompact, decodeJaegerProto, decodeJaegerThriftBatch,
} from '../src/receivers/jaeger/index.js';
import { OTLP_JSON, OTLP_PROTO, OTLP_TRACE_SERVICE, decodeOtlpJsonRequest, decodeOtlpProtoRequest } from '../src/receivers/otlp/index.js';
import { ZIPKIN_V2_JSON, decodeZipkinV2Json } from '../src/receivers/zipkin/index.js';
import { ZIPKIN_V1_THRIFT, decodeZipkinV1Thrift } from '../src/receivers/zipkin/decode-thrift.js';
import { ZIPKIN_V2_PROTO, decodeZipkinV2Proto } from '../src/receivers/zipkin/decode-proto.js';
import {
  chunkByProcess, encodeJaegerEmitBatch, encodeJaegerProto, encodeJaegerThriftBatch, encodeOtlpJson, encodeOtlpProto, encodeToFit,
  encodeZipkinV1Thrift, encodeZipkinV2Proto, parseWireSpans, type EncodedBody, type WireSpan,
} from './encoders.js';
import { createGetter } from './http-client.js';
import { fixed, heading, int, line, loadText, mib, onCleanup, parseCount, parseFlags, runCleanups, statusSummary } from './report.js';
import { callGrpc, metricSum, postBodies, sendDatagrams, udpSocketCounters, type SendOutcome } from './senders.js';
import { fetchMetrics, freePort, startAriadne, waitForDrain, type AriadneProcess } from './server-process.js';
import { jaegerSpanCount, readTraces, sampleTraces } from './trace-reads.js';
import { createWorkload, type Workload } from './workload.js';

/** Ports the server is started with (all free, picked at start). */
interface Ports {
  jaegerHttp: number;
  jaegerGrpc: number;
  jaegerCompact: number;
  jaegerBinary: number;
  otlpGrpc: number;
  otlpHttp: number;
  sampling: number;
}

type Target =
  | { kind: 'http'; url: (server: AriadneProcess, ports: Ports) => string; contentType: string }
  | { kind: 'grpc'; port: (ports: Ports) => number; path: string }
  | { kind: 'udp'; port: (ports: Ports) => number };

/** One protocol of the benchmark. */
interface Protocol {
  name: string;
  /** The server's decoder key: the `protocol` label of its counters. */
  format: string;
  target: Target;
  /** Request bodies (or datagrams) for the workload's spans. */
  encode(workload: Workload): EncodedBody[];
  /** Spans the receiver's decoder reads from one body. */
  decode(body: Buffer): number;
}

const MAX_DATAGRAM_BYTES = 65_000;
const SPANS_PER_REQUEST = 1000;
const SPANS_PER_DATAGRAM = 100;
/** Longest a span stays buffered: bounds the wait for partial (lossy UDP) flushes. */
const FLUSH_INTERVAL = '5s';

const spansOf = (w: Workload): WireSpan[] => w.batches.flatMap((b) => parseWireSpans(b.body));
/** The workload's own 1000-span requests, each re-encoded. */
const perBatch = (encode: (spans: readonly WireSpan[]) => Buffer) => (w: Workload): EncodedBody[] =>
  w.batches.map((b) => ({ body: encode(parseWireSpans(b.body)), spans: b.spanCount }));
const datagrams = (protocol: 'compact' | 'binary') => (w: Workload): EncodedBody[] =>
  chunkByProcess(spansOf(w), SPANS_PER_DATAGRAM).flatMap((c) => encodeToFit(c, (s) => encodeJaegerEmitBatch(s, protocol), MAX_DATAGRAM_BYTES));

const PROTOCOLS: readonly Protocol[] = [
  {
    name: 'zipkin-v2-json', format: ZIPKIN_V2_JSON,
    target: { kind: 'http', url: (s) => `${s.zipkinUrl}/api/v2/spans`, contentType: 'application/json' },
    encode: (w) => w.batches.map((b) => ({ body: b.body, spans: b.spanCount })),
    decode: (b) => decodeZipkinV2Json(b, '').length,
  },
  {
    name: 'zipkin-v2-proto', format: ZIPKIN_V2_PROTO,
    target: { kind: 'http', url: (s) => `${s.zipkinUrl}/api/v2/spans`, contentType: 'application/x-protobuf' },
    encode: perBatch(encodeZipkinV2Proto),
    decode: (b) => decodeZipkinV2Proto(b, '').length,
  },
  {
    name: 'zipkin-v1-thrift', format: ZIPKIN_V1_THRIFT,
    target: { kind: 'http', url: (s) => `${s.zipkinUrl}/api/v1/spans`, contentType: 'application/x-thrift' },
    encode: perBatch(encodeZipkinV1Thrift),
    decode: (b) => decodeZipkinV1Thrift(b, '').length,
  },
  {
    name: 'jaeger-thrift-http', format: JAEGER_THRIFT_BATCH,
    target: { kind: 'http', url: (_, p) => `http://127.0.0.1:${p.jaegerHttp}/api/traces`, contentType: 'application/x-thrift' },
    // A Batch carries one process, so requests hold up to 1000 spans of one service instance.
    encode: (w) => chunkByProcess(spansOf(w), SPANS_PER_REQUEST).map((c) => ({ body: encodeJaegerThriftBatch(c), spans: c.length })),
    decode: (b) => decodeJaegerThriftBatch(b, '').length,
  },
  {
    name: 'jaeger-proto-grpc', format: JAEGER_PROTO,
    target: { kind: 'grpc', port: (p) => p.jaegerGrpc, path: `/${JAEGER_COLLECTOR_SERVICE}/PostSpans` },
    encode: perBatch(encodeJaegerProto),
    decode: (b) => decodeJaegerProto(b, '').length,
  },
  {
    name: 'otlp-proto-http', format: OTLP_PROTO,
    target: { kind: 'http', url: (_, p) => `http://127.0.0.1:${p.otlpHttp}/v1/traces`, contentType: 'application/x-protobuf' },
    encode: perBatch(encodeOtlpProto),
    decode: (b) => decodeOtlpProtoRequest(b, '').spans.length,
  },
  {
    name: 'otlp-json-http', format: OTLP_JSON,
    target: { kind: 'http', url: (_, p) => `http://127.0.0.1:${p.otlpHttp}/v1/traces`, contentType: 'application/json' },
    encode: perBatch(encodeOtlpJson),
    decode: (b) => decodeOtlpJsonRequest(b, '').spans.length,
  },
  {
    name: 'otlp-grpc', format: OTLP_PROTO,
    target: { kind: 'grpc', port: (p) => p.otlpGrpc, path: `/${OTLP_TRACE_SERVICE}/Export` },
    encode: perBatch(encodeOtlpProto),
    decode: (b) => decodeOtlpProtoRequest(b, '').spans.length,
  },
  {
    name: 'jaeger-udp-compact', format: JAEGER_AGENT_COMPACT,
    target: { kind: 'udp', port: (p) => p.jaegerCompact },
    encode: datagrams('compact'),
    decode: (b) => decodeJaegerAgentCompact(b, '').length,
  },
  {
    name: 'jaeger-udp-binary', format: JAEGER_AGENT_BINARY,
    target: { kind: 'udp', port: (p) => p.jaegerBinary },
    encode: datagrams('binary'),
    decode: (b) => decodeJaegerAgentBinary(b, '').length,
  },
];

const FLAGS = [
  { name: 'spans', help: 'spans per protocol', default: '100000' },
  { name: 'protocols', help: `comma-separated subset of: ${PROTOCOLS.map((p) => p.name).join(', ')}`, default: 'all' },
  { name: 'concurrency', help: 'requests (HTTP) or calls (gRPC) in flight', default: '6' },
  { name: 'seed', help: 'workload PRNG seed (each protocol adds its own offset: distinct traces)', default: '1' },
  { name: 'decode-seconds', help: 'CPU seconds of decode-only timing per protocol, after one full pass', default: '1' },
  { name: 'paced-rate', help: 'UDP paced runs: spans per second, one run per comma-separated rate', default: '20000' },
  { name: 'paced-spans', help: 'UDP paced runs: spans sent in each', default: '20000' },
  { name: 'verify', help: 'traces per protocol read back through GET /api/traces/<id>', default: '20' },
] as const;

/** A UDP port that was free on loopback a moment ago. */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/**
 * Decode-only spans per CPU-second of this process, the best of several rounds (the machine is
 * shared: the best round is the least disturbed one). The first round is one full pass over the
 * bodies, whose span total is returned to check that the decoder reads every span; the others
 * run round-robin for `seconds` / 3 of CPU time each.
 */
function decodeRate(bodies: readonly EncodedBody[], decode: (body: Buffer) => number, seconds: number): { rate: number; firstPassSpans: number } {
  for (let i = 0; i < Math.min(3, bodies.length); i++) decode(bodies[i]!.body);
  const cpuUs = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return used.user + used.system;
  };
  let start = process.cpuUsage();
  let firstPassSpans = 0;
  for (const b of bodies) firstPassSpans += decode(b.body);
  let best = firstPassSpans / (cpuUs(start) / 1e6);
  let next = 0;
  for (let round = 0; round < 3; round++) {
    let spans = 0;
    let usedUs = 0;
    start = process.cpuUsage();
    while (usedUs < (seconds / 3) * 1e6) {
      spans += decode(bodies[next++ % bodies.length]!.body);
      usedUs = cpuUs(start);
    }
    best = Math.max(best, spans / (usedUs / 1e6));
  }
  return { rate: best, firstPassSpans };
}

/** One row of the summary table. */
interface Row {
  name: string;
  bytesPerSpan: number;
  decodeRate: number;
  persistedRate: number;
  /** Spans per server CPU-second while sending (decode, log, acknowledge). */
  spansPerCpuSecond: number;
  /** The same including the flush of those spans to the columnar store. */
  spansPerCpuSecondWithFlush: number;
  loss: string;
  load: string;
  readBack: string;
}

/** Counters that say where the datagrams sent to one UDP port went. */
interface UdpSnapshot {
  received: number;
  droppedByReason: Map<string, number>;
  kernelDrops: number;
  rxQueueBytes: number;
}

const DROP_REASONS = ['invalid', 'too_large', 'queue_full', 'overloaded'] as const;

async function udpSnapshot(server: AriadneProcess, format: string, port: number): Promise<UdpSnapshot> {
  const text = await fetchMetrics(server.adminUrl);
  let kernel = { rxQueueBytes: 0, drops: 0 };
  try {
    kernel = udpSocketCounters(readFileSync('/proc/net/udp', 'utf8'), port) ?? kernel;
  } catch {
    // not Linux: kernel drops stay unknown (reported as 0)
  }
  return {
    received: metricSum(text, 'ariadne_spans_received_total', { protocol: format }),
    droppedByReason: new Map(DROP_REASONS.map((r) => [r, metricSum(text, 'ariadne_udp_dropped_total', { port: String(port), reason: r })])),
    kernelDrops: kernel.drops,
    rxQueueBytes: kernel.rxQueueBytes,
  };
}

/**
 * Polls until the kernel queue of the port is empty and the server's counters have not moved for
 * `quietMs`; returns the last snapshot and when the received counter last moved.
 */
async function waitUdpSettled(options: { server: AriadneProcess; format: string; port: number; started: number; quietMs: number; timeoutMs: number }): Promise<{ snap: UdpSnapshot; lastChangeMs: number }> {
  let snap = await udpSnapshot(options.server, options.format, options.port);
  let lastChangeMs = performance.now() - options.started;
  let quietSince = performance.now();
  const key = (s: UdpSnapshot) => `${s.received}/${[...s.droppedByReason.values()].join(',')}/${s.kernelDrops}`;
  while (performance.now() - quietSince < options.quietMs || snap.rxQueueBytes > 0) {
    if (performance.now() - options.started > options.timeoutMs) break;
    await new Promise((r) => setTimeout(r, 50));
    const next = await udpSnapshot(options.server, options.format, options.port);
    if (next.received !== snap.received) lastChangeMs = performance.now() - options.started;
    if (key(next) !== key(snap)) quietSince = performance.now();
    snap = next;
  }
  return { snap, lastChangeMs };
}

/** "lost 12,300 of 100,000 spans (12.3 %): kernel 120 dgrams, queue_full 3 dgrams" or "none of 20,000". */
function udpLossText(sentSpans: number, storedSpans: number, before: UdpSnapshot, after: UdpSnapshot, sendErrors: number): string {
  const lost = sentSpans - storedSpans;
  const causes: string[] = [];
  const kernel = after.kernelDrops - before.kernelDrops;
  if (kernel > 0) causes.push(`kernel rcvbuf ${int(kernel)} dgrams`);
  for (const r of DROP_REASONS) {
    const n = (after.droppedByReason.get(r) ?? 0) - (before.droppedByReason.get(r) ?? 0);
    if (n > 0) causes.push(`server ${r} ${int(n)} dgrams`);
  }
  if (sendErrors > 0) causes.push(`send errors ${int(sendErrors)} dgrams`);
  if (lost === 0 && causes.length === 0) return `none of ${int(sentSpans)}`;
  return `lost ${int(lost)} of ${int(sentSpans)} spans (${fixed((lost / sentSpans) * 100)} %): ${causes.join(', ') || 'no counter names a cause'}`;
}

/**
 * Waits until the server has moved every acknowledged span to the columnar store, and returns its
 * CPU seconds then, so each protocol's figures include the flush of its own spans.
 */
async function drained(server: AriadneProcess): Promise<number> {
  const drain = await waitForDrain({ adminUrl: server.adminUrl, timeoutMs: 120_000, pollMs: 100 });
  if (drain.buffered !== 0) line('PROBLEM', `${drain.buffered ?? 'unknown'} spans still buffered after ${fixed(drain.waitedMs / 1000, 1)} s`);
  return server.cpuSeconds();
}

function printSend(name: string, r: SendOutcome): void {
  const counts = (m: Map<string, number>) => [...m].map(([k, v]) => `${k}×${int(v)}`).join(' ');
  line(`${name} answers`, counts(r.finalCounts));
  if (r.retriedCounts.size > 0) line(`${name} retried`, counts(r.retriedCounts));
  for (const f of r.failures) line(`${name} failure`, f);
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), FLAGS, 'npm run bench:protocols -- [flags]');
  if (!flags) return;
  const spans = parseCount(flags.get('spans')!, 'spans');
  const concurrency = parseCount(flags.get('concurrency')!, 'concurrency');
  const seed = Number(flags.get('seed'));
  const decodeSeconds = Number(flags.get('decode-seconds'));
  if (!(decodeSeconds > 0)) throw new Error(`--decode-seconds: expected a positive number, got ${JSON.stringify(flags.get('decode-seconds'))}`);
  const pacedRates = flags.get('paced-rate')!.split(',').map((r) => parseCount(r.trim(), 'paced-rate'));
  const pacedSpans = parseCount(flags.get('paced-spans')!, 'paced-spans');
  const verify = parseCount(flags.get('verify')!, 'verify');
  const wanted = flags.get('protocols')!;
  const selected = wanted === 'all' ? PROTOCOLS : wanted.split(',').map((n) => {
    const p = PROTOCOLS.find((x) => x.name === n.trim());
    if (!p) throw new Error(`--protocols: unknown protocol ${JSON.stringify(n)}; known: ${PROTOCOLS.map((x) => x.name).join(', ')}`);
    return p;
  });
  const runStarted = performance.now();
  const endUs = Date.now() * 1000;

  heading('setup');
  line('machine', `${cpus().length} cores, node ${process.version}, load average ${loadText()} at start`);
  line('workload per protocol', `${int(spans)} spans (distinct traces per protocol), ${SPANS_PER_REQUEST}-span requests, UDP datagrams ≤ ${MAX_DATAGRAM_BYTES} B of ~${SPANS_PER_DATAGRAM} spans`);
  line('client', `${concurrency} requests in flight (HTTP keep-alive / one HTTP/2 connection for gRPC); UDP from one socket`);
  const ports: Ports = {
    jaegerHttp: await freePort(), jaegerGrpc: await freePort(), otlpGrpc: await freePort(), otlpHttp: await freePort(), sampling: await freePort(),
    jaegerCompact: await freeUdpPort(), jaegerBinary: await freeUdpPort(),
  };
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-bench-'));
  onCleanup(() => rm(dataDir, { recursive: true, force: true }));
  const server = await startAriadne({
    dataDir,
    extraArgs: [
      '--jaeger.http-port', String(ports.jaegerHttp), '--jaeger.grpc-port', String(ports.jaegerGrpc),
      '--jaeger.compact-port', String(ports.jaegerCompact), '--jaeger.binary-port', String(ports.jaegerBinary),
      '--otlp.grpc-port', String(ports.otlpGrpc), '--otlp.http-port', String(ports.otlpHttp), '--sampling.port', String(ports.sampling),
      // One flush per protocol, right after its last span, so each row pays for its own flush.
      '--embedded.flush-spans', String(spans), '--embedded.flush-interval', FLUSH_INTERVAL,
    ],
  });
  onCleanup(() => server.stop());
  line('server', `ariadne all-in-one, embedded store, pid ${server.pid}, idle RSS ${mib(server.rssBytes())}`);
  line('server flush settings', `--embedded.flush-spans ${spans} --embedded.flush-interval ${FLUSH_INTERVAL}; each row waits for its spans to be flushed`);

  const rows: Row[] = [];
  const toVerify: Array<{ name: string; workload: Workload; rowIndex: number }> = [];
  let prepMs = 0;
  for (const protocol of selected) {
    const protocolSeed = seed + 100 * (PROTOCOLS.indexOf(protocol) + 1);
    heading(protocol.name);
    const prepStarted = performance.now();
    const workload = createWorkload({ spans, seed: protocolSeed, endUs });
    const bodies = protocol.encode(workload);
    const bytes = bodies.reduce((n, b) => n + b.body.length, 0);
    const sent = bodies.reduce((n, b) => n + b.spans, 0);
    prepMs += performance.now() - prepStarted;
    line('bodies', `${int(bodies.length)} of ${fixed(sent / bodies.length, 0)} spans on average, ${mib(bytes)}, ${fixed(bytes / sent)} B/span (prepared in ${fixed((performance.now() - prepStarted) / 1000, 1)} s, not timed)`);
    const { rate: decoded, firstPassSpans } = decodeRate(bodies, protocol.decode, decodeSeconds);
    if (firstPassSpans !== sent) line('PROBLEM', `the decoder reads ${firstPassSpans} spans from bodies holding ${sent}`);
    line('decode-only (this process)', `${int(decoded)} spans per CPU-second`);

    const target = protocol.target;
    const row: Row = { name: protocol.name, bytesPerSpan: bytes / sent, decodeRate: decoded, persistedRate: Number.NaN, spansPerCpuSecond: Number.NaN, spansPerCpuSecondWithFlush: Number.NaN, loss: '', load: '', readBack: '' };
    if (target.kind !== 'udp') {
      const before = metricSum(await fetchMetrics(server.adminUrl), 'ariadne_spans_received_total', { protocol: protocol.format });
      const cpu0 = server.cpuSeconds();
      const r = target.kind === 'http'
        ? await postBodies({ url: target.url(server, ports), contentType: target.contentType, bodies, concurrency })
        : await callGrpc({ address: `127.0.0.1:${target.port(ports)}`, path: target.path, bodies, concurrency });
      const cpu = server.cpuSeconds() - cpu0;
      const after = metricSum(await fetchMetrics(server.adminUrl), 'ariadne_spans_received_total', { protocol: protocol.format });
      row.persistedRate = r.ackedSpans / (r.elapsedMs / 1000);
      row.spansPerCpuSecond = r.ackedSpans / cpu;
      row.loss = r.ackedSpans === r.sentSpans ? 'none' : `${int(r.sentSpans - r.ackedSpans)} spans refused`;
      row.load = loadText().split(' ')[0]!;
      printSend(protocol.name, r);
      line('acknowledged', `${int(r.ackedSpans)} of ${int(r.sentSpans)} spans in ${fixed(r.elapsedMs / 1000, 2)} s: ${int(row.persistedRate)} spans/s`);
      line('server counter (received)', `+${int(after - before)} ${protocol.format} spans`);
      line('server CPU while sending', `${fixed(cpu, 2)} s: ${int(row.spansPerCpuSecond)} spans per CPU-second`);
      const withFlush = (await drained(server)) - cpu0;
      row.spansPerCpuSecondWithFlush = r.ackedSpans / withFlush;
      line('server CPU incl. flush', `${fixed(withFlush, 2)} s: ${int(row.spansPerCpuSecondWithFlush)} spans per CPU-second`);
      rows.push(row);
      toVerify.push({ name: protocol.name, workload, rowIndex: rows.length - 1 });
    } else {
      const port = target.port(ports);
      // Overload: as fast as one socket sends, so the receiver's limits show.
      const before = await udpSnapshot(server, protocol.format, port);
      const cpu0 = server.cpuSeconds();
      const started = performance.now();
      const r = await sendDatagrams({ host: '127.0.0.1', port, datagrams: bodies });
      const { snap: after, lastChangeMs } = await waitUdpSettled({ server, format: protocol.format, port, started, quietMs: 1000, timeoutMs: 120_000 });
      const cpu = server.cpuSeconds() - cpu0;
      const stored = after.received - before.received;
      row.persistedRate = stored / (lastChangeMs / 1000);
      row.spansPerCpuSecond = stored / cpu;
      row.loss = udpLossText(r.sentSpans, stored, before, after, r.sendErrors);
      row.load = loadText().split(' ')[0]!;
      row.readBack = 'lossy: skipped';
      line('overload: sent', `${int(r.sentDatagrams)} datagrams, ${int(r.sentSpans)} spans in ${fixed(r.elapsedMs / 1000, 2)} s (${int(r.sentSpans / (r.elapsedMs / 1000))} spans/s offered)`);
      line('overload: stored', `${int(stored)} spans, last one ${fixed(lastChangeMs / 1000, 2)} s after the first send: ${int(row.persistedRate)} spans/s`);
      line('overload: loss', row.loss);
      line('overload: server CPU', `${fixed(cpu, 2)} s: ${int(row.spansPerCpuSecond)} spans per CPU-second`);
      const withFlush = (await drained(server)) - cpu0;
      row.spansPerCpuSecondWithFlush = stored / withFlush;
      line('overload: server CPU incl. flush', `${fixed(withFlush, 2)} s: ${int(row.spansPerCpuSecondWithFlush)} spans per CPU-second`);
      rows.push(row);

      // Paced: steady rates the receiver should take without loss.
      for (const [k, pacedRate] of pacedRates.entries()) {
        const pacedWorkload = createWorkload({ spans: pacedSpans, seed: protocolSeed + 50 + k, endUs });
        const paced = protocol.encode(pacedWorkload);
        const pb = await udpSnapshot(server, protocol.format, port);
        const pcpu0 = server.cpuSeconds();
        const pStarted = performance.now();
        const pr = await sendDatagrams({ host: '127.0.0.1', port, datagrams: paced, spansPerSecond: pacedRate });
        const { snap: pa, lastChangeMs: pLast } = await waitUdpSettled({ server, format: protocol.format, port, started: pStarted, quietMs: 1000, timeoutMs: 60_000 });
        const pcpu = server.cpuSeconds() - pcpu0;
        const pStored = pa.received - pb.received;
        const pWithFlush = (await drained(server)) - pcpu0;
        const pacedRow: Row = {
          name: `${protocol.name} @${int(pacedRate)}/s`, bytesPerSpan: paced.reduce((n, b) => n + b.body.length, 0) / pr.sentSpans,
          decodeRate: Number.NaN, persistedRate: pStored / (pLast / 1000), spansPerCpuSecond: pStored / pcpu, spansPerCpuSecondWithFlush: pStored / pWithFlush,
          loss: udpLossText(pr.sentSpans, pStored, pb, pa, pr.sendErrors), load: loadText().split(' ')[0]!, readBack: '',
        };
        line(`paced @${int(pacedRate)} spans/s: sent`, `${int(pr.sentDatagrams)} datagrams, ${int(pr.sentSpans)} spans in ${fixed(pr.elapsedMs / 1000, 2)} s (${int(pr.sentSpans / (pr.elapsedMs / 1000))} spans/s offered, never in bursts)`);
        line(`paced: stored`, `${int(pStored)} spans: ${int(pacedRow.persistedRate)} spans/s`);
        line('paced: loss', pacedRow.loss);
        rows.push(pacedRow);
        toVerify.push({ name: pacedRow.name, workload: pacedWorkload, rowIndex: rows.length - 1 });
      }
    }
  }

  heading('read back: GET /api/traces/<id>');
  const getter = createGetter(server.queryUrl);
  try {
    for (const v of toVerify) {
      const sample = sampleTraces(v.workload.traces, Math.min(verify, v.workload.traces.length), 11);
      const check = await readTraces({ getter, traces: sample, pathOf: (t) => `/api/traces/${t.traceId}`, countSpans: jaegerSpanCount });
      rows[v.rowIndex]!.readBack = `${check.ok}/${check.checked}`;
      line(v.name, `${check.ok} of ${check.checked} traces with every span; statuses ${statusSummary(check.statusCounts)}`);
      for (const p of check.problems) line(`${v.name} problem`, p);
      if (check.ok < check.checked) process.exitCode = 1;
    }
  } finally {
    getter.close();
  }

  heading('summary');
  line('load average at end', loadText());
  line('server RSS now / peak', `${mib(server.rssBytes())} / ${mib(server.peakRssBytes())}`);
  line('body preparation (not timed)', `${fixed(prepMs / 1000, 1)} s; whole run ${fixed((performance.now() - runStarted) / 1000, 1)} s`);
  const problems = server.problems();
  line('server warn/error lines', String(problems.length));
  for (const p of problems.slice(0, 5)) line('server log', p);
  process.stdout.write(`\n${table(rows)}\n`);
  process.stdout.write('persisted = spans acknowledged per wall second (UDP: stored per second until the last one landed);\n'
    + 'per server CPU-s = those spans / the server process\'s CPU seconds (all threads) while sending, and until they were flushed: the one-core figures;\n'
    + 'decode-only = the receiver\'s decoder on the same bodies in this process, spans per CPU-second; load = 1-minute load average after the row.\n');
}

/** The summary as a Markdown table. */
function table(rows: readonly Row[]): string {
  const header = ['protocol', 'bytes/span', 'decode-only spans/s', 'persisted spans/s', 'spans per server CPU-s (send / incl. flush)', 'loss', 'read back', 'load'];
  const body = rows.map((r) => [
    r.name, fixed(r.bytesPerSpan, 0), Number.isNaN(r.decodeRate) ? '-' : int(r.decodeRate), int(r.persistedRate), `${int(r.spansPerCpuSecond)} / ${int(r.spansPerCpuSecondWithFlush)}`,
    r.loss, r.readBack, r.load,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: readonly string[]) => `| ${cells.map((c, i) => (i === 0 || i === 5 || i === 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w, i) => (i === 0 || i === 5 || i === 6 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(fmt)].join('\n');
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench:protocols failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await runCleanups();
}
