import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import { DepColumnsBuilder, depSpansOf } from '../dependencies.js';
import { clusterRanges, openSpanTable, type IngestMethod, type SpanTable } from './span-table.js';

const T0 = 1_700_000_000_000_000;

function span(over: Partial<Span> & Pick<Span, 'spanId'>): Span {
  return {
    traceId: 'ffffffffffffffff0000000000000001',
    kind: 'client',
    name: 'op',
    service: 'svc',
    startUs: T0,
    durationUs: 5,
    statusCode: 'unset',
    attributes: {},
    events: [],
    links: [],
    resource: {},
    tenant: '',
    ...over,
  };
}

const tricky = span({
  spanId: 'ffffffffffffffff',
  parentSpanId: '8000000000000000',
  name: 'naïve "quoted" \\ name\n',
  attributes: {
    'a/b~c': 'slash and tilde',
    'quote"key': 'v',
    small: 0.1,
    tiny: 1e-7,
    big: 9007199254740991,
    negative: -42,
    emoji: '😀 \u0000 \u2028',
    'http.status_code': '503',
    f: false,
  },
  events: [{ timeUs: T0 + 1, name: 'ev "1"', attributes: { nested: 'x\ty' } }],
  resource: { 'service.name': 'svc', 'k8s.pod': 'p-1' },
  statusCode: 'error',
  statusMessage: 'ünïcödé',
});
const plain = span({ spanId: '0000000000000002', parentSpanId: 'ffffffffffffffff', startUs: T0 + 10, kind: 'server', service: 'other' });

for (const method of ['read_csv', 'read_json', 'appender'] as IngestMethod[]) {
  describe(`span table (${method})`, () => {
    let dir: string;
    let table: SpanTable;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ariadne-table-'));
      table = await openSpanTable({ file: join(dir, 'spans.duckdb'), stagingDir: dir, ingestMethod: method });
      await table.insert([plain, tricky], 42);
    });
    afterAll(async () => {
      await table.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('records the flushed mark and leaves no staging files', async () => {
      expect(table.flushedMark).toBe(42);
      expect((await readdir(dir)).filter((f) => f.endsWith('.ndjson') || f.endsWith('.csv'))).toEqual([]);
    });

    it('round-trips extreme ids and awkward values exactly', async () => {
      const spans = await table.getTrace(tricky.traceId, undefined);
      expect(spans.sort((a, b) => a.startUs - b.startUs)).toEqual([tricky, plain]);
      expect(Object.keys(spans[0]!.attributes)).toEqual(Object.keys(tricky.attributes));
    });

    it('round-trips separators, quotes, control characters and empty strings in every kind of column', async () => {
      const awkward = span({
        traceId: '00000000000000000000000000000c5f',
        spanId: '0000000000000c5f',
        service: 'a,b "c"\r\nd',
        name: '',
        tenant: '"',
        remoteEndpoint: { serviceName: ',' },
        attributes: { 'http.url': 'x\u0000"y\r\n,z', region: '', 'user.id': '""', component: '\u001f', 'host.name': 'a\u001f\u001fb', other: '"\n\u001f' },
      });
      const extra = await openSpanTable({ file: join(dir, 'awkward.duckdb'), stagingDir: dir, ingestMethod: method });
      try {
        await extra.insert([awkward], 1);
        expect(await extra.getTrace(awkward.traceId, '"')).toEqual([awkward]);
      } finally {
        await extra.close();
      }
    });

    it("gives DuckDB the memory limit it was opened with", async () => {
      const limited = await openSpanTable({ file: join(dir, 'limited.duckdb'), stagingDir: dir, ingestMethod: method, memoryLimitBytes: 200 * 1048576 });
      try {
        expect(await limited.query("SELECT current_setting('memory_limit')")).toEqual([['200.0 MiB']]);
        // A flush must fit in that limit (the staging reader once reserved 16 GiB for its buffer).
        const long = span({ spanId: '00000000000000c1', attributes: { huge: 'v'.repeat(3_000_000) } });
        await limited.insert([tricky, long], 9);
        const back = await limited.getTrace(tricky.traceId, undefined);
        const sizes = back.map((s) => `${s.spanId}:${String(s.attributes.huge ?? '').length}`).sort();
        expect(sizes).toEqual([`${long.spanId}:3000000`, `${tricky.spanId}:0`]);
      } finally {
        await limited.close();
      }
    });

    it('getTraces: several traces far apart in time, tenant scope, unknown ids absent', async () => {
      const far = span({ traceId: '0000000000000000000000000000000a', spanId: '000000000000000a', startUs: T0 + 3_600_000_000, tenant: 't2' });
      const near = span({ traceId: '0000000000000000000000000000000b', spanId: '000000000000000b', startUs: T0 + 20 });
      const extra = await openSpanTable({ file: join(dir, 'extra.duckdb'), stagingDir: dir, ingestMethod: method });
      try {
        await extra.insert([plain, tricky, far, near], 1);
        const all = await extra.getTraces([far.traceId, '00000000000000000000000000000fff', tricky.traceId, near.traceId], undefined);
        expect([...all.keys()].sort()).toEqual([far.traceId, near.traceId, tricky.traceId]);
        expect(all.get(tricky.traceId)!.sort((a, b) => a.startUs - b.startUs)).toEqual([tricky, plain]);
        expect(all.get(far.traceId)).toEqual([far]);
        const scoped = await extra.getTraces([far.traceId, near.traceId], 't2');
        expect([...scoped]).toEqual([[far.traceId, [far]]]);
        expect((await extra.getTraces([], undefined)).size).toBe(0);
      } finally {
        await extra.close();
      }
    });

    const searches: { name: string; attributes: { key: string; value?: string }[]; hits: number }[] = [
      { name: 'key with / and ~', attributes: [{ key: 'a/b~c', value: 'slash and tilde' }], hits: 1 },
      { name: 'key with a quote', attributes: [{ key: 'quote"key', value: 'v' }], hits: 1 },
      { name: 'float as string', attributes: [{ key: 'small', value: '0.1' }], hits: 1 },
      { name: 'boolean false as string', attributes: [{ key: 'f', value: 'false' }], hits: 1 },
      { name: 'promoted column', attributes: [{ key: 'http.status_code', value: '503' }], hits: 1 },
      { name: 'resource attribute', attributes: [{ key: 'k8s.pod', value: 'p-1' }], hits: 1 },
      { name: 'event name as key', attributes: [{ key: 'ev "1"' }], hits: 1 },
      { name: 'missing key', attributes: [{ key: 'nope' }], hits: 0 },
      { name: 'SQL-looking value stays a value', attributes: [{ key: 'small', value: "' OR 1=1 --" }], hits: 0 },
    ];
    for (const s of searches) {
      it(`search: ${s.name}`, async () => {
        const refs = await table.findTraceIds({ startUsMin: T0, startUsMax: T0 + 100, limit: 10, attributes: s.attributes });
        expect(refs).toEqual(s.hits === 0 ? [] : [{ traceId: tricky.traceId, startUs: T0 }]);
      });
    }

    it('attribute values from the JSON column and from promoted columns', async () => {
      expect(await table.getAttributeValues({ key: 'a/b~c', limit: 5 })).toEqual(['slash and tilde']);
      expect(await table.getAttributeValues({ key: 'http.status_code', limit: 5 })).toEqual(['503']);
    });

    it('dependency projection, ids as 32-bit words', async () => {
      const columns = new DepColumnsBuilder();
      await table.dependencyColumns({ startUs: T0, endUs: T0 + 10 }, columns);
      const deps = await depSpansOf(columns);
      expect(deps.sort((a, b) => a.spanId.localeCompare(b.spanId))).toEqual([
        { traceId: plain.traceId, spanId: '0000000000000002', parentSpanId: 'ffffffffffffffff', service: 'other', kind: 'server', shared: false, error: false, tenant: '', startUs: T0 + 10 },
        { traceId: tricky.traceId, spanId: 'ffffffffffffffff', parentSpanId: '8000000000000000', service: 'svc', kind: 'client', shared: false, error: true, tenant: '', startUs: T0 },
      ]);
    });

    it('deletes by age and reports the count', async () => {
      expect(await table.deleteBefore(T0 + 5)).toBe(1);
      expect(await table.getTrace(tricky.traceId, undefined)).toEqual([plain]);
      expect(await table.oldestStartUs()).toBe(T0 + 10);
    });
  });
}

