/**
 * Decodes the binary compact trace the server sends (src/query/ui/columns.ts describes the layout):
 * the columns become typed-array views over the received bytes, with no per-row work (the span ids
 * become text on first use). Checks every length before viewing, so a truncated or foreign answer
 * is one clear error.
 */
import type { CompactRows, CompactTrace } from './types.js';

const MAGIC = 'ATC1';

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decodes one answer; throws an Error saying what is wrong with a malformed one. */
export function decodeColumns(buffer: ArrayBuffer): CompactTrace {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < 8 || String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!) !== MAGIC) {
    throw new Error(`trace columns: expected the ${MAGIC} format`);
  }
  const view = new DataView(buffer);
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new Error(`trace columns: header of ${headerLength} bytes overruns the ${bytes.length}-byte answer`);
  const header: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  if (typeof header !== 'object' || header === null) throw new Error('trace columns: header is not an object');
  const h = header as Omit<CompactTrace, 'rows'>;
  const n = h.spanCount;
  if (!Number.isInteger(n) || n < 0) throw new Error('trace columns: header.spanCount is not a count');
  if (typeof h.traceId !== 'string' || !Array.isArray(h.services) || !Array.isArray(h.names) || !Array.isArray(h.kinds) || !Array.isArray(h.warnings)) {
    throw new Error('trace columns: header lacks traceId, services, names, kinds or warnings');
  }
  let at = (8 + headerLength + 7) & ~7;
  const expected = at + n * (8 * 2 + 4 * 5 + 2 + 16);
  if (bytes.length !== expected) throw new Error(`trace columns: expected ${expected} bytes for ${n} spans, got ${bytes.length}`);
  const f64 = (): Float64Array => {
    const out = littleEndian ? new Float64Array(buffer, at, n) : Float64Array.from({ length: n }, (_, i) => view.getFloat64(at + 8 * i, true));
    at += 8 * n;
    return out;
  };
  const i32 = (): Int32Array => {
    const out = littleEndian ? new Int32Array(buffer, at, n) : Int32Array.from({ length: n }, (_, i) => view.getInt32(at + 4 * i, true));
    at += 4 * n;
    return out;
  };
  const u8 = (): Uint8Array => {
    const out = new Uint8Array(buffer, at, n);
    at += n;
    return out;
  };
  const startUs = f64();
  const durationUs = f64();
  const parent = i32();
  const depth = i32();
  const service = i32();
  const name = i32();
  const subtree = i32();
  const kind = u8();
  const flags = u8();
  const idBytes = bytes.subarray(at, at + 16 * n);
  // The ids are text only a click or a deep link needs: decoding them (16 bytes a row) waits for
  // the first read instead of delaying the first paint.
  let spanIds: string | undefined;
  const rows: CompactRows = {
    get spanIds() {
      spanIds ??= new TextDecoder('latin1').decode(idBytes);
      return spanIds;
    },
    parent, depth, startUs, durationUs, service, name, kind, flags, subtree,
  };
  return { ...h, rows };
}
