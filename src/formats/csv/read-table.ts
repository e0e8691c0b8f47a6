/**
 * Streaming, resumable reading of a CSV table with a header line: the part the CSV readers share.
 * The header travels in the cursor state so a resumed read knows the columns. Ragged rows become
 * `ragged-row` problems, a cut-off last row `truncated`, zero bytes `zero-filled`; what a row means
 * is up to the reader's {@link CsvTableSpec}.
 */
import { stat } from 'node:fs/promises';
import type { ReadOptions, ReadResult } from '../reader.js';
import { isFinalRead, scanLines, type Line, type LinePosition } from '../lines/scan-lines.js';
import { describeIoError, problemList, type ProblemList } from '../problems/problem-list.js';
import { isMissingCell, parseCsvLine, parseNumberCell } from './parse-line.js';

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
  /**
   * The columns of a file without a header line, from the cells of its first line, or null when that
   * line is the header (the default). The first line is then a data row.
   */
  headerless?(cells: readonly string[]): string[] | null;
  /** The cell separator, from the first line (default `,`). */
  delimiter?(firstLine: string): string;
}

/** What {@link CsvTableSpec.row} gets besides the cells. */
export interface CsvTableContext<E> {
  readonly header: readonly string[];
  readonly extra: E;
  readonly problems: ProblemList;
  /**
   * 0-based index of the row among the data rows below the current header: blank lines are not
   * counted, unreadable rows are. A header written again (another fit appended) starts again at 0.
   */
  readonly row: number;
  /** The file has no header line: `header` came from {@link CsvTableSpec.headerless}. */
  readonly headerless: boolean;
}

/** The cursor state of a CSV table read. */
interface TableState {
  readonly header: string[];
  /** The first line as written, to notice a file rewritten with new columns. */
  readonly headerText: string;
  /** Lines consumed (header included). */
  readonly line: number;
  readonly extra: unknown;
  /** Data rows below the current header. */
  readonly rows: number;
  readonly delimiter: string;
  /** The file has no header line (its columns came from {@link CsvTableSpec.headerless}). */
  readonly headerless: boolean;
}

/**
 * Reads `path` as a CSV table from `options.from` to its last complete line (in a final read, see
 * `isFinalRead`, also a last line without a line end: read when it has every column, else `truncated`).
 * On resume: a file now shorter than the cursor was replaced (read from the start, as a restart);
 * a file whose first line changed was rewritten with new columns (Lightning does this when a new
 * metric appears): it is re-read from the start, skipping the rows already consumed. A cursor
 * whose state is not one this function returned is ignored (the file is read from the start).
 * A header line again below rows (a second fit appended to the file, possibly with other columns)
 * becomes the header of the rows after it. Zero bytes (a crashed writer's unwritten data) are
 * skipped with one `zero-filled` problem naming their byte range.
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
    let delimiter = ',';
    let headerless = false;
    let rows = 0;
    let skipThrough = 0;
    let priorExtra: unknown;
    if (options.from && prior && options.from.offset <= size) {
      const first = await firstLine(path);
      priorExtra = prior.extra;
      if (first === prior.headerText) {
        start = { offset: options.from.offset, line: prior.line };
        ({ header, headerText, delimiter, headerless, rows } = prior);
      } else {
        skipThrough = prior.line;
      }
    }
    if (start.offset === 0 && skipThrough === 0) await spec.fresh?.();
    const extra = spec.extra(priorExtra);
    const zeros = zeroTracker();
    let records = 0;
    let badHeader = false;
    const onLine = (line: Line): boolean => {
      if (line.overlong) {
        problems.add('line-too-long', `line ${line.number} (byte ${line.offset}): longer than the line limit; skipped`);
        if (header !== null) rows += 1;
        return true;
      }
      const text = zeros.strip(line);
      if (text.trim() === '') return true;
      if (header === null) {
        const d = spec.delimiter?.(text) ?? ',';
        const cells = parseCsvLine(text, d).map((c) => c.trim());
        const columns = spec.headerless?.(cells) ?? null;
        delimiter = d;
        headerText = text;
        if (columns === null) {
          const why = spec.checkHeader(cells);
          if (why !== null) {
            problems.add('bad-header', `line ${line.number}: ${why}`);
            badHeader = true;
            return false;
          }
          header = cells;
          return true;
        }
        header = columns;
        headerless = true;
      }
      const cells = parseCsvLine(text, delimiter);
      if (!headerless && isHeaderAgain(cells, header) && spec.checkHeader(cells.map((c) => c.trim())) === null) {
        header = cells.map((c) => c.trim());
        rows = 0;
        return true;
      }
      const row = rows;
      rows += 1;
      if (line.number <= skipThrough) return true;
      if (!line.terminated && cells.length < header.length) {
        problems.add('truncated',
          `line ${line.number} (byte ${line.offset}): the last line has no line end and only ${cells.length} of ${header.length} columns: cut short; row skipped`);
        return true;
      }
      if (cells.length !== header.length) {
        problems.add('ragged-row',
          `line ${line.number}: expected ${header.length} columns (as in the header), found ${cells.length}; row skipped`);
        return true;
      }
      if (spec.row(cells, line.number, { header, extra, problems, row, headerless })) records += 1;
      return true;
    };
    const onTail = (line: Line): void => {
      const text = line.overlong ? 'x' : zeros.strip(line);
      if (text.trim() === '') return;
      problems.add('truncated',
        `line ${line.number} (byte ${line.offset}): no line end yet (still being written, or cut short); not read`);
    };
    const end = await scanLines(path, start, onLine, {
      final: isFinalRead(options),
      onTail,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    zeros.report(problems);
    if (badHeader || header === null) return { cursor: { offset: 0 }, problems: problems.toArray(), records };
    const state: TableState = { header, headerText, line: end.line, extra, rows, delimiter, headerless };
    return { cursor: { offset: end.offset, state }, problems: problems.toArray(), records };
  } catch (error) {
    return fail(error);
  }
}

/**
 * Whether the cells of a row below the header are a header again (another fit appended to the file):
 * the same line, or text cells only that share a column name with the current header.
 */
