import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuSecondsFromStat, diskUsage, freePort, metricValue, serverCounters } from './server-process.js';

describe('metricValue', () => {
  const text = [
    '# HELP ariadne_store_buffered_spans Spans acknowledged but not yet in the long-term layout',
    '# TYPE ariadne_store_buffered_spans gauge',
    'ariadne_store_buffered_spans 1234',
    'ariadne_store_buffered_spans_total 99',
    'ariadne_spans_received{protocol="zipkin"} 10',
    'ariadne_spans_received{protocol="otlp"} 5',
  ].join('\n');
  const cases: Array<[string, string, number | undefined]> = [
    ['plain gauge, not a longer name sharing its prefix', 'ariadne_store_buffered_spans', 1234],
    ['labelled samples are summed', 'ariadne_spans_received', 15],
    ['missing metric', 'ariadne_nothing', undefined],
  ];
  it.each(cases)('%s', (_name, metric, expected) => {
    expect(metricValue(text, metric)).toBe(expected);
  });
});

describe('cpuSecondsFromStat', () => {
  it('adds utime and stime, even when the command name has spaces and parentheses', () => {
    const stat = '4242 (node (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 1000 1 1';
    expect(cpuSecondsFromStat(stat)).toBe(3);
  });
  it('reads this very process', async () => {
    const { readFileSync } = await import('node:fs');
    expect(cpuSecondsFromStat(readFileSync('/proc/self/stat', 'utf8'))).toBeGreaterThan(0);
  });
});

describe('diskUsage', () => {
  it('counts files in nested directories, apparent and allocated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ariadne-du-'));
    try {
      await mkdir(join(dir, 'a', 'b'), { recursive: true });
      await writeFile(join(dir, 'x'), Buffer.alloc(10_000, 1));
      await writeFile(join(dir, 'a', 'b', 'y'), Buffer.alloc(5_000, 1));
      const du = await diskUsage(dir);
      expect(du.files).toBe(2);
      expect(du.apparentBytes).toBe(15_000);
      expect(du.allocatedBytes).toBeGreaterThanOrEqual(15_000);
      expect(du.largest).toEqual([{ path: 'x', bytes: 10_000 }, { path: 'a/b/y', bytes: 5_000 }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('freePort', () => {
  it('gives a usable port number', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});

describe('serverCounters', () => {
  it('summarises the ingest counters and the request histogram mean', () => {
    const text = [
      'ariadne_spans_received_total{protocol="zipkin_v2"} 2000',
      'ariadne_ingest_request_seconds_sum{protocol="zipkin_v2"} 0.5',
      'ariadne_ingest_request_seconds_count{protocol="zipkin_v2"} 2',
      'ariadne_store_disk_bytes 2097152',
    ].join('\n');
    expect(serverCounters(text)).toBe('received 2000, rejected 0, mean request-to-ack 250.0 ms, store disk 2.0 MiB');
    expect(serverCounters('')).toBe('received n/a, rejected 0, mean request-to-ack n/a, store disk n/a');
  });
});
