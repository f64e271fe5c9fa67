import { describe, expect, it } from 'vitest';
import { decodeColumns } from './columns.js';

/** The binary form of a trace with the given rows, laid out as the server writes it. */
function encode(rows: Array<{ spanId: string; startUs: number; durationUs: number; parent: number }>): ArrayBuffer {
  const header = new TextEncoder().encode(JSON.stringify({
    traceId: 't1', startUs: 0, durationUs: 10, spanCount: rows.length, depth: 1, services: ['svc'], names: ['op'], kinds: ['server'], warnings: [],
  }));
  const n = rows.length;
  const columnsAt = (8 + header.length + 7) & ~7;
  const buffer = new ArrayBuffer(columnsAt + n * (8 * 2 + 4 * 5 + 2 + 16));
  const bytes = new Uint8Array(buffer);
  bytes.set([...'ATC1'].map((c) => c.charCodeAt(0)), 0);
  new DataView(buffer).setUint32(4, header.length, true);
  bytes.set(header, 8);
  let at = columnsAt;
  new Float64Array(buffer, at, n).set(rows.map((r) => r.startUs));
  at += 8 * n;
  new Float64Array(buffer, at, n).set(rows.map((r) => r.durationUs));
  at += 8 * n;
  new Int32Array(buffer, at, n).set(rows.map((r) => r.parent));
  at += 4 * n;
  new Int32Array(buffer, at, n).set(rows.map((r) => (r.parent < 0 ? 0 : 1)));
  at += 4 * n * 4 + 2 * n; // service, name, subtree stay 0; kind, flags too.
  bytes.set([...rows.map((r) => r.spanId).join('')].map((c) => c.charCodeAt(0)), at);
  return buffer;
}

describe('decodeColumns', () => {
  const rows = [
    { spanId: '00000000000000a1', startUs: 0, durationUs: 10, parent: -1 },
    { spanId: 'ffffffffffffffff', startUs: 2.5, durationUs: 3, parent: 0 },
  ];

  it('views the columns and reads the span ids as text', () => {
    const trace = decodeColumns(encode(rows));
    expect(trace.traceId).toBe('t1');
    expect(Array.from(trace.rows.startUs)).toEqual([0, 2.5]);
    expect(Array.from(trace.rows.parent)).toEqual([-1, 0]);
    expect(Array.from(trace.rows.depth)).toEqual([0, 1]);
    expect(trace.rows.spanIds).toBe('00000000000000a1ffffffffffffffff');
  });

  it('decodes the span ids once, on first read, and lists them with the other columns', () => {
    const trace = decodeColumns(encode(rows));
    const first = trace.rows.spanIds;
    expect(trace.rows.spanIds).toBe(first);
    expect(Object.keys(trace.rows)).toEqual(['spanIds', 'parent', 'depth', 'startUs', 'durationUs', 'service', 'name', 'kind', 'flags', 'subtree']);
  });

  it('says what is wrong with a truncated answer', () => {
    const whole = encode(rows);
    expect(() => decodeColumns(whole.slice(0, whole.byteLength - 1))).toThrow(`trace columns: expected ${whole.byteLength} bytes for 2 spans, got ${whole.byteLength - 1}`);
  });
});
