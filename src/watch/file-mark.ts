/**
 * What a follower remembers of a log file between reads, to tell a file that grew (read on from the
 * cursor) from one that was replaced or rewritten (read again from the start, as a restart): the
 * file's identity (device and inode), its size and modification time, and its first bytes.
 * - another inode at the same path: the file was replaced (a new file renamed over it, or deleted and
 *   created again), whatever its size;
 * - smaller than what was consumed: truncated (or replaced in place);
 * - the first bytes changed: rewritten (a CSV with a new header, a whole-file log written anew).
 * Used by `watch` (src/watch/follower.ts) and by the dashboard (src/server/served-run.ts).
 */
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** Bytes at the start of a file remembered to notice a rewrite. */
export const MARK_HEAD_BYTES = 1024;

/** A file as seen at one look. */
export interface FileMark {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** Its first {@link MARK_HEAD_BYTES} bytes (fewer when the file is shorter). */
  readonly head: Buffer;
}

/** How a file compares with what was read of it: the same, grown (or touched), or to be read again from the start. */
export type FileChange = 'same' | 'grown' | 'replaced' | 'shrunk' | 'rewritten';

/** Whether a change means the file must be read again from its start. */
export function isRestart(change: FileChange): boolean {
  return change === 'replaced' || change === 'shrunk' || change === 'rewritten';
}

/**
 * Looks at a file: one `stat`, and its first bytes only when it differs from `before` (size,
 * modification time or inode), so an unchanged file costs one system call. Throws when it cannot be
 * read (missing, no permission).
 * @example
 * const mark = await markFile('runs/m.jsonl');
 * // later
 * const now = await markFile('runs/m.jsonl', mark);
 * compareMarks(mark, now, cursor.offset) // 'grown', 'replaced', ...
 */
export async function markFile(path: string, before?: FileMark): Promise<FileMark> {
  const st = await stat(path);
  if (before && sameStat(before, st)) return before;
  const fh = await open(path, 'r');
  try {
    // Identity, size and head from the same open file, so they describe one file even if the path is swapped meanwhile.
    const opened = await fh.stat();
    const buf = Buffer.alloc(MARK_HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, MARK_HEAD_BYTES, 0);
    return { dev: opened.dev, ino: opened.ino, size: opened.size, mtimeMs: opened.mtimeMs, head: buf.subarray(0, bytesRead) };
  } finally {
    await fh.close();
  }
}

/**
 * How `now` compares with `before` (undefined: never read, so `grown`), given that reading stopped at
 * byte `offset` of the earlier file.
 * @example
 * compareMarks(before, now, 4096) // 'replaced' after `mv new.jsonl metrics.jsonl`
 */
export function compareMarks(before: FileMark | undefined, now: FileMark, offset: number): FileChange {
  if (before === undefined) return 'grown';
  if (now.dev !== before.dev || now.ino !== before.ino) return 'replaced';
  if (now.size < offset) return 'shrunk';
  if (now === before || (now.size === before.size && now.mtimeMs === before.mtimeMs)) return 'same';
  if (now.head.length < before.head.length) return 'rewritten';
  if (!now.head.subarray(0, before.head.length).equals(before.head)) return 'rewritten';
  return 'grown';
}

function sameStat(mark: FileMark, st: Stats): boolean {
  return st.dev === mark.dev && st.ino === mark.ino && st.size === mark.size && st.mtimeMs === mark.mtimeMs;
}
