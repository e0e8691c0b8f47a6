/**
 * The start every reader of a small, whole-document file shares (trainer_state.json, a Keras history
 * JSON, an MLflow run's meta.yaml, a W&B config.yaml): skip a file the cursor says is already read,
 * refuse one over a size bound, read the text, and turn an I/O error into an `unreadable` problem.
 */
import { readFile, stat } from 'node:fs/promises';
import { describeIoError, type ProblemList } from '../problems/problem-list.js';
import type { ReadOptions, ReadResult } from '../reader.js';

/** The file's text, or the result the reader returns as it is (unchanged, too large or unreadable). */
export type WholeFile = { readonly text: string; readonly size: number } | { readonly done: ReadResult };

/** How a reader wants its file read. */
export interface WholeFileSpec {
  /** Whether `options.from` is a cursor this reader wrote (an unchanged size then means nothing new). */
  readonly resumable: boolean;
  /** Larger files are not read: a `too-large` problem with this message. */
  readonly maxBytes?: { readonly bytes: number; readonly message: (size: number) => string };
  /** The `unreadable` message for an I/O error (default `cannot read the file: <reason>`). */
  readonly unreadable?: (reason: string) => string;
}

/**
 * Reads `path` whole, or says why not.
 * @example
 * const file = await readWholeFile(path, options, problems, { resumable: prior !== null });
 * if ('done' in file) return file.done;
 */
export async function readWholeFile(path: string, options: ReadOptions, problems: ProblemList, spec: WholeFileSpec): Promise<WholeFile> {
  try {
    const size = (await stat(path)).size;
    if (options.from && spec.resumable && options.from.offset === size) return { done: { cursor: options.from, problems: [], records: 0 } };
    if (spec.maxBytes && size > spec.maxBytes.bytes) {
      problems.add('too-large', spec.maxBytes.message(size));
      return { done: { cursor: { offset: size }, problems: problems.toArray(), records: 0 } };
    }
    const bytes = await readFile(path);
    return { text: bytes.toString('utf8'), size: bytes.length };
  } catch (error) {
    const reason = describeIoError(error);
    problems.add('unreadable', spec.unreadable ? spec.unreadable(reason) : `cannot read the file: ${reason}`);
    return { done: { cursor: options.from ?? { offset: 0 }, problems: problems.toArray(), records: 0 } };
  }
}
