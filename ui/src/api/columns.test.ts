import { describe, expect, it } from 'vitest';
import { decodeColumns } from './columns.js';

type Type = 'u8' | 'u16' | 'i32' | 'f64';
const VIEWS = { u8: Uint8Array, u16: Uint16Array, i32: Int32Array, f64: Float64Array };

interface Row { spanId: string; startUs: number; durationUs: number; parent: number }

/** The binary form of a trace with the given rows, laid out by hand as the server writes it. */
function encode(rows: Row[], options: { spanIdBytes?: 8 | 16; columns?: unknown } = {}): ArrayBuffer {
  const n = rows.length;
  const values: Record<string, number[]> = {
    startUs: rows.map((r) => r.startUs),
    durationUs: rows.map((r) => r.durationUs),
    parent: rows.map((r) => r.parent),
    depth: rows.map((r) => (r.parent < 0 ? 0 : 1)),
    service: rows.map(() => 0),
    name: rows.map(() => 0),
    subtree: rows.map((_, i) => (i === 0 ? n : 1)),
    kind: rows.map(() => 1),
    flags: rows.map(() => 0),
  };
  const types: Record<string, Type> = { startUs: 'f64', durationUs: 'f64', parent: 'i32', depth: 'u8', service: 'u8', name: 'u8', subtree: 'u16', kind: 'u8', flags: 'u8' };
  const spanIdBytes = options.spanIdBytes ?? 8;
  const header = new TextEncoder().encode(JSON.stringify({
    traceId: 't1', startUs: 0, durationUs: 10, spanCount: n, depth: 2, services: ['svc'], names: ['op'], kinds: ['unspecified', 'server'], warnings: [],
    columns: options.columns ?? Object.keys(values).map((k) => [k, types[k]]), spanIdBytes,
  }));
  const align = (x: number) => (x + 7) & ~7;
  let size = 8 + header.length;
  for (const k of Object.keys(values)) size = align(size) + VIEWS[types[k]!].BYTES_PER_ELEMENT * n;
  const idsAt = align(size);
  const buffer = new ArrayBuffer(idsAt + spanIdBytes * n);
  const bytes = new Uint8Array(buffer);
  bytes.set([...'ATC2'].map((c) => c.charCodeAt(0)), 0);
  new DataView(buffer).setUint32(4, header.length, true);
  bytes.set(header, 8);
  let at = 8 + header.length;
  for (const [k, v] of Object.entries(values)) {
    at = align(at);
    const View = VIEWS[types[k]!];
    new View(buffer, at, n).set(v);
    at += View.BYTES_PER_ELEMENT * n;
  }
  const ids = rows.map((r) => r.spanId).join('');
  if (spanIdBytes === 16) bytes.set([...ids].map((c) => c.charCodeAt(0)), idsAt);
  else for (let i = 0; i < ids.length / 2; i++) bytes[idsAt + i] = parseInt(ids.slice(2 * i, 2 * i + 2), 16);
  return buffer;
}

describe('decodeColumns', () => {
  const rows: Row[] = [
    { spanId: '00000000000000a1', startUs: 0, durationUs: 10, parent: -1 },
    { spanId: 'ffffffffffffffff', startUs: 2.5, durationUs: 3, parent: 0 },
  ];

  it('views each column in its own width and reads the span ids as hex text', () => {
    const trace = decodeColumns(encode(rows));
    expect(trace.traceId).toBe('t1');
    expect(Array.from(trace.rows.startUs)).toEqual([0, 2.5]);
    expect(Array.from(trace.rows.parent)).toEqual([-1, 0]);
    expect(Array.from(trace.rows.depth)).toEqual([0, 1]);
    expect(Array.from(trace.rows.subtree)).toEqual([2, 1]);
    expect([trace.rows.startUs, trace.rows.parent, trace.rows.depth, trace.rows.subtree].map((c) => c.constructor.name))
      .toEqual(['Float64Array', 'Int32Array', 'Uint8Array', 'Uint16Array']);
    expect(trace.rows.spanIds).toBe('00000000000000a1ffffffffffffffff');
    expect(Object.keys(trace)).not.toContain('columns');
  });

  it('reads ids sent as text', () => {
    expect(decodeColumns(encode(rows, { spanIdBytes: 16 })).rows.spanIds).toBe('00000000000000a1ffffffffffffffff');
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

  it.each([
    { name: 'an unknown type', columns: [['startUs', 'f32']], error: 'trace columns: header.columns must list startUs' },
    { name: 'a column out of order', columns: ['durationUs', 'startUs', 'parent', 'depth', 'service', 'name', 'subtree', 'kind', 'flags'].map((k) => [k, 'f64']), error: 'trace columns: header.columns[0] must be ["startUs", one of u8|i8|u16|i16|u32|i32|f64]' },
    { name: 'a prototype key as a type', columns: ['startUs', 'durationUs', 'parent', 'depth', 'service', 'name', 'subtree', 'kind', 'flags'].map((k) => [k, 'constructor']), error: 'trace columns: header.columns[0] must be' },
  ])('says what is wrong with $name in the header', ({ columns, error }) => {
    expect(() => decodeColumns(encode(rows, { columns }))).toThrow(error);
  });
});
