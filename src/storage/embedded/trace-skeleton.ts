/**
 * The lean read of one stored trace (SpanReader.getTraceSkeleton): only the fields a timeline and
 * the read-time adjustments need, so opening a 50 000-span trace neither converts every column
 * nor parses every span's `extra` JSON in JavaScript.
 *
 * SKELETON_NOTE, one 50 000-span trace read back from DuckDB 1.5.6 (8 promoted tags per span; a
 * 2-core machine shared with other jobs at load 5-8, so ±50 %), query / conversion to JS, ms:
 *   every column (getTrace's query), getColumnsJS; then rowToSpan parses `extra`   480-760 / 880-1340
 *   9 skeleton columns as stored (BIGINT, UBIGINT, VARCHAR), getColumnsJS           20-90 / 200-580
 *   ids as UINTEGER halves, times as DOUBLE, getColumnsJS                            22-53 / 73-104
 *   the same read vector by vector with getItem (as here)                            5-17 / 32-42
 *   8 `extra` fields as one LIST column, getColumnsJS                               66-186 / 208-358
 *   8 `extra` fields as separate VARCHAR columns, mostly NULL, getItem               (one parse) / 4-29 each
 * BIGINT and UBIGINT values come back as JS bigints, one allocation each; the casts let DuckDB
 * hand over plain numbers instead. The VARCHAR columns left (service, name) cost 60-160 ms each.
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBPreparedStatement } from '@duckdb/node-api';
import { SPAN_KINDS, type Span } from '../../model/index.js';
import { STATUS_CODES } from './layout.js';

/** What one skeleton read asks for. */
export interface SkeletonQuery {
  /** 32 lowercase hex chars. */
  traceId: string;
  tenant: string | undefined;
  /** Resource attribute keys to read (each becomes a resource entry when present). */
  resourceKeys: readonly string[];
}

/** A JSON pointer (RFC 6901) to `/<section>/<key>`, as an SQL string literal. */
function pointerLiteral(...parts: string[]): string {
  const pointer = parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  return `'${pointer.replace(/'/g, "''")}'`;
}

/**
 * The span query: fixed columns first (ids as two 32-bit halves, times as doubles: both convert to
 * JS numbers without a bigint each), then the `extra` fields as separate VARCHAR columns: shared
 * flag, local endpoint ipv4 / ipv6, then one per resource key. Parameters: trace id, start bounds,
 * then the tenant when scoped.
 */
export function skeletonSql(resourceKeys: readonly string[], scoped: boolean): string {
  const paths = [pointerLiteral('sh'), pointerLiteral('le', 'i4'), pointerLiteral('le', 'i6'), ...resourceKeys.map((k) => pointerLiteral('r', k))];
  const fields = paths.map((_, i) => `x[${i + 1}]`).join(', ');
  return `SELECT sh, sl, ph, pl, st, d, service, name, kind, status, tenant, ${fields} FROM (
    SELECT (span_id >> 32)::UINTEGER AS sh, (span_id & 4294967295)::UINTEGER AS sl,
      (parent_id >> 32)::UINTEGER AS ph, (parent_id & 4294967295)::UINTEGER AS pl,
      start_us::DOUBLE AS st, duration_us::DOUBLE AS d, service, name, kind, status, tenant,
      json_extract_string(extra, [${paths.join(', ')}]) AS x
    FROM spans WHERE trace_id = ? AND start_us BETWEEN ? AND ?${scoped ? ' AND tenant = ?' : ''})`;
}

/** Fixed columns before the extra fields in {@link skeletonSql}'s result. */
const FIXED = 11;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Appends the spans of one result chunk. */
function spansOfChunk(chunk: DuckDBDataChunk, traceId: string, resourceKeys: readonly string[], out: Span[]): void {
  const rows = chunk.rowCount;
  const col = (i: number) => chunk.getColumnVector(i);
  const spanHi = col(0), spanLo = col(1), parentHi = col(2), parentLo = col(3), start = col(4), duration = col(5);
  const service = col(6), name = col(7), kind = col(8), status = col(9), tenant = col(10);
  const sharedCol = col(FIXED), ip4 = col(FIXED + 1), ip6 = col(FIXED + 2);
  const resourceCols = resourceKeys.map((_, k) => col(FIXED + 3 + k));
  for (let i = 0; i < rows; i++) {
    const span: Span = {
      traceId,
      spanId: hex8(spanHi.getItem(i) as number) + hex8(spanLo.getItem(i) as number),
      kind: SPAN_KINDS[kind.getItem(i) as number] ?? 'unspecified',
      name: name.getItem(i) as string,
      service: service.getItem(i) as string,
      startUs: start.getItem(i) as number,
      durationUs: duration.getItem(i) as number,
      statusCode: STATUS_CODES[status.getItem(i) as number] ?? 'unset',
      attributes: {},
      events: [],
      links: [],
      resource: {},
      tenant: tenant.getItem(i) as string,
    };
    const ph = parentHi.getItem(i);
    if (ph !== null) span.parentSpanId = hex8(ph as number) + hex8(parentLo.getItem(i) as number);
    const shared = sharedCol.getItem(i);
    if (shared !== null) span.shared = shared === 'true';
    const v4 = ip4.getItem(i) as string | null;
    const v6 = ip6.getItem(i) as string | null;
    if (v4 !== null || v6 !== null) {
      span.localEndpoint = {};
      if (v4 !== null) span.localEndpoint.ipv4 = v4;
      if (v6 !== null) span.localEndpoint.ipv6 = v6;
    }
    for (let k = 0; k < resourceCols.length; k++) {
      const value = resourceCols[k]!.getItem(i) as string | null;
      if (value !== null) span.resource[resourceKeys[k]!] = value;
    }
    out.push(span);
  }
}

function bind(stmt: DuckDBPreparedStatement, traceId: bigint, min: number, max: number, tenant: string | undefined): void {
  stmt.bindUHugeInt(1, traceId);
  stmt.bindBigInt(2, BigInt(min));
  stmt.bindBigInt(3, BigInt(max));
  if (tenant !== undefined) stmt.bindVarchar(4, tenant);
}

/**
 * The stored spans of one trace with the skeleton's fields filled (see SpanReader.getTraceSkeleton);
 * resource values come back as strings whatever their stored type. Runs on `connection` alone.
 */
export async function readTraceSkeleton(connection: DuckDBConnection, query: SkeletonQuery): Promise<Span[]> {
  const id = BigInt(`0x${query.traceId}`);
  // Prepared fresh each time, as every read of the table is (see Conn.rows in span-table.ts).
  const range = await connection.prepare('SELECT min(min_start_us), max(max_start_us) FROM trace_times WHERE trace_id = ?');
  let min: bigint | null | undefined;
  let max: bigint | null | undefined;
  try {
    range.bindUHugeInt(1, id);
    const row = (await range.runAndReadAll()).getRows()[0];
    min = row?.[0] as bigint | null | undefined;
    max = row?.[1] as bigint | null | undefined;
  } finally {
    range.destroySync();
  }
  if (min === null || min === undefined || max === null || max === undefined) return [];
  const stmt = await connection.prepare(skeletonSql(query.resourceKeys, query.tenant !== undefined));
  try {
    bind(stmt, id, Number(min), Number(max), query.tenant);
    const result = await stmt.run();
    const out: Span[] = [];
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      spansOfChunk(chunk, query.traceId, query.resourceKeys, out);
    }
    return out;
  } finally {
    stmt.destroySync();
  }
}
