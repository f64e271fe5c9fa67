import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, openWal, SEGMENT_SPAN, splitMark, type WalRecord } from './wal.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ariadne-wal-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function rec(text: string, tenant = '', format = 'test-format'): WalRecord {
  return { format, tenant, bytes: Buffer.from(text) };
}

interface Replayed {
  records: { format: string; tenant: string; text: string; mark: number }[];
  warnings: string[];
  errors: string[];
}

async function replay(dir: string, afterMark = 0): Promise<Replayed & { close(): Promise<void> }> {
  const out: Replayed = { records: [], warnings: [], errors: [] };
  const wal = await openWal({
    dir,
    afterMark,
    onRecord: (r, mark) => out.records.push({ format: r.format, tenant: r.tenant, text: r.bytes.toString(), mark }),
    logger: { info() {}, warn: (o) => out.warnings.push(JSON.stringify(o)), error: (o) => out.errors.push(JSON.stringify(o)) },
  });
  return { ...out, close: () => wal.close() };
}

describe('record codec', () => {
  const cases: { name: string; record: WalRecord }[] = [
    { name: 'empty payload', record: rec('') },
    { name: 'tenant and unicode', record: rec('{"a":"ü"}', 'team-ä', 'zipkin-v2-json') },
    { name: 'binary bytes', record: { format: 'x', tenant: '', bytes: Buffer.from([0, 255, 1, 254]) } },
  ];
  for (const c of cases) {
    it(`round-trips: ${c.name}`, () => {
      const buf = encodeRecord(c.record);
      const decoded = decodeRecord(buf, 0);
      expect(decoded).toEqual({ ok: true, record: c.record, end: buf.length });
    });
  }

  it('rejects an over-long format', () => {
    expect(() => encodeRecord(rec('x', '', 'f'.repeat(256)))).toThrow('payload.format: longer than 255 bytes (256)');
  });
});

