/**
 * Streaming line splitter for the line-oriented formats (CSV, JSONL): reads a file in fixed-size
 * chunks from a byte offset and hands over each complete line with its number and byte offset.
 * Memory stays bounded by the chunk size plus the longest line (itself capped).
 *
 * Line ends: `\n`, `\r\n` (also `\r\r\n`, as Python's text mode writes `\r\n` on Windows), and a lone
 * `\r` (old Mac files). A last line without a line end is still being written, unless the caller
 * says the read is final (a one-shot diagnosis): then it is handed over too.
 */
import { open } from 'node:fs/promises';
import type { ProblemList } from '../problems/problem-list.js';
import type { ReadOptions } from '../reader.js';

/** A position between two lines: the byte offset of the next line and how many lines precede it. */
export interface LinePosition {
  /** Byte offset of the first byte not yet consumed. */
  readonly offset: number;
  /** Number of lines before `offset` (the next line is number `line + 1`). */
  readonly line: number;
}

/** Where a scan stopped. */
export interface ScanEnd extends LinePosition {
  /** Bytes after `offset` that were not consumed: a last line without a line end (0 when none). */
  readonly pendingBytes: number;
}

/** One line. */
export interface Line {
  /** Decoded UTF-8 text without the line end (`\n`, `\r\n`, `\r`) or a leading BOM. */
  readonly text: string;
  /** 1-based line number in the file. */
  readonly number: number;
  /** Byte offset of the line's first byte. */
  readonly offset: number;
  /** Byte offset just after the line end (the end of the data for a line without one). */
  readonly end: number;
  /** `true` when the line exceeded `maxLineBytes`; its `text` is then empty. */
  readonly overlong: boolean;
  /** `false` for a last line without a line end (see {@link ScanOptions.final} and {@link ScanOptions.onTail}). */
  readonly terminated: boolean;
}

