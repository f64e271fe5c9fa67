/**
 * The lean read of one stored trace (SpanReader.getTraceSkeleton): only the fields a timeline and
 * the read-time adjustments need, so opening a 50 000-span trace neither converts every column
 * nor parses every span's `extra` JSON in JavaScript.
 *
 * SKELETON_NOTE, one 50 000-span trace read back from DuckDB 1.5.6 (8 promoted tags per span; a
 * 2-core machine shared with other jobs at load 5-13, so ±50 %), query / conversion to JS, ms:
 *   every column (getTrace's query), getColumnsJS; then rowToSpan parses `extra`   480-760 / 880-1340
 *   9 skeleton columns as stored (BIGINT, UBIGINT, VARCHAR), getColumnsJS           20-90 / 200-580
 *   ids as UINTEGER halves, times as DOUBLE, getColumnsJS                            22-53 / 73-104
 *   the same read vector by vector with getItem (as here)                            5-17 / 32-42
 *   8 `extra` fields as one LIST column, getColumnsJS                               66-186 / 208-358
 *   8 `extra` fields as separate VARCHAR columns, mostly NULL, getItem               (one parse) / 4-29 each
 *   service and name per row, getItem                                              33-147 / 127-487
 *   service and name as codes, the distinct names once (a join inside the query)   149-293 / 41-106
 * BIGINT and UBIGINT values come back as JS bigints, one allocation each; the casts let DuckDB
 * hand over plain numbers instead. Names as codes also leave one string per distinct name instead
 * of one per span, which made the prepare step after the read 10-20 % faster (same load).
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
 * The span query. One result holds two kinds of rows (column `part`): the distinct service,
 * operation and tenant names of the trace with a code each (part 0: text, code), and the spans
 * (part 1) with those codes in place of the names, ids as two 32-bit halves and times as doubles
 * (all convert to JS numbers without a bigint each), then the `extra` fields as separate VARCHAR
 * columns: shared flag, local endpoint ipv4 / ipv6, then one per resource key. Parameters, twice
 * (the spans, then their names): trace id, start bounds, then the tenant when scoped.
 */
export function skeletonSql(resourceKeys: readonly string[], scoped: boolean): string {
  const paths = [pointerLiteral('sh'), pointerLiteral('le', 'i4'), pointerLiteral('le', 'i6'), ...resourceKeys.map((k) => pointerLiteral('r', k))];
  const fields = paths.map((_, i) => `s.x[${i + 1}]`).join(', ');
  const noFields = paths.map(() => 'NULL::VARCHAR').join(', ');
  // The names come from a second scan of three columns rather than from the spans' rows kept
  // (MATERIALIZED) for it: 264-348 against 370-556 ms for the whole query (machine load 6).
  const where = `trace_id = ? AND start_us BETWEEN ? AND ?${scoped ? ' AND tenant = ?' : ''}`;
  return `WITH s AS (
    SELECT (span_id >> 32)::UINTEGER AS sh, (span_id & 4294967295)::UINTEGER AS sl,
      (parent_id >> 32)::UINTEGER AS ph, (parent_id & 4294967295)::UINTEGER AS pl,
      start_us::DOUBLE AS st, duration_us::DOUBLE AS d, service, name, tenant, kind, status,
      json_extract_string(extra, [${paths.join(', ')}]) AS x
    FROM spans WHERE ${where}),
  names AS (SELECT v, (row_number() OVER () - 1)::INTEGER AS i FROM (SELECT DISTINCT unnest([service, name, tenant]) AS v FROM spans WHERE ${where}))
  SELECT 0::UTINYINT AS part, v AS text, i AS code, NULL::UINTEGER, NULL::UINTEGER, NULL::UINTEGER, NULL::UINTEGER, NULL::DOUBLE,
    NULL::DOUBLE, NULL::INTEGER, NULL::INTEGER, NULL::INTEGER, NULL::UTINYINT, NULL::UTINYINT, ${noFields} FROM names
  UNION ALL
  SELECT 1, NULL, NULL, s.sh, s.sl, s.ph, s.pl, s.st, s.d, sv.i, nm.i, tn.i, s.kind, s.status, ${fields}
  FROM s JOIN names sv ON sv.v = s.service JOIN names nm ON nm.v = s.name JOIN names tn ON tn.v = s.tenant`;
}

/** Fixed columns before the extra fields in {@link skeletonSql}'s result. */
const FIXED = 14;

const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * 16 hex chars of a 64-bit id given as two 32-bit halves, built as one flat string (100 000 ids:
 * ~35 ms, against ~500 ms for two toString(16) with padStart joined, whose joined string V8 also
 * flattens again when the id is first used as a map key).
 */
