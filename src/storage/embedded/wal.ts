/**
 * Append-only write-ahead log of received payloads, split into numbered segment files.
 *
 * Record layout (little endian):
 *   u32 bodyLength | u32 crc32(body) | body
 *   body = u8 formatLength | format (utf8) | u16 tenantLength | tenant (utf8) | payload bytes
 *
 * A position ("mark") is segment * 2^32 + byte offset of a record's end, so marks grow
 * monotonically across segments and a mark alone tells where replay resumes.
 * Concurrent appends share one write + fdatasync (group commit).
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, open, readdir, readFile, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { AppError } from '../../errors.js';
import { silentLogger, type EngineLogger } from './log.js';

/** One logged payload. */
export interface WalRecord {
  format: string;
  tenant: string;
  bytes: Buffer;
}

/** Options of {@link openWal}. */
export interface WalOptions {
  /** Directory of the segment files; created if missing. */
  dir: string;
  /** Records ending at or before this mark are already persisted elsewhere and are not replayed. */
  afterMark: number;
  /** Called synchronously, in log order, for every intact record after `afterMark`. */
  onRecord: (record: WalRecord, mark: number) => void;
  /** A new segment starts once the current one would exceed this size (default 64 MiB). */
  segmentBytes?: number;
  logger?: EngineLogger;
}

/** Counters of the log for stats(). */
export interface WalStats {
  fsyncCount: number;
  fsyncSecondsSum: number;
  /** Bytes held by live segment files. */
  bytes: number;
}

/** An open log. */
export interface Wal {
  /**
   * Appends a record; resolves with its mark once it is fsynced. `onDurable` runs synchronously,
   * in log order, right after the fsync and before `durableMark` moves past the record.
   */
  append(record: WalRecord, onDurable?: (mark: number) => void): Promise<number>;
  /** Every record at or below this mark is fsynced and its onDurable has run. */
  readonly durableMark: number;
  /**
   * Waits for the appends issued before it, then closes the current segment so later records go
   * to a new one; resolves with the durable mark at that boundary. Once everything through that
   * mark is persisted elsewhere, removeThrough(mark) deletes every segment holding it.
   * `onSealed` runs synchronously at the boundary: after the onDurable of every earlier record
   * and before that of any later one.
   */
  seal(onSealed?: (mark: number) => void): Promise<number>;
  /** Deletes the segments that hold only records at or below `mark`. */
  removeThrough(mark: number): Promise<void>;
  stats(): WalStats;
  /** Waits for pending appends, then closes the file. Idempotent. */
  close(): Promise<void>;
}

/** Marks are segment * SEGMENT_SPAN + offset. */
export const SEGMENT_SPAN = 2 ** 32;
const HEADER_BYTES = 8;
const MAX_RECORD_BYTES = 1024 * 1024 * 1024;
const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const SEGMENT_NAME = /^(\d{16})\.wal$/;
const EMPTY = Buffer.alloc(0);

/** Splits a mark into its segment number and offset. */
export function splitMark(mark: number): { segment: number; offset: number } {
  const segment = Math.floor(mark / SEGMENT_SPAN);
  return { segment, offset: mark - segment * SEGMENT_SPAN };
}

function segmentName(segment: number): string {
  return `${String(segment).padStart(16, '0')}.wal`;
}

