/**
 * Streaming line splitter for the line-oriented formats (CSV, JSONL): reads a file in fixed-size
 * chunks from a byte offset and hands over each complete line with its number and byte offset.
 * Memory stays bounded by the chunk size plus the longest line (itself capped).
 */
import { open } from 'node:fs/promises';

/** A position between two lines: the byte offset of the next line and how many lines precede it. */
export interface LinePosition {
  /** Byte offset of the first byte not yet consumed. */
  readonly offset: number;
  /** Number of lines before `offset` (the next line is number `line + 1`). */
  readonly line: number;
}

/** One complete line (terminated by `\n`). */
export interface Line {
  /** Decoded UTF-8 text without the line terminator (`\n` or `\r\n`) or a leading BOM. */
  readonly text: string;
  /** 1-based line number in the file. */
  readonly number: number;
  /** Byte offset of the line's first byte. */
  readonly offset: number;
  /** Byte offset just after the line terminator. */
  readonly end: number;
  /** `true` when the line exceeded `maxLineBytes`; its `text` is then empty. */
  readonly overlong: boolean;
}

/** Options for {@link scanLines}. */
export interface ScanOptions {
  /** Bytes per read (default 64 KiB). */
  readonly chunkSize?: number;
  /** Lines longer than this are reported as `overlong` instead of being kept (default 16 MiB). */
  readonly maxLineBytes?: number;
  /** Called after every chunk with the absolute file offset read so far. */
  readonly onProgress?: (bytes: number) => void;
}

const NEWLINE = 0x0a;

/**
 * Calls `onLine` for every complete line from `start` on. A last line without a terminating `\n`
 * (still being written) is not consumed: the returned position stays before it. `onLine` may
 * return `false` to stop after that line. Throws only for I/O errors (missing file, permissions).
 * @example
 * const end = await scanLines('log.jsonl', { offset: 0, line: 0 }, (l) => console.log(l.number, l.text));
 * // later, when the file has grown:
 * await scanLines('log.jsonl', end, onLine);
 */
export async function scanLines(
  path: string,
  start: LinePosition,
  onLine: (line: Line) => boolean | void,
  options: ScanOptions = {},
): Promise<LinePosition> {
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkSize);
    let readPos = start.offset;
    let lineStart = start.offset;
    let lineNo = start.line;
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let overlong = false;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunkSize, readPos);
      if (bytesRead === 0) break;
      const chunkPos = readPos;
      readPos += bytesRead;
      let i = 0;
      while (i < bytesRead) {
        const nl = buf.indexOf(NEWLINE, i);
        if (nl === -1 || nl >= bytesRead) {
          if (!overlong && pendingLen + bytesRead - i <= maxLineBytes) {
            pending.push(Buffer.from(buf.subarray(i, bytesRead)));
            pendingLen += bytesRead - i;
          } else {
            overlong = true;
            pending = [];
            pendingLen = 0;
          }
          break;
        }
        let text = '';
        if (!overlong && pendingLen + nl - i <= maxLineBytes) {
          const part = buf.subarray(i, nl);
          const bytes = pendingLen === 0 ? part : Buffer.concat([...pending, part]);
          text = bytes.toString('utf8');
          if (text.endsWith('\r')) text = text.slice(0, -1);
          if (lineStart === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        } else {
          overlong = true;
        }
        const end = chunkPos + nl + 1;
        lineNo += 1;
        const keepGoing = onLine({ text, number: lineNo, offset: lineStart, end, overlong });
        lineStart = end;
        pending = [];
        pendingLen = 0;
        overlong = false;
        i = nl + 1;
        if (keepGoing === false) return { offset: lineStart, line: lineNo };
      }
      options.onProgress?.(readPos);
    }
    return { offset: lineStart, line: lineNo };
  } finally {
    await fh.close();
  }
}