function hex16(hi: number, lo: number): string {
  return String.fromCharCode(
    HEX[hi >>> 28]!, HEX[(hi >>> 24) & 15]!, HEX[(hi >>> 20) & 15]!, HEX[(hi >>> 16) & 15]!,
    HEX[(hi >>> 12) & 15]!, HEX[(hi >>> 8) & 15]!, HEX[(hi >>> 4) & 15]!, HEX[hi & 15]!,
    HEX[lo >>> 28]!, HEX[(lo >>> 24) & 15]!, HEX[(lo >>> 20) & 15]!, HEX[(lo >>> 16) & 15]!,
    HEX[(lo >>> 12) & 15]!, HEX[(lo >>> 8) & 15]!, HEX[(lo >>> 4) & 15]!, HEX[lo & 15]!,
  );
}

/**
 * The empty fields of every skeleton span: one frozen object each, shared, rather than four new
 * ones per span (the allocations showed as a fifth of a 50 000-span read's time, in garbage collection).
 */
const NO_ATTRIBUTES: Span['attributes'] = Object.freeze({});
const NO_EVENTS = Object.freeze([]) as unknown as Span['events'];
const NO_LINKS = Object.freeze([]) as unknown as Span['links'];

/** A read in progress: spans with their name codes, and the names by code. */
interface Reading {
  spans: Span[];
  /** Per span: service, operation and tenant codes. */
  codes: number[];
  names: string[];
}

/** Takes the rows of one result chunk: names into the table, spans (names still as codes) into the list. */
function readChunk(chunk: DuckDBDataChunk, traceId: string, resourceKeys: readonly string[], into: Reading): void {
  const rows = chunk.rowCount;
  const col = (i: number) => chunk.getColumnVector(i);
  const part = col(0), text = col(1), code = col(2);
  const spanHi = col(3), spanLo = col(4), parentHi = col(5), parentLo = col(6), start = col(7), duration = col(8);
  const service = col(9), name = col(10), tenant = col(11), kind = col(12), status = col(13);
  const sharedCol = col(FIXED), ip4 = col(FIXED + 1), ip6 = col(FIXED + 2);
  const resourceCols = resourceKeys.map((_, k) => col(FIXED + 3 + k));
  const { spans, codes, names } = into;
  for (let i = 0; i < rows; i++) {
    if (part.getItem(i) === 0) {
      names[code.getItem(i) as number] = text.getItem(i) as string;
      continue;
    }
    codes.push(service.getItem(i) as number, name.getItem(i) as number, tenant.getItem(i) as number);
    const span: Span = {
      traceId,
      spanId: hex16(spanHi.getItem(i) as number, spanLo.getItem(i) as number),
      kind: SPAN_KINDS[kind.getItem(i) as number] ?? 'unspecified',
      name: '',
      service: '',
      startUs: start.getItem(i) as number,
      durationUs: duration.getItem(i) as number,
      statusCode: STATUS_CODES[status.getItem(i) as number] ?? 'unset',
      attributes: NO_ATTRIBUTES,
      events: NO_EVENTS,
      links: NO_LINKS,
      resource: NO_ATTRIBUTES,
      tenant: '',
    };
    const ph = parentHi.getItem(i);
    if (ph !== null) span.parentSpanId = hex16(ph as number, parentLo.getItem(i) as number);
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
      if (value === null) continue;
      if (span.resource === NO_ATTRIBUTES) span.resource = {};
      span.resource[resourceKeys[k]!] = value;
    }
    spans.push(span);
  }
}

/** Binds the filter's parameters for both of its places in {@link skeletonSql}. */
function bind(stmt: DuckDBPreparedStatement, traceId: bigint, min: number, max: number, tenant: string | undefined): void {
  const count = tenant === undefined ? 3 : 4;
  for (const at of [0, count]) {
    stmt.bindUHugeInt(at + 1, traceId);
    stmt.bindBigInt(at + 2, BigInt(min));
    stmt.bindBigInt(at + 3, BigInt(max));
    if (tenant !== undefined) stmt.bindVarchar(at + 4, tenant);
  }
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
    const reading: Reading = { spans: [], codes: [], names: [] };
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      readChunk(chunk, query.traceId, query.resourceKeys, reading);
    }
    // Every span of a name shares one string: decoded once instead of once per span.
    const { spans, codes, names } = reading;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      span.service = names[codes[3 * i]!]!;
      span.name = names[codes[3 * i + 1]!]!;
      span.tenant = names[codes[3 * i + 2]!]!;
    }
    return spans;
  } finally {
    stmt.destroySync();
  }
}
