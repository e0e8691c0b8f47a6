/**
 * Streaming, resumable reading of a CSV table with a header line: the part Lightning and Keras
 * CSV readers share. The header travels in the cursor state so a resumed read knows the columns.
 * Ragged rows become `ragged-row` problems; what a row means is up to the reader's {@link CsvTableSpec}.
 */
import { stat } from 'node:fs/promises';
import type { ReadOptions, ReadResult } from '../reader.js';
import { scanLines, type Line, type LinePosition } from '../lines/scan-lines.js';
import { describeIoError, problemList, type ProblemList } from '../problems/problem-list.js';
import { parseCsvLine } from './parse-line.js';

/** What a reader does with the rows of its table. `E` is its own state, carried across resumes. */
export interface CsvTableSpec<E> {
  /** Returns why the header is unusable (a `bad-header` problem), or null when it is fine. */
  checkHeader(header: readonly string[]): string | null;
  /** Fresh reader state, or one revived from a previous cursor (`prior` is unvalidated). */
  extra(prior: unknown): E;
  /** Decodes one row whose cell count matches the header; returns whether it counted as a record. */
  row(cells: readonly string[], line: number, table: CsvTableContext<E>): boolean;
  /** Called once when a file is read from its beginning (not on resume), e.g. to read side files. */
  fresh?(): Promise<void>;
}

/** What {@link CsvTableSpec.row} gets besides the cells. */
export interface CsvTableContext<E> {
  readonly header: readonly string[];
  readonly extra: E;
  readonly problems: ProblemList;
}

/** The cursor state of a CSV table read. */
interface TableState {
  readonly header: string[];
  /** The header line as written, to notice a file rewritten with new columns. */
  readonly headerText: string;
  /** Lines consumed (header included). */
  readonly line: number;
  readonly extra: unknown;
}

/**
 * Reads `path` as a CSV table from `options.from` to its last complete line.
 * On resume: a file now shorter than the cursor was replaced (read from the start, as a restart);
 * a file whose header line changed was rewritten with new columns (Lightning does this when a new
 * metric appears): it is re-read from the start, skipping the rows already consumed. A cursor
 * whose state is not one this function returned is ignored (the file is read from the start).
 * @example
 * const result = await readCsvTable('training.log', {}, {
 *   checkHeader: (h) => (h.includes('epoch') ? null : 'expected an "epoch" column'),
 *   extra: () => ({}),
 *   row: (cells) => cells.length > 0,
 * });
 */
export async function readCsvTable<E>(path: string, options: ReadOptions, spec: CsvTableSpec<E>): Promise<ReadResult> {
  const problems = problemList(options.displayPath ?? path);
  const fail = (error: unknown): ReadResult => {
    problems.add('unreadable', `cannot read the file: ${describeIoError(error)}`);
    return { cursor: options.from ?? { offset: 0 }, problems: problems.toArray(), records: 0 };
  };
  try {
    const size = (await stat(path)).size;
    const prior = tableState(options.from?.state);
    let start: LinePosition = { offset: 0, line: 0 };
    let header: string[] | null = null;
    let headerText = '';
    let skipThrough = 0;
    let priorExtra: unknown;
    if (options.from && prior && options.from.offset <= size) {
      const first = await firstLine(path);
      priorExtra = prior.extra;
      if (first === prior.headerText) {
        start = { offset: options.from.offset, line: prior.line };
        header = prior.header;
        headerText = prior.headerText;
      } else {
        skipThrough = prior.line;
      }
    }
    if (start.offset === 0 && skipThrough === 0) await spec.fresh?.();
    const extra = spec.extra(priorExtra);
    let records = 0;
    let badHeader = false;
    const onLine = (line: Line): boolean => {
      if (line.overlong) {
        problems.add('line-too-long', `line ${line.number} (byte ${line.offset}): longer than the line limit; skipped`);
        return true;
      }
      if (line.text.trim() === '') return true;
      if (header === null) {
        const cells = parseCsvLine(line.text).map((c) => c.trim());
        const why = spec.checkHeader(cells);
        if (why !== null) {
          problems.add('bad-header', `line ${line.number}: ${why}`);
          badHeader = true;
          return false;
        }
        header = cells;
        headerText = line.text;
        return true;
      }
      if (line.number <= skipThrough) return true;
      const cells = parseCsvLine(line.text);
      if (cells.length !== header.length) {
        problems.add('ragged-row',
          `line ${line.number}: expected ${header.length} columns (as in the header), found ${cells.length}; row skipped`);
        return true;
      }
      if (spec.row(cells, line.number, { header, extra, problems })) records += 1;
      return true;
    };
    const end = await scanLines(path, start, onLine, options.onProgress ? { onProgress: options.onProgress } : {});
    if (badHeader || header === null) return { cursor: { offset: 0 }, problems: problems.toArray(), records };
    const state: TableState = { header, headerText, line: end.line, extra };
    return { cursor: { offset: end.offset, state }, problems: problems.toArray(), records };
  } catch (error) {
    return fail(error);
  }
}

/** The first line of a file, or undefined when it has no complete line. */
async function firstLine(path: string): Promise<string | undefined> {
  let text: string | undefined;
  await scanLines(path, { offset: 0, line: 0 }, (line) => {
    text = line.text;
    return false;
  }, { chunkSize: 4096 });
  return text;
}

/** A cursor state from a previous read, or null when it is not one. */
function tableState(state: unknown): TableState | null {
  if (typeof state !== 'object' || state === null) return null;
  const s = state as Record<string, unknown>;
  const header = s['header'];
  if (!Array.isArray(header) || !header.every((c) => typeof c === 'string')) return null;
  if (typeof s['headerText'] !== 'string' || typeof s['line'] !== 'number') return null;
  return { header: header as string[], headerText: s['headerText'], line: s['line'], extra: s['extra'] };
}