describe('clusterRanges', () => {
  const cases: { name: string; ranges: { id: bigint; min: number; max: number }[]; want: { ids: bigint[]; min: number; max: number }[] }[] = [
    { name: 'nothing', ranges: [], want: [] },
    {
      name: 'overlapping and close ranges merge, in start order',
      ranges: [
        { id: 2n, min: 50, max: 60 },
        { id: 1n, min: 0, max: 40 },
        { id: 3n, min: 30, max: 45 },
      ],
      want: [{ ids: [1n, 3n, 2n], min: 0, max: 60 }],
    },
    {
      name: 'a gap beyond the limit starts a new cluster',
      ranges: [
        { id: 1n, min: 0, max: 10 },
        { id: 2n, min: 21, max: 30 },
      ],
      want: [
        { ids: [1n], min: 0, max: 10 },
        { ids: [2n], min: 21, max: 30 },
      ],
    },
    {
      name: 'a range inside a longer one does not shrink it',
      ranges: [
        { id: 1n, min: 0, max: 100 },
        { id: 2n, min: 5, max: 6 },
        { id: 3n, min: 105, max: 107 },
      ],
      want: [{ ids: [1n, 2n, 3n], min: 0, max: 107 }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(clusterRanges(c.ranges, 10, 5)).toEqual(c.want);
    });
  }

  it('splits only at the widest gaps when there are more than the limit', () => {
    const ranges = [
      { id: 1n, min: 0, max: 10 },
      { id: 2n, min: 100, max: 110 },
      { id: 3n, min: 1000, max: 1010 },
      { id: 4n, min: 1050, max: 1060 },
    ];
    expect(clusterRanges(ranges, 10, 2)).toEqual([
      { ids: [1n, 2n], min: 0, max: 110 },
      { ids: [3n, 4n], min: 1000, max: 1060 },
    ]);
    expect(clusterRanges(ranges, 10, 1)).toEqual([{ ids: [1n, 2n, 3n, 4n], min: 0, max: 1060 }]);
    expect(clusterRanges(ranges, 10, 3)).toEqual([
      { ids: [1n], min: 0, max: 10 },
      { ids: [2n], min: 100, max: 110 },
      { ids: [3n, 4n], min: 1000, max: 1060 },
    ]);
  });
});
