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
 * Then, same trace, query and conversion together, CPU ms, minimum / median of 13 reads, two runs
 * at load 5.5:
 *   names joined onto the spans by code, every `extra` path parsed on every row     192-210 / 279-391
 *   names and places by 32-bit hash with a group per value, guarded parses (here)   102-146 / 158-181
 * of which the query itself went from 93-175 to 15-25 ms: its cost was the parse of `extra` on
 * every row and the joins. Most of what is left is building the span objects.
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
 * How a skeleton result carries the values many spans share (service, operation and tenant names,
 * and the span's place: local endpoint addresses with the resource values): as 32-bit codes with
 * one row per distinct value, or, when two values of a column share a code, as text on every span.
 */
export type SkeletonValues = 'codes' | 'text';

/** Values of column `part`: rows that give a code's value (services, operations, tenants, places), then span rows. */
const PART_SERVICE = 0;
const PART_SPAN = 4;

/** A value's 32-bit code (DuckDB's hash): only compared within one result, never stored. */
const code = (expression: string) => `(hash(${expression}) & 4294967295)::UINTEGER`;

/**
 * The span query: one result, its rows told apart by column `part`. Span rows (part 4) hold the
 * span id and parent id as two 32-bit halves each and the times as doubles (all become JS numbers
 * without a bigint each); kind + 8 × status + 32 × shared (0 absent, 1 false, 2 true); then the
 * service, operation, tenant and place, as codes or as text. A place is the struct {i4, i6, r} of
 * the local endpoint's addresses and the resource keys' values, as JSON text. With codes, rows of
 * parts 0-3 give each distinct service, operation, tenant and place its code, with the smallest and
 * largest value of that code (they differ only when two values collide).
 * A field's JSON is parsed only on rows whose text contains its key: a string test costs far less
 * than a parse. Parameters: $1 trace id, $2 and $3 start bounds, $4 the tenant when scoped.
 */
export function skeletonSql(resourceKeys: readonly string[], scoped: boolean, values: SkeletonValues = 'codes'): string {
  const resources = resourceKeys.length === 0
    ? 'NULL::VARCHAR[]'
    : `CASE WHEN contains(extra, '"r"') THEN json_extract_string(extra, [${resourceKeys.map((k) => pointerLiteral('r', k)).join(', ')}]) END`;
  const rows = `SELECT span_id, parent_id, start_us, duration_us, kind, status, service, name, tenant,
      CASE WHEN contains(extra, '"sh"') THEN json_extract_string(extra, ${pointerLiteral('sh')}) END AS shared,
      {'i4': CASE WHEN contains(extra, '"i4"') THEN json_extract_string(extra, ${pointerLiteral('le', 'i4')}) END,
       'i6': CASE WHEN contains(extra, '"i6"') THEN json_extract_string(extra, ${pointerLiteral('le', 'i6')}) END,
       'r': ${resources}} AS place
    FROM spans WHERE trace_id = $1 AND start_us BETWEEN $2 AND $3${scoped ? ' AND tenant = $4' : ''}`;
  const shared = `CASE WHEN shared IS NULL THEN 0 WHEN shared = 'true' THEN 2 ELSE 1 END`;
  const spans = `SELECT ${PART_SPAN}::UTINYINT AS part, (span_id >> 32)::UINTEGER AS span_hi, (span_id & 4294967295)::UINTEGER AS span_lo,
    (parent_id >> 32)::UINTEGER, (parent_id & 4294967295)::UINTEGER, start_us::DOUBLE, duration_us::DOUBLE,
    (kind + 8 * status + 32 * ${shared})::USMALLINT,
    ${values === 'codes'
      ? `${code('service')}, ${code('name')}, ${code('tenant')}, ${code('place')}, NULL::VARCHAR AS lo, NULL::VARCHAR AS hi`
      : 'service, name, tenant, to_json(place)::VARCHAR, NULL::VARCHAR AS lo, NULL::VARCHAR AS hi'}
  FROM s`;
  const text = (aggregate: string, column: string) => column === 'place' ? `to_json(${aggregate}(place))::VARCHAR` : `${aggregate}(${column})`;
  const groups = ['service', 'name', 'tenant', 'place']
    .map((column, part) => `SELECT ${PART_SERVICE + part} AS part, ${code(column)} AS code, ${text('min', column)} AS lo, ${text('max', column)} AS hi FROM s GROUP BY code`)
    .join('\n    UNION ALL ');
  const body = values === 'text'
    ? spans
    : `${spans}\n  UNION ALL SELECT part, code${', NULL'.repeat(COLUMNS - 4)}, lo, hi FROM (\n    ${groups})`;
  // Not materialised: DuckDB then runs the scan once per use, which measured cheaper than keeping its rows.
  return `WITH s AS NOT MATERIALIZED (${rows})\n${body}`;
}

/** Columns of {@link skeletonSql}'s result. */
const COLUMNS = 14;

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

/** A span's place as the skeleton hands it over: both objects frozen and shared by every span of the place. */
interface Place {
  localEndpoint: Span['localEndpoint'];
  resource: Span['resource'];
}

/** The place of a `{i4, i6, r}` JSON text (see {@link skeletonSql}). */
function placeOf(json: string, resourceKeys: readonly string[]): Place {
  const { i4, i6, r } = JSON.parse(json) as { i4: string | null; i6: string | null; r: (string | null)[] | null };
  let localEndpoint: Span['localEndpoint'];
  if (i4 !== null || i6 !== null) {
    localEndpoint = {};
    if (i4 !== null) localEndpoint.ipv4 = i4;
    if (i6 !== null) localEndpoint.ipv6 = i6;
    Object.freeze(localEndpoint);
  }
  let resource = NO_ATTRIBUTES;
  if (r !== null) {
    for (let k = 0; k < resourceKeys.length; k++) {
      const value = r[k];
      if (value === null || value === undefined) continue;
      if (resource === NO_ATTRIBUTES) resource = {};
      resource[resourceKeys[k]!] = value;
    }
    Object.freeze(resource);
  }
  return { localEndpoint, resource };
}

/** A read in progress. */
interface Reading {
  spans: Span[];
  /** With codes, per span: its service, operation, tenant and place codes. */
  codes: number[];
  /** With codes, per part (service, operation, tenant, place): the value of each code, as text. */
  byCode: [Map<number, string>, Map<number, string>, Map<number, string>, Map<number, string>];
  /** Two values of one part share a code: the values must be read as text. */
  collided: boolean;
  /** Places by their JSON text, parsed once each. */
  places: Map<string, Place>;
}

/** Takes the rows of one result chunk: values by code into their tables, spans into the list. */
function readChunk(chunk: DuckDBDataChunk, traceId: string, resourceKeys: readonly string[], into: Reading): void {
  const rows = chunk.rowCount;
  const col = (i: number) => chunk.getColumnVector(i);
  const part = col(0), spanHi = col(1), spanLo = col(2), parentHi = col(3), parentLo = col(4), start = col(5), duration = col(6);
  const bits = col(7), service = col(8), name = col(9), tenant = col(10), place = col(11), lo = col(12), hi = col(13);
  const { spans, codes, byCode, places } = into;
  for (let i = 0; i < rows; i++) {
    const partOfRow = part.getItem(i) as number;
    if (partOfRow !== PART_SPAN) {
      const text = lo.getItem(i) as string;
      if (text !== hi.getItem(i)) into.collided = true;
      byCode[partOfRow - PART_SERVICE as 0 | 1 | 2 | 3].set(spanHi.getItem(i) as number, text);
      continue;
    }
    const packed = bits.getItem(i) as number;
    const ph = parentHi.getItem(i) as number | null;
    // Each shape is built whole (localEndpoint filled in below, left undefined without one), so every
    // field lives inside the object rather than in a property store added later.
    const span: Span = ph === null
      ? {
        traceId, spanId: hex16(spanHi.getItem(i) as number, spanLo.getItem(i) as number), kind: SPAN_KINDS[packed & 7] ?? 'unspecified',
        name: '', service: '', startUs: start.getItem(i) as number, durationUs: duration.getItem(i) as number,
        statusCode: STATUS_CODES[(packed >> 3) & 3] ?? 'unset', attributes: NO_ATTRIBUTES, events: NO_EVENTS, links: NO_LINKS,
        resource: NO_ATTRIBUTES, tenant: '', localEndpoint: undefined,
      }
      : {
        traceId, spanId: hex16(spanHi.getItem(i) as number, spanLo.getItem(i) as number), parentSpanId: hex16(ph, parentLo.getItem(i) as number),
        kind: SPAN_KINDS[packed & 7] ?? 'unspecified', name: '', service: '', startUs: start.getItem(i) as number,
        durationUs: duration.getItem(i) as number, statusCode: STATUS_CODES[(packed >> 3) & 3] ?? 'unset', attributes: NO_ATTRIBUTES,
        events: NO_EVENTS, links: NO_LINKS, resource: NO_ATTRIBUTES, tenant: '', localEndpoint: undefined,
      };
    const shared = packed >> 5;
    if (shared !== 0) span.shared = shared === 2;
    const serviceItem = service.getItem(i);
    if (typeof serviceItem === 'number') {
      codes.push(serviceItem, name.getItem(i) as number, tenant.getItem(i) as number, place.getItem(i) as number);
    } else {
      span.service = serviceItem as string;
      span.name = name.getItem(i) as string;
      span.tenant = tenant.getItem(i) as string;
      setPlace(span, place.getItem(i) as string, places, resourceKeys);
    }
    spans.push(span);
  }
}

/** Gives a span the place of a JSON text, parsing each distinct text once. */
function setPlace(span: Span, json: string, places: Map<string, Place>, resourceKeys: readonly string[]): void {
  let known = places.get(json);
  if (known === undefined) places.set(json, (known = placeOf(json, resourceKeys)));
  span.resource = known.resource;
  span.localEndpoint = known.localEndpoint;
}

/** Binds the trace id, start bounds and, when scoped, the tenant ($1-$4 of {@link skeletonSql}). */
function bind(stmt: DuckDBPreparedStatement, traceId: bigint, min: number, max: number, tenant: string | undefined): void {
  stmt.bindUHugeInt(1, traceId);
  stmt.bindBigInt(2, BigInt(min));
  stmt.bindBigInt(3, BigInt(max));
  if (tenant !== undefined) stmt.bindVarchar(4, tenant);
}

/** One run of {@link skeletonSql}. */
async function readSpans(connection: DuckDBConnection, query: SkeletonQuery, range: { id: bigint; min: number; max: number }, values: SkeletonValues): Promise<Reading> {
  const stmt = await connection.prepare(skeletonSql(query.resourceKeys, query.tenant !== undefined, values));
  try {
    bind(stmt, range.id, range.min, range.max, query.tenant);
    const reading: Reading = { spans: [], codes: [], byCode: [new Map(), new Map(), new Map(), new Map()], collided: false, places: new Map() };
    // Materialised: its chunks are taken without a trip to DuckDB's threads each (a 50 000-span
    // trace has 25). Streaming them measured no cheaper in CPU, and each trip waits for a core.
    const result = await stmt.run();
    for (let c = 0; c < result.chunkCount; c++) readChunk(result.getChunk(c), query.traceId, query.resourceKeys, reading);
    return reading;
  } finally {
    stmt.destroySync();
  }
}

/**
 * The stored spans of one trace with the skeleton's fields filled (see SpanReader.getTraceSkeleton);
 * resource values come back as strings whatever their stored type, and spans of one place share
 * one frozen localEndpoint and one frozen resource object. Runs on `connection` alone. `values`
 * is for tests: 'text' reads as a collision of codes would.
 */
export async function readTraceSkeleton(connection: DuckDBConnection, query: SkeletonQuery, values: SkeletonValues = 'codes'): Promise<Span[]> {
  const id = BigInt(`0x${query.traceId}`);
  // Prepared fresh each time, as every read of the table is (see Conn.rows in span-table.ts).
  const rangeStmt = await connection.prepare('SELECT min(min_start_us), max(max_start_us) FROM trace_times WHERE trace_id = ?');
  let min: bigint | null = null;
  let max: bigint | null = null;
  try {
    rangeStmt.bindUHugeInt(1, id);
    const result = await rangeStmt.run();
    const chunk = result.chunkCount > 0 ? result.getChunk(0) : undefined;
    if (chunk !== undefined && chunk.rowCount > 0) {
      min = chunk.getColumnVector(0).getItem(0) as bigint | null;
      max = chunk.getColumnVector(1).getItem(0) as bigint | null;
    }
  } finally {
    rangeStmt.destroySync();
  }
  if (min === null || max === null) return [];
  const range = { id, min: Number(min), max: Number(max) };
  const reading = await readSpans(connection, query, range, values);
  if (values === 'text') return reading.spans;
  if (reading.collided) return (await readSpans(connection, query, range, 'text')).spans;
  // Spans of one name or place share one string or object: each decoded once, not once per span.
  const { spans, codes, places } = reading;
  const [services, operations, tenants, placeTexts] = reading.byCode;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    span.service = services.get(codes[4 * i]!)!;
    span.name = operations.get(codes[4 * i + 1]!)!;
    span.tenant = tenants.get(codes[4 * i + 2]!)!;
    setPlace(span, placeTexts.get(codes[4 * i + 3]!)!, places, query.resourceKeys);
  }
  return spans;
}