/** Encodes one record with its header; rejects fields that do not fit the layout. */
export function encodeRecord(record: WalRecord): Buffer {
  const format = Buffer.from(record.format, 'utf8');
  const tenant = Buffer.from(record.tenant, 'utf8');
  if (format.length > 255) throw new AppError('INVALID_ARGUMENT', `payload.format: longer than 255 bytes (${format.length})`);
  if (tenant.length > 65535) throw new AppError('INVALID_ARGUMENT', `payload.tenant: longer than 65535 bytes (${tenant.length})`);
  const bodyLength = 1 + format.length + 2 + tenant.length + record.bytes.length;
  if (bodyLength > MAX_RECORD_BYTES) throw new AppError('TOO_LARGE', `payload: ${bodyLength} bytes exceeds the log's record limit of ${MAX_RECORD_BYTES}`);
  const out = Buffer.allocUnsafe(HEADER_BYTES + bodyLength);
  let at = HEADER_BYTES;
  out.writeUInt8(format.length, at);
  at += 1;
  format.copy(out, at);
  at += format.length;
  out.writeUInt16LE(tenant.length, at);
  at += 2;
  tenant.copy(out, at);
  at += tenant.length;
  record.bytes.copy(out, at);
  out.writeUInt32LE(bodyLength, 0);
  out.writeUInt32LE(crc32(out.subarray(HEADER_BYTES)), 4);
  return out;
}

type Decoded = { ok: true; record: WalRecord; end: number } | { ok: false; reason: string };

/** Decodes the record starting at `offset`, or says why the bytes there are not a whole, intact record. */
export function decodeRecord(buf: Buffer, offset: number): Decoded {
  const remaining = buf.length - offset;
  if (remaining < HEADER_BYTES) return { ok: false, reason: `torn header (${remaining} of ${HEADER_BYTES} bytes)` };
  const bodyLength = buf.readUInt32LE(offset);
  const expectedCrc = buf.readUInt32LE(offset + 4);
  if (bodyLength < 3 || bodyLength > MAX_RECORD_BYTES) return { ok: false, reason: `invalid record length ${bodyLength}` };
  if (bodyLength > remaining - HEADER_BYTES) {
    return { ok: false, reason: `torn record (${remaining - HEADER_BYTES} of ${bodyLength} bytes)` };
  }
  const body = buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + bodyLength);
  const actualCrc = crc32(body);
  if (actualCrc !== expectedCrc) return { ok: false, reason: `crc mismatch (stored ${expectedCrc}, computed ${actualCrc})` };
  const formatLength = body.readUInt8(0);
  if (1 + formatLength + 2 > bodyLength) return { ok: false, reason: 'format length beyond record' };
  const format = body.toString('utf8', 1, 1 + formatLength);
  const tenantLength = body.readUInt16LE(1 + formatLength);
  const payloadStart = 1 + formatLength + 2 + tenantLength;
  if (payloadStart > bodyLength) return { ok: false, reason: 'tenant length beyond record' };
  const tenant = body.toString('utf8', 1 + formatLength + 2, payloadStart);
  // Copy so the replayed payload does not pin the whole segment buffer.
  const bytes = Buffer.from(body.subarray(payloadStart));
  return { ok: true, record: { format, tenant, bytes }, end: offset + HEADER_BYTES + bodyLength };
}

interface Pending {
  /** Empty for a seal request, which carries no record. */
  seal?: true;
  data: Buffer;
  onDurable: ((mark: number) => void) | undefined;
  resolve: (mark: number) => void;
  reject: (err: unknown) => void;
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Opens (creating if needed) the log in `dir`, replays records after `afterMark`, truncates a torn tail. */
export async function openWal(options: WalOptions): Promise<Wal> {
  const logger = options.logger ?? silentLogger;
  const segmentBytes = Math.min(options.segmentBytes ?? DEFAULT_SEGMENT_BYTES, 2 ** 31);
  const { dir } = options;
  await mkdir(dir, { recursive: true });

  const names = (await readdir(dir)).filter((n) => SEGMENT_NAME.test(n)).sort();
  const sizes = new Map<number, number>();
  const after = splitMark(options.afterMark);
  let replayEnd = options.afterMark;

  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const segment = Number(name.slice(0, 16));
    const path = join(dir, name);
    if (segment < after.segment) {
      // Fully persisted before the last shutdown, only the delete was lost.
      await unlink(path);
      continue;
    }
    const buf = await readFile(path);
    let offset = segment === after.segment ? after.offset : 0;
    if (offset > buf.length) {
      logger.warn({ segment: path, size: buf.length, resumeOffset: offset }, 'log segment is shorter than the persisted mark; skipping it');
      sizes.set(segment, buf.length);
      continue;
    }
    while (offset < buf.length) {
      const decoded = decodeRecord(buf, offset);
      if (!decoded.ok) {
        const isLast = i === names.length - 1;
        const fields = { segment: path, offset, droppedBytes: buf.length - offset, reason: decoded.reason };
        if (isLast) logger.warn(fields, 'truncating incomplete record at the end of the log');
        else logger.error(fields, 'corrupt record inside the log; dropping the rest of this segment');
        await truncate(path, offset);
        break;
      }
      offset = decoded.end;
      const mark = segment * SEGMENT_SPAN + offset;
      options.onRecord(decoded.record, mark);
      replayEnd = mark;
    }
    sizes.set(segment, Math.min(offset, buf.length));
  }

