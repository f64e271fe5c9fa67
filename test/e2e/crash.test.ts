/**
 * Crash safety: spans are sent continuously, the server is killed with SIGKILL and restarted on the
 * same data dir, round after round (ARIADNE_CRASH_ROUNDS, default 10): mid-ingest, while a flush
 * writes its staging file, and while the next start is replaying the log. Every start must open the
 * store cleanly and every span that got a 202 must be readable at the end.
 * Then a full disk and a read-only data dir: clear errors (503 with a message, a fatal log at start),
 * nothing acknowledged lost, and a restart on a writable copy reads everything back.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

const ROUNDS = Number(process.env.ARIADNE_CRASH_ROUNDS ?? 10);
const TRACES_PER_BATCH = 10;
const SPANS_PER_TRACE = 10;
const BIN = new URL('../../bin/ariadne.js', import.meta.url).pathname;
/** Flushes every 2000 spans or second, so kills land during flushes as well. */
const FLUSH_OFTEN = ['--embedded.flush-spans', '2000', '--embedded.flush-interval', '1s'];

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await removeDir(dir);
});

function batch(round: number, n: number): { body: string; traceIds: string[] } {
  const traceIds: string[] = [];
  const spans = [];
  const base = Date.now() * 1000 - 60_000_000;
  for (let t = 0; t < TRACES_PER_BATCH; t++) {
    const traceId = `${(round + 1).toString(16).padStart(8, '0')}${n.toString(16).padStart(8, '0')}${t.toString(16).padStart(16, '0')}`;
    traceIds.push(traceId);
    for (let s = 0; s < SPANS_PER_TRACE; s++) {
      spans.push({
        traceId, id: (s + 1).toString(16).padStart(16, '0'), parentId: s === 0 ? undefined : '0000000000000001',
        name: `op-${s}`, kind: s === 0 ? 'SERVER' : 'CLIENT', timestamp: base + s * 10, duration: 100 + s,
        localEndpoint: { serviceName: `svc-${s % 3}` }, tags: { round: String(round), batch: String(n) },
      });
    }
  }
  return { body: JSON.stringify(spans), traceIds };
}