describe('openWal', () => {
  it('appends, then replays every record in order with increasing marks', async () => {
    const dir = await tempDir();
    const wal = await openWal({ dir, afterMark: 0, onRecord: () => {} });
    const marks: number[] = [];
    for (const t of ['one', 'two', 'three']) marks.push(await wal.append(rec(t, 't1')));
    expect(wal.durableMark).toBe(marks[2]);
    await wal.close();

    const r = await replay(dir);
    expect(r.records.map((x) => [x.text, x.tenant, x.format])).toEqual([
      ['one', 't1', 'test-format'],
      ['two', 't1', 'test-format'],
      ['three', 't1', 'test-format'],
    ]);
    expect(r.records.map((x) => x.mark)).toEqual(marks);
    expect(marks[0]).toBe(1 * SEGMENT_SPAN + 8 + 1 + 11 + 2 + 2 + 3);
    await r.close();
  });

  it('replays only records after the given mark, and keeps appending after them', async () => {
    const dir = await tempDir();
    const wal = await openWal({ dir, afterMark: 0, onRecord: () => {} });
    const m1 = await wal.append(rec('a'));
    await wal.append(rec('b'));
    await wal.close();

    const wal2 = await openWal({ dir, afterMark: m1, onRecord: () => {} });
    const m3 = await wal2.append(rec('c'));
    await wal2.close();
    const r = await replay(dir, m1);
    expect(r.records.map((x) => x.text)).toEqual(['b', 'c']);
    expect(r.records[1]?.mark).toBe(m3);
    await r.close();
  });

  it('group commit: concurrent appends share fsyncs and all resolve durable', async () => {
    const dir = await tempDir();
    const wal = await openWal({ dir, afterMark: 0, onRecord: () => {} });
    const order: number[] = [];
    const marks = await Promise.all(
      Array.from({ length: 200 }, (_, i) => wal.append(rec(`r${i}`), (m) => order.push(m))),
    );
    const { fsyncCount, bytes } = wal.stats();
    expect(fsyncCount).toBeGreaterThanOrEqual(1);
    expect(fsyncCount).toBeLessThan(20);
    expect(order).toEqual(marks);
    expect([...marks].sort((a, b) => a - b)).toEqual(marks);
    expect(wal.durableMark).toBe(marks[199]);
    expect(bytes).toBe(splitMark(marks[199] as number).offset);
    await wal.close();
    const r = await replay(dir);
    expect(r.records.map((x) => x.text)).toEqual(Array.from({ length: 200 }, (_, i) => `r${i}`));
    await r.close();
  });

  it('rolls segments and removes the ones wholly below a mark', async () => {
    const dir = await tempDir();
    const wal = await openWal({ dir, afterMark: 0, onRecord: () => {}, segmentBytes: 130 });
    const marks: number[] = [];
    for (let i = 0; i < 6; i++) marks.push(await wal.append(rec('x'.repeat(40))));
    expect(marks.map((m) => splitMark(m).segment)).toEqual([1, 1, 2, 2, 3, 3]);
    await wal.removeThrough(marks[3] as number);
    expect((await readdir(dir)).sort()).toEqual(['0000000000000003.wal']);
    await wal.close();
    const r = await replay(dir, marks[3]);
    expect(r.records.map((x) => x.mark)).toEqual([marks[4], marks[5]]);
    await r.close();
  });

  it('a fully persisted current segment is rolled at the next append and then removed', async () => {
    const dir = await tempDir();
    const wal = await openWal({ dir, afterMark: 0, onRecord: () => {} });
    const m1 = await wal.append(rec('a'));
    await wal.removeThrough(m1);
    expect(await readdir(dir)).toEqual(['0000000000000001.wal']);
    const m2 = await wal.append(rec('b'));
    expect(splitMark(m2)).toEqual({ segment: 2, offset: splitMark(m1).offset });
    await wal.removeThrough(m1);
    expect(await readdir(dir)).toEqual(['0000000000000002.wal']);
    expect(wal.stats().bytes).toBe(splitMark(m2).offset);
    await wal.close();
  });

  it('seal: runs its callback and resolves after earlier appends, at their end mark; later records go to a new segment', async () => {
    const dir = await tempDir();
    const wal = await openWal({ dir, afterMark: 0, onRecord: () => {} });
    const durable: number[] = [];
    // Issued in one tick: the seal must wait for a and b, and c must land after the boundary.
    const pa = wal.append(rec('a'), (m) => durable.push(m));
    const pb = wal.append(rec('b'), (m) => durable.push(m));
    const ps = wal.seal((m) => durable.push(-m));
    const pc = wal.append(rec('c'), (m) => durable.push(m));
    const [ma, mb, sealed, mc] = await Promise.all([pa, pb, ps, pc]);
    expect(durable).toEqual([ma, mb, -(mb as number), mc]);
    expect(sealed).toBe(mb);
    expect(splitMark(mb as number).segment).toBe(1);
    expect(splitMark(mc as number)).toEqual({ segment: 2, offset: splitMark(ma as number).offset });
    await wal.removeThrough(sealed as number);
    expect(await readdir(dir)).toEqual(['0000000000000002.wal']);
    expect(wal.stats().bytes).toBe(splitMark(mc as number).offset);
    await wal.close();
    const r = await replay(dir, sealed);
    expect(r.records.map((x) => x.text)).toEqual(['c']);
    await r.close();
  });

  it('seal of an empty segment keeps it; seal after close resolves with the durable mark', async () => {
    const dir = await tempDir();
    const wal = await openWal({ dir, afterMark: 0, onRecord: () => {} });
    expect(await wal.seal()).toBe(0);
    expect(await readdir(dir)).toEqual(['0000000000000001.wal']);
    const m = await wal.append(rec('a'));
    await wal.close();
    let sealedAt = 0;
    expect(await wal.seal((at) => (sealedAt = at))).toBe(m);
    expect(sealedAt).toBe(m);
    expect(await readdir(dir)).toEqual(['0000000000000001.wal']);
  });

  it('on open, deletes segments that end at or below the persisted mark', async () => {
    const dir = await tempDir();
    const wal = await openWal({ dir, afterMark: 0, onRecord: () => {} });
    const m1 = await wal.append(rec('a'));
    await wal.close();
    const r = await replay(dir, m1);
    expect(r.records).toEqual([]);
    expect(await readdir(dir)).toEqual(['0000000000000002.wal']);
    await r.close();
  });

  const tails: { name: string; tail: (valid: Buffer) => Buffer; reason: string }[] = [
    { name: 'torn header', tail: (v) => v.subarray(0, 5), reason: 'torn header (5 of 8 bytes)' },
    { name: 'torn body', tail: (v) => v.subarray(0, v.length - 2), reason: 'torn record' },
    {
      name: 'crc mismatch',
      tail: (v) => {
        const c = Buffer.from(v);
        c[c.length - 1] = (c[c.length - 1] as number) ^ 0xff;
        return c;
      },
      reason: 'crc mismatch',
    },
  ];
  for (const t of tails) {
    it(`detects and truncates a bad tail: ${t.name}`, async () => {
      const dir = await tempDir();
      const wal = await openWal({ dir, afterMark: 0, onRecord: () => {} });
      const m1 = await wal.append(rec('kept'));
      await wal.close();
      const file = join(dir, '0000000000000001.wal');
      await appendFile(file, t.tail(encodeRecord(rec('lost-record'))));

      const r = await replay(dir);
      expect(r.records.map((x) => x.text)).toEqual(['kept']);
      expect(r.warnings.length).toBe(1);
      expect(r.warnings[0]).toContain(t.reason);
      expect((await stat(file)).size).toBe(splitMark(m1).offset);
      await r.close();

      // Appends after a truncation replay cleanly.
      const wal2 = await openWal({ dir, afterMark: 0, onRecord: () => {} });
      await wal2.append(rec('after'));
      await wal2.close();
      const r2 = await replay(dir);
      expect(r2.records.map((x) => x.text)).toEqual(['kept', 'after']);
      expect(r2.warnings).toEqual([]);
      await r2.close();
    });
  }

  it('a corrupt record in an older segment drops the rest of that segment only, as an error', async () => {
    const dir = await tempDir();
    const wal = await openWal({ dir, afterMark: 0, onRecord: () => {}, segmentBytes: 90 });
    for (const t of ['s1-a', 's1-b', 's2-a']) await wal.append(rec(t.padEnd(20, '.')));
    await wal.close();
    const file = join(dir, '0000000000000001.wal');
    const bytes = await readFile(file);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    await writeFile(file, bytes);
    const r = await replay(dir);
    expect(r.records.map((x) => x.text.slice(0, 4))).toEqual(['s1-a', 's2-a']);
    expect(r.errors.length).toBe(1);
    expect(r.errors[0]).toContain('crc mismatch');
    await r.close();
  });

  it('starts a fresh segment when the persisted mark lies beyond the log end', async () => {
    const dir = await tempDir();
    const after = 5 * SEGMENT_SPAN + 100;
    const wal = await openWal({ dir, afterMark: after, onRecord: () => {} });
    const m = await wal.append(rec('x'));
    expect(m).toBeGreaterThan(after);
    expect(splitMark(m).segment).toBe(6);
    await wal.close();
  });
});
