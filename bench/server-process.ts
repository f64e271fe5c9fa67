/**
 * Runs `ariadne all-in-one` as a child process for the benchmarks and reads its resource use from
 * /proc (Linux): CPU time, current and peak RSS. Also the disk usage of its data directory.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './report.js';

const BIN = new URL('../bin/ariadne.js', import.meta.url).pathname;

function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

const CLK_TCK = clockTicksPerSecond();

/** User + system CPU seconds of one process (all its threads) or thread, from a /proc stat file. */
export function cpuSecondsFromStat(statText: string): number {
  // Fields after the command name (which may contain spaces) start at field 3 ("state").
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** A value in kB from /proc/<pid>/status ("VmRSS", "VmHWM"), in bytes; 0 once the process is gone. */
function statusBytes(pid: number, key: string): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A TCP port that was free on loopback a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A running server. */
export interface AriadneProcess {
  pid: number;
  zipkinUrl: string;
  queryUrl: string;
  adminUrl: string;
  /** CPU seconds (user + system, all threads) used so far. */
  cpuSeconds(): number;
  rssBytes(): number;
  /** Peak RSS since start (VmHWM). */
  peakRssBytes(): number;
  /** Log lines at level warn or above seen so far (the server runs with --log.level warn). */
  problems(): string[];
  /** True once the process has exited. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node bin/ariadne.js all-in-one` on free loopback ports with the given data dir and resolves
 * once GET <admin>/ready answers 200. Rejects (after killing it) if it exits or is not ready in time.
 */
export async function startAriadne(options: { dataDir: string; extraArgs?: string[]; readyTimeoutMs?: number }): Promise<AriadneProcess> {
  const [zipkinPort, queryPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [
    BIN, 'all-in-one', '--data-dir', options.dataDir, '--host', '127.0.0.1',
    '--zipkin.port', String(zipkinPort), '--query.port', String(queryPort), '--admin.port', String(adminPort),
    '--log.level', 'warn', '--log.format', 'json', ...(options.extraArgs ?? []),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('failed to spawn the server');
  const problems: string[] = [];
  let stderrTail = '';
  let exitCode: number | null | undefined;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exitCode = code ?? (signal ? -1 : null);
    resolve();
  }));
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() && problems.length < 1000) problems.push(line.slice(0, 500));
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderrTail = (stderrTail + d.toString('utf8')).slice(-4000);
  });
  const proc: AriadneProcess = {
    pid,
    zipkinUrl: `http://127.0.0.1:${zipkinPort}`,
    queryUrl: `http://127.0.0.1:${queryPort}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    cpuSeconds() {
      try {
        return cpuSecondsFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return Number.NaN;
      }
    },
    rssBytes: () => statusBytes(pid, 'VmRSS'),
    peakRssBytes: () => statusBytes(pid, 'VmHWM'),
    problems: () => {
      // Runtime warnings repeat (one per listener or request): list each distinct stderr line once.
      const counts = new Map<string, number>();
      for (const l of stderrTail.split('\n')) if (l.trim() && !l.startsWith('(Use `node')) counts.set(l, (counts.get(l) ?? 0) + 1);
      return [...problems, ...[...counts].map(([l, n]) => `stderr${n > 1 ? ` (×${n})` : ''}: ${l.slice(0, 300)}`)];
    },
    exited: () => exitCode !== undefined,
    async stop(graceMs = 30_000) {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`server exited with code ${exitCode} before /ready; stderr: ${stderrTail}; log: ${problems.slice(-5).join('\n')}`);
    }
    if (Date.now() > deadline) {
      await proc.stop(2000);
      throw new Error(`server not ready after ${options.readyTimeoutMs ?? 60_000} ms; stderr: ${stderrTail}`);
    }
    try {
      const res = await fetch(`${proc.adminUrl}/ready`);
      await res.arrayBuffer();
      if (res.status === 200) return proc;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Disk usage of a directory tree. */
export interface DiskUsage {
  /** Bytes allocated on disk, as du counts them. */
  allocatedBytes: number;
  apparentBytes: number;
  files: number;
  /** The biggest files (path relative to the tree, apparent size), largest first, at most five. */
  largest: Array<{ path: string; bytes: number }>;
}

/** Walks a directory tree and adds up what it holds. */
export async function diskUsage(dir: string): Promise<DiskUsage> {
  const usage: DiskUsage = { allocatedBytes: 0, apparentBytes: 0, files: 0, largest: [] };
  const all: Array<{ path: string; bytes: number }> = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      const st = await lstat(p);
      usage.allocatedBytes += st.blocks * 512;
      if (entry.isDirectory()) await walk(p, `${rel}${entry.name}/`);
      else {
        usage.apparentBytes += st.size;
        usage.files++;
        all.push({ path: `${rel}${entry.name}`, bytes: st.size });
      }
    }
  };
  await walk(dir, '');
  usage.largest = all.sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  return usage;
}

/** Sums every sample of a Prometheus metric in text exposition format; undefined if absent. */
export function metricValue(text: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

/** The admin port's Prometheus text, or "" when it cannot be read. */
export async function fetchMetrics(adminUrl: string): Promise<string> {
  try {
    const res = await fetch(`${adminUrl}/metrics`);
    return res.status === 200 ? await res.text() : '';
  } catch {
    return '';
  }
}

/** One line of the server's own ingest and store counters, for cross-checking the client's view. */
export function serverCounters(text: string): string {
  const received = metricValue(text, 'ariadne_spans_received_total');
  const rejected = metricValue(text, 'ariadne_spans_rejected_total');
  const seconds = metricValue(text, 'ariadne_ingest_request_seconds_sum');
  const requests = metricValue(text, 'ariadne_ingest_request_seconds_count');
  const disk = metricValue(text, 'ariadne_store_disk_bytes');
  const mean = seconds !== undefined && requests ? `${(seconds / requests * 1000).toFixed(1)} ms` : 'n/a';
  return `received ${received ?? 'n/a'}, rejected ${rejected ?? 0}, mean request-to-ack ${mean}, store disk ${disk === undefined ? 'n/a' : `${(disk / 1024 / 1024).toFixed(1)} MiB`}`;
}

/**
 * Polls `ariadne_store_buffered_spans` on the admin port until it is 0 or `timeoutMs` passes;
 * returns the last value seen (undefined if the metric is missing).
 */
export async function waitForDrain(options: { adminUrl: string; timeoutMs: number; pollMs?: number }): Promise<{ buffered: number | undefined; waitedMs: number }> {
  const started = performance.now();
  let buffered: number | undefined;
  for (;;) {
    try {
      const res = await fetch(`${options.adminUrl}/metrics`);
      buffered = metricValue(await res.text(), 'ariadne_store_buffered_spans');
    } catch {
      buffered = undefined;
    }
    const waitedMs = performance.now() - started;
    if (buffered === 0 || buffered === undefined || waitedMs > options.timeoutMs) return { buffered, waitedMs };
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
  }
}

/** Starts Ariadne on a fresh temporary data dir; runCleanups stops it and removes the dir. */
export async function startTempAriadne(): Promise<{ server: AriadneProcess; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-bench-'));
  onCleanup(() => rm(dataDir, { recursive: true, force: true }));
  const server = await startAriadne({ dataDir });
  onCleanup(() => server.stop());
  return { server, dataDir };
}