/** Posts batches back to back (4 in flight) until stopped; keeps the trace ids whose batch got 202 and the other answers. */
function sendUntilKilled(server: ServerProcess, round: number) {
  const acked: string[] = [];
  const refused: string[] = [];
  let n = 0;
  let running = true;
  const worker = async () => {
    while (running) {
      const b = batch(round, n++);
      try {
        const res = await fetch(`${server.zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b.body });
        const text = await res.text();
        if (res.status === 202) acked.push(...b.traceIds);
        else refused.push(`${res.status} ${text.trim()}`);
      } catch {
        return; // connection refused or reset: the server is gone
      }
    }
  };
  const workers = Promise.all([worker(), worker(), worker(), worker()]);
  return { acked, refused, stop: async () => { running = false; await workers; } };
}

/** Trace ids (of SPANS_PER_TRACE spans each) that do not read back whole, as "id:found". */
async function missingTraces(server: ServerProcess, traceIds: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (let i = 0; i < traceIds.length; i += 50) {
    const ids = traceIds.slice(i, i + 50);
    const r = await getJson(`${server.zipkin}/api/v2/traceMany?traceIds=${ids.join(',')}`);
    expect(r.status).toBe(200);
    const found = new Map<string, number>(r.body.map((t: any[]) => [t[0].traceId, t.length]));
    for (const id of ids) if (found.get(id) !== SPANS_PER_TRACE) missing.push(`${id}:${found.get(id) ?? 0}`);
  }
  return missing;
}

/** Resolves when `check` is true (polled every 2 ms) or after `ms`; true if it became true. */
async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return false;
}

/**
 * Starts the server and SIGKILLs it once its admin port listens, i.e. while the store is opening
 * and replaying its log; resolves with the log lines it wrote and whether it was killed before starting.
 */
async function killDuringStart(dataDir: string): Promise<{ killedBeforeStart: boolean; logs: string[] }> {
  const child = spawn(process.execPath, [
    BIN, 'all-in-one', '--host', '127.0.0.1', '--data-dir', dataDir, '--log.format', 'json', ...FLUSH_OFTEN,
    ...['zipkin.port', 'query.port', 'admin.port', 'jaeger.http-port', 'jaeger.grpc-port', 'jaeger.compact-port', 'jaeger.binary-port', 'otlp.grpc-port', 'otlp.http-port', 'sampling.port']
      .flatMap((flag) => [`--${flag}`, '0']),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  let started = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      if (line.includes('admin listening')) {
        child.kill('SIGKILL');
        resolve();
      }
      if (line.includes('"ariadne started"')) started = true;
    });
    void exited.then(() => resolve());
  });
  await exited;
  return { killedBeforeStart: !started, logs };
}

describe('kill -9, round after round', () => {
  it(`loses no acknowledged span over ${ROUNDS} crashes during ingest, flushes and start-up replay`, async () => {
    const dataDir = await tempDir('ariadne-crash-');
    dirs.push(dataDir);
    const allAcked: string[] = [];
    const kinds: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 3 === 2) {
        const killed = await killDuringStart(dataDir);
        kinds.push(killed.killedBeforeStart ? 'replay' : 'replay-missed');
      }
      // Opening cleanly: the server starts, and any replay of the log decodes every record.
      const server = await startServerProcess({ dataDir, args: FLUSH_OFTEN });
      const replay = server.logs.find((l) => l.msg === 'replayed the write-ahead log');
      expect(replay?.failures ?? 0).toBe(0);
      const sender = sendUntilKilled(server, round);
      // Something acknowledged first: a start-up flush of replayed spans would otherwise come before any.
      await until(() => sender.acked.length > 0, 10_000);
      if (round % 3 === 1) {
        // During a flush: the staging file exists from the flush's start until its commit.
        const seen = await until(() => existsSync(join(dataDir, 'flush-spans.csv')) || existsSync(join(dataDir, 'flush-spans.ndjson')), 8000);
        kinds.push(seen ? 'flush' : 'ingest');
      } else {
        await new Promise((r) => setTimeout(r, 500 + (round % 4) * 300));
        kinds.push('ingest');
      }
      await server.kill();
      await sender.stop();
      expect({ round, acked: sender.acked.length > 0, refused: sender.refused.slice(0, 3) }).toEqual({ round, acked: true, refused: [] });
      allAcked.push(...sender.acked);
    }
    const server = await startServerProcess({ dataDir });
    try {
      const missing = await missingTraces(server, allAcked);
      process.stdout.write(`crash rounds: ${kinds.join(', ')}; ${allAcked.length * SPANS_PER_TRACE} spans acknowledged, ${missing.length * SPANS_PER_TRACE} missing\n`);
      expect(missing).toEqual([]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // At least one kill landed in each of the three moments.
    expect(ROUNDS < 3 || (kinds.includes('flush') && kinds.includes('replay') && kinds.includes('ingest'))).toBe(true);
  }, 60_000 + ROUNDS * 20_000);
});

/** True when this process may mount a tmpfs (root in a mount namespace that allows it). */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = `/tmp/ariadne-mount-probe-${process.pid}`;
  spawnSync('mkdir', ['-p', probe]);
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  spawnSync('rmdir', [probe]);
  return ok;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

const mountable = canMount();

describe.skipIf(!mountable)('a full disk and a read-only data dir (tmpfs mounts, as root)', () => {
  it('a full disk answers 503 naming the log write; a copy on a roomy disk reads every acknowledged span', async () => {
    const mountPoint = await tempDir('ariadne-full-');
    dirs.push(mountPoint);
    run('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint]);
    const copy = await tempDir('ariadne-full-copy-');
    dirs.push(copy);
    try {
      const dataDir = join(mountPoint, 'data');
      const server = await startServerProcess({ dataDir, args: ['--embedded.flush-spans', '1000000', '--embedded.flush-interval', '1h'] });
      const acked: string[] = [];
      const refusals: Array<{ status: number; text: string }> = [];
      try {
        for (let n = 0; n < 400 && refusals.length < 3; n++) {
          const b = batch(90, n);
          const res = await fetch(`${server.zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b.body });
          const text = (await res.text()).trim();
          if (res.status === 202) acked.push(...b.traceIds);
          else refusals.push({ status: res.status, text });
        }
        expect(acked.length).toBeGreaterThan(0);
        expect(refusals[0]?.status).toBe(503);
        expect(refusals[0]?.text).toMatch(/^failed to write to the log in .*: ENOSPC: no space left on device/);
        // Still up, still reading what it acknowledged.
        expect(await missingTraces(server, acked)).toEqual([]);
      } finally {
        await server.kill();
      }
      await cp(dataDir, copy, { recursive: true });
      const restarted = await startServerProcess({ dataDir: copy });
      try {
        expect(await missingTraces(restarted, acked)).toEqual([]);
      } finally {
        expect(await restarted.stop()).toBe(0);
      }
    } finally {
      spawnSync('umount', ['-l', mountPoint]);
    }
  }, 120_000);

  it('a read-only data dir is a clear fatal error at start; writable again, nothing acknowledged is lost', async () => {
    const mountPoint = await tempDir('ariadne-ro-');
    dirs.push(mountPoint);
    run('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint]);
    try {
      const dataDir = join(mountPoint, 'data');
      await mkdir(dataDir);
      const acked: string[] = [];
      const server = await startServerProcess({ dataDir, args: ['--embedded.flush-spans', '1000000', '--embedded.flush-interval', '1h'] });
      try {
        for (let n = 0; n < 5; n++) {
          const b = batch(91, n);
          const res = await fetch(`${server.zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b.body });
          expect(res.status).toBe(202);
          acked.push(...b.traceIds);
        }
      } finally {
        await server.kill();
      }
      // Remounted only now: a mount with files open for writing cannot turn read-only.
      run('mount', ['-o', 'remount,ro', mountPoint]);
      const refused = await startServerProcess({ dataDir }).then(
        async (s) => { await s.kill(); return 'started'; },
        (err: Error) => err.message,
      );
      expect(refused).toMatch(/cannot open data dir .*data: EROFS: read-only file system/);
      run('mount', ['-o', 'remount,rw', mountPoint]);
      const restarted = await startServerProcess({ dataDir });
      try {
        expect(await missingTraces(restarted, acked)).toEqual([]);
      } finally {
        expect(await restarted.stop()).toBe(0);
      }
    } finally {
      spawnSync('umount', ['-l', mountPoint]);
    }
  }, 120_000);
});

describe.skipIf(mountable || process.getuid?.() === 0)('a read-only data dir (permissions, not root)', () => {
  it('refuses to start with a clear error', async () => {
    const dataDir = await tempDir('ariadne-ro-');
    dirs.push(dataDir);
    await chmod(dataDir, 0o555);
    const refused = await startServerProcess({ dataDir }).then(async (s) => { await s.kill(); return 'started'; }, (err: Error) => err.message);
    await chmod(dataDir, 0o755);
    expect(refused).toMatch(/cannot open data dir .*(EACCES|permission denied)/);
  });
});
