/**
 * Bounded reads of the files `nndoctor preflight` is given (model.json, weight shards, data files),
 * which may be hostile: only regular files are opened (a device such as `/dev/zero`, a FIFO, a socket
 * or a directory is refused without reading a byte, and opening never blocks on a FIFO), no more
 * bytes are read than the file's size when it was opened (or a smaller declared size), and JSON
 * nesting is measured before `JSON.parse` so that a 100 000-deep document is refused with its byte
 * offset instead of overflowing the stack of whatever walks it afterwards. Nothing here writes.
 */
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

/** Deepest JSON nesting (arrays and objects) accepted in model.json and JSON data files. */
export const MAX_JSON_DEPTH = 64;

/** Why a file could not be read; `code` as in the loaders' error classes. */
export interface ReadFailure {
  readonly code: 'not-found' | 'not-a-file' | 'unreadable' | 'too-large';
  /** What is wrong, without the file name (the caller prefixes it). */
  readonly message: string;
  readonly cause?: unknown;
}

/** Thrown by the helpers below; the loaders turn it into their own error class. */
export class ReadFailureError extends Error {
  override readonly name = 'ReadFailureError';
  constructor(readonly failure: ReadFailure) {
    super(failure.message, failure.cause === undefined ? undefined : { cause: failure.cause });
  }
}

function kind(st: { isDirectory(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** An open regular file and its size when it was opened. */
export interface RegularFile {
  readonly handle: FileHandle;
  readonly size: number;
}

/**
 * Opens `path` read-only if it is a regular file: the check is made on the opened descriptor
 * (`fstat`), so a path swapped between a check and the open cannot slip through, and `O_NONBLOCK`
 * keeps a FIFO from blocking the open. `noFollow` refuses a symbolic link as the last component.
 * Throws a {@link ReadFailureError}; the caller closes the handle.
 * @example
 * const { handle, size } = await openRegular('train.csv');
 */
export async function openRegular(path: string, options: { noFollow?: boolean } = {}): Promise<RegularFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ReadFailureError({ code: 'not-found', message: 'no such file', cause: err });
    if (code === 'ELOOP') throw new ReadFailureError({ code: 'not-a-file', message: 'is a symbolic link', cause: err });
    if (code === 'EISDIR') throw new ReadFailureError({ code: 'not-a-file', message: 'is a directory', cause: err });
    throw new ReadFailureError({ code: 'unreadable', message: `cannot be opened: ${(err as Error).message}`, cause: err });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ReadFailureError({ code: 'not-a-file', message: `is ${kind(st)}, not a regular file` });
    return { handle, size: st.size };
  } catch (err) {
    await handle.close();
    if (err instanceof ReadFailureError) throw err;
    throw new ReadFailureError({ code: 'unreadable', message: `cannot be read: ${(err as Error).message}`, cause: err });
  }
}

/**
 * Reads exactly `bytes` bytes from the start of an open file, never more; a file that turns out
 * shorter (it shrank after it was opened) is a failure.
 * @example
 * const buf = await readExactly(handle, 1024);
 */
export async function readExactly(handle: FileHandle, bytes: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  while (at < bytes) {
    let n: number;
    try {
      ({ bytesRead: n } = await handle.read(out, at, bytes - at, at));
    } catch (err) {
      throw new ReadFailureError({ code: 'unreadable', message: `cannot be read: ${(err as Error).message}`, cause: err });
    }
    if (n === 0) throw new ReadFailureError({ code: 'unreadable', message: `ended after ${at} of its ${bytes} bytes (it changed while being read)` });
    at += n;
  }
  return out;
}

/**
 * Reads a whole regular file of at most `maxBytes` bytes (`what` describes the limit in the error).
 * @example
 * const bytes = await readRegularFile('model.json', 64 * 2 ** 20, 'a model.json');
 */
export async function readRegularFile(path: string, maxBytes: number, what: string): Promise<Buffer> {
  const { handle, size } = await openRegular(path);
  try {
    if (size > maxBytes) throw new ReadFailureError({ code: 'too-large', message: `is ${size} bytes; the limit for ${what} is ${maxBytes} bytes` });
    return await readExactly(handle, size);
  } finally {
    await handle.close();
  }
}

/** Where JSON nesting first went deeper than the limit. */
export interface DepthExceeded {
  /** 0-based byte offset of the opening bracket or brace that went past the limit. */
  readonly offset: number;
  /** 1-based line and column (in bytes) of that offset. */
  readonly line: number;
  readonly column: number;
}

/**
 * Scans JSON (bytes, or text whose UTF-8 byte offsets are counted) for nesting deeper than `limit`
 * (arrays and objects; brackets inside strings do not count), without parsing: linear time,
 * constant stack. Returns where the limit was first exceeded, or null. Invalid JSON is left to
 * `JSON.parse`.
 * @example
 * jsonDepthExceeded('[[[1]]]', 2) // { offset: 2, line: 1, column: 3 }
 */
export function jsonDepthExceeded(json: Uint8Array | string, limit: number = MAX_JSON_DEPTH): DepthExceeded | null {
  const text = typeof json === 'string';
  let depth = 0;
  let inString = false;
  let line = 1;
  let lineStart = 0;
  let byte = 0; // byte offset of json[i]
  for (let i = 0; i < json.length; i++) {
    const b = text ? (json as string).charCodeAt(i) : (json as Uint8Array)[i]!;
    const at = byte;
    if (text) byte += b < 0x80 ? 1 : b < 0x800 ? 2 : b >= 0xd800 && b <= 0xdbff ? 4 : b >= 0xdc00 && b <= 0xdfff ? 0 : 3;
    else byte++;
    if (inString) {
      if (b === 0x5c) {
        // the escaped character is ASCII in valid JSON; count it
        i++;
        byte++;
      } else if (b === 0x22) inString = false;
      else if (b === 0x0a) {
        line++;
        lineStart = byte;
      }
      continue;
    }
    if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      depth++;
      if (depth > limit) return { offset: at, line, column: at - lineStart + 1 };
    } else if (b === 0x5d || b === 0x7d) depth--;
    else if (b === 0x0a) {
      line++;
      lineStart = byte;
    }
  }
  return null;
}
