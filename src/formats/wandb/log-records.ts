/**
 * The framing of a W&B `.wandb` transaction log: the LevelDB log format as W&B writes it
 * (wandb/sdk/internal/datastore.py, and wandb-core's Go port):
 * - a 7-byte file header: `:W&B`, uint16 LE magic `0xBEE1`, uint8 version `0`;
 * - then 32 KiB blocks counted from byte 0 of the file (the header sits in the first block);
 * - each record: `crc32 uint32 LE | length uint16 LE | type uint8 | data`, type 1 FULL, 2 FIRST,
 *   3 MIDDLE, 4 LAST; a record never crosses a block end, a longer one is split into
 *   FIRST/MIDDLE.../LAST fragments, and a block tail shorter than a record header is zero padding;
 * - the checksum is zlib's CRC-32 (not CRC-32C) of the data, seeded with the CRC-32 of the type byte.
 * The reassembled data of a record is one protobuf `wandb_internal.Record` (see `proto.ts`).
 *
 * Damage is reported and skipped the way LevelDB's reader does: a record whose checksum fails (or
 * whose length runs past its block) drops the record it belongs to and reading goes on at the next
 * block, skipping the continuation fragments of the broken record.
 */
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from '@node-rs/crc32';

/** The file header: `:W&B`, `0xBEE1` little-endian, version 0. */
export const FILE_HEADER = Uint8Array.from([0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00]);
/** LevelDB log block size (`LEVELDBLOG_BLOCK_LEN`). */
export const BLOCK_BYTES = 32 * 1024;
/** Bytes of a record header: checksum (4), length (2), type (1). */
export const RECORD_HEADER_BYTES = 7;
/** Record types. */
export const FULL = 1;
export const FIRST = 2;
export const MIDDLE = 3;
export const LAST = 4;
/**
 * The largest reassembled record kept: 256 MiB, as for TensorBoard records. W&B records are history
 * rows, config and output lines of at most a few MB (a histogram row of a big model); a chain of
 * fragments longer than this is corruption, reported instead of allocated.
 */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;
/** Blocks read per file read (1 MiB): few system calls, bounded memory. */
const BLOCKS_PER_READ = 32;
/** CRC-32 of each type byte: the seed of that type's record checksums. */
const TYPE_CRC = [0, 1, 2, 3, 4].map((t) => crc32(Uint8Array.of(t)));

/**
 * The checksum a record of `type` carrying `data` has.
 * @example
 * recordChecksum(FULL, payload) // zlib.crc32(payload, zlib.crc32(Buffer.of(1)))
 */
export function recordChecksum(type: number, data: Uint8Array): number {
  return crc32(data, TYPE_CRC[type] ?? crc32(Uint8Array.of(type))) >>> 0;
}

/** What went wrong with the framing, at a byte offset of the file. */
export type LogIssue =
  /** The file does not start with the `.wandb` header: nothing is read. */
  | { readonly kind: 'bad-header'; readonly offset: number }
  /** A fragment whose checksum fails; `recordOffset` is where the record it belongs to started. */
  | { readonly kind: 'bad-crc'; readonly offset: number; readonly length: number; readonly recordOffset: number }
  /** A fragment header claiming more bytes than its block holds, or an unknown type. */
  | { readonly kind: 'bad-length'; readonly offset: number; readonly length: number; readonly type: number }
  /** A FIRST not closed by a LAST before the next FIRST/FULL, or a MIDDLE/LAST without a FIRST. */
  | { readonly kind: 'bad-fragment'; readonly offset: number; readonly detail: string }
  /** Reassembled record over {@link MAX_RECORD_BYTES}. */
  | { readonly kind: 'oversized'; readonly offset: number; readonly length: number }
  /** Zero bytes where records should be (a crash before the data reached the disk). */
  | { readonly kind: 'zero-filled'; readonly offset: number; readonly end: number };

/** Receives records and issues from {@link scanLog}. */
export interface LogVisitor {
  /** One whole, checked record; `data` is only valid during the call. */
  record(data: Uint8Array, offset: number): void;
  issue(issue: LogIssue): void;
  /** Bytes consumed since `start`, after each read. */
  progress?(bytes: number): void;
}

/** Resume state beyond the byte offset: skipping the fragments of a broken record. */
export interface LogState {
  readonly skipping: boolean;
}

/** Where a scan stopped. */
export interface LogEnd {
  /** Offset after the last whole record (or skipped damage): where to resume. */
  readonly offset: number;
  readonly state: LogState;
  /**
   * The file ends inside a record (the last one still being written, or cut short by a crash):
   * where that record starts and how many of its bytes (fragments included) are there.
   */
  readonly tail: { readonly offset: number; readonly found: number } | null;
}

interface Pending {
  readonly offset: number;
  readonly parts: Uint8Array[];
  bytes: number;
}

/**
 * Streams the logical records of an open `.wandb` file from byte `start` (0, or a previous
 * {@link LogEnd.offset}) to its end.
 * @example
 * const end = await scanLog(fh, 0, { skipping: false }, { record: (data) => rows.push(decodeRecord(data)), issue: (i) => issues.push(i) });
 */