  // Segments that end at or below the persisted mark hold nothing to replay any more.
  const lastSegment = Math.max(after.segment, ...sizes.keys());
  for (const [segment, size] of [...sizes]) {
    if (segment * SEGMENT_SPAN + size <= options.afterMark) {
      await unlink(join(dir, segmentName(segment)));
      sizes.delete(segment);
    }
  }
  // Continue the last segment only if it still exists, i.e. its end lies beyond the persisted
  // mark; otherwise new positions could fall at or below it and be skipped by the next replay.
  let current: number;
  let currentSize: number;
  const lastSize = sizes.get(lastSegment);
  if (lastSize !== undefined && lastSize < segmentBytes) {
    current = lastSegment;
    currentSize = lastSize;
  } else {
    current = lastSegment + 1;
    currentSize = 0;
  }
  const fh: { handle: FileHandle } = { handle: await open(join(dir, segmentName(current)), 'a') };
  if (currentSize === 0) syncDir(dir);
  sizes.set(current, currentSize);

  let durableMark = replayEnd;
  let fsyncCount = 0;
  let fsyncSecondsSum = 0;
  let queue: Pending[] = [];
  let committing = false;
  let broken: Error | undefined;
  let rollRequested = false;
  let closed = false;
  let idle: Promise<void> = Promise.resolve();
  let markIdle: () => void = () => {};

  async function rollSegment(): Promise<void> {
    await fh.handle.close();
    current += 1;
    currentSize = 0;
    fh.handle = await open(join(dir, segmentName(current)), 'a');
    syncDir(dir);
    sizes.set(current, 0);
  }

  function runCallback(fn: ((mark: number) => void) | undefined, mark: number): void {
    try {
      fn?.(mark);
    } catch (err) {
      logger.error({ err }, 'onDurable callback failed');
    }
  }

  async function commitLoop(): Promise<void> {
    while (queue.length > 0) {
      const head = queue[0] as Pending;
      if (head.seal) {
        queue.shift();
        try {
          if (currentSize > 0) await rollSegment();
          runCallback(head.onDurable, durableMark);
          head.resolve(durableMark);
        } catch (err) {
          head.reject(new AppError('UNAVAILABLE', `failed to start a new log segment in ${dir}: ${(err as Error).message}`, { cause: err }));
        }
        continue;
      }
      // Records queued before a seal are written first; those after it go to the next segment.
      const sealAt = queue.findIndex((p) => p.seal === true);
      const batch = sealAt < 0 ? queue : queue.slice(0, sealAt);
      queue = sealAt < 0 ? [] : queue.slice(sealAt);
      let bytes = 0;
      for (const p of batch) bytes += p.data.length;
      const sizeBefore = currentSize;
      try {
        if (currentSize > 0 && (rollRequested || currentSize + bytes > segmentBytes)) await rollSegment();
        rollRequested = false;
        const start = currentSize;
        let written = 0;
        const buffers = batch.map((p) => p.data);
        while (written < bytes) {
          const { bytesWritten } = await fh.handle.writev(pickFrom(buffers, written));
          written += bytesWritten;
        }
        const t0 = process.hrtime.bigint();
        await fh.handle.datasync();
        fsyncSecondsSum += Number(process.hrtime.bigint() - t0) / 1e9;
        fsyncCount += 1;
        currentSize = start + bytes;
        sizes.set(current, currentSize);
        let end = current * SEGMENT_SPAN + start;
        for (const p of batch) {
          end += p.data.length;
          runCallback(p.onDurable, end);
          durableMark = end;
          p.resolve(end);
        }
      } catch (err) {
        // Cut the partial write off so later records do not follow garbage; if that fails too,
        // the log can no longer promise durability.
        try {
          await fh.handle.truncate(sizeBefore);
          currentSize = sizeBefore;
        } catch (truncErr) {
          broken = new Error(`log segment ${segmentName(current)} is in an unknown state`, { cause: truncErr });
          logger.error({ err: truncErr }, 'cannot truncate the log after a failed write; refusing further writes');
        }
        const appErr = new AppError('UNAVAILABLE', `failed to write to the log in ${dir}: ${(err as Error).message}`, { cause: err });
        for (const p of batch) p.reject(appErr);
      }
    }
  }

