/**
 * The ClickHouse engine's dependency rollups (tables of schema migration 2). Any number of query
 * nodes may settle the same minute at the same time: each settle writes its rows tagged with its
 * settle time, then its mark; a read sums, per minute, only the rows of the latest mark, so
 * concurrent settles of one minute never add up. Rows and marks are partitioned by day and dropped
 * by the same retention as the spans.
 */
import type { DependencyLink } from '../../model/index.js';
import { SPAN_KINDS } from '../../model/index.js';
import type { TenantScope } from '../api.js';
import { AppError } from '../../errors.js';
import {
  DEP_ERROR, DEP_HAS_PARENT, DEP_KIND_MASK, DEP_SHARED, DepColumnsBuilder, mergeDependencies, type DepColumns, type DepSpan,
} from '../dependencies.js';
import type { DependencySpanSource, RollupTable, SettledMinute } from '../dependencies-rollup.js';
import { dayOf, quoteDay, quoteString, quoteUInt } from './sql.js';

type Row = unknown[];

/** What the rollups need of the engine: queries, and JSONEachRow inserts into a table of the database. */
export interface ClickHouseAccess {
  /** The quoted database name. */
  db: string;
  rows(sql: string): Promise<Row[]>;
  /** Runs a query that names its own output format, handing each chunk of the answer to `onChunk` as it arrives. */
  stream(sql: string, onChunk: (chunk: Buffer) => void): Promise<void>;
  insert(table: string, jsonLines: string): Promise<void>;
}

function tenantCondition(scope: TenantScope): string {
  return scope.tenant === undefined ? '1' : `tenant = ${quoteString(scope.tenant)}`;
}

/**
 * The columns a dependency read fetches, in the order DependencyRowDecoder reads them (RowBinary):
 * kind, shared flag and error share one byte laid out as DepColumns.flags.
 */
const DEPENDENCY_COLUMNS =
  'tenant, trace_hi, trace_lo, span_id, parent_id, service, remote_service, ' +
  `toUInt8(bitOr(bitAnd(kind, ${DEP_KIND_MASK}), bitOr(if(bitAnd(flags, 1) = 1, ${DEP_SHARED}, 0), if(status = 2, ${DEP_ERROR}, 0)))), start_us`;

/**
 * Interns a column's strings by their bytes: the previous value is compared first (rows come in
 * (tenant, service, start) order, so runs of one value are common), then a map keyed by the bytes
 * read as latin1 (one char per byte, so distinct bytes give distinct keys).
 */
class NameReader {
  private readonly byBytes = new Map<string, number>();
  private last: Buffer = Buffer.alloc(0);
  private lastCode = -1;

  constructor(private readonly columns: DepColumnsBuilder) {}

  code(buf: Buffer, start: number, length: number): number {
    const last = this.last;
    if (length === last.length && this.lastCode >= 0) {
      let k = 0;
      while (k < length && buf[start + k] === last[k]) k++;
      if (k === length) return this.lastCode;
    }
    const key = buf.toString('latin1', start, start + length);
    let code = this.byBytes.get(key);
    if (code === undefined) {
      code = this.columns.name(buf.toString('utf8', start, start + length));
      this.byBytes.set(key, code);
    }
    this.last = Buffer.from(buf.subarray(start, start + length));
    this.lastCode = code;
    return code;
  }
}

function traceHash(tenant: number, a: number, b: number, c: number, d: number): number {
  return Math.imul(tenant ^ Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35) ^ Math.imul(d, 0x27d4eb2f), 0x165667b1) >>> 0;
}

/** Trace numbers by (tenant code, 128-bit trace id as four 32-bit words): an open-addressing table over typed arrays. */
class TraceNumbers {
  private slots = new Int32Array(1024).fill(-1);
  private keys = new Uint32Array(1024 * 5);
  private size = 0;

  constructor(private readonly columns: DepColumnsBuilder) {}