export async function scanLog(fh: FileHandle, start: number, state: LogState, visitor: LogVisitor): Promise<LogEnd> {
  let size = (await fh.stat()).size;
  let pos = start;
  if (pos < FILE_HEADER.length) {
    if (size < FILE_HEADER.length) {
      const found = Buffer.alloc(size);
      if (size > 0) await fh.read(found, 0, size, 0);
      if (!startsLikeHeader(found)) {
        visitor.issue({ kind: 'bad-header', offset: 0 });
        return { offset: 0, state, tail: null };
      }
      return { offset: 0, state, tail: size > 0 ? { offset: 0, found: size } : null };
    }
    const header = Buffer.alloc(FILE_HEADER.length);
    await fh.read(header, 0, header.length, 0);
    if (!Buffer.from(FILE_HEADER).equals(header)) {
      visitor.issue({ kind: 'bad-header', offset: 0 });
      return { offset: 0, state, tail: null };
    }
    pos = FILE_HEADER.length;
  }
  let cursor = pos;
  let skipping = state.skipping;
  let pending: Pending | null = null;
  let zeros: { offset: number; end: number } | null = null;
  const flushZeros = (): void => {
    if (zeros) visitor.issue({ kind: 'zero-filled', offset: zeros.offset, end: zeros.end });
    zeros = null;
  };
  const dropPending = (at: number, why: string): void => {
    if (pending) visitor.issue({ kind: 'bad-fragment', offset: pending.offset, detail: `${why} at byte ${at}` });
    pending = null;
  };
  let buf = Buffer.allocUnsafe(BLOCK_BYTES * BLOCKS_PER_READ);
  let tail: LogEnd['tail'] = null;
  while (pos < size && tail === null) {
    const chunkStart = pos;
    const chunkEnd = Math.min(size, (Math.floor(pos / BLOCK_BYTES) + BLOCKS_PER_READ) * BLOCK_BYTES);
    if (buf.length < chunkEnd - chunkStart) buf = Buffer.allocUnsafe(chunkEnd - chunkStart);
    const { bytesRead } = await fh.read(buf, 0, chunkEnd - chunkStart, chunkStart);
    const end = chunkStart + bytesRead;
    if (bytesRead === 0) break;
    if (end < chunkEnd) size = end; // the file shrank meanwhile: it ends here
    const at = (p: number): number => p - chunkStart;
    while (pos < end) {
      const blockEnd = (Math.floor(pos / BLOCK_BYTES) + 1) * BLOCK_BYTES;
      if (blockEnd - pos < RECORD_HEADER_BYTES) {
        pos = Math.min(blockEnd, end); // zero padding at the block's end
        if (!pending) cursor = pos;
        continue;
      }
      if (end - pos < RECORD_HEADER_BYTES) {
        // Reads end on block boundaries except at the end of the file: a header cut short there.
        if (end < size) break;
        tail = { offset: pending?.offset ?? pos, found: end - (pending?.offset ?? pos) };
        break;
      }
      const i = at(pos);
      const checksum = buf.readUInt32LE(i);
      const length = buf.readUInt16LE(i + 4);
      const type = buf[i + 6] as number;
      if (checksum === 0 && length === 0 && type === 0) {
        // Zero bytes: LevelDB's preallocated area, or data that never reached the disk.
        if (zeros && zeros.end === pos) zeros.end = Math.min(blockEnd, end);
        else {
          flushZeros();
          zeros = { offset: pos, end: Math.min(blockEnd, end) };
        }
        dropPending(pos, 'zero bytes');
        skipping = true;
        pos = Math.min(blockEnd, end);
        cursor = pos;
        continue;
      }
      flushZeros();
      if (type < FULL || type > LAST || pos + RECORD_HEADER_BYTES + length > blockEnd) {
        visitor.issue({ kind: 'bad-length', offset: pos, length, type });
        pending = null;
        skipping = true;
        pos = Math.min(blockEnd, end);
        cursor = pos;
        continue;
      }
      const dataEnd = pos + RECORD_HEADER_BYTES + length;
      if (dataEnd > end) {
        tail = { offset: pending?.offset ?? pos, found: end - (pending?.offset ?? pos) };
        break;
      }
      const data = buf.subarray(i + RECORD_HEADER_BYTES, at(dataEnd));
      if (recordChecksum(type, data) !== checksum) {
        visitor.issue({ kind: 'bad-crc', offset: pos, length, recordOffset: pending?.offset ?? pos });
        pending = null;
        skipping = true;
        pos = Math.min(blockEnd, end);
        cursor = pos;
        continue;
      }
      if (type === FULL || type === FIRST) {
        dropPending(pos, `a new record starts (no LAST fragment)`);
        skipping = false;
        if (type === FULL) {
          visitor.record(data, pos);
          cursor = dataEnd;
        } else pending = { offset: pos, parts: [Uint8Array.from(data)], bytes: data.length };
      } else if (pending === null) {
        if (!skipping) visitor.issue({ kind: 'bad-fragment', offset: pos, detail: `a ${type === MIDDLE ? 'MIDDLE' : 'LAST'} fragment without its FIRST` });
        cursor = dataEnd;
      } else {
        const p: Pending = pending;
        p.parts.push(Uint8Array.from(data));
        p.bytes += data.length;
        if (p.bytes > MAX_RECORD_BYTES) {
          visitor.issue({ kind: 'oversized', offset: p.offset, length: p.bytes });
          pending = null;
          skipping = true;
          cursor = dataEnd;
        } else if (type === LAST) {
          visitor.record(Buffer.concat(p.parts, p.bytes), p.offset);
          pending = null;
          cursor = dataEnd;
        }
      }
      pos = dataEnd;
    }
    visitor.progress?.(pos - start);
  }
  flushZeros();
  if (tail === null && pending !== null) {
    const p: Pending = pending;
    tail = { offset: p.offset, found: size - p.offset };
  }
  return { offset: cursor, state: { skipping }, tail };
}

/** Whether `bytes` (fewer than 7) can be the start of the file header. */
function startsLikeHeader(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== FILE_HEADER[i]) return false;
  return true;
}
