/**
 * TFRecord framing, the container of TensorBoard event files:
 * `uint64 LE length | uint32 LE masked CRC-32C(length bytes) | payload | uint32 LE masked CRC-32C(payload)`.
 * Reading streams the file in 1 MiB chunks with a carry-over buffer, so memory stays bounded by the
 * chunk size plus the largest record.
 */
import type { FileHandle } from 'node:fs/promises';
import { crc32c } from '@node-rs/crc32';

/** Bytes before the payload: length (8) and its CRC (4). */
export const HEADER_BYTES = 12;
/** Bytes around the payload: header plus the trailing payload CRC. */
export const FRAME_BYTES = 16;
const CHUNK_BYTES = 1 << 20;
/**
 * The largest record payload read: 256 MiB. Event payloads are scalars, histograms and images of at
 * most a few MB (a 4K PNG summary is ~10 MB); protobuf itself refuses messages over 2 GiB, and Node's
 * file reads take at most 2^31 - 1 bytes. A header claiming more is corruption (or a hostile file:
 * a sparse file can claim 2 GiB on 4 KB of disk), reported at its offset instead of allocated.
 */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;
const MASK_DELTA = 0xa282ead8;

/** Below this many bytes a table-driven CRC in JS beats the native call (its ~0.5 µs call overhead). */
const NATIVE_CRC_MIN_BYTES = 128;
/** Slicing-by-8 tables for CRC-32C (reflected polynomial 0x82F63B78). */
const TABLE = crcTables();

function crcTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n] as number;
    for (let k = 1; k < 8; k++) {
      c = (t[c & 0xff] as number) ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

/** CRC-32C of `b[start, end)`: native for long ranges, JS for short ones (no subarray allocation). */
function crc32cRange(b: Uint8Array, start: number, end: number): number {
  if (end - start >= NATIVE_CRC_MIN_BYTES) return crc32c(b.subarray(start, end));
  const t = TABLE;
  let c = ~0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    c ^= u32(b, i);
    const h = u32(b, i + 4);
    c = (t[1792 + (c & 0xff)] as number) ^ (t[1536 + ((c >>> 8) & 0xff)] as number) ^ (t[1280 + ((c >>> 16) & 0xff)] as number)
      ^ (t[1024 + (c >>> 24)] as number) ^ (t[768 + (h & 0xff)] as number) ^ (t[512 + ((h >>> 8) & 0xff)] as number)
      ^ (t[256 + ((h >>> 16) & 0xff)] as number) ^ (t[h >>> 24] as number);
  }
  for (; i < end; i++) c = (t[(c ^ (b[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

function mask(c: number): number {
  return ((((c >>> 15) | (c << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/**
 * The masked CRC-32C TFRecord stores: `((c >>> 15) | (c << 17)) + 0xA282EAD8 mod 2^32`.
 * @example
 * maskedCrc32c(new Uint8Array(8)) // masked CRC of a zero length field
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  return mask(crc32cRange(bytes, 0, bytes.length));
}

/**
 * Frames `payload` as one TFRecord (length, masked CRCs).
 * @example
 * const record = frameRecord(encodeEvent({ wall_time: 0, file_version: 'brain.Event:2' }));
 */
export function frameRecord(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.length + FRAME_BYTES);
  out.writeUInt32LE(payload.length >>> 0, 0);
  out.writeUInt32LE(Math.floor(payload.length / 0x1_0000_0000), 4);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(payload, HEADER_BYTES);
  out.writeUInt32LE(maskedCrc32c(payload), HEADER_BYTES + payload.length);
  return out;
}

/**
 * Reads the payload length of a record header at `at` if its length CRC matches, else `null`.
 * The length must be a safe integer (below 2^53), which any real event file satisfies.
 * @example
 * headerLength(frameRecord(new Uint8Array(5)), 0) // 5
 */
export function headerLength(buf: Uint8Array, at: number): number | null {
  const hi = u32(buf, at + 4);
  if (hi >= 0x20_0000) return null;
  if (mask(crc32cRange(buf, at, at + 8)) !== u32(buf, at + 8)) return null;
  return hi * 0x1_0000_0000 + u32(buf, at);
}

/** Little-endian uint32 at `at` (the caller guarantees 4 bytes are there). */
function u32(b: Uint8Array, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
}

/** What went wrong with the framing at a byte offset of the file. */
export type FramingIssue =
  | { readonly kind: 'truncated'; readonly offset: number; readonly expected: number | null; readonly found: number; readonly head: Uint8Array }
  | { readonly kind: 'bad-length-crc'; readonly offset: number }
  | { readonly kind: 'bad-payload-crc'; readonly offset: number; readonly length: number }
  | { readonly kind: 'oversized'; readonly offset: number; readonly length: number };

/** Receives records and framing issues from {@link scanRecords}. */
export interface RecordVisitor {
  /** One record whose CRCs match. `payload` is only valid during the call. Return `false` to stop. */
  record(payload: Buffer, offset: number): boolean;
  /** A framing issue; reading continues after a bad payload CRC and stops after the others. */
  issue(issue: FramingIssue): void;
  /** Bytes read from the file since `start`, after each chunk read. */
  progress?(consumed: number): void;
}

/**
 * Streams the records of an open file from byte `start` to the last whole record.
 * Returns the offset just after the last record consumed (the resume cursor).
 * @example
 * const end = await scanRecords(fh, 0, { record: (p) => { count++; return true; }, issue: (i) => issues.push(i) });
 */
export async function scanRecords(fh: FileHandle, start: number, visitor: RecordVisitor): Promise<number> {
  let size = (await fh.stat()).size;
  let buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let lo = 0; // first unconsumed byte in buf
  let hi = 0; // end of valid bytes in buf
  let offset = start; // file offset of buf[lo]
  let readPos = start; // file offset of the next read
  let eof = false;
  for (;;) {
    let need = HEADER_BYTES;
    while (hi - lo >= HEADER_BYTES) {
      const length = headerLength(buf, lo);
      if (length === null) {
        visitor.issue({ kind: 'bad-length-crc', offset });
        return offset;
      }
      if (length > MAX_RECORD_BYTES) {
        visitor.issue({ kind: 'oversized', offset, length });
        return offset;
      }
      need = length + FRAME_BYTES;
      if (hi - lo < need) break;
      const end = lo + HEADER_BYTES + length;
      const ok = mask(crc32cRange(buf, lo + HEADER_BYTES, end)) === u32(buf, end);
      const first = lo + HEADER_BYTES;
      const at = offset;
      lo += need;
      offset += need;
      need = HEADER_BYTES;
      if (!ok) visitor.issue({ kind: 'bad-payload-crc', offset: at, length });
      else if (!visitor.record(buf.subarray(first, end), at)) return offset;
    }
    let pastSize = false;
    if (!eof && need > HEADER_BYTES && offset + need > size) {
      // Not there yet unless the file grew since we looked; never allocate for bytes that do not exist.
      size = (await fh.stat()).size;
      pastSize = offset + need > size;
    }
    if (eof || pastSize) {
      if (hi > lo) {
        const found = Math.max(hi - lo, pastSize ? size - offset : 0);
        const length = hi - lo >= HEADER_BYTES ? headerLength(buf, lo) : null;
        visitor.issue({ kind: 'truncated', offset, expected: length === null ? null : length + FRAME_BYTES, found, head: buf.subarray(lo, hi) });
      }
      return offset;
    }
    if (need > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.ceil(need / CHUNK_BYTES) * CHUNK_BYTES);
      buf.copy(bigger, 0, lo, hi);
      buf = bigger;
      hi -= lo;
      lo = 0;
    } else if (lo > 0 && buf.length - lo < need + CHUNK_BYTES / 4) {
      buf.copyWithin(0, lo, hi);
      hi -= lo;
      lo = 0;
    }
    const { bytesRead } = await fh.read(buf, hi, buf.length - hi, readPos);
    if (bytesRead === 0) eof = true;
    hi += bytesRead;
    readPos += bytesRead;
    visitor.progress?.(offset - start + (hi - lo));
  }
}