function isHeaderAgain(raw: readonly string[], header: readonly string[]): boolean {
  const cells = raw.map((c) => c.trim());
  if (cells.length === header.length && cells.every((c, i) => c === header[i])) return true;
  const named = cells.filter((c) => c !== '');
  if (cells.length < 2 || named.length === 0) return false;
  if (named.some((c) => parseNumberCell(c) !== undefined || isMissingCell(c))) return false;
  return named.some((c) => header.includes(c));
}

/** Collects the zero bytes met in a read into one problem. */
function zeroTracker(): { strip(line: Line): string; report(problems: ProblemList): void } {
  let from = -1;
  let to = -1;
  let count = 0;
  let cutLine = -1;
  return {
    /** The text of a line without zero bytes: what follows the last run of them (a writer's restart). */
    strip(line) {
      const text = line.text;
      const firstZero = text.indexOf('\0');
      if (firstZero === -1) return text;
      const lastZero = text.lastIndexOf('\0');
      const start = line.offset + Buffer.byteLength(text.slice(0, firstZero));
      if (from === -1) from = start;
      to = line.offset + Buffer.byteLength(text.slice(0, lastZero + 1));
      for (let i = firstZero; i <= lastZero; i++) if (text.charCodeAt(i) === 0) count += 1;
      if (cutLine === -1 && text.slice(0, firstZero).trim() !== '') cutLine = line.number;
      return text.slice(lastZero + 1);
    },
    report(problems) {
      if (count === 0) return;
      const cut = cutLine === -1 ? '' : `; the row they cut short (line ${cutLine}) is skipped`;
      problems.add('zero-filled',
        `bytes ${from}-${to - 1}: ${count} zero (NUL) bytes where text was expected (the writer crashed before its data reached the disk?)${cut}; the rows around them were read`);
    },
  };
}

/** The first non-blank line of a file, or undefined when it has none. */
async function firstLine(path: string): Promise<string | undefined> {
  let text: string | undefined;
  await scanLines(path, { offset: 0, line: 0 }, (line) => {
    if (line.text.trim() === '') return true;
    text = line.text;
    return false;
  }, { chunkSize: 4096, final: true });
  return text;
}

/** A cursor state from a previous read, or null when it is not one. */
function tableState(state: unknown): TableState | null {
  if (typeof state !== 'object' || state === null) return null;
  const s = state as Record<string, unknown>;
  const header = s['header'];
  if (!Array.isArray(header) || !header.every((c) => typeof c === 'string')) return null;
  if (typeof s['headerText'] !== 'string' || typeof s['line'] !== 'number') return null;
  return {
    header: header as string[],
    headerText: s['headerText'],
    line: s['line'],
    extra: s['extra'],
    rows: typeof s['rows'] === 'number' ? s['rows'] : 0,
    delimiter: typeof s['delimiter'] === 'string' ? s['delimiter'] : ',',
    headerless: s['headerless'] === true,
  };
}