/** Options for {@link scanLines}. */
export interface ScanOptions {
  /** Bytes per read (default 64 KiB). */
  readonly chunkSize?: number;
  /** Lines longer than this are reported as `overlong` instead of being kept (default 16 MiB). */
  readonly maxLineBytes?: number;
  /** Called after every chunk with the absolute file offset read so far. */
  readonly onProgress?: (bytes: number) => void;
  /**
   * The file is complete (a one-shot read, not following a file being written): a last line without
   * a line end is handed to `onLine` (with `terminated: false`) and consumed. Default false.
   */
  readonly final?: boolean;
  /**
   * When not `final`: called with a last line without a line end, which is not consumed (the returned
   * position stays before it), so the caller can say what it is waiting for.
   */
  readonly onTail?: (line: Line) => void;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Whether a reader's options say the read is the last one of a complete file (`final: true`), so a
 * last line without a line end is read instead of left for a later read. `final` is an option newer
 * than some callers' {@link ReadOptions} type, hence the look-up by name; absent means following.
 * @example
 * isFinalRead({ displayPath: 'a.csv' }) // false
 */
export function isFinalRead(options: ReadOptions): boolean {
  return options.final === true;
}

/**
 * The scan options every line-based reader of whole records (JSON lines, W&B's history) passes to
 * {@link scanLines}: a final read takes the unterminated last line, a following read holds it back and
 * says so as a `truncated` problem, and progress goes to the caller.
 * @example
 * await scanLines(path, start, onLine, recordScanOptions(options, problems));
 */
export function recordScanOptions(options: ReadOptions, problems: Pick<ProblemList, 'add'>): ScanOptions {
  return {
    final: isFinalRead(options),
    onTail: (line) => {
      if (line.overlong || line.text.trim() !== '') problems.add('truncated', `line ${line.number} (byte ${line.offset}): no line end yet (still being written, or cut short); not read`);
    },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}

/**
 * Calls `onLine` for every complete line from `start` on. A last line without a line end is not
 * consumed (the returned position stays before it; `onTail` sees it) unless `options.final`. `onLine`
 * may return `false` to stop after that line. Throws only for I/O errors (missing file, permissions).
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
): Promise<ScanEnd> {
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkSize);
    // A file whose lines end in a lone `\r` (checked before the resume point, then as lines come):
    // its last `\r` ends a line although no byte follows yet.
    let loneCr = false;
    if (start.offset > 0) {
      const { bytesRead } = await fh.read(buf, 0, 1, start.offset - 1);
      loneCr = bytesRead === 1 && buf[0] === CR;
    }
    let readPos = start.offset;
    let lineStart = start.offset;
    let lineNo = start.line;
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let overlong = false;
    /** `\r` bytes seen after the current line's text, not yet known to end it alone or with a `\n`. */
    let crRun = 0;
    let crStart = 0;

    const append = (part: Buffer): void => {
      if (part.length === 0) return;
      if (!overlong && pendingLen + part.length <= maxLineBytes) {
        pending.push(Buffer.from(part));
        pendingLen += part.length;
      } else {
        overlong = true;
        pending = [];
        pendingLen = 0;
      }
    };
    const lineText = (): string => {
      if (overlong) return '';
      let text = (pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingLen)).toString('utf8');
      if (lineStart === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      return text;
    };
    /** Hands over the current line ending at `end`; returns whether to go on. */
    const emit = (end: number, terminated = true): boolean => {
      lineNo += 1;
      const keepGoing = onLine({ text: lineText(), number: lineNo, offset: lineStart, end, overlong, terminated });
      lineStart = end;
      pending = [];
      pendingLen = 0;
      overlong = false;
      return keepGoing !== false;
    };
    /** Ends the line at a run of lone `\r`: the line, then one empty line per further `\r`. */
    const emitCrRun = (): boolean => {
      loneCr = true;
      const run = crRun;
      crRun = 0;
      for (let k = 0; k < run; k++) if (!emit(crStart + k + 1)) return false;
      return true;
    };
    const stopped = (): ScanEnd => ({ offset: lineStart, line: lineNo, pendingBytes: 0 });

    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunkSize, readPos);
      if (bytesRead === 0) break;
      const chunkPos = readPos;
      readPos += bytesRead;
      const chunk = buf.subarray(0, bytesRead);
      let nextLf = -2; // -2: not searched yet in this chunk; -1: none left
      let nextCr = -2;
      let i = 0;
      while (i < bytesRead) {
        if (crRun > 0) {
          const b = chunk[i];
          if (b === CR) {
            crRun += 1;
            i += 1;
          } else if (b === LF) {
            crRun = 0;
            i += 1;
            if (!emit(chunkPos + i)) return stopped();
          } else if (!emitCrRun()) {
            return stopped();
          }
          continue;
        }
        if (nextLf !== -1 && nextLf < i) nextLf = chunk.indexOf(LF, i);
        if (nextCr !== -1 && nextCr < i) nextCr = chunk.indexOf(CR, i);
        const t = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
        if (t === -1) {
          append(chunk.subarray(i));
          break;
        }
        append(chunk.subarray(i, t));
        i = t + 1;
        if (chunk[t] === LF) {
          if (!emit(chunkPos + i)) return stopped();
        } else {
          crRun = 1;
          crStart = chunkPos + t;
        }
      }
      options.onProgress?.(readPos);
    }
    if (crRun > 0 && (loneCr || options.final === true)) {
      if (!emitCrRun()) return stopped();
    }
    if (readPos > lineStart) {
      if (options.final === true) {
        emit(readPos, false);
        return stopped();
      }
      options.onTail?.({ text: lineText(), number: lineNo + 1, offset: lineStart, end: readPos, overlong, terminated: false });
    }
    return { offset: lineStart, line: lineNo, pendingBytes: readPos - lineStart };
  } finally {
    await fh.close();
  }
}
