import { describe, expect, it } from 'vitest';
import { createWorkload, generateBatches, Prng, WORKLOAD_SERVICES } from './workload.js';

interface WireSpan {
  traceId: string;
  id: string;
  parentId?: string;
  kind: string;
  name: string;
  timestamp: number;
  duration: number;
  localEndpoint: { serviceName: string; ipv4: string };
  tags: Record<string, string>;
}

const END_US = 1_800_000_000_000_000;
const HOUR_US = 3_600_000_000;
const workload = createWorkload({ spans: 30_000, endUs: END_US, seed: 7 });
const spans: WireSpan[] = workload.batches.flatMap((b) => JSON.parse(b.body.toString('utf8')) as WireSpan[]);
const byId = new Map(spans.map((s) => [`${s.traceId}/${s.id}`, s]));

describe('Prng', () => {
  it('gives the same sequence for the same seed and another one for another seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const seqA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(seqA);
  });
  it('keeps int() within its inclusive bounds and reaches both ends', () => {
    const r = new Prng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(r.int(5, 9));
    expect([...seen].sort()).toEqual([5, 6, 7, 8, 9]);
  });
});

describe('createWorkload', () => {
  it('is byte-identical for identical options', () => {
    const again = createWorkload({ spans: 30_000, endUs: END_US, seed: 7 });
    expect(Buffer.concat(again.batches.map((b) => b.body)).equals(Buffer.concat(workload.batches.map((b) => b.body)))).toBe(true);
  });

  it('produces exactly the requested spans in batches of 1000 (last one shorter)', () => {
    const odd = createWorkload({ spans: 2_500, endUs: END_US });
    expect(odd.spanCount).toBe(2_500);
    expect(odd.batches.map((b) => b.spanCount)).toEqual([1000, 1000, 500]);
    expect(odd.batches.map((b) => (JSON.parse(b.body.toString()) as unknown[]).length)).toEqual([1000, 1000, 500]);
    expect(workload.spanCount).toBe(30_000);
    expect(spans.length).toBe(30_000);
  });

  it('lists every trace once, with its span count and the batches that hold it', () => {
    const counts = new Map<string, number>();
    const batchesOf = new Map<string, Set<number>>();
    workload.batches.forEach((b, i) => {
      for (const s of JSON.parse(b.body.toString()) as WireSpan[]) {
        counts.set(s.traceId, (counts.get(s.traceId) ?? 0) + 1);
        const set = batchesOf.get(s.traceId) ?? new Set<number>();
        set.add(i);
        batchesOf.set(s.traceId, set);
      }
    });
    expect(workload.traces.length).toBe(counts.size);
    for (const t of workload.traces) {
      expect(t.spanCount).toBe(counts.get(t.traceId));
      const held = [...batchesOf.get(t.traceId)!];
      expect(Math.min(...held)).toBe(t.firstBatch);
      expect(Math.max(...held)).toBe(t.lastBatch);
      expect(workload.batches[t.lastBatch]!.completedTraces.some((c) => c.traceId === t.traceId)).toBe(true);
    }
  });

  it('streams the same batches it pre-generates', () => {
    const streamed = [...generateBatches({ spans: 30_000, endUs: END_US, seed: 7 })];
    expect(streamed.map((b) => b.body.length)).toEqual(workload.batches.map((b) => b.body.length));
  });
});

