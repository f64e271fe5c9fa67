/**
 * Crash safety: spans are sent continuously, the server is killed with SIGKILL mid-stream and
 * restarted on the same data dir, several times; every span that got a 202 must be readable.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

const ROUNDS = 3;
const TRACES_PER_BATCH = 10;
const SPANS_PER_TRACE = 10;

let dataDir: string | undefined;
afterAll(async () => {
  if (dataDir) await removeDir(dataDir);
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

/** Posts batches back to back (4 in flight) until stopped; returns the trace ids whose batch got 202. */
function sendUntilKilled(server: ServerProcess, round: number) {
  const acked: string[] = [];
  let n = 0;
  let running = true;
  const worker = async () => {
    while (running) {
      const b = batch(round, n++);
      try {
        const res = await fetch(`${server.zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b.body });
        if (res.status === 202) acked.push(...b.traceIds);
        await res.arrayBuffer();
      } catch {
        return; // connection refused or reset: the server is gone
      }
    }
  };
  const workers = Promise.all([worker(), worker(), worker(), worker()]);
  return { acked, stop: async () => { running = false; await workers; } };
}

describe('kill -9 during ingest', () => {
  it(`loses no acknowledged span over ${ROUNDS} crashes`, async () => {
    dataDir = await tempDir('ariadne-crash-');
    const allAcked: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServerProcess({ dataDir, args: ['--embedded.flush-spans', '2000', '--embedded.flush-interval', '1s'] });
      const sender = sendUntilKilled(server, round);
      await new Promise((r) => setTimeout(r, 700 + round * 400));
      await server.kill();
      await sender.stop();
      expect(sender.acked.length).toBeGreaterThan(0);
      allAcked.push(...sender.acked);
    }
    const server = await startServerProcess({ dataDir });
    try {
      const missing: string[] = [];
      for (let i = 0; i < allAcked.length; i += 50) {
        const ids = allAcked.slice(i, i + 50);
        const r = await getJson(`${server.zipkin}/api/v2/traceMany?traceIds=${ids.join(',')}`);
        expect(r.status).toBe(200);
        const found = new Map<string, number>(r.body.map((t: any[]) => [t[0].traceId, t.length]));
        for (const id of ids) if (found.get(id) !== SPANS_PER_TRACE) missing.push(`${id}:${found.get(id) ?? 0}`);
      }
      expect(missing).toEqual([]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 120_000);
});
