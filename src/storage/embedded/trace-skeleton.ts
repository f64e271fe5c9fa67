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
 *   names and places by 32-bit hash with a group per value, guarded parses           102-146 / 158-181
 * of which the query itself went from 93-175 to 15-25 ms: its cost was the parse of `extra` on
 * every row and the joins. Then (load 6.5, same order as above: 222 / 409, 99 / 184):
 *   one code per span for its whole setting (as here): 9 columns instead of 14          71 / 144
 * DuckDB hands every column of every 2048-row chunk over with a native call and a buffer view;
 * the rest is building the span objects, and collecting them (in a server, the larger part).
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
 * How a skeleton result carries what many spans share (service, operation and tenant names, local
 * endpoint addresses and resource values: a span's "setting"): as a 32-bit code per span with one
 * row per distinct setting, or, when two settings share a code, as text on every span.
 */
export type SkeletonValues = 'codes' | 'text';

/** The `bits` of a row that gives a setting's text (span rows hold kind, status and shared flag there, all below it). */
const SETTING_ROW = 1024;

/**
 * The span query. Span rows hold `bits` = kind + 8 × status + 32 × shared (0 absent, 1 false,
 * 2 true), the span id and parent id as two 32-bit halves each and the times as doubles (all
 * become JS numbers without a bigint each), and the span's setting: the struct {service, name,
 * tenant, i4, i6, r} (r: the resource keys' values in order) as a code (the low `codeBits` bits of
 * DuckDB's hash, only compared within one result) or as JSON text. With codes, rows with `bits` = SETTING_ROW give each
 * code's setting as JSON text, or NULL when two settings share the code.
 * Every span shares its setting with many others (one per operation and host), so one code per
 * span means few columns per row (DuckDB hands each over per chunk of 2048 rows, at a cost) and
 * few strings and objects to build.
 * A field's JSON is parsed only on rows whose text contains its key: a string test costs far less
 * than a parse. Parameters: $1 trace id, $2 and $3 start bounds, $4 the tenant when scoped.
 */
export function skeletonSql(resourceKeys: readonly string[], scoped: boolean, values: SkeletonValues = 'codes', codeBits = 32): string {
  const resources = resourceKeys.length === 0
    ? 'NULL::VARCHAR[]'
    : `CASE WHEN contains(extra, '"r"') THEN json_extract_string(extra, [${resourceKeys.map((k) => pointerLiteral('r', k)).join(', ')}]) END`;
  const rows = `SELECT span_id, parent_id, start_us, duration_us, kind, status,
      CASE WHEN contains(extra, '"sh"') THEN json_extract_string(extra, ${pointerLiteral('sh')}) END AS shared,
      {'service': service, 'name': name, 'tenant': tenant,
       'i4': CASE WHEN contains(extra, '"i4"') THEN json_extract_string(extra, ${pointerLiteral('le', 'i4')}) END,
       'i6': CASE WHEN contains(extra, '"i6"') THEN json_extract_string(extra, ${pointerLiteral('le', 'i6')}) END,
       'r': ${resources}} AS setting
    FROM spans WHERE trace_id = $1 AND start_us BETWEEN $2 AND $3${scoped ? ' AND tenant = $4' : ''}`;
  const code = `(hash(setting) & ${2 ** codeBits - 1})::UINTEGER`;
  const spans = `SELECT (kind + 8 * status + 32 * CASE WHEN shared IS NULL THEN 0 WHEN shared = 'true' THEN 2 ELSE 1 END)::USMALLINT AS bits,
    (span_id >> 32)::UINTEGER, (span_id & 4294967295)::UINTEGER, (parent_id >> 32)::UINTEGER, (parent_id & 4294967295)::UINTEGER,
    start_us::DOUBLE, duration_us::DOUBLE,
    ${values === 'codes' ? `${code} AS code, NULL::VARCHAR AS setting` : 'NULL::UINTEGER AS code, to_json(setting)::VARCHAR AS setting'}
  FROM s`;
  const settings = `SELECT ${SETTING_ROW}, NULL, NULL, NULL, NULL, NULL, NULL, ${code} AS code,
    CASE WHEN to_json(min(setting)) = to_json(max(setting)) THEN to_json(min(setting))::VARCHAR END
  FROM s GROUP BY code`;
  // Not materialised: DuckDB then runs the scan once per use, which measured cheaper than keeping its rows.
  return `WITH s AS NOT MATERIALIZED (${rows})\n${spans}${values === 'codes' ? `\nUNION ALL ${settings}` : ''}`;
}

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

/** What the spans of one setting share; the endpoint and resource objects are frozen. */
interface Setting {
  service: string;
  name: string;
  tenant: string;
  localEndpoint: Span['localEndpoint'];
  resource: Span['resource'];
}

/** The setting of a JSON text (see {@link skeletonSql}). */
function settingOf(json: string, resourceKeys: readonly string[]): Setting {
  const { service, name, tenant, i4, i6, r } = JSON.parse(json) as {
    service: string; name: string; tenant: string; i4: string | null; i6: string | null; r: (string | null)[] | null;
  };
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
  return { service, name, tenant, localEndpoint, resource };
}

/** A read in progress. */
interface Reading {
  spans: Span[];
  /** With codes, per span: its setting's code. */
  codes: number[];
  /** With codes, the setting of each code, as JSON text. */
  byCode: Map<number, string>;
  /** Two settings share a code: they must be read as text. */
  collided: boolean;
  /** With text, settings by their JSON text, parsed once each. */
  settings: Map<string, Setting>;
}

/** Takes the rows of one result chunk: settings by code into their table, spans into the list. */
function readChunk(chunk: DuckDBDataChunk, traceId: string, resourceKeys: readonly string[], into: Reading): void {
  const rows = chunk.rowCount;
  const col = (i: number) => chunk.getColumnVector(i);
  const bits = col(0), spanHi = col(1), spanLo = col(2), parentHi = col(3), parentLo = col(4), start = col(5), duration = col(6);
  const code = col(7), settingText = col(8);
  const { spans, codes, byCode, settings } = into;
  for (let i = 0; i < rows; i++) {
    const packed = bits.getItem(i) as number;
    if (packed === SETTING_ROW) {
      const text = settingText.getItem(i) as string | null;
      if (text === null) into.collided = true;
      else byCode.set(code.getItem(i) as number, text);
      continue;
    }
    const ph = parentHi.getItem(i) as number | null;
    // Each shape is built whole (the setting's fields filled in later), so every field lives
    // inside the object rather than in a property store added afterwards.
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
    const spanCode = code.getItem(i) as number | null;
    if (spanCode !== null) codes.push(spanCode);
    else setSetting(span, settingText.getItem(i) as string, settings, resourceKeys);
    spans.push(span);
  }
}

/** Gives a span the setting of a JSON text, parsing each distinct text once. */
function setSetting(span: Span, json: string, settings: Map<string, Setting>, resourceKeys: readonly string[]): void {
  let known = settings.get(json);
  if (known === undefined) settings.set(json, (known = settingOf(json, resourceKeys)));
  applySetting(span, known);
}

function applySetting(span: Span, setting: Setting): void {
  span.service = setting.service;
  span.name = setting.name;
  span.tenant = setting.tenant;
  span.resource = setting.resource;
  span.localEndpoint = setting.localEndpoint;
}

/** Binds the trace id, start bounds and, when scoped, the tenant ($1-$4 of {@link skeletonSql}). */
function bind(stmt: DuckDBPreparedStatement, traceId: bigint, min: number, max: number, tenant: string | undefined): void {
  stmt.bindUHugeInt(1, traceId);
  stmt.bindBigInt(2, BigInt(min));
  stmt.bindBigInt(3, BigInt(max));
  if (tenant !== undefined) stmt.bindVarchar(4, tenant);
}

/** Chunks converted between two turns of the event loop (8 chunks: ~16 000 spans, some 20-40 ms). */
const YIELD_EVERY_CHUNKS = 8;

/** One run of {@link skeletonSql}. */
async function readSpans(connection: DuckDBConnection, query: SkeletonQuery, range: { id: bigint; min: number; max: number }, values: SkeletonValues, codeBits: number): Promise<Reading> {
  const stmt = await connection.prepare(skeletonSql(query.resourceKeys, query.tenant !== undefined, values, codeBits));
  try {
    bind(stmt, range.id, range.min, range.max, query.tenant);
    const reading: Reading = { spans: [], codes: [], byCode: new Map(), collided: false, settings: new Map() };
    // Materialised: its chunks are taken without a trip to DuckDB's threads each (a 50 000-span
    // trace has 25). Streaming them measured no cheaper in CPU, and each trip waits for a core.
    const result = await stmt.run();
    for (let c = 0; c < result.chunkCount; c++) {
      readChunk(result.getChunk(c), query.traceId, query.resourceKeys, reading);
      // Let waiting requests through now and then: a trace page's scripts are requested while its
      // trace is read, and a 50 000-span read would otherwise hold them for its whole conversion.
      if (c % YIELD_EVERY_CHUNKS === YIELD_EVERY_CHUNKS - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    return reading;
  } finally {
    stmt.destroySync();
  }
}

/** How {@link readTraceSkeleton} reads; both are for tests. */
export interface SkeletonReadOptions {
  /** 'text' reads as a collision of codes would (default 'codes'). */
  values?: SkeletonValues;
  /** Bits per code (default 32); fewer make collisions likely. */
  codeBits?: number;
}

/**
 * The stored spans of one trace with the skeleton's fields filled (see SpanReader.getTraceSkeleton);
 * resource values come back as strings whatever their stored type, and the spans of one setting
 * (service, operation, tenant, endpoint addresses, resource values) share one frozen
 * localEndpoint and one frozen resource object. Runs on `connection` alone.
 */
export async function readTraceSkeleton(connection: DuckDBConnection, query: SkeletonQuery, options: SkeletonReadOptions = {}): Promise<Span[]> {
  const values = options.values ?? 'codes';
  const codeBits = options.codeBits ?? 32;
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
  const reading = await readSpans(connection, query, range, values, codeBits);
  if (values === 'text') return reading.spans;
  if (reading.collided) return (await readSpans(connection, query, range, 'text', codeBits)).spans;
  const { spans, codes } = reading;
  const settingOfCode = new Map<number, Setting>();
  for (const [code, json] of reading.byCode) settingOfCode.set(code, settingOf(json, query.resourceKeys));
  for (let i = 0; i < spans.length; i++) applySetting(spans[i]!, settingOfCode.get(codes[i]!)!);
  return spans;
}