describe('workload shape', () => {
  it('has traces of 5–50 spans, about 27 on average', () => {
    const sizes = workload.traces.slice(0, -1).map((t) => t.spanCount);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
    const avg = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(avg).toBeGreaterThan(25.5);
    expect(avg).toBeLessThan(29.5);
  });

  it('uses 20 services and 200 operation names', () => {
    expect(WORKLOAD_SERVICES.length).toBe(20);
    expect(new Set(WORKLOAD_SERVICES.flatMap((s) => s.operations)).size).toBe(200);
    expect(new Set(spans.map((s) => s.localEndpoint.serviceName)).size).toBe(20);
    const known = new Set(WORKLOAD_SERVICES.flatMap((s) => s.operations));
    const used = new Set(spans.map((s) => s.name));
    expect([...used].filter((n) => !known.has(n))).toEqual([]);
    // Rare routes of rarely called services may not show up in only 30k spans.
    expect(used.size).toBeGreaterThan(190);
  });

  it('is about 480 bytes per span on the wire', () => {
    const perSpan = workload.bodyBytes / workload.spanCount;
    expect(perSpan).toBeGreaterThan(450);
    expect(perSpan).toBeLessThan(520);
  });

  it('has 8 tags per span, plus error=true exactly on status 500', () => {
    const keys = ['http.method', 'http.status_code', 'http.url', 'component', 'peer.service', 'region', 'host.name', 'user.id'];
    const bad = spans.filter((s) => {
      const expected = s.tags['http.status_code'] === '500' ? [...keys, 'error'] : keys;
      const keysOk = JSON.stringify(Object.keys(s.tags)) === JSON.stringify(expected);
      const errorOk = s.tags['http.status_code'] === '500' ? s.tags.error === 'true' : true;
      return !keysOk || !errorOk || !/^10\.\d+\.\d+\.\d+$/.test(s.localEndpoint.ipv4);
    });
    expect(bad).toEqual([]);
  });

  it('has about 2 % status 500 and 5 % status 404', () => {
    const share = (code: string) => spans.filter((s) => s.tags['http.status_code'] === code).length / spans.length;
    expect(share('500')).toBeGreaterThan(0.015);
    expect(share('500')).toBeLessThan(0.025);
    expect(share('404')).toBeGreaterThan(0.04);
    expect(share('404')).toBeLessThan(0.06);
  });

  it('has high-cardinality http.url and user.id', () => {
    expect(new Set(spans.map((s) => s.tags['http.url'])).size).toBeGreaterThan(spans.length * 0.95);
    expect(new Set(spans.map((s) => s.tags['user.id'])).size).toBeGreaterThan(workload.traces.length * 0.95);
  });

  it('nests children inside parents; server spans are children of a client span of another service', () => {
    const problems: string[] = [];
    let serverChildren = 0;
    for (const s of spans) {
      if (s.parentId === undefined) {
        if (s.kind !== 'SERVER') problems.push(`${s.id}: root of kind ${s.kind}`);
        continue;
      }
      const parent = byId.get(`${s.traceId}/${s.parentId}`);
      if (!parent) {
        problems.push(`${s.id}: missing parent`);
        continue;
      }
      if (s.timestamp < parent.timestamp || s.timestamp + s.duration > parent.timestamp + parent.duration) {
        problems.push(`${s.id}: outside its parent`);
      }
      const sameService = parent.localEndpoint.serviceName === s.localEndpoint.serviceName;
      if (s.kind === 'SERVER') {
        serverChildren++;
        if (parent.kind !== 'CLIENT' || sameService || parent.tags['peer.service'] !== s.localEndpoint.serviceName) {
          problems.push(`${s.id}: server span not under a client span calling its service`);
        }
      } else if (parent.kind !== 'SERVER' || !sameService) {
        problems.push(`${s.id}: client span not under a server span of its own service`);
      }
    }
    expect(problems).toEqual([]);
    expect(serverChildren).toBeGreaterThan(spans.length * 0.4);
  });

  it('spreads root start times over the window', () => {
    const roots = spans.filter((s) => s.parentId === undefined).map((s) => s.timestamp);
    expect(Math.min(...roots)).toBeGreaterThanOrEqual(END_US - HOUR_US);
    expect(Math.max(...roots)).toBeLessThan(END_US);
    expect(Math.max(...roots) - Math.min(...roots)).toBeGreaterThan(HOUR_US * 0.9);
    const day = createWorkload({ spans: 5_000, endUs: END_US, windowUs: 24 * HOUR_US });
    const dayRoots = day.batches.flatMap((b) => JSON.parse(b.body.toString()) as WireSpan[]).filter((s) => !s.parentId);
    expect(Math.max(...dayRoots.map((s) => s.timestamp)) - Math.min(...dayRoots.map((s) => s.timestamp))).toBeGreaterThan(HOUR_US * 20);
  });

  it('has log-normal root durations (median near 60 ms, long right tail)', () => {
    const d = spans.filter((s) => s.parentId === undefined).map((s) => s.duration).sort((a, b) => a - b);
    const median = d[Math.floor(d.length / 2)]!;
    const p99 = d[Math.floor(d.length * 0.99)]!;
    expect(median).toBeGreaterThan(45_000);
    expect(median).toBeLessThan(75_000);
    expect(p99 / median).toBeGreaterThan(4);
  });
});

describe('arrival order', () => {
  it('starts traces in the order they are sent, within a minute of jitter', () => {
    const endUs = 1_700_000_000_000_000;
    const windowUs = 3_600_000_000;
    const roots: number[] = [];
    for (const b of generateBatches({ spans: 20_000, endUs, windowUs, order: 'arrival' })) {
      for (const s of JSON.parse(b.body.toString()) as Array<{ parentId?: string; timestamp: number }>) {
        if (s.parentId === undefined) roots.push(s.timestamp);
      }
    }
    expect(Math.min(...roots)).toBeGreaterThanOrEqual(endUs - windowUs);
    expect(Math.max(...roots)).toBeLessThan(endUs);
    for (let i = 1; i < roots.length; i++) expect(roots[i]! - roots[i - 1]!).toBeGreaterThan(-60_000_000 - 1_000_000);
    expect(roots[roots.length - 1]! - roots[0]!).toBeGreaterThan(windowUs * 0.9);
  });
});