  function kick(): void {
    if (committing) return;
    committing = true;
    idle = new Promise((resolve) => {
      markIdle = resolve;
    });
    // setImmediate lets appends issued in the same tick join this group.
    setImmediate(() => {
      commitLoop().finally(() => {
        committing = false;
        markIdle();
        if (queue.length > 0) kick();
      });
    });
  }

  return {
    append(record, onDurable) {
      if (closed) return Promise.reject(new AppError('UNAVAILABLE', 'the log is closed'));
      if (broken) return Promise.reject(new AppError('UNAVAILABLE', broken.message, { cause: broken }));
      let data: Buffer;
      try {
        data = encodeRecord(record);
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise<number>((resolve, reject) => {
        queue.push({ data, onDurable, resolve, reject });
        kick();
      });
    },
    get durableMark() {
      return durableMark;
    },
    seal(onSealed) {
      if (closed) {
        // close() waited for every append: the boundary is here.
        runCallback(onSealed, durableMark);
        return Promise.resolve(durableMark);
      }
      if (broken) return Promise.reject(new AppError('UNAVAILABLE', broken.message, { cause: broken }));
      return new Promise<number>((resolve, reject) => {
        queue.push({ seal: true, data: EMPTY, onDurable: onSealed, resolve, reject });
        kick();
      });
    },
    async removeThrough(mark) {
      const { segment, offset } = splitMark(mark);
      // A fully persisted current segment is closed at the next append, so the next call can delete it.
      if (segment === current && offset >= currentSize && currentSize > 0) rollRequested = true;
      for (const [seg, size] of [...sizes]) {
        if (seg === current) continue;
        if (seg < segment || (seg === segment && size <= offset)) {
          await unlink(join(dir, segmentName(seg))).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw err;
          });
          sizes.delete(seg);
        }
      }
    },
    stats() {
      let bytes = 0;
      for (const size of sizes.values()) bytes += size;
      return { fsyncCount, fsyncSecondsSum, bytes };
    },
    async close() {
      if (closed) return;
      closed = true;
      while (committing || queue.length > 0) {
        if (!committing) kick();
        await idle;
      }
      await fh.handle.close();
    },
  };
}

/** The buffers left to write once `skip` bytes of their concatenation are written. */
function pickFrom(buffers: Buffer[], skip: number): Buffer[] {
  if (skip === 0) return buffers;
  const out: Buffer[] = [];
  let left = skip;
  for (const b of buffers) {
    if (left >= b.length) {
      left -= b.length;
      continue;
    }
    out.push(left > 0 ? b.subarray(left) : b);
    left = 0;
  }
  return out;
}

/** Size of the log directory's segment files, for tests and diagnostics. */
export async function walDirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) {
    if (SEGMENT_NAME.test(name)) total += (await stat(join(dir, name))).size;
  }
  return total;
}
