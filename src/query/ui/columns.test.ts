import { describe, expect, it } from 'vitest';
import { decodeColumns } from '../../../ui/src/api/columns.js';
import { COLUMNS_MAGIC, encodeColumns } from './columns.js';
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
  ];
  it.each(traces)('$name: decodes to the JSON form', ({ spans }) => {
    const { compact } = prepareTrace(spans, { adjustClockSkew: false });
    const encoded = encodeColumns(compact);
    expect(encoded.subarray(0, 4).toString('latin1')).toBe(COLUMNS_MAGIC);
    expect(plain(decodeColumns(arrayBufferOf(encoded)))).toEqual(JSON.parse(JSON.stringify(compact)));
  });

  it('views the columns in place as typed arrays', () => {
    const { compact } = prepareTrace([span({ spanId: 'a', startUs: T }), span({ spanId: 'b', parentSpanId: 'a', startUs: T + 1 })], { adjustClockSkew: false });
    const rows = decodeColumns(arrayBufferOf(encodeColumns(compact))).rows;
    expect([rows.startUs, rows.parent, rows.flags].map((c) => c.constructor.name)).toEqual(['Float64Array', 'Int32Array', 'Uint8Array']);
    expect(Array.from(rows.parent)).toEqual([-1, 0]);
  });

  const good = encodeColumns(prepareTrace([span({ spanId: 'a', startUs: T })], { adjustClockSkew: false }).compact);
  const bad: Array<{ name: string; bytes: Buffer; error: string }> = [
    { name: 'not the format', bytes: Buffer.from('{"traceId":"x"}'), error: 'trace columns: expected the ATC1 format' },
    { name: 'truncated columns', bytes: good.subarray(0, good.length - 3), error: `trace columns: expected ${good.length} bytes for 1 spans, got ${good.length - 3}` },
    { name: 'header overruns', bytes: Buffer.concat([Buffer.from('ATC1'), Buffer.from([255, 0, 0, 0]), Buffer.from('{}')]), error: 'trace columns: header of 255 bytes overruns the 10-byte answer' },
  ];
  it.each(bad)('$name: says what is wrong', ({ bytes, error }) => {
    expect(() => decodeColumns(arrayBufferOf(bytes))).toThrow(error);
  });
});