  of(tenant: number, a: number, b: number, c: number, d: number): number {
    if (this.size * 2 >= this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    const keys = this.keys;
    let h = traceHash(tenant, a, b, c, d) & mask;
    for (let t = this.slots[h]!; t >= 0; t = this.slots[h]!) {
      const k = t * 5;
      if (keys[k] === tenant && keys[k + 1] === a && keys[k + 2] === b && keys[k + 3] === c && keys[k + 4] === d) return t;
      h = (h + 1) & mask;
    }
    const t = this.columns.newTrace();
    this.size++;
    if ((t + 1) * 5 > this.keys.length) {
      const more = new Uint32Array(this.keys.length * 2);
      more.set(this.keys);
      this.keys = more;
    }
    const k = t * 5;
    this.keys[k] = tenant;
    this.keys[k + 1] = a;
    this.keys[k + 2] = b;
    this.keys[k + 3] = c;
    this.keys[k + 4] = d;
    this.slots[h] = t;
    return t;
  }

  private grow(): void {
    const old = this.slots;
    const keys = this.keys;
    this.slots = new Int32Array(old.length * 2).fill(-1);
    const mask = this.slots.length - 1;
    for (const t of old) {
      if (t < 0) continue;
      const k = t * 5;
      let h = traceHash(keys[k]!, keys[k + 1]!, keys[k + 2]!, keys[k + 3]!, keys[k + 4]!) & mask;
      while (this.slots[h]! >= 0) h = (h + 1) & mask;
      this.slots[h] = t;
    }
  }
}

/**
 * Decodes RowBinary rows of DEPENDENCY_COLUMNS into dependency columns (ids as their two 32-bit
 * halves) as the answer arrives: push() takes chunks cut anywhere, finish() returns the columns.
 */
class DependencyRowDecoder {
  private readonly columns = new DepColumnsBuilder({ capacity: 64 * 1024 });
  private readonly tenants = new NameReader(this.columns);
  private readonly services = new NameReader(this.columns);
  private readonly remotes = new NameReader(this.columns);
  private readonly traces = new TraceNumbers(this.columns);
  /** Bytes of a row cut by the end of the previous chunk. */
  private rest: Buffer | undefined;
  private received = 0;

  push(chunk: Buffer): void {
    this.received += chunk.length;
    const buf = this.rest === undefined ? chunk : Buffer.concat([this.rest, chunk]);
    const used = this.decode(buf);
    // A copy: the tail of a chunk must not keep the whole chunk alive.
    this.rest = used < buf.length ? Buffer.from(buf.subarray(used)) : undefined;
  }

  finish(): DepColumns {
    if (this.rest !== undefined) {
      throw new AppError('INTERNAL', `clickhouse dependency rows: the answer ends inside row ${this.columns.count} (${this.rest.length} of ${this.received} bytes left)`);
    }
    return this.columns;
  }

