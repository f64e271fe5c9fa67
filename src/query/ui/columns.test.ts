import { describe, expect, it } from 'vitest';
import { decodeColumns } from '../../../ui/src/api/columns.js';
import { COLUMNS_MAGIC, encodeColumns, narrowestType } from './columns.js';
import { prepareTrace } from './compact-trace.js';
import { span } from './test-spans.js';

const T = 1_700_000_000_000_000;

/** The decoded trace with its typed-array columns turned into plain arrays, for toEqual. */
function plain(trace: ReturnType<typeof decodeColumns>) {
  const rows = Object.fromEntries(Object.entries(trace.rows).map(([k, v]) => [k, typeof v === 'string' ? v : Array.from(v)]));
  return { ...trace, rows };
}

function arrayBufferOf(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer;
}

/** A chain of n spans, each the child of the one before, 1 µs apart. */
function chain(n: number) {
  return Array.from({ length: n }, (_, i) => span({ spanId: (i + 1).toString(16), ...(i > 0 ? { parentSpanId: i.toString(16) } : {}), startUs: T + i, durationUs: n - i }));
}

describe('narrowestType', () => {
  it.each([
    { values: [], type: 'u8' },
    { values: [0, 255], type: 'u8' },
    { values: [0, 256], type: 'u16' },
    { values: [0, 65_536], type: 'u32' },
    { values: [0, 2 ** 32 - 1], type: 'u32' },
    { values: [0, 2 ** 32], type: 'f64' },
    { values: [-1, 127], type: 'i8' },
    { values: [-1, 128], type: 'i16' },
    { values: [-1, 32_768], type: 'i32' },
    { values: [-(2 ** 31) - 1, 0], type: 'f64' },
    { values: [0, 2.5], type: 'f64' },
    { values: [0, Number.NaN], type: 'f64' },
  ])('$values → $type', ({ values, type }) => {
    expect(narrowestType(values)).toBe(type);
  });
});

describe('binary columns', () => {
  const traces = [
    { name: 'one span', spans: [span({ spanId: 'a', startUs: T })] },
    {
      name: 'a tree with errors, an orphan, odd names and a long duration',
      spans: [
        span({ spanId: 'a', service: 'frontend', name: 'GET /ünïcødé', startUs: T, durationUs: 5_000_000_000 }),
        span({ spanId: 'b', parentSpanId: 'a', service: 'db', name: '<img src=x>', startUs: T + 3, durationUs: 1, statusCode: 'error', kind: 'client' }),
        span({ spanId: 'c', parentSpanId: 'ff', service: 'db', name: 'q', startUs: T + 7, durationUs: 2 }),
      ],
    },
    { name: 'fractional µs', spans: [span({ spanId: 'a', startUs: T + 0.5, durationUs: 2.25 }), span({ spanId: 'b', parentSpanId: 'a', startUs: T + 1.125, durationUs: 0.5 })] },
    { name: 'a 300-deep chain (depths and subtrees beyond a byte)', spans: chain(300) },
  ];
  it.each(traces)('$name: decodes to the JSON form', ({ spans }) => {
    const { compact } = prepareTrace(spans, { adjustClockSkew: false });
    const encoded = encodeColumns(compact);
    expect(encoded.subarray(0, 4).toString('latin1')).toBe(COLUMNS_MAGIC);
    expect(plain(decodeColumns(arrayBufferOf(encoded)))).toEqual(JSON.parse(JSON.stringify(compact)));
  });

  it('writes each column in the narrowest type that holds it and the ids as 8 bytes each', () => {
    const { compact } = prepareTrace(chain(300), { adjustClockSkew: false });
    const encoded = encodeColumns(compact);
    const header = JSON.parse(encoded.subarray(8, 8 + encoded.readUInt32LE(4)).toString()) as { columns: Array<[string, string]>; spanIdBytes: number };
    expect(Object.fromEntries(header.columns)).toEqual({ startUs: 'u16', durationUs: 'u16', parent: 'i16', depth: 'u16', service: 'u8', name: 'u8', subtree: 'u16', kind: 'u8', flags: 'u8' });
    expect(header.spanIdBytes).toBe(8);
    const rows = decodeColumns(arrayBufferOf(encoded)).rows;
    expect([rows.startUs, rows.parent, rows.flags].map((c) => c.constructor.name)).toEqual(['Uint16Array', 'Int16Array', 'Uint8Array']);
    expect(Array.from(rows.parent).slice(0, 3)).toEqual([-1, 0, 1]);
    expect(rows.spanIds.slice(16 * 299)).toBe('000000000000012c');
  });

  it('sends ids that are not 16 lowercase hex chars as text', () => {
    const { compact } = prepareTrace([span({ spanId: 'A' })], { adjustClockSkew: false });
    const encoded = encodeColumns(compact);
    expect(JSON.parse(encoded.subarray(8, 8 + encoded.readUInt32LE(4)).toString()).spanIdBytes).toBe(16);
    expect(decodeColumns(arrayBufferOf(encoded)).rows.spanIds).toBe('000000000000000A');
  });

  const good = encodeColumns(prepareTrace([span({ spanId: 'a', startUs: T })], { adjustClockSkew: false }).compact);
  const bad: Array<{ name: string; bytes: Buffer; error: string }> = [
    { name: 'not the format', bytes: Buffer.from('{"traceId":"x"}'), error: 'trace columns: expected the ATC2 format' },
    { name: 'truncated columns', bytes: good.subarray(0, good.length - 3), error: `trace columns: expected ${good.length} bytes for 1 spans, got ${good.length - 3}` },
    { name: 'header overruns', bytes: Buffer.concat([Buffer.from('ATC2'), Buffer.from([255, 0, 0, 0]), Buffer.from('{}')]), error: 'trace columns: header of 255 bytes overruns the 10-byte answer' },
  ];
  it.each(bad)('$name: says what is wrong', ({ bytes, error }) => {
    expect(() => decodeColumns(arrayBufferOf(bytes))).toThrow(error);
  });
});