  /** Decodes the whole rows at the start of `buf`; returns where the first incomplete row begins. */
  private decode(buf: Buffer): number {
    const columns = this.columns;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const end = buf.length;
    let at = 0;
    let row = 0;
    /** A string's length (unsigned LEB128) at `at`, moving `at` to its bytes; -1 when the bytes run out. */
    const stringLength = (): number => {
      let length = 0;
      for (let shift = 0; at < end; shift += 7) {
        const byte = buf[at++]!;
        length += (byte & 0x7f) * 2 ** shift;
        if (byte < 0x80) return at + length <= end ? length : -1;
      }
      return -1;
    };
    for (;;) {
      row = at;
      if (at >= end) return end;
      const tenantLength = stringLength();
      if (tenantLength < 0) return row;
      const tenantAt = at;
      at += tenantLength;
      if (at + 32 > end) return row;
      const idsAt = at;
      at += 32;
      const serviceLength = stringLength();
      if (serviceLength < 0) return row;
      const serviceAt = at;
      at += serviceLength;
      const remoteLength = stringLength();
      if (remoteLength < 0) return row;
      const remoteAt = at;
      at += remoteLength;
      if (at + 9 > end) return row;

      const tenant = this.tenants.code(buf, tenantAt, tenantLength);
      const trace = this.traces.of(tenant, view.getUint32(idsAt, true), view.getUint32(idsAt + 4, true), view.getUint32(idsAt + 8, true), view.getUint32(idsAt + 12, true));
      const i = columns.push();
      columns.trace[i] = trace;
      columns.tenant[i] = tenant;
      columns.idLo[i] = view.getUint32(idsAt + 16, true);
      columns.idHi[i] = view.getUint32(idsAt + 20, true);
      const parentLo = view.getUint32(idsAt + 24, true);
      const parentHi = view.getUint32(idsAt + 28, true);
      columns.parentLo[i] = parentLo;
      columns.parentHi[i] = parentHi;
      columns.service[i] = this.services.code(buf, serviceAt, serviceLength);
      columns.remote[i] = remoteLength === 0 ? -1 : this.remotes.code(buf, remoteAt, remoteLength);
      columns.flags[i] = buf[at]! | (parentLo !== 0 || parentHi !== 0 ? DEP_HAS_PARENT : 0);
      columns.startUs[i] = view.getUint32(at + 1, true) + view.getUint32(at + 5, true) * 4294967296;
      at += 9;
    }
  }
}

/** The ids of DepColumns rows as decimal text, the form the spans table's UInt64 columns print. */
function decimalId(hi: number, lo: number): string {
  return (BigInt(hi) * 4294967296n + BigInt(lo)).toString();
}

/** The spans the dependency rules read, straight from the spans table. */
export function clickHouseDependencySource(ch: ClickHouseAccess): DependencySpanSource & { columns: NonNullable<DependencySpanSource['columns']> } {
  const columns = async (query: TenantScope & { startUsMin: number; startUsMax: number }): Promise<DepColumns> => {
    const from = Math.max(0, Math.ceil(query.startUsMin));
    const to = Math.floor(query.startUsMax);
    const decoder = new DependencyRowDecoder();
    if (to < from || to < 0) return decoder.finish();
    // Decoded while ClickHouse is still sending: the two overlap on separate cores.
    await ch.stream(
      `SELECT ${DEPENDENCY_COLUMNS} FROM ${ch.db}.spans
WHERE day BETWEEN ${quoteDay(from)} AND ${quoteDay(to)} AND start_us BETWEEN ${quoteUInt(from)} AND ${quoteUInt(to)} AND ${tenantCondition(query)} FORMAT RowBinary`,
      (chunk) => decoder.push(chunk),
    );
    return decoder.finish();
  };
  return {
    columns,
    async spans(query) {
      const c = await columns(query);
      const traceIds = new Map<number, string>();
      const out: DepSpan[] = [];
      for (let i = 0; i < c.count; i++) {
        const f = c.flags[i]!;
        const trace = c.trace[i]!;
        let traceId = traceIds.get(trace);
        if (traceId === undefined) traceIds.set(trace, (traceId = `t${trace}`));
        const remote = c.remote[i]!;
        out.push({
          traceId,
          spanId: decimalId(c.idHi[i]!, c.idLo[i]!),
          parentSpanId: (f & DEP_HAS_PARENT) === 0 ? undefined : decimalId(c.parentHi[i]!, c.parentLo[i]!),
          service: c.names[c.service[i]!]!,
          kind: SPAN_KINDS[f & DEP_KIND_MASK] ?? 'unspecified',
          shared: (f & DEP_SHARED) !== 0,
          remoteService: remote < 0 ? undefined : c.names[remote],
          error: (f & DEP_ERROR) !== 0,
          tenant: c.names[c.tenant[i]!],
          startUs: c.startUs[i]!,
        });
      }
      return out;
    },
    async oldestStartUs() {
      // The oldest day partition first: min(start_us) over one day instead of the whole table.
      const days = await ch.rows(`SELECT min(day) FROM ${ch.db}.spans`);
      const day = days[0]?.[0] as string | undefined;
      if (day === undefined || day === '0000-00-00' || day === '1970-01-01') {
        const all = await ch.rows(`SELECT count(), min(start_us) FROM ${ch.db}.spans`);
        return Number(all[0]?.[0] ?? 0) === 0 ? undefined : Number(all[0]?.[1]);
      }
      const rows = await ch.rows(`SELECT min(start_us) FROM ${ch.db}.spans WHERE day = ${quoteString(day)}`);
      return rows[0]?.[0] === undefined ? undefined : Number(rows[0][0]);
    },
    async arrivals(range) {
      const rows = await ch.rows(
        `SELECT minute_us, max(arrived_us) FROM ${ch.db}.dependency_arrivals
WHERE day BETWEEN ${quoteDay(Math.max(0, range.fromUs))} AND ${quoteDay(Math.max(0, range.toUs))}
AND minute_us >= ${quoteUInt(Math.max(0, range.fromUs))} AND minute_us < ${quoteUInt(Math.max(0, range.toUs))} GROUP BY minute_us`,
      );
      return new Map(rows.map((r) => [Number(r[0]), Number(r[1])]));
    },
  };
}

/** Settled minutes and their edges in the dependency_* tables. */
export function clickHouseRollupTable(ch: ClickHouseAccess): RollupTable {
  const latestMarks = (from: number, to: number): string =>
    `SELECT minute_us, max(settled_at_us) AS settled_at_us FROM ${ch.db}.dependency_settled
WHERE day BETWEEN ${quoteDay(from)} AND ${quoteDay(to)} AND minute_us >= ${quoteUInt(from)} AND minute_us < ${quoteUInt(to)} GROUP BY minute_us`;
  return {
    async settledMinutes(range) {
      const from = Math.max(0, range.fromUs);
      const to = Math.max(0, range.toUs);
      if (to <= from) return [];
      const rows = await ch.rows(`${latestMarks(from, to)} ORDER BY minute_us`);
      return rows.map((r): SettledMinute => ({ minuteUs: Number(r[0]), settledAtUs: Number(r[1]) }));
    },

    async store(minutes, edges, settledAtUs) {
      if (minutes.length === 0) return;
      // Rows first, then the marks: a minute counts only once marked, and then with all its rows.
      if (edges.length > 0) {
        const lines = edges.map((e) =>
          JSON.stringify({
            day: dayOf(e.minuteUs), minute_us: e.minuteUs, tenant: e.tenant, parent: e.parent, child: e.child,
            call_count: e.callCount, error_count: e.errorCount, settled_at_us: settledAtUs,
          }),
        );
        await ch.insert('dependency_minutes', `${lines.join('\n')}\n`);
      }
      const marks = minutes.map((m) => JSON.stringify({ day: dayOf(m), minute_us: m, settled_at_us: settledAtUs }));
      await ch.insert('dependency_settled', `${marks.join('\n')}\n`);
    },

    async sum(query) {
      if (query.ranges.length === 0) return [];
      const from = Math.max(0, Math.min(...query.ranges.map((r) => r.fromUs)));
      const to = Math.max(0, Math.max(...query.ranges.map((r) => r.toUs)));
      const ranges = query.ranges.map((r) => `(minute_us >= ${quoteUInt(Math.max(0, r.fromUs))} AND minute_us < ${quoteUInt(Math.max(0, r.toUs))})`);
      // FINAL collapses rows one settle inserted twice (a retried insert); the IN keeps each minute's latest settle.
      const rows = await ch.rows(
        `SELECT parent, child, sum(call_count), sum(error_count) FROM ${ch.db}.dependency_minutes FINAL
WHERE day BETWEEN ${quoteDay(from)} AND ${quoteDay(to)} AND (${ranges.join(' OR ')}) AND ${tenantCondition(query)}
AND (minute_us, settled_at_us) IN (${latestMarks(from, to)})
GROUP BY parent, child`,
      );
      const links = rows.map((r): DependencyLink => ({ parent: r[0] as string, child: r[1] as string, callCount: Number(r[2]), errorCount: Number(r[3]) }));
      return mergeDependencies([links]);
    },

    async deleteBefore() {
      // Retention drops whole day partitions of these tables together with the spans'.
    },
  };
}
